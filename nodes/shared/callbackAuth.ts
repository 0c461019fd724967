/**
 * Whether a provider callback is genuine: its signature checked over the raw request bytes,
 * with key material fetched through the node's credential (WaveSpeed's webhook secret, fal's
 * JWKS) and cached per process.
 */
import { createHash } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { normalizeApiKey } from './apiKey';
import { errorMessage, providerError } from './errors';
import { callOnce, jsonBody, networkCode, trimSlash } from './http';
import type { Provider } from './models/types';
import {
	FAL_SIGNATURE_HEADERS,
	WAVESPEED_SIGNATURE_HEADERS,
	headerValue,
	missingHeader,
	verifyFalSignature,
	verifyWaveSpeedSignature,
} from './signatures';
import type { Ed25519Jwk, HeaderBag, Verification } from './signatures';
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

/** Forgets the secrets and keys this process fetched. */
export function clearKeyCaches(): void {
	secretCache.clear();
	jwksCache.clear();
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
