/**
 * The item loop every model node runs: check every item (plan.ts), then buy and wait for the
 * jobs a bounded number at a time (submit.ts, wait.ts, pause.ts), and output one item per
 * input item, in order, paired. Nothing is dropped: an item gives a video or, with Continue
 * On Fail, an error item carrying its request id.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { realClock } from '../clock';
import type { Clock } from '../clock';
import { PROVIDER_NAMES, errorMessage, toNodeError } from '../errors';
import { costFields, endedJobJson, errorItemJson, videoBinary } from '../jobOutput';
import { JobLedger } from '../ledger';
import type { ModelSpec } from '../models/types';
import type { CallContext, ProviderTransport } from '../providers/types';
import { DEFAULT_CONCURRENCY } from '../runProperties';
import { StopSwitch } from '../stopSwitch';
import { pauseUntilCallbacks, prepareWebhookWait } from './pause';
import { checkSpend, pricePlans, readSpendOptions } from './spend';
import { planItem } from './plan';
import type { InputReader, Plan } from './plan';
import { earlierJob, submitPlan } from './submit';
import type { RunContext, SubmittedJob } from './submit';
import { waitPolled } from './wait';
import type { StatusChange } from './wait';

export interface RunEnvironment {
	clock?: Clock;
	transport?: ProviderTransport;
}

interface Failure {
	itemIndex: number;
	error: unknown;
	requestId?: string;
}

export async function runItems(
	ctx: IExecuteFunctions,
	readInputs: InputReader,
	transport: ProviderTransport,
	env: RunEnvironment,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const secrets = await transport.secrets(ctx);
	const results: INodeExecutionData[] = new Array(items.length);
	const modelOf = new Map<number, ModelSpec>();
	const errorItem = (itemIndex: number, error: unknown, requestId?: string): INodeExecutionData => ({
		json: errorItemJson(
			modelOf.get(itemIndex) ?? { provider: transport.provider, id: null },
			toNodeError(node, error, { itemIndex, requestId, secrets }),
			requestId,
		),
		pairedItem: { item: itemIndex },
	});

	// 1. Check every item before the first request: bad input costs nothing.
	const plans: Plan[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const plan = await planItem(ctx, readInputs, transport, itemIndex);
			modelOf.set(itemIndex, plan.model);
			plans.push(plan);
		} catch (error) {
			if (!continueOnFail) throw toNodeError(node, error, { itemIndex, secrets });
			results[itemIndex] = errorItem(itemIndex, error);
		}
	}

	const run: RunContext = {
		ctx,
		node,
		provider: transport.provider,
		transport,
		clock: env.clock ?? realClock,
		ledger: new JobLedger(ctx),
		providerName: PROVIDER_NAMES[transport.provider],
	};
	const callContext = (itemIndex: number, signal?: AbortSignal): CallContext => ({
		ctx,
		node,
		clock: run.clock,
		signal,
		itemIndex,
		debug: (message) => ctx.logger.debug(`[${node.name}] item ${itemIndex}: ${message}`),
	});

	// Waiting by webhook needs room for the job list: checked before anything is asked or bought.
	const byWebhook = plans.length > 0 && plans[0].mode === 'submitAndWait' && plans[0].waitMethod === 'webhook';
	const nonce = byWebhook ? prepareWebhookWait(run, plans, items.length) : '';

	// 2. Price every item, and hold the run to Max Cost and the balance, before buying anything.
	if (plans.length) {
		const spend = readSpendOptions(ctx);
		await pricePlans(run, plans, callContext(0));
		for (const refusal of await checkSpend(run, plans, spend, continueOnFail, callContext(0))) {
			results[refusal.itemIndex] = errorItem(refusal.itemIndex, refusal.error);
			plans.splice(
				plans.findIndex((plan) => plan.itemIndex === refusal.itemIndex),
				1,
			);
		}
	}


	// 3. Buy and wait for the jobs, a bounded number at a time.
	const stop = new StopSwitch(ctx.getExecutionCancelSignal?.());
	const active = new Map<string, { itemIndex: number; model: ModelSpec }>();
	const submittedIds: Array<string | null> = new Array(items.length).fill(null);
	let firstFailure: Failure | undefined;

	ctx.onExecutionCancellation?.(() => cancelActive(run, active, callContext));

	async function runItem(plan: Plan, call: CallContext): Promise<void> {
		const { model } = plan;
		let requestId: string | undefined;
		try {
			const known = earlierJob(run, plan);
			if (known?.state === 'done' && known.output && known.requestId) {
				requestId = known.requestId;
				if (byWebhook) {
					submittedIds[plan.itemIndex] = requestId;
					return;
				}
				call.debug(`job ${requestId} already finished in an earlier try; not submitting again`);
				results[plan.itemIndex] = await deliver(plan, call, known.output);
				return;
			}
			let job: SubmittedJob;
			if (known?.state === 'submitted' && known.requestId) {
				job = { requestId: known.requestId, submittedAt: known.submittedAt };
				call.debug(`resuming job ${job.requestId} from an earlier try instead of submitting again`);
			} else {
				job = await submitPlan(run, call, plan);
				if (plan.mode === 'submitOnly') {
					const json: IDataObject = {
						provider: model.provider,
						model: model.id,
						requestId: job.requestId,
						status: 'submitted',
						...costFields(plan.estimatedCost, plan.costSource),
						webhookUrl: plan.webhookUrl ?? null,
						response: job.raw ?? {},
					};
					run.ledger.done(plan.itemIndex, plan.print, job.requestId, json);
					results[plan.itemIndex] = { json, pairedItem: { item: plan.itemIndex } };
					return;
				}
			}
			requestId = job.requestId;
			if (byWebhook) {
				// The provider will call the resume URL; the pause happens once all are submitted.
				submittedIds[plan.itemIndex] = requestId;
				return;
			}
			active.set(requestId, { itemIndex: plan.itemIndex, model });
			let status;
			const statusHistory: StatusChange[] = [];
			try {
				status = await waitPolled(run, call, plan, job, statusHistory);
			} finally {
				active.delete(requestId);
			}
			if (status.phase === 'failed') run.ledger.forget(plan.itemIndex);
			const json = await endedJobJson(call, model, transport, requestId, status, plan.estimatedCost, plan.costSource);
			json.statusHistory = statusHistory as unknown as IDataObject[];
			run.ledger.done(plan.itemIndex, plan.print, requestId, json);
			results[plan.itemIndex] = await deliver(plan, call, json);
		} catch (error) {
			if (continueOnFail && !ctx.getExecutionCancelSignal?.()?.aborted) {
				results[plan.itemIndex] = errorItem(plan.itemIndex, error, requestId);
				return;
			}
			// The first failure is the real one; later ones are mostly the stop it causes.
			firstFailure = firstFailure ?? { itemIndex: plan.itemIndex, error, requestId };
			stop.stop();
		}
	}

	async function deliver(plan: Plan, call: CallContext, json: IDataObject): Promise<INodeExecutionData> {
		const item: INodeExecutionData = { json, pairedItem: { item: plan.itemIndex } };
		const binary = await videoBinary(call, plan.model, json, plan);
		if (binary) item.binary = binary;
		return item;
	}

	const queue = [...plans];
	const limit = Math.max(1, Math.min(plans[0]?.concurrency ?? DEFAULT_CONCURRENCY, plans.length || 1));
	await Promise.all(
		Array.from({ length: limit }, async () => {
			while (queue.length && !stop.stopped) {
				const plan = queue.shift() as Plan;
				const lease = stop.forItem();
				try {
					await runItem(plan, callContext(plan.itemIndex, lease.signal));
				} finally {
					lease.release();
				}
			}
		}),
	);

	if (ctx.getExecutionCancelSignal?.()?.aborted) {
		const pending = run.ledger.pending();
		throw new NodeOperationError(node, 'The execution was cancelled', {
			description: pending.length
				? `Jobs still known at ${run.providerName}: ${pending.join(', ')}${transport.cancel ? ' (cancellation was requested)' : ''}.`
				: undefined,
		});
	}
	if (firstFailure) throw failureError(run, firstFailure, secrets);
	if (byWebhook) return await pauseUntilCallbacks(run, ctx, plans, results, submittedIds, nonce);
	run.ledger.clear();
	return [results];
}

/** The run's first failure, with the other jobs still running named (a retry resumes them). */
function failureError(run: RunContext, failure: Failure, secrets: string[]) {
	const error = toNodeError(run.node, failure.error, {
		itemIndex: failure.itemIndex,
		requestId: failure.requestId,
		provider: run.provider,
		secrets,
	});
	const others = run.ledger.pending().filter((id) => id !== failure.requestId);
	if (others.length) {
		error.description =
			`${error.description ?? ''}\nOther jobs of this run were not waited for and may still be running at ${run.providerName}: ${others.join(', ')}. With Retry On Fail, the retry resumes them instead of paying again.`.trim();
	}
	return error;
}

/** The user stopped the execution: cancel the running jobs where the provider can. */
function cancelActive(
	run: RunContext,
	active: Map<string, { itemIndex: number; model: ModelSpec }>,
	callContext: (itemIndex: number) => CallContext,
): void {
	for (const [requestId, { itemIndex, model }] of active) {
		const call = callContext(itemIndex);
		if (run.transport.cancel) {
			call.debug(`execution cancelled: cancelling ${run.providerName} job ${requestId}`);
			run.transport
				.cancel(call, model, requestId)
				.catch((error) => call.debug(`cancel of ${requestId} failed: ${errorMessage(error)}`));
		} else {
			run.ctx.logger.info(`${run.providerName} has no cancel API: job ${requestId} keeps running at the provider`);
		}
	}
}
