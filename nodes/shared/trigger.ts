/**
 * What the WaveSpeed and fal Trigger nodes share: their parameters, and the handling of one
 * callback. A callback is a wake-up, never the result: fal signs every account's callbacks
 * with one key set, so anyone with a fal account who knows the URL could send a genuinely
 * signed body about their own job, with any video URL in it. So, in order:
 *
 * 1. the signature and every cheap check (callbackAuth.ts): a forged call costs nothing;
 * 2. what the body claims (callbackEvents.ts): which job, ended how; events the user did
 *    not ask for, and jobs still running, stop here;
 * 3. redeliveries of a job already delivered stop here too (static data + this process);
 * 4. the job is read from the provider with the trigger's credential (the transports'
 *    status and result reads, as a model node does), and the item is built from that read
 *    (jobOutput.ts), so it has the shape of a completed model-node item. A job the
 *    credential cannot see starts nothing, and is remembered so replays cost no read;
 * 5. with Output = binary, the video is downloaded from the URL the provider gave.
 */
import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
	NodeApiError,
} from 'n8n-workflow';

import { checkCallback, clearKeyCaches } from './callbackAuth';
import { falClaim, waveSpeedClaim } from './callbackEvents';
import type { CallbackClaim } from './callbackEvents';
import { MODEL_TAG_PARAM, isModelId } from './callbackTag';
import { realClock } from './clock';
import { providerDetails, toNodeError } from './errors';
import { costFields, endedJobJson, videoBinary } from './jobOutput';
import { curatedModel } from './models';
import type { ModelSpec, Provider, RequestBody } from './models/types';
import { PriceList } from './pricing';
import { fal } from './providers/fal';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';
import { waveSpeed } from './providers/wavespeed';
import { DEFAULT_MAX_DOWNLOAD_MB, outputProperties } from './runProperties';

const TRANSPORTS: Record<Provider, ProviderTransport> = { wavespeed: waveSpeed, fal };

// ------------------------------------------------------------------ parameters

const NOTICES: Record<Provider, string> = {
	wavespeed:
		'Copy the Production URL above into the Webhook URL of a WaveSpeed video node set to Submit Only, then publish this workflow (n8n 1.x: activate it). While you build, the Test URL works after clicking “Listen for test event”. Every call is checked against your WaveSpeed account’s signing secret, and the job is then read from WaveSpeed with this credential, so a call about a job that is not yours starts nothing.',
	fal: 'Copy the Production URL above into the Webhook URL of a fal video node set to Submit Only, then publish this workflow (n8n 1.x: activate it). While you build, the Test URL works after clicking “Listen for test event”. Every call is checked against fal’s signing keys, and the job is then read from fal with this credential, so a call about a job that is not yours starts nothing.',
};

/** The Trigger nodes' parameters (the description of each node spreads them). */
export function triggerProperties(provider: Provider): INodeProperties[] {
	const options: INodeProperties[] = [
		{
			displayName: 'Max Download Size (MB)',
			name: 'maxDownloadSize',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: DEFAULT_MAX_DOWNLOAD_MB,
			description: 'A bigger video (or a file that is not a video) is refused instead of filling the disk',
		},
	];
	if (provider === 'fal') {
		options.unshift({
			displayName: 'Endpoint ID for Jobs From Other Software',
			name: 'endpointId',
			type: 'string',
			default: '',
			placeholder: 'e.g. bytedance/lynx',
			description:
				'Only for jobs started outside these nodes (by other software): the fal model they used, e.g. bytedance/lynx. fal needs it to look the job up; jobs from these nodes say it themselves. Without it such calls are refused (fal tries again for two hours).',
		});
	}
	return [
		{
			displayName: NOTICES[provider],
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Trigger On',
			name: 'events',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Completed', value: 'completed', description: 'Only jobs that made a video' },
				{ name: 'Completed or Failed', value: 'both', description: 'Every job that ended' },
				{ name: 'Failed', value: 'failed', description: 'Only jobs that failed (the item says why)' },
			],
			default: 'both',
			description: 'Which finished jobs start this workflow',
		},
		...outputProperties(undefined),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options,
		},
	];
}

/** Forgets fetched keys, delivered request ids and unconfirmable jobs of this process (tests). */
export function clearTriggerCaches(): void {
	clearKeyCaches();
	inFlight.clear();
	unseen.clear();
}

// ------------------------------------------------------------------ redeliveries

/** fal redelivers for up to 2 h; a delivered id is remembered a little longer. */
const DEDUPE_WINDOW_MS = 3 * 3_600_000;
const DEDUPE_MAX_PER_NODE = 1000;
const IN_FLIGHT_MAX = 10_000;
const STATIC_KEY = 'deliveredCallbacks';

interface Flight {
	at: number;
	/** Resolves true once the job was delivered (the workflow started), false when not. */
	settled: Promise<boolean>;
	delivered?: boolean;
}

/**
 * Callbacks of this process being handled or just handled, so a concurrent duplicate is seen
 * before the workflow's static data (saved only after the call) has it.
 */
const inFlight = new Map<string, Flight>();

function pruneInFlight(now: number): void {
	if (inFlight.size < IN_FLIGHT_MAX) return;
	for (const [key, entry] of inFlight) if (now - entry.at > DEDUPE_WINDOW_MS) inFlight.delete(key);
	while (inFlight.size >= IN_FLIGHT_MAX) inFlight.delete(inFlight.keys().next().value as string);
}

/** Delivered keys from the node's static data, without the expired ones, newest last. */
function deliveredRecord(staticData: IDataObject, now: number): Record<string, number> {
	const stored = staticData[STATIC_KEY];
	const entries = Object.entries(stored && typeof stored === 'object' ? (stored as IDataObject) : {})
		.filter((entry): entry is [string, number] => typeof entry[1] === 'number' && now - entry[1] <= DEDUPE_WINDOW_MS)
		.sort((a, b) => a[1] - b[1]);
	return Object.fromEntries(entries.slice(-DEDUPE_MAX_PER_NODE));
}

// ------------------------------------------------------------------ jobs the credential cannot see

/**
 * A signed callback can be replayed within its timestamp window (±5 min); a job the provider
 * said this credential cannot see is remembered longer than that, so replays cost no read.
 * Per endpoint, since the tag in the URL is not signed (a replay with a wrong tag must not
 * hide the job from its genuine delivery), but at most a few endpoints per job: replays with
 * ever new tags would otherwise cost a read each.
 */
const UNSEEN_TTL_MS = 15 * 60_000;
const UNSEEN_MAX = 10_000;
const UNSEEN_ENDPOINTS_PER_JOB = 3;
const unseen = new Map<string, { at: number; endpoints: Set<string> }>();

function isUnseen(scope: string, endpoint: string, now: number): boolean {
	const entry = unseen.get(scope);
	if (!entry) return false;
	if (now - entry.at > UNSEEN_TTL_MS) {
		unseen.delete(scope);
		return false;
	}
	return entry.endpoints.has(endpoint) || entry.endpoints.size >= UNSEEN_ENDPOINTS_PER_JOB;
}

function rememberUnseen(scope: string, endpoint: string, now: number): void {
	const endpoints = unseen.get(scope)?.endpoints ?? new Set<string>();
	endpoints.add(endpoint);
	unseen.delete(scope);
	unseen.set(scope, { at: now, endpoints });
	while (unseen.size > UNSEEN_MAX) unseen.delete(unseen.keys().next().value as string);
}

// ------------------------------------------------------------------ the webhook

interface ResponseLike {
	status(code: number): { json(body: unknown): unknown };
}

/** Answers the call itself and starts nothing. */
function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	(ctx.getResponseObject() as ResponseLike).status(status).json(body);
	return { noWebhookResponse: true };
}

const LABEL: Record<Provider, string> = { wavespeed: 'WaveSpeed Job Finished Trigger', fal: 'fal Job Finished Trigger' };

/** Reads of one confirmation retry transient answers for at most this long (the provider waits for our answer). */
const CONFIRM_DEADLINE_MS = 10_000;

/**
 * A Trigger node's webhook(): verify (fail closed), confirm the job with the provider, drop
 * redeliveries, and start the workflow with one item per job. Every error leaves through the
 * funnel with the credential's key scrubbed; n8n then answers 500 and the provider delivers
 * again later.
 */
export async function receiveCallback(ctx: IWebhookFunctions, provider: Provider): Promise<IWebhookResponseData> {
	try {
		return await handleCallback(ctx, provider);
	} catch (error) {
		const secrets = await TRANSPORTS[provider].secrets(ctx).catch((): string[] => []);
		throw toNodeError(ctx.getNode(), error, { provider, secrets });
	}
}

/** Where the job lives: the model id to read it under, or why it cannot be looked up. */
function modelToRead(ctx: IWebhookFunctions, provider: Provider, claim: CallbackClaim & { kind: 'ended' }): { id: string } | { refused: string } {
	const tag = (ctx.getQueryData() as IDataObject | undefined)?.[MODEL_TAG_PARAM];
	if (typeof tag === 'string' && isModelId(tag)) return { id: tag };
	// WaveSpeed reads a job by its id alone; the model is only a label until the read names it.
	if (provider === 'wavespeed') return { id: claim.model && isModelId(claim.model) ? claim.model : '' };
	const option = String(ctx.getNodeParameter('options.endpointId', '') ?? '').trim();
	if (isModelId(option)) return { id: option };
	if (option) return { refused: `the option "Endpoint ID for Jobs From Other Software" is not an endpoint id (${option.slice(0, 100)})` };
	return {
		refused:
			'the callback does not say which fal endpoint ran the job (it was not submitted by a fal node of this package). Set the option "Endpoint ID for Jobs From Other Software" to look such jobs up',
	};
}

/** The HTTP status of a failed read; a WaveSpeed envelope's own `code` when HTTP said 200. */
function httpCodeOf(error: unknown): number | undefined {
	const details = providerDetails(error);
	let code = details?.httpCode ?? Number((error as NodeApiError | undefined)?.httpCode);
	const envelope = details?.response as IDataObject | null | undefined;
	if (code === 200 && envelope && typeof envelope === 'object') code = Number(envelope.code);
	return Number.isFinite(code) && code ? code : undefined;
}

/** The item of a job that ended in failure, from the provider's status. */
/**
 * The model of a job a callback is about: a curated table where there is one (its item is a
 * video item), else any model (its item lists every file of the result, as the any-model
 * nodes' items do).
 */
function jobModel(provider: Provider, id: string): ModelSpec {
	return curatedModel(provider, id) ?? { provider, id, label: id, fields: [], fromSchema: true };
}

/**
 * What the job cost, where that can be known: WaveSpeed's callback carries the job's inputs
 * (they only price it; the video comes from the provider's own read), fal's does not, so only a
 * price that does not depend on them is given. Unknown is null, never a guess.
 */
async function jobCost(call: CallContext, transport: ProviderTransport, model: ModelSpec, input: unknown): Promise<IDataObject> {
	const spec = curatedModel(model.provider, model.id) ?? model;
	const prices = new PriceList(spec, transport, call);
	const inputs = input && typeof input === 'object' && !Array.isArray(input) ? (input as RequestBody) : undefined;
	const price = inputs ? await prices.priceOf(inputs) : await prices.priceWithoutInputs();
	return costFields(price.usd, price.source);
}

function failedJson(provider: Provider, model: string, requestId: string, error: string, raw: IDataObject): IDataObject {
	const json: IDataObject = { provider, model, requestId, status: 'failed', error };
	if (provider === 'wavespeed' && raw.code !== undefined && raw.code !== null && raw.code !== '') json.errorCode = raw.code;
	if (provider === 'fal' && raw.error_type) json.errorType = raw.error_type;
	return json;
}

async function handleCallback(ctx: IWebhookFunctions, provider: Provider): Promise<IWebhookResponseData> {
	const node = ctx.getNode();
	const label = `${LABEL[provider]} "${node.name}"`;
	const checked = await checkCallback(ctx, provider);
	if (!checked.ok) {
		ctx.logger.warn(`${label} refused a callback: ${checked.reason}`);
		return answer(ctx, 401, { error: 'invalid signature' });
	}

	const claim = provider === 'wavespeed' ? waveSpeedClaim(checked.body) : falClaim(checked.body);
	if (claim.kind === 'ignored') {
		ctx.logger.debug(`${label} ignored a callback: ${claim.reason}`);
		return answer(ctx, 200, { received: true, started: false });
	}
	const { requestId } = claim;
	const wanted = ctx.getNodeParameter('events', 'both') as string;
	// A claim of an event the user did not ask for is not worth a read (a forged claim can
	// only keep a workflow from starting for this one call; nothing is recorded).
	if (wanted !== 'both' && wanted !== claim.claimed) {
		return answer(ctx, 200, { received: true, started: false });
	}

	// Redeliveries and replays stop before any read.
	const now = Date.now();
	const scope = `${ctx.getWorkflow().id ?? ''}/${node.id ?? node.name}/${provider}/${requestId}`;
	const staticData = ctx.getWorkflowStaticData('node');
	const delivered = deliveredRecord(staticData, now);
	const seen = inFlight.get(scope);
	const duplicate = () => answer(ctx, 200, { received: true, started: false, duplicate: true });
	if (delivered[`${requestId}:completed`] !== undefined || delivered[`${requestId}:failed`] !== undefined) return duplicate();
	if (seen?.delivered && now - seen.at <= DEDUPE_WINDOW_MS) return duplicate();
	if (seen && seen.delivered === undefined) {
		// The first delivery is being handled: its outcome decides this one's answer.
		if (await seen.settled) return duplicate();
		return answer(ctx, 409, { error: 'this callback was being handled and did not start the workflow; deliver it again' });
	}
	const where = modelToRead(ctx, provider, claim);
	if ('refused' in where) {
		ctx.logger.warn(`${label} started nothing for job ${requestId}: ${where.refused}`);
		return answer(ctx, 400, { error: 'the job cannot be looked up: no endpoint id', started: false });
	}
	// WaveSpeed reads by id alone: there the endpoint does not change the answer.
	const endpoint = provider === 'fal' ? where.id : '';
	if (isUnseen(scope, endpoint, now)) {
		ctx.logger.debug(`${label} started nothing for job ${requestId}: not visible to the credential (remembered)`);
		return answer(ctx, 200, { received: true, started: false });
	}

	pruneInFlight(now);
	let settle: (delivered: boolean) => void = () => {};
	const flight: Flight = { at: now, settled: new Promise<boolean>((resolve) => (settle = resolve)) };
	inFlight.set(scope, flight);
	const finish = (wasDelivered: boolean) => {
		flight.delivered = wasDelivered;
		if (!wasDelivered) inFlight.delete(scope);
		settle(wasDelivered);
	};
	try {
		const outcome = await confirmAndBuild(ctx, provider, claim, where.id, label, wanted);
		if ('response' in outcome) {
			if (outcome.unseen) rememberUnseen(scope, endpoint, Date.now());
			finish(false);
			return outcome.response;
		}
		finish(true);
		delivered[`${requestId}:${String(outcome.item.json.status)}`] = now;
		staticData[STATIC_KEY] = deliveredRecord({ [STATIC_KEY]: delivered }, now);
		return { workflowData: [[outcome.item]] };
	} catch (error) {
		// Not recorded as delivered: the provider's next delivery tries again.
		finish(false);
		throw toNodeError(node, error, { requestId, provider });
	}
}

type Confirmed = { item: INodeExecutionData } | { response: IWebhookResponseData; unseen?: boolean };

/** Reads the job from the provider and builds the item (downloading the video when asked). */
async function confirmAndBuild(
	ctx: IWebhookFunctions,
	provider: Provider,
	claim: CallbackClaim & { kind: 'ended' },
	modelId: string,
	label: string,
	wanted: string,
): Promise<Confirmed> {
	const node = ctx.getNode();
	const { requestId } = claim;
	const transport = TRANSPORTS[provider];
	const call: CallContext = {
		ctx,
		node,
		clock: realClock,
		itemIndex: 0,
		deadline: Date.now() + CONFIRM_DEADLINE_MS,
		debug: (message) => ctx.logger.debug(`${label} job ${requestId}: ${message}`),
	};
	let model = jobModel(provider, modelId);
	let status: JobStatus;
	try {
		status = await transport.status(call, model, requestId);
	} catch (error) {
		const code = httpCodeOf(error);
		if (code === 404 || code === 403) {
			// Another account's job (or none): nothing to start, and redelivering changes nothing.
			ctx.logger.warn(
				`${label} started nothing for job ${requestId}${modelId ? ` (${modelId})` : ''}: the provider answered HTTP ${code}, so the job is not visible to this credential`,
			);
			return { response: answer(ctx, 200, { received: true, started: false }), unseen: true };
		}
		throw toNodeError(node, error, { requestId, provider });
	}
	if (provider === 'wavespeed' && typeof status.raw.model === 'string' && isModelId(status.raw.model)) {
		model = jobModel(provider, status.raw.model);
	}
	if (status.phase !== 'completed' && status.phase !== 'failed') {
		// Only a race (the callback outran the provider's own status) makes this happen for a
		// genuine job, so the provider is asked to deliver again rather than lose the job's end.
		ctx.logger.warn(`${label} started nothing yet for job ${requestId}: the provider says it is ${status.phase}`);
		return { response: answer(ctx, 503, { error: 'the job has not ended yet; deliver again later', started: false }) };
	}

	let json: IDataObject;
	if (status.phase === 'failed') {
		json = failedJson(provider, model.id, requestId, status.error ?? 'the job failed', status.raw);
	} else {
		try {
			json = await endedJobJson(call, model, transport, requestId, status, null);
		} catch (error) {
			const details = providerDetails(error);
			// The outcome is unknown (the result could not be read): let the provider deliver again.
			if (!details || details.mayStillRun) throw toNodeError(node, error, { requestId, provider });
			json = failedJson(provider, model.id, requestId, details.message, status.raw);
		}
	}
	if (provider === 'wavespeed' && status.raw.executionTime !== undefined) json.executionTime = status.raw.executionTime;
	Object.assign(json, claim.extra);
	if (json.status === 'completed') Object.assign(json, await jobCost(call, transport, model, claim.extra.input));
	if (wanted !== 'both' && wanted !== json.status) {
		return { response: answer(ctx, 200, { received: true, started: false }) };
	}

	const [item]: INodeExecutionData[] = ctx.helpers.returnJsonArray(json);
	if (json.status === 'completed' && ctx.getNodeParameter('output', 'url') === 'binary') {
		const binaryPropertyName = String(ctx.getNodeParameter('binaryPropertyName', 'data')).trim() || 'data';
		const maxMb = Number(ctx.getNodeParameter('options.maxDownloadSize', DEFAULT_MAX_DOWNLOAD_MB)) || DEFAULT_MAX_DOWNLOAD_MB;
		// json.videoUrl is the URL the provider's own read gave, never one from the callback.
		const binary = await videoBinary(call, model, json, {
			output: 'binary',
			binaryPropertyName,
			maxDownloadBytes: maxMb * 1024 * 1024,
			estimatedCost: null,
			costSource: null,
		});
		if (binary) item.binary = binary;
	}
	return { item };
}
