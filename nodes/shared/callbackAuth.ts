/**
 * Whether a provider callback is genuine: its signature checked over the raw request bytes,
 * with key material fetched through the node's credential (WaveSpeed's webhook secret, fal's
 * JWKS) and cached per process.
 */
import { createHash } from 'crypto';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { normalizeApiKey } from './apiKey';
import { errorMessage, providerError } from './errors';
import type { ProviderErrorDetails } from './errors';
import { callOnce, jsonBody, networkCode, trimSlash } from './http';
import { parseJsonExact } from './json';
import type { Provider } from './models/types';
import {
	falSignatureShape,
	verifyFalSignature,
	verifyWaveSpeedSignature,
	waveSpeedSignatureShape,
} from './signatures';
import type { Ed25519Jwk, HeaderBag, Verification } from './signatures';

interface Cached<T> {
	value: T;
	fetchedAt: number;
	expiresAt: number;
}

/** A key fetch either gives the keys, or the details of an error to throw. */
type Loaded<T> = { ok: true; cached: Cached<T> } | { ok: false; details: ProviderErrorDetails };

/** What is known about one key source (a JWKS URL, or one credential's secret). */
interface KeyEntry<T> {
	/** The last keys fetched successfully: kept when a later fetch fails. */
	good?: Cached<T>;
	/** The last failed fetch: while recent, nothing is fetched again. */
	failure?: { details: ProviderErrorDetails; at: number };
	/** The fetch under way, shared by concurrent callbacks. */
	loading?: Promise<Loaded<T>>;
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
/**
 * A failed fetch is remembered this long: a burst of calls while the key endpoint is down
 * costs it one request, not one each.
 */
const FAILURE_TTL_MS = 30_000;
/** Expired keys still verify while their source fails, for at most this long. */
const STALE_GRACE_MS = 24 * 3_600_000;
const DEFAULT_JWKS_URL = 'https://rest.alpha.fal.ai/.well-known/jwks.json';
/** n8n itself refuses bodies over 16 MiB by default; anything larger is not a provider callback. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const secretCache = new Map<string, KeyEntry<string>>();
const jwksCache = new Map<string, KeyEntry<Ed25519Jwk[]>>();

/** Forgets the secrets and keys this process fetched, and the failed fetches. */
export function clearKeyCaches(): void {
	secretCache.clear();
	jwksCache.clear();
}

function entryFor<T>(cache: Map<string, KeyEntry<T>>, key: string): KeyEntry<T> {
	let entry = cache.get(key);
	if (!entry) {
		entry = {};
		cache.set(key, entry);
		while (cache.size > MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
	}
	return entry;
}

/**
 * The keys of one source: cached ones while fresh, else one fetch shared by concurrent
 * callers. A failed fetch is remembered for FAILURE_TTL_MS (no fetch meanwhile) and never
 * drops the last good keys, which go on verifying (up to STALE_GRACE_MS past their expiry).
 * `refreshOlderThanMs` asks for a new fetch when the keys are at least that old.
 */
async function cachedKeys<T>(
	ctx: IWebhookFunctions,
	cache: Map<string, KeyEntry<T>>,
	key: string,
	load: () => Promise<Loaded<T>>,
	refreshOlderThanMs?: number,
): Promise<Cached<T>> {
	const entry = entryFor(cache, key);
	const now = Date.now();
	const usable = (good: Cached<T> | undefined) =>
		good && good.expiresAt + STALE_GRACE_MS > Date.now() ? good : undefined;
	const outcome = (loaded: Loaded<T>): Cached<T> => {
		if (loaded.ok) return loaded.cached;
		const kept = usable(entry.good);
		if (kept) return kept;
		throw providerError(ctx.getNode(), loaded.details);
	};
	if (entry.loading) return outcome(await entry.loading);
	const good = entry.good;
	if (good && good.expiresAt > now && (refreshOlderThanMs === undefined || now - good.fetchedAt < refreshOlderThanMs)) {
		return good;
	}
	if (entry.failure && now - entry.failure.at < FAILURE_TTL_MS) {
		const { details } = entry.failure;
		return outcome({
			ok: false,
			details: { ...details, message: `${details.message} (the failure is remembered for ${FAILURE_TTL_MS / 1000} s; nothing is fetched meanwhile)` },
		});
	}
	const loading = load();
	entry.loading = loading;
	let loaded: Loaded<T>;
	try {
		loaded = await loading;
	} finally {
		entry.loading = undefined;
	}
	if (loaded.ok) {
		entry.good = loaded.cached;
		entry.failure = undefined;
	} else {
		entry.failure = { details: loaded.details, at: Date.now() };
	}
	return outcome(loaded);
}

async function loadWaveSpeedSecret(ctx: IWebhookFunctions, baseUrl: string): Promise<Loaded<string>> {
	const url = `${baseUrl}/api/v3/webhook/secret`;
	let result;
	try {
		result = await callOnce(ctx, 'waveSpeedApi', { method: 'GET', url, json: true, timeout: 30_000 });
	} catch (error) {
		return {
			ok: false,
			details: {
				provider: 'wavespeed',
				message: `fetching the webhook signing secret failed (${networkCode(error) ?? errorMessage(error)}), so the callback could not be checked. WaveSpeed may deliver it again`,
			},
		};
	}
	const body = jsonBody(result);
	const data = body?.data as IDataObject | undefined;
	const secret = typeof data?.secret === 'string' ? data.secret : body?.secret;
	const envelopeOk = body?.code === undefined || Number(body.code) === 200;
	if (result.statusCode >= 200 && result.statusCode < 300 && envelopeOk && typeof secret === 'string' && secret) {
		const now = Date.now();
		return { ok: true, cached: { value: secret, fetchedAt: now, expiresAt: now + SECRET_TTL_MS } };
	}
	const status = envelopeOk ? result.statusCode : Number(body?.code);
	const denied = status === 401 || status === 403;
	return {
		ok: false,
		details: {
			provider: 'wavespeed',
			message: `fetching the webhook signing secret failed with HTTP ${status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}${denied ? '. Check the API key in the WaveSpeed credential' : ''}`,
			httpCode: status || undefined,
			response: body ?? null,
		},
	};
}

/** The account's signing secret (GET /api/v3/webhook/secret with the credential), cached per key. */
async function waveSpeedSecret(ctx: IWebhookFunctions, refresh: boolean): Promise<Cached<string>> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiKey?: string }>('waveSpeedApi');
	const baseUrl = trimSlash(credentials.baseUrl || 'https://api.wavespeed.ai');
	// Keyed by a hash: the secret is per API key, and the key itself is not kept.
	const keyHash = createHash('sha256').update(normalizeApiKey(credentials.apiKey)).digest('hex').slice(0, 16);
	return await cachedKeys(
		ctx,
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
async function loadJwks(ctx: IWebhookFunctions, url: string): Promise<Loaded<Ed25519Jwk[]>> {
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
		return {
			ok: false,
			details: {
				provider: 'fal',
				message: `fetching the webhook signing keys from ${url} failed (${networkCode(error) ?? errorMessage(error)}), so the callback could not be checked. fal delivers it again later`,
			},
		};
	}
	const body = jsonBody({ statusCode: response.statusCode, headers: {}, body: response.body });
	const keys = Array.isArray(body?.keys)
		? (body.keys as unknown[]).filter((k): k is Ed25519Jwk => !!k && typeof k === 'object')
		: [];
	if (response.statusCode < 200 || response.statusCode >= 300 || !keys.length) {
		return {
			ok: false,
			details: {
				provider: 'fal',
				message: `the JWKS URL ${url} answered HTTP ${response.statusCode} without signing keys, so the callback could not be checked. Check the JWKS URL in the fal credential`,
				httpCode: response.statusCode,
			},
		};
	}
	const now = Date.now();
	const ttl = Math.min(JWKS_MAX_TTL_MS, Math.max(JWKS_MIN_TTL_MS, maxAgeMs(response.headers?.['cache-control']) ?? JWKS_MAX_TTL_MS));
	return { ok: true, cached: { value: keys, fetchedAt: now, expiresAt: now + ttl } };
}

async function falKeys(ctx: IWebhookFunctions, refresh: boolean): Promise<Cached<Ed25519Jwk[]>> {
	const credentials = await ctx.getCredentials<{ jwksUrl?: string }>('falApi');
	const url = String(credentials.jwksUrl || DEFAULT_JWKS_URL).trim();
	return await cachedKeys(
		ctx,
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
 * Checks a provider callback. Everything that needs no key comes first, so a forged call
 * costs no request to the provider: raw body present and of sane size, signature headers
 * present, timestamp fresh, signature well-formed, body a JSON object, and (fal) the signed
 * request id naming this body's job. Then the signature, with the WaveSpeed secret or fal's
 * keys fetched through the credential (cached; failures remembered briefly). When it fails
 * only on the signature and the keys are a minute old or more, they are fetched once more
 * (the secret was regenerated, or fal rotated its keys).
 */
export async function checkCallback(ctx: IWebhookFunctions, provider: Provider): Promise<CallbackCheck> {
	const rawBody = rawBodyOf(ctx);
	if (!rawBody) return { ok: false, reason: 'no raw request body' };
	if (rawBody.length > MAX_BODY_BYTES) return { ok: false, reason: `the body is larger than ${MAX_BODY_BYTES} bytes` };
	const headers = (ctx.getHeaderData() ?? {}) as HeaderBag;
	let signedRequestId: string | undefined;
	if (provider === 'wavespeed') {
		const shape = waveSpeedSignatureShape(headers);
		if (!shape.ok) return shape;
	} else {
		const shape = falSignatureShape(headers);
		if (!shape.ok) return shape;
		signedRequestId = shape.requestId;
	}

	let body: unknown;
	try {
		body = parseJsonExact(rawBody.toString('utf8'));
	} catch {
		return { ok: false, reason: 'the body is not JSON' };
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		return { ok: false, reason: 'the body is not a JSON object' };
	}
	// fal signs the request id header: the body must be about the same job. After a retry
	// inside fal the header names the last attempt, which the body gives as gateway_request_id.
	if (signedRequestId !== undefined) {
		const { request_id: requestId, gateway_request_id: gatewayId } = body as IDataObject;
		if (signedRequestId !== requestId && signedRequestId !== gatewayId) {
			return { ok: false, reason: 'request id mismatch' };
		}
	}

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
	return { ok: true, body: body as IDataObject, rawBody };
}
