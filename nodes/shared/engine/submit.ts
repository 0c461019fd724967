/**
 * Step 2 of a run: one item's job bought, at most once per execution. The ledger is written
 * before the request goes out, so a retry of the node (n8n's Retry On Fail) finds the job, or
 * finds that an earlier try may have bought one it cannot name, and never buys it again.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decodeDataUri } from '../binary';
import type { Clock } from '../clock';
import { errorMessage, providerError, toNodeError } from '../errors';
import type { JobLedger } from '../ledger';
import type { Provider, RequestBody } from '../models/types';
import { creditRefusal, submitMayHaveCreatedJob } from '../providers/common';
import type { CallContext, ProviderTransport } from '../providers/types';
import type { Plan } from './plan';
import { readBinaryInput } from './plan';

/** What one run shares between its steps. */
export interface RunContext {
	ctx: IExecuteFunctions;
	node: INode;
	provider: Provider;
	transport: ProviderTransport;
	clock: Clock;
	ledger: JobLedger;
	providerName: string;
	/** Set when the provider refused a submit for lack of credit: later items are not sent. */
	outOfCredit?: string;
}

export interface SubmittedJob {
	requestId: string;
	/** Clock ms of the submit: the Timeout is measured from here. */
	submittedAt: number;
	/** The provider's answer (Submit Only outputs it). */
	raw?: IDataObject;
}

/**
 * Turns input binaries and (where the provider wants it) data: URIs into provider-hosted URLs.
 * A binary for a list field (several images) is added to the list.
 */
async function resolveFiles(run: RunContext, call: CallContext, plan: Plan): Promise<RequestBody> {
	const { ctx, transport } = run;
	const body: RequestBody = { ...plan.body };
	for (const input of plan.binaries) {
		const file = await readBinaryInput(ctx, transport, plan.itemIndex, input);
		const url = await transport.uploadImage(call, file.bytes, file.mimeType, file.fileName);
		const { field } = input;
		const list = field.type === 'imageList' || (field.type === 'file' && field.list === true);
		if (list) {
			const before = body[field.wire];
			body[field.wire] = [...(Array.isArray(before) ? (before as string[]) : []), url];
		} else {
			body[field.wire] = url;
		}
		call.debug(`uploaded input binary "${input.property}" for ${field.wire}`);
	}
	if (!transport.acceptsDataUri) {
		const upload = async (value: string) => {
			if (!value.startsWith('data:')) return value;
			const image = decodeDataUri(value);
			return await transport.uploadImage(call, image.bytes, image.mimeType, image.fileName);
		};
		for (const [key, value] of Object.entries(body)) {
			if (typeof value === 'string') body[key] = await upload(value);
			else if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
				body[key] = await Promise.all(value.map(upload));
			}
		}
	}
	return body;
}

/** "WaveSpeed: the connection failed … (ECONNRESET). The provider may …" → the part before the first full stop. */
function firstSentence(message: string): string {
	return message.replace(/^(WaveSpeed|fal): /, '').split(/\. /)[0];
}

/** An item not sent because the account ran out of credit earlier in the run. */
function noCredit(run: RunContext, plan: Plan) {
	const error = providerError(run.node, {
		provider: run.provider,
		message: `not submitted: ${run.providerName} refused an earlier item of this run for lack of credit (${run.outOfCredit})`,
		itemIndex: plan.itemIndex,
	});
	error.description = `Nothing was sent for this item. Top up your ${run.providerName} account, then run the workflow again.`;
	return error;
}

/** The error of an item whose earlier try may have bought a job that nobody can name. */
function uncertainJobError(run: RunContext, plan: Plan, sentAt: number | undefined, problem: string | undefined) {
	const when = sentAt ? new Date(sentAt).toISOString().replace(/\.\d+Z$/, ' UTC').replace('T', ' ') : 'an earlier try';
	const error = providerError(run.node, {
		provider: run.provider,
		message:
			`an earlier try of this execution sent this item's job (at ${when}) and got no answer` +
			`${problem ? ` (${problem})` : ''}. ` +
			'The job may exist and be billed, so it was not submitted again',
		itemIndex: plan.itemIndex,
	});
	error.description = `Look in your ${run.providerName} dashboard for a ${plan.model.id} job created around ${when}. If there is one, its video is there; if there is none, run the workflow again. Retry On Fail never submits this item again in this execution, so no job is bought twice.`;
	return error;
}

/**
 * The job an earlier try of this execution already bought for this item, if any; throws when
 * an earlier try may have bought one without learning its id.
 */
export function earlierJob(run: RunContext, plan: Plan) {
	const known = run.ledger.find(plan.itemIndex, plan.print);
	if (known && (known.state === 'uncertain' || known.state === 'submitting')) {
		throw uncertainJobError(run, plan, known.sentAt, known.problem);
	}
	return known;
}

/** Buys the item's job: images resolved, ledger first, one request, logged at info. */
export async function submitPlan(run: RunContext, call: CallContext, plan: Plan): Promise<SubmittedJob> {
	const { ctx, node, transport, clock, ledger } = run;
	const { model } = plan;
	if (run.outOfCredit) throw noCredit(run, plan);
	const body = await resolveFiles(run, call, plan);
	if (call.signal?.aborted) {
		throw new NodeOperationError(node, 'The execution was stopped before the job was submitted', {
			itemIndex: plan.itemIndex,
		});
	}
	ledger.submitting(plan.itemIndex, plan.print, clock.now());
	let submitted;
	try {
		submitted = await transport.submit(call, model, body, plan.webhookUrl);
	} catch (error) {
		if (submitMayHaveCreatedJob(error)) ledger.uncertain(plan.itemIndex, plan.print, firstSentence(errorMessage(error)));
		else ledger.forget(plan.itemIndex);
		run.outOfCredit = run.outOfCredit ?? creditRefusal(error);
		throw toNodeError(node, error, { itemIndex: plan.itemIndex });
	}
	const submittedAt = clock.now();
	ledger.submitted(plan.itemIndex, plan.print, submitted.requestId, submittedAt);
	// At info, n8n's default log level: if the process dies mid-wait (a killed queue worker),
	// n8n fails the execution with its own generic error and this line is the only place the
	// paid job's id survives.
	ctx.logger.info(
		`[${node.name}] item ${plan.itemIndex}: submitted ${run.providerName} job ${submitted.requestId} (${model.id}, execution ${ctx.getExecutionId()})`,
	);
	return { requestId: submitted.requestId, submittedAt, raw: submitted.raw };
}

