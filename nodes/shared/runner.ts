/**
 * The item loop every model node runs: check every item, then submit and wait with bounded
 * concurrency, and output one item per input item, in order, paired. Nothing is dropped: an
 * item gives a video or, with Continue On Fail, an error item carrying its request id.
 */
import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decodeDataUri, readInputImage } from './binary';
import type { InputImage } from './binary';
import { realClock } from './clock';
import type { Clock } from './clock';
import { PROVIDER_NAMES, errorMessage, fieldError, toNodeError } from './errors';
import { endedJobJson, errorItemJson, videoBinary } from './jobOutput';
import type { Delivery } from './jobOutput';
import { JobLedger, fingerprint } from './ledger';
import { describeProblems, mainImageField, paramName, validateParams } from './model';
import type { ModelSpec, RequestBody } from './models/types';
import { waitForJob } from './polling';
import { StopSwitch } from './stopSwitch';
import { MAX_WAITING_JOBS, saveRecord } from './waitRecord';
import type { WaitRecord } from './waitRecord';
import {
	callbackUrl,
	checkJobs,
	itemsForEndedJobs,
	newNonce,
	resumeFromWebhook,
} from './webhookWait';
import { fal } from './providers/fal';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';
import { waveSpeed } from './providers/wavespeed';
import {
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_DOWNLOAD_MB,
	DEFAULT_TIMEOUT_SECONDS,
} from './runProperties';

export const TRANSPORTS: Record<ModelSpec['provider'], ProviderTransport> = {
	wavespeed: waveSpeed,
	fal,
};

interface Plan extends Delivery {
	itemIndex: number;
	mode: 'submitAndWait' | 'submitOnly';
	waitMethod: 'poll' | 'webhook';
	webhookUrl?: string;
	body: RequestBody;
	/** The main image comes from this input binary property. */
	binaryImage?: { wire: string; property: string };
	timeoutMs: number;
	fixedIntervalMs?: number;
	concurrency: number;
	print: string;
}

export interface RunEnvironment {
	clock?: Clock;
	transport?: ProviderTransport;
}

function numberOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	fallback: number,
	min: number,
): number {
	const raw = ctx.getNodeParameter(`options.${name}`, itemIndex, fallback) as unknown;
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			label,
			`must be a number of at least ${min} (got ${JSON.stringify(raw)})`,
		);
	}
	return value;
}

function checkWebhookUrl(
	ctx: IExecuteFunctions,
	itemIndex: number,
	value: string,
): string | undefined {
	const text = value.trim();
	if (!text) return undefined;
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			'Webhook URL',
			`"${text}" is not an http(s) URL`,
			'Use the production URL of a WaveSpeed or fal Trigger node, or leave it empty',
		);
	}
	return text;
}

/** Reads and checks one item's parameters. Throws a NodeOperationError naming the field. */
async function planItem(
	ctx: IExecuteFunctions,
	model: ModelSpec,
	transport: ProviderTransport,
	itemIndex: number,
): Promise<Plan> {
	const node = ctx.getNode();
	const mode = ctx.getNodeParameter('mode', itemIndex, 'submitAndWait') as Plan['mode'];
	if (mode !== 'submitAndWait' && mode !== 'submitOnly') {
		throw fieldError(
			node,
			itemIndex,
			'Mode',
			`unknown mode "${String(mode)}"`,
			'Allowed: submitAndWait, submitOnly',
		);
	}
	const waiting = mode === 'submitAndWait';
	const waitMethod = waiting
		? (ctx.getNodeParameter('waitMethod', itemIndex, 'poll') as string)
		: 'poll';
	if (waitMethod !== 'poll' && waitMethod !== 'webhook') {
		throw fieldError(
			node,
			itemIndex,
			'Wait Method',
			`unknown value "${waitMethod}"`,
			'Allowed: poll, webhook',
		);
	}
	const output = waiting
		? (ctx.getNodeParameter('output', itemIndex, 'url') as Plan['output'])
		: 'url';
	if (output !== 'url' && output !== 'binary') {
		throw fieldError(
			node,
			itemIndex,
			'Output',
			`unknown value "${String(output)}"`,
			'Allowed: url, binary',
		);
	}
	const binaryPropertyName =
		output === 'binary'
			? String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim()
			: 'data';
	if (!binaryPropertyName)
		throw fieldError(node, itemIndex, 'Put Output File in Field', 'is required');
	const webhookUrl = waiting
		? undefined
		: checkWebhookUrl(ctx, itemIndex, String(ctx.getNodeParameter('webhookUrl', itemIndex, '')));

	const main = mainImageField(model);
	const imageSource = main
		? (ctx.getNodeParameter('imageSource', itemIndex, 'url') as string)
		: 'url';
	if (imageSource !== 'url' && imageSource !== 'binary') {
		throw fieldError(
			node,
			itemIndex,
			'Image Source',
			`unknown value "${imageSource}"`,
			'Allowed: url, binary',
		);
	}
	const topLevel: Record<string, unknown> = {};
	for (const field of model.fields) {
		if (!field.required && !field.topLevel) continue;
		if (field === main && imageSource === 'binary') continue;
		topLevel[paramName(field.wire)] = ctx.getNodeParameter(paramName(field.wire), itemIndex, '');
	}
	const additionalFields = ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const { result, problems } = validateParams(model, {
		topLevel,
		additionalFields: additionalFields ?? {},
		imageSource,
	});
	if (!result) {
		const { message, description } = describeProblems(problems);
		throw new NodeOperationError(node, message, { itemIndex, description });
	}

	let binaryImage: Plan['binaryImage'];
	let imageDigest: string | undefined;
	if (main && result.binaryImageField) {
		const property = String(ctx.getNodeParameter('imageBinaryProperty', itemIndex, 'data'));
		const image = await readImage(ctx, transport, model, itemIndex, property);
		binaryImage = { wire: main.wire, property };
		imageDigest = createHash('sha256').update(image.bytes).digest('hex');
	}

	const timeoutSeconds = numberOption(
		ctx,
		itemIndex,
		'timeout',
		'Timeout',
		DEFAULT_TIMEOUT_SECONDS,
		1,
	);
	const interval = numberOption(ctx, itemIndex, 'pollInterval', 'Poll Interval', 0, 0);
	const concurrency = numberOption(
		ctx,
		itemIndex,
		'concurrency',
		'Concurrency',
		DEFAULT_CONCURRENCY,
		1,
	);
	const maxDownloadMb = numberOption(
		ctx,
		itemIndex,
		'maxDownloadSize',
		'Max Download Size',
		DEFAULT_MAX_DOWNLOAD_MB,
		1,
	);

	return {
		itemIndex,
		mode,
		waitMethod: waitMethod as Plan['waitMethod'],
		output,
		binaryPropertyName,
		webhookUrl,
		body: result.body,
		binaryImage,
		timeoutMs: timeoutSeconds * 1000,
		fixedIntervalMs: interval > 0 ? interval * 1000 : undefined,
		concurrency: Math.floor(concurrency),
		maxDownloadBytes: maxDownloadMb * 1024 * 1024,
		print: fingerprint([
			model.provider,
			model.id,
			result.body,
			imageDigest,
			mode,
			webhookUrl ?? null,
		]),
		estimatedCost: model.price?.(result.body) ?? null,
	};
}

async function readImage(
	ctx: IExecuteFunctions,
	transport: ProviderTransport,
	model: ModelSpec,
	itemIndex: number,
	property: string,
): Promise<InputImage> {
	const main = mainImageField(model);
	const rules =
		main && (main.type === 'image' || main.type === 'imageList') ? main.rules : undefined;
	return await readInputImage(
		ctx,
		itemIndex,
		property,
		main?.displayName ?? 'Image',
		rules,
		transport.uploadFormats,
		transport.maxUploadBytes,
	);
}

/** Turns binaries and (where the provider wants it) data: URIs into provider-hosted URLs. */
async function resolveImages(
	ctx: IExecuteFunctions,
	call: CallContext,
	transport: ProviderTransport,
	model: ModelSpec,
	plan: Plan,
): Promise<RequestBody> {
	const body: RequestBody = { ...plan.body };
	if (plan.binaryImage) {
		const image = await readImage(ctx, transport, model, plan.itemIndex, plan.binaryImage.property);
		body[plan.binaryImage.wire] = await transport.uploadImage(
			call,
			image.bytes,
			image.mimeType,
			image.fileName,
		);
		call.debug(`uploaded input binary "${plan.binaryImage.property}" for ${plan.binaryImage.wire}`);
	}
	if (!transport.acceptsDataUri) {
		const upload = async (value: string) => {
			if (!value.startsWith('data:')) return value;
			const image = decodeDataUri(value);
			return await transport.uploadImage(call, image.bytes, image.mimeType, image.fileName);
		};
		for (const [key, value] of Object.entries(body)) {
			if (typeof value === 'string') body[key] = await upload(value);
			else if (Array.isArray(value)) body[key] = await Promise.all(value.map(upload));
		}
	}
	return body;
}

/** The node's webhook(): a provider calling back into an execution paused by this node. */
export async function resumeModel(
	this: IWebhookFunctions,
	model: ModelSpec,
): Promise<IWebhookResponseData> {
	return await resumeFromWebhook.call(this, model, TRANSPORTS[model.provider]);
}

/** The node's execute(): `return await runModel.call(this, MODEL)`. */
export async function runModel(
	this: IExecuteFunctions,
	model: ModelSpec,
	env: RunEnvironment = {},
): Promise<INodeExecutionData[][]> {
	return await run(this, model, env);
}

async function run(
	ctx: IExecuteFunctions,
	model: ModelSpec,
	env: RunEnvironment,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const clock = env.clock ?? realClock;
	const transport = env.transport ?? TRANSPORTS[model.provider];
	const providerName = PROVIDER_NAMES[model.provider];
	const items = ctx.getInputData();
	const continueOnFail = ctx.continueOnFail();
	const secrets = await transport.secrets(ctx);
	const results: INodeExecutionData[] = new Array(items.length);
	const errorItem = (itemIndex: number, error: unknown, requestId?: string): INodeExecutionData => {
		const nodeError = toNodeError(node, error, { itemIndex, requestId, secrets });
		return {
			json: errorItemJson(model, nodeError, requestId),
			pairedItem: { item: itemIndex },
		};
	};

	// 1. Check every item before the first request: bad input costs nothing.
	const plans: Plan[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			plans.push(await planItem(ctx, model, transport, itemIndex));
		} catch (error) {
			if (!continueOnFail) throw toNodeError(node, error, { itemIndex, secrets });
			results[itemIndex] = errorItem(itemIndex, error);
		}
	}

	// 2. Run the jobs, a bounded number at a time.
	const ledger = new JobLedger(ctx);
	const stop = new StopSwitch(ctx.getExecutionCancelSignal?.());
	const active = new Map<string, number>();
	let firstFailure: { itemIndex: number; error: unknown; requestId?: string } | undefined;

	ctx.onExecutionCancellation?.(() => {
		for (const [requestId, itemIndex] of active) {
			const call = callContext(itemIndex);
			if (transport.cancel) {
				call.debug(`execution cancelled: cancelling ${providerName} job ${requestId}`);
				transport
					.cancel(call, model, requestId)
					.catch((error) => call.debug(`cancel of ${requestId} failed: ${errorMessage(error)}`));
			} else {
				ctx.logger.info(
					`${providerName} has no cancel API: job ${requestId} keeps running at the provider`,
				);
			}
		}
	});

	/** `signal`: the item's own stop signal (none for the cancel request, sent after the stop). */
	function callContext(itemIndex: number, signal?: AbortSignal): CallContext {
		return {
			ctx,
			node,
			clock,
			signal,
			itemIndex,
			debug: (message) => ctx.logger.debug(`[${node.name}] item ${itemIndex}: ${message}`),
		};
	}

	async function runPlan(plan: Plan): Promise<void> {
		const lease = stop.forItem();
		try {
			await runItem(plan, callContext(plan.itemIndex, lease.signal));
		} finally {
			lease.release();
		}
	}

	async function runItem(plan: Plan, call: CallContext): Promise<void> {
		let requestId: string | undefined;
		try {
			const known = ledger.find(plan.itemIndex, plan.print);
			let json: IDataObject;
			if (known?.state === 'done' && known.output && plan.waitMethod === 'webhook') {
				submittedIds[plan.itemIndex] = known.requestId;
				return;
			}
			if (known?.state === 'done' && known.output) {
				requestId = known.requestId;
				json = known.output;
				call.debug(`job ${requestId} already finished in an earlier try; not submitting again`);
			} else {
				let submittedAt: number;
				if (known) {
					requestId = known.requestId;
					submittedAt = known.submittedAt;
					call.debug(`resuming job ${requestId} from an earlier try instead of submitting again`);
				} else {
					const body = await resolveImages(ctx, call, transport, model, plan);
					if (call.signal?.aborted)
						throw new NodeOperationError(
							node,
							'The execution was stopped before the job was submitted',
							{ itemIndex: plan.itemIndex },
						);
					const submitted = await transport.submit(call, model, body, plan.webhookUrl);
					requestId = submitted.requestId;
					submittedAt = clock.now();
					ledger.submitted(plan.itemIndex, plan.print, requestId, submittedAt);
					// At info, n8n's default log level: if the process dies mid-wait (a killed queue
					// worker), n8n fails the execution with its own generic error and this line is
					// the only place the paid job's id survives.
					ctx.logger.info(
						`[${node.name}] item ${plan.itemIndex}: submitted ${providerName} job ${requestId} (${model.id}, execution ${ctx.getExecutionId()})`,
					);
					if (plan.mode === 'submitOnly') {
						json = {
							provider: model.provider,
							model: model.id,
							requestId,
							status: 'submitted',
							estimatedCost: plan.estimatedCost,
							webhookUrl: plan.webhookUrl ?? null,
							response: submitted.raw,
						};
						ledger.done(plan.itemIndex, plan.print, requestId, json);
						results[plan.itemIndex] = { json, pairedItem: { item: plan.itemIndex } };
						return;
					}
				}
				const id = requestId;
				if (plan.waitMethod === 'webhook') {
					// The provider will call the resume URL; the pause happens once all are submitted.
					submittedIds[plan.itemIndex] = id;
					return;
				}
				active.set(id, plan.itemIndex);
				let status: JobStatus;
				try {
					status = await waitForJob(call, transport, model, plan.body, id, {
						submittedAt,
						timeoutMs: plan.timeoutMs,
						fixedIntervalMs: plan.fixedIntervalMs,
						onStatus: (s) =>
							call.debug(
								`job ${id}: ${s.phase}${s.queuePosition !== undefined ? ` (queue position ${s.queuePosition})` : ''}`,
							),
					});
				} finally {
					active.delete(id);
				}
				if (status.phase === 'failed') ledger.forget(plan.itemIndex);
				json = await endedJobJson(call, model, transport, id, status, plan.estimatedCost);
				ledger.done(plan.itemIndex, plan.print, id, json);
			}
			const item: INodeExecutionData = { json, pairedItem: { item: plan.itemIndex } };
			const binary = await videoBinary(call, model, json, plan);
			if (binary) item.binary = binary;
			results[plan.itemIndex] = item;
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

	const submittedIds: Array<string | null> = new Array(items.length).fill(null);
	const byWebhook =
		plans.length > 0 && plans[0].mode === 'submitAndWait' && plans[0].waitMethod === 'webhook';
	let nonce = '';
	if (byWebhook) {
		if (items.length > MAX_WAITING_JOBS) {
			throw fieldError(
				node,
				0,
				'Wait Method',
				`waiting by webhook handles at most ${MAX_WAITING_JOBS} items per run (got ${items.length})`,
				'Use Poll, or split the items with a Loop Over Items node',
			);
		}
		nonce = newNonce();
		const resumeUrl = String(ctx.getWorkflowDataProxy(0).$execution.resumeUrl ?? '');
		if (!/^https?:\/\//.test(resumeUrl)) {
			throw fieldError(
				node,
				0,
				'Wait Method',
				'n8n gave no resume URL for this execution',
				'Use Poll',
			);
		}
		for (const plan of plans) plan.webhookUrl = callbackUrl(resumeUrl, nonce);
	}

	const queue = [...plans];
	const limit = Math.max(
		1,
		Math.min(plans[0]?.concurrency ?? DEFAULT_CONCURRENCY, plans.length || 1),
	);
	const workers = Array.from({ length: limit }, async () => {
		while (queue.length && !stop.stopped) await runPlan(queue.shift() as Plan);
	});
	await Promise.all(workers);

	if (ctx.getExecutionCancelSignal?.()?.aborted) {
		const pending = ledger.pending();
		throw new NodeOperationError(node, 'The execution was cancelled', {
			description: pending.length
				? `Jobs still known at ${providerName}: ${pending.join(', ')}${transport.cancel ? ' (cancellation was requested)' : ''}.`
				: undefined,
		});
	}
	if (firstFailure) {
		const failure = firstFailure;
		const error = toNodeError(node, failure.error, {
			itemIndex: failure.itemIndex,
			requestId: failure.requestId,
			provider: model.provider,
			secrets,
		});
		const others = ledger.pending().filter((id) => id !== failure.requestId);
		if (others.length) {
			error.description =
				`${error.description ?? ''}\nOther jobs of this run were not waited for and may still be running at ${providerName}: ${others.join(', ')}. With Retry On Fail, the retry resumes them instead of paying again.`.trim();
		}
		throw error;
	}
	if (byWebhook)
		return await pauseUntilCallbacks(
			ctx,
			model,
			transport,
			plans,
			results,
			submittedIds,
			nonce,
			ledger,
		);
	ledger.clear();
	return [results];
}

/**
 * After every job of a webhook-waiting run is submitted: finish at once if they all ended
 * already, else store the job list and park the execution until the callbacks come.
 */
async function pauseUntilCallbacks(
	ctx: IExecuteFunctions,
	model: ModelSpec,
	transport: ProviderTransport,
	plans: Plan[],
	results: INodeExecutionData[],
	submittedIds: Array<string | null>,
	nonce: string,
	ledger: JobLedger,
): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const first = plans[0];
	const errors: Record<number, string> = {};
	results.forEach((item, index) => {
		if (item && typeof item.json.error === 'string') errors[index] = item.json.error;
	});
	const byItem = new Map(plans.map((p) => [p.itemIndex, p]));
	const delivery = (itemIndex: number): Delivery => byItem.get(itemIndex) ?? first;
	const timeoutSeconds = Math.round(first.timeoutMs / 1000);
	const checked = await checkJobs(ctx, model, transport, submittedIds, true);
	if (checked.allEnded) {
		const jobs = submittedIds.map((requestId, itemIndex) => ({
			itemIndex,
			requestId,
			status: checked.statuses[itemIndex],
			error: errors[itemIndex],
		}));
		const output = await itemsForEndedJobs(
			ctx,
			model,
			transport,
			jobs,
			delivery,
			ctx.continueOnFail(),
			timeoutSeconds,
		);
		ledger.clear();
		return [output];
	}
	const submittedAt = Date.now();
	const record: WaitRecord = {
		nonce,
		deadline: submittedAt + first.timeoutMs,
		submittedAt,
		output: first.output,
		binaryPropertyName: first.binaryPropertyName,
		maxDownloadBytes: first.maxDownloadBytes,
		jobs: submittedIds,
		errors,
		costs: submittedIds.map((_, index) => byItem.get(index)?.estimatedCost ?? null),
	};
	if (!saveRecord(ctx, record)) {
		throw new NodeOperationError(
			node,
			`Could not store the list of jobs to wait for; the jobs are submitted: ${submittedIds.filter(Boolean).join(', ')}`,
			{
				description: 'Use Wait Method "Poll", or free some of the execution custom data keys.',
			},
		);
	}
	ctx.logger.info(
		`[${node.name}] waiting for ${PROVIDER_NAMES[model.provider]} callbacks: ${submittedIds.filter(Boolean).join(', ')}`,
	);
	ledger.clear();
	await ctx.putExecutionToWait(new Date(record.deadline));
	return [
		ctx.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } })),
	];
}
