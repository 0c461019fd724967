/**
 * What the WaveSpeed and fal Trigger nodes share: check a callback's signature over the raw
 * request bytes with key material fetched through the credential, drop redeliveries, and turn
 * the provider's body into the package's output item (shared/interface.md).
 */
import { createHash } from 'crypto';
import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { normalizeApiKey } from './apiKey';
import { downloadVideo } from './binary';
import { errorMessage, providerError, toNodeError } from './errors';
import { callOnce, jsonBody, networkCode, trimSlash } from './http';
import type { Provider } from './models/types';
import { DEFAULT_MAX_DOWNLOAD_MB } from './runProperties';
import {
	FAL_SIGNATURE_HEADERS,
	WAVESPEED_SIGNATURE_HEADERS,
	headerValue,
	missingHeader,
	verifyFalSignature,
	verifyWaveSpeedSignature,
} from './signatures';
import type { Ed25519Jwk, HeaderBag, Verification } from './signatures';

// ------------------------------------------------------------------ parameters

const NOTICES: Record<Provider, string> = {
	wavespeed:
		'Copy the Production URL above into the Webhook URL of a WaveSpeed model node set to Submit Only, then publish (activate) this workflow. Every call is checked against your account’s webhook signing secret, fetched with the credential; unsigned, altered or replayed calls are refused.',
	fal: 'Copy the Production URL above into the Webhook URL of a fal model node set to Submit Only, then publish (activate) this workflow. Every call is checked against fal’s published signing keys (JWKS URL in the credential); unsigned, altered or replayed calls are refused.',
};

/** The Trigger nodes' parameters (the description of each node spreads them). */
export function triggerProperties(provider: Provider): INodeProperties[] {
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
				{ name: 'Completed', value: 'completed', description: 'Only jobs that produced a video' },
				{ name: 'Completed or Failed', value: 'both', description: 'Every job that ended' },
				{ name: 'Failed', value: 'failed', description: 'Only jobs that failed' },
			],
			default: 'both',
		},
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Video URL', value: 'url', description: 'JSON with the video URL(s)' },
				{
					name: 'Video File (Binary)',
					value: 'binary',
					description: 'JSON plus the downloaded video as binary data (provider URLs expire)',
				},
			],
			default: 'url',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			description: 'Name of the binary property the video is written to',
			displayOptions: { show: { output: ['binary'] } },
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Max Download Size (MB)',
					name: 'maxDownloadSize',
					type: 'number',
					typeOptions: { minValue: 1, numberPrecision: 0 },
					default: DEFAULT_MAX_DOWNLOAD_MB,
					description: 'A larger video, or one of another content type, is refused instead of filling the disk',
				},
			],
		},
	];
}

// ------------------------------------------------------------------ key material

interface Cached<T> {
	value: T;
	fetchedAt: number;
	expiresAt: number;
}

interface Slot<T> {
	promise: Promise<Cached<T>>;
	done?: Cached<T>;
}

/**
 * Key material lives at module scope: n8n builds a fresh context for every webhook call, so
 * this is the only place it can outlive one request. Bounded, and it expires. Kept per process.
 */
const MAX_CACHE_ENTRIES = 100;
const SECRET_TTL_MS = 5 * 60_000;
/** fal: "Do not cache longer than 24 hours since they can change". */
const JWKS_MAX_TTL_MS = 24 * 3_600_000;
const JWKS_MIN_TTL_MS = 5 * 60_000;
/** After a failed check, keys are fetched again at most this often, so forged calls cannot hammer the provider. */
const REFRESH_MIN_INTERVAL_MS = 60_000;
const DEFAULT_JWKS_URL = 'https://rest.alpha.fal.ai/.well-known/jwks.json';

const secretCache = new Map<string, Slot<string>>();
const jwksCache = new Map<string, Slot<Ed25519Jwk[]>>();

/** Forgets fetched secrets and keys (and delivered request ids) of this process. */
export function clearTriggerCaches(): void {
	secretCache.clear();
	jwksCache.clear();
	inFlight.clear();
}

/**
 * The cached value, or one fetch shared by concurrent callers. `refreshOlderThanMs` forces a
 * new fetch when the value is at least that old.
 */
async function fetchCached<T>(
	cache: Map<string, Slot<T>>,
	key: string,
	load: () => Promise<Cached<T>>,
	refreshOlderThanMs?: number,
): Promise<Cached<T>> {
	const now = Date.now();
	const slot = cache.get(key);
	if (slot && !slot.done) return await slot.promise;
	if (slot?.done && slot.done.expiresAt > now) {
		if (refreshOlderThanMs === undefined || now - slot.done.fetchedAt < refreshOlderThanMs) return slot.done;
	}
	const next: Slot<T> = { promise: load() };
	next.promise.then(
		(value) => {
			next.done = value;
		},
		() => {
			if (cache.get(key) === next) cache.delete(key);
		},
	);
	cache.delete(key);
	cache.set(key, next);
	while (cache.size > MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
	return await next.promise;
}

async function loadWaveSpeedSecret(ctx: IWebhookFunctions, baseUrl: string): Promise<Cached<string>> {
	const node = ctx.getNode();
	const url = `${baseUrl}/api/v3/webhook/secret`;
	let result;
	try {
		result = await callOnce(ctx, 'waveSpeedApi', { method: 'GET', url, json: true, timeout: 30_000 });
	} catch (error) {
		throw providerError(node, {
			provider: 'wavespeed',
			message: `fetching the webhook signing secret failed (${networkCode(error) ?? errorMessage(error)}), so the callback could not be checked. WaveSpeed may deliver it again`,
		});
	}
	const body = jsonBody(result);
	const data = body?.data as IDataObject | undefined;
	const secret = typeof data?.secret === 'string' ? data.secret : body?.secret;
	const envelopeOk = body?.code === undefined || Number(body.code) === 200;
	if (result.statusCode >= 200 && result.statusCode < 300 && envelopeOk && typeof secret === 'string' && secret) {
		const now = Date.now();
		return { value: secret, fetchedAt: now, expiresAt: now + SECRET_TTL_MS };
	}
	const status = envelopeOk ? result.statusCode : Number(body?.code);
	const denied = status === 401 || status === 403;
	throw providerError(node, {
		provider: 'wavespeed',
		message: `fetching the webhook signing secret failed with HTTP ${status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}${denied ? '. Check the API key in the WaveSpeed credential' : ''}`,
		httpCode: status || undefined,
		response: body ?? null,
	});
}

/** The account's signing secret (GET /api/v3/webhook/secret with the credential), cached per key. */
async function waveSpeedSecret(ctx: IWebhookFunctions, refresh: boolean): Promise<Cached<string>> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiKey?: string }>('waveSpeedApi');
	const baseUrl = trimSlash(credentials.baseUrl || 'https://api.wavespeed.ai');
	// Keyed by a hash: the secret is per API key, and the key itself is not kept.
	const keyHash = createHash('sha256').update(normalizeApiKey(credentials.apiKey)).digest('hex').slice(0, 16);
	return await fetchCached(
		secretCache,
		`${baseUrl}#${keyHash}`,
		async () => await loadWaveSpeedSecret(ctx, baseUrl),
		refresh ? REFRESH_MIN_INTERVAL_MS : undefined,
	);
}

function maxAgeMs(cacheControl: unknown): number | undefined {
	const text = Array.isArray(cacheControl) ? cacheControl.join(',') : String(cacheControl ?? '');
	const match = /max-age=(\d+)/i.exec(text);
	return match ? Number(match[1]) * 1000 : undefined;
}

/** fal's public keys: no credentials go to the JWKS host. */
async function loadJwks(ctx: IWebhookFunctions, url: string): Promise<Cached<Ed25519Jwk[]>> {
	const node = ctx.getNode();
	let response: { statusCode: number; headers?: IDataObject; body: unknown };
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			json: true,
			timeout: 30_000,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as typeof response;
	} catch (error) {
		throw providerError(node, {
			provider: 'fal',
			message: `fetching the webhook signing keys from ${url} failed (${networkCode(error) ?? errorMessage(error)}), so the callback could not be checked. fal delivers it again later`,
		});
	}
	const body = jsonBody({ statusCode: response.statusCode, headers: {}, body: response.body });
	const keys = Array.isArray(body?.keys)
		? (body.keys as unknown[]).filter((k): k is Ed25519Jwk => !!k && typeof k === 'object')
		: [];
	if (response.statusCode < 200 || response.statusCode >= 300 || !keys.length) {
		throw providerError(node, {
			provider: 'fal',
			message: `the JWKS URL ${url} answered HTTP ${response.statusCode} without signing keys, so the callback could not be checked. Check the JWKS URL in the fal credential`,
			httpCode: response.statusCode,
		});
	}
	const now = Date.now();
	const ttl = Math.min(JWKS_MAX_TTL_MS, Math.max(JWKS_MIN_TTL_MS, maxAgeMs(response.headers?.['cache-control']) ?? JWKS_MAX_TTL_MS));
	return { value: keys, fetchedAt: now, expiresAt: now + ttl };
}

async function falKeys(ctx: IWebhookFunctions, refresh: boolean): Promise<Cached<Ed25519Jwk[]>> {
	const credentials = await ctx.getCredentials<{ jwksUrl?: string }>('falApi');
	const url = String(credentials.jwksUrl || DEFAULT_JWKS_URL).trim();
	return await fetchCached(
		jwksCache,
		url,
		async () => await loadJwks(ctx, url),
		refresh ? REFRESH_MIN_INTERVAL_MS : undefined,
	);
}

/** The raw request bytes n8n read before parsing; absent means nothing can be verified. */
function rawBodyOf(ctx: IWebhookFunctions): Buffer | undefined {
	const raw = (ctx.getRequestObject() as { rawBody?: unknown } | undefined)?.rawBody;
	if (Buffer.isBuffer(raw)) return raw.length ? raw : undefined;
	if (typeof raw === 'string' && raw.length) return Buffer.from(raw, 'utf8');
	return undefined;
}

export type CallbackCheck = { ok: true; body: IDataObject; rawBody: Buffer } | { ok: false; reason: string };

/**
 * Checks a provider callback: raw body present, signature valid and fresh (fetching the
 * WaveSpeed secret or fal's keys through the credential, cached), body a JSON object. When the
 * check fails only on the signature and the keys are a minute old or more, they are fetched
 * once more (the secret was regenerated, or fal rotated its keys). Also usable from a model
 * node's webhook().
 */
export async function checkCallback(ctx: IWebhookFunctions, provider: Provider): Promise<CallbackCheck> {
	const rawBody = rawBodyOf(ctx);
	if (!rawBody) return { ok: false, reason: 'no raw request body' };
	const headers = (ctx.getHeaderData() ?? {}) as HeaderBag;
	// Unsigned calls are refused before any key is fetched.
	const missing = missingHeader(headers, provider === 'wavespeed' ? WAVESPEED_SIGNATURE_HEADERS : FAL_SIGNATURE_HEADERS);
	if (missing) return { ok: false, reason: `missing header ${missing}` };

	const check = async (refresh: boolean): Promise<{ verdict: Verification; fetchedAt: number }> => {
		if (provider === 'wavespeed') {
			const secret = await waveSpeedSecret(ctx, refresh);
			return { verdict: verifyWaveSpeedSignature({ secret: secret.value, headers, rawBody }), fetchedAt: secret.fetchedAt };
		}
		const keys = await falKeys(ctx, refresh);
		return { verdict: verifyFalSignature({ keys: keys.value, headers, rawBody }), fetchedAt: keys.fetchedAt };
	};
	const first = await check(false);
	let verdict = first.verdict;
	const keyProblem = !verdict.ok && ['bad signature', 'no usable public key'].includes(verdict.reason);
	if (keyProblem && Date.now() - first.fetchedAt >= REFRESH_MIN_INTERVAL_MS) {
		verdict = (await check(true)).verdict;
	}
	if (!verdict.ok) return verdict;

	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8'));
	} catch {
		return { ok: false, reason: 'the signed body is not JSON' };
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		return { ok: false, reason: 'the signed body is not a JSON object' };
	}
	// fal signs the request id header; the body must be about the same job.
	if (provider === 'fal') {
		const signedId = headerValue(headers, 'x-fal-webhook-request-id');
		if ((body as IDataObject).request_id !== signedId) return { ok: false, reason: 'request id mismatch' };
	}
	return { ok: true, body: body as IDataObject, rawBody };
}

// ------------------------------------------------------------------ provider bodies → items

type CallbackEvent =
	| { kind: 'ended'; requestId: string; status: 'completed' | 'failed'; json: IDataObject; contentType?: string }
	| { kind: 'ignored'; requestId?: string; reason: string };

const WAVESPEED_FAILED = new Set(['failed', 'cancelled', 'canceled', 'timeout', 'deleted']);

function stringUrls(values: unknown): string[] {
	return (Array.isArray(values) ? values : []).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The request echo, with inline images (data: URIs) shortened: they can be megabytes. */
function slimInput(input: unknown): IDataObject | undefined {
	if (!input || typeof input !== 'object' || Array.isArray(input)) return undefined;
	const slim = (value: unknown): unknown => {
		if (typeof value === 'string' && value.startsWith('data:') && value.length > 200) {
			return `${value.slice(0, value.indexOf(',') + 1)}… (${value.length} characters, omitted)`;
		}
		return Array.isArray(value) ? value.map(slim) : value;
	};
	return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, slim(v)])) as IDataObject;
}

/** WaveSpeed posts the bare prediction object (providers.md §1.7). */
function waveSpeedEvent(body: IDataObject): CallbackEvent {
	const requestId = typeof body.id === 'string' && body.id ? body.id : undefined;
	if (!requestId) return { kind: 'ignored', reason: 'no job id in the body' };
	const status = String(body.status ?? '').toLowerCase();
	const base: IDataObject = { provider: 'wavespeed' };
	if (typeof body.model === 'string') base.model = body.model;
	base.requestId = requestId;
	const failedJson = (error: string): IDataObject => {
		const json: IDataObject = { ...base, status: 'failed', error };
		if (body.code !== undefined && body.code !== null && body.code !== '') json.errorCode = body.code;
		return json;
	};
	if (status === 'completed') {
		const videoUrls = stringUrls(body.outputs);
		if (!videoUrls.length) {
			return { kind: 'ended', requestId, status: 'failed', json: failedJson('the job completed but returned no video') };
		}
		const json: IDataObject = { ...base, status: 'completed', videoUrl: videoUrls[0], videoUrls };
		if (body.has_nsfw_contents !== undefined) json.hasNsfwContents = body.has_nsfw_contents;
		if (body.timings !== undefined) json.timings = body.timings;
		if (body.executionTime !== undefined) json.executionTime = body.executionTime;
		if (body.created_at !== undefined) json.createdAt = body.created_at;
		const input = slimInput(body.input);
		if (input) json.input = input;
		return { kind: 'ended', requestId, status: 'completed', json };
	}
	if (WAVESPEED_FAILED.has(status)) {
		const text = typeof body.error === 'string' && body.error ? body.error : '';
		const error = status === 'failed' ? text || 'the job failed' : `the job ended as ${status}${text ? `: ${text}` : ''}`;
		return { kind: 'ended', requestId, status: 'failed', json: failedJson(error) };
	}
	return { kind: 'ignored', requestId, reason: `the job has not ended (${status || 'no status'})` };
}

/** fal's `payload.detail`: a string, or a list of {loc, msg}. */
function detailText(payload: unknown): string | undefined {
	const detail = (payload as IDataObject | undefined)?.detail;
	if (typeof detail === 'string') return detail;
	if (!Array.isArray(detail)) return undefined;
	return detail
		.map((entry) => {
			const d = entry as IDataObject;
			const loc = Array.isArray(d?.loc) ? d.loc.filter((l) => l !== 'body').join('.') : '';
			return `${loc ? `${loc}: ` : ''}${String(d?.msg ?? JSON.stringify(d))}`;
		})
		.join('; ');
}

/** fal posts {request_id, gateway_request_id, status: OK|ERROR, payload, error?, payload_error?} (§2.5). */
function falEvent(body: IDataObject): CallbackEvent {
	const requestId = typeof body.request_id === 'string' && body.request_id ? body.request_id : undefined;
	if (!requestId) return { kind: 'ignored', reason: 'no request_id in the body' };
	const status = String(body.status ?? '').toUpperCase();
	const base: IDataObject = { provider: 'fal', requestId };
	if (typeof body.gateway_request_id === 'string' && body.gateway_request_id !== requestId) {
		base.gatewayRequestId = body.gateway_request_id;
	}
	const payload = body.payload && typeof body.payload === 'object' ? (body.payload as IDataObject) : undefined;
	if (status === 'OK') {
		const video = payload?.video && typeof payload.video === 'object' ? (payload.video as IDataObject) : undefined;
		const videos = Array.isArray(payload?.videos) ? (payload.videos as IDataObject[]) : video ? [video] : [];
		const videoUrls = stringUrls(videos.map((v) => v?.url));
		if (!videoUrls.length) {
			const error = body.payload_error
				? `fal could not send the result (${String(body.payload_error)}); fetch it with the request ID`
				: 'the job completed but returned no video';
			return { kind: 'ended', requestId, status: 'failed', json: { ...base, status: 'failed', error } };
		}
		const json: IDataObject = { ...base, status: 'completed', videoUrl: videoUrls[0], videoUrls };
		if (payload?.seed !== undefined) json.seed = payload.seed;
		if (video) json.video = video;
		const contentType = typeof video?.content_type === 'string' ? video.content_type : undefined;
		if (contentType) json.contentType = contentType;
		return { kind: 'ended', requestId, status: 'completed', json, contentType };
	}
	if (status === 'ERROR') {
		const parts = [typeof body.error === 'string' ? body.error : '', detailText(payload) ?? ''].filter(Boolean);
		const json: IDataObject = { ...base, status: 'failed', error: parts.join(': ') || 'the job failed' };
		if (payload) json.details = payload;
		return { kind: 'ended', requestId, status: 'failed', json };
	}
	return { kind: 'ignored', requestId, reason: `unknown status ${status || '(none)'}` };
}

// ------------------------------------------------------------------ redeliveries

/** fal redelivers for up to 2 h; a delivered id is remembered a little longer. */
const DEDUPE_WINDOW_MS = 3 * 3_600_000;
const DEDUPE_MAX_PER_NODE = 1000;
const IN_FLIGHT_MAX = 10_000;
const STATIC_KEY = 'deliveredCallbacks';

/**
 * Callbacks of this process being handled or just handled, so a concurrent duplicate is seen
 * before the workflow's static data (saved only after the call) has it.
 */
const inFlight = new Map<string, { at: number; done: boolean }>();

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

// ------------------------------------------------------------------ the webhook

interface ResponseLike {
	status(code: number): { json(body: unknown): unknown };
}

/** Answers the call itself and starts nothing. */
function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	(ctx.getResponseObject() as ResponseLike).status(status).json(body);
	return { noWebhookResponse: true };
}

const LABEL: Record<Provider, string> = { wavespeed: 'WaveSpeed Trigger', fal: 'fal Trigger' };

/**
 * A Trigger node's webhook(): verify (fail closed), ignore what is not a wanted job end, drop
 * redeliveries, and start the workflow with one item per job.
 */
export async function receiveCallback(ctx: IWebhookFunctions, provider: Provider): Promise<IWebhookResponseData> {
	const node = ctx.getNode();
	const checked = await checkCallback(ctx, provider);
	if (!checked.ok) {
		ctx.logger.warn(`${LABEL[provider]} "${node.name}" refused a callback: ${checked.reason}`);
		return answer(ctx, 401, { error: 'invalid signature' });
	}

	const event = provider === 'wavespeed' ? waveSpeedEvent(checked.body) : falEvent(checked.body);
	if (event.kind === 'ignored') {
		ctx.logger.debug(`${LABEL[provider]} "${node.name}" ignored a callback: ${event.reason}`);
		return answer(ctx, 200, { received: true, started: false });
	}
	const wanted = ctx.getNodeParameter('events', 'both') as string;
	if (wanted !== 'both' && wanted !== event.status) {
		return answer(ctx, 200, { received: true, started: false });
	}

	// From here to the item being handed over nothing is awaited unless a download is asked
	// for, so a concurrent duplicate always finds the entry.
	const now = Date.now();
	const key = `${event.requestId}:${event.status}`;
	const scope = `${ctx.getWorkflow().id ?? ''}/${node.id ?? node.name}/${provider}/${key}`;
	const staticData = ctx.getWorkflowStaticData('node');
	const delivered = deliveredRecord(staticData, now);
	const seen = inFlight.get(scope);
	if (delivered[key] !== undefined || (seen?.done && now - seen.at <= DEDUPE_WINDOW_MS)) {
		return answer(ctx, 200, { received: true, started: false, duplicate: true });
	}
	if (seen && !seen.done) {
		// The first delivery is still downloading; if it fails, this one must come again.
		return answer(ctx, 409, { error: 'this callback is already being handled' });
	}
	pruneInFlight(now);
	inFlight.set(scope, { at: now, done: false });

	const [item]: INodeExecutionData[] = ctx.helpers.returnJsonArray(event.json);
	if (event.status === 'completed' && ctx.getNodeParameter('output', 'url') === 'binary') {
		try {
			const propertyName = String(ctx.getNodeParameter('binaryPropertyName', 'data')).trim() || 'data';
			const maxMb = Number(ctx.getNodeParameter('options.maxDownloadSize', DEFAULT_MAX_DOWNLOAD_MB)) || DEFAULT_MAX_DOWNLOAD_MB;
			const binary = await downloadVideo(ctx, node, String(event.json.videoUrl), {
				provider,
				requestId: event.requestId,
				itemIndex: 0,
				maxBytes: maxMb * 1024 * 1024,
				contentType: event.contentType,
			});
			item.binary = { [propertyName]: binary };
		} catch (error) {
			// Not recorded as delivered: the provider's next delivery tries again.
			inFlight.delete(scope);
			throw toNodeError(node, error, { requestId: event.requestId, provider });
		}
	}
	inFlight.set(scope, { at: now, done: true });
	delivered[key] = now;
	staticData[STATIC_KEY] = deliveredRecord({ [STATIC_KEY]: delivered }, now);
	return { workflowData: [[item]] };
}
