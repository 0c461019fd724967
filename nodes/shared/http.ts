/**
 * One place for HTTP semantics: a call never throws on an HTTP status (we classify it), and
 * only idempotent reads are retried. Submits go through `callOnce` and are never repeated,
 * except where the provider provably did not take the job (see submitWithRetry).
 */
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import type { Host } from './host';

import { normalizeApiKey } from './apiKey';
import type { Clock } from './clock';
import { scrubValue, secretTexts } from './errors';
import { parseJsonExact } from './json';

export interface HttpResult {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	/** Set when the answer was a redirect callOnce did not follow: why, in words. */
	refusedRedirect?: string;
}

export interface RetryPolicy {
	clock: Clock;
	signal?: AbortSignal;
	/** Give up retrying past this time (clock ms). */
	deadline?: number;
	maxAttempts?: number;
	onRetry?: (reason: string, attempt: number, delayMs: number) => void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export function isRetryableStatus(statusCode: number): boolean {
	return RETRYABLE_STATUS.has(statusCode);
}

/** The system error code of a failed request (ECONNREFUSED, ECONNRESET, …), wherever n8n put it. */
export function networkCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	let current = error as IDataObject | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
		const text = typeof current.message === 'string' ? current.message : '';
		const match = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ECONNABORTED|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET)\b/.exec(text);
		if (match) return match[1];
		if (/socket hang up/i.test(text)) return 'ECONNRESET';
		if (/timeout of \d+ms exceeded/i.test(text)) return 'ECONNABORTED';
		current = (current.cause ?? current.error) as IDataObject | undefined;
	}
	return undefined;
}

export function header(result: HttpResult, name: string): string | undefined {
	const value = result.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Retry-After in ms (seconds or an HTTP date), capped at a minute. */
export function retryAfterMs(result: HttpResult, clock: Clock): number | undefined {
	const value = header(result, 'retry-after');
	if (!value) return undefined;
	const seconds = Number(value);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - clock.now();
	return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : undefined;
}

export function backoffMs(attempt: number, baseMs = 1000, maxMs = 30_000): number {
	const raw = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
	return Math.round(raw * (0.75 + Math.random() * 0.5));
}

/** The API key of a credential, read once per n8n context (each read decrypts it). */
const credentialKeys = new WeakMap<Host, Map<string, Promise<string[]>>>();

async function keyTexts(ctx: Host, credentialType: string): Promise<string[]> {
	let byType = credentialKeys.get(ctx);
	if (!byType) {
		byType = new Map();
		credentialKeys.set(ctx, byType);
	}
	let texts = byType.get(credentialType);
	if (!texts) {
		texts = ctx
			.getCredentials<{ apiKey?: string }>(credentialType)
			.then((credentials) => secretTexts(normalizeApiKey(credentials.apiKey)));
		byType.set(credentialType, texts);
		texts.catch(() => byType?.delete(credentialType));
	}
	return await texts;
}

/** The body without the key: a provider may echo it in an error, and from there it would reach messages, items and logs. */
function withoutKey(body: unknown, secrets: string[]): unknown {
	if (!secrets.length || body === null || body === undefined) return body;
	if (typeof body === 'string' || Buffer.isBuffer(body)) return scrubValue(body, secrets);
	if (typeof body !== 'object' || typeof (body as { pipe?: unknown }).pipe === 'function') return body;
	let text: string;
	try {
		text = JSON.stringify(body);
	} catch {
		return body;
	}
	return secrets.some((secret) => text.includes(secret)) ? scrubValue(body, secrets) : body;
}

/** Redirects followed on the credential's own origin before the answer counts as a failure. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * One authenticated request; the HTTP status is returned, not thrown. The answer never
 * contains the credential's key: it is removed here, where every provider answer enters.
 *
 * n8n follows redirects and, by default, sends the credential along to another origin; the
 * option that stops it (`sendCredentialsOnCrossOriginRedirect`) is ignored by n8n versions
 * that predate it, which would then leak the key silently. So redirects are not left to n8n:
 * they are followed here only on the origin of the URL the credential gave (at most
 * MAX_REDIRECTS), and only where repeating the request is what the redirect asks for (307 and
 * 308 for any method, any redirect for GET). Any other redirect comes back as the answer, with
 * `refusedRedirect` saying why it was not followed, and the callers' failure paths report it.
 */
export async function callOnce(
	ctx: Host,
	credentialType: string,
	options: IHttpRequestOptions,
): Promise<HttpResult> {
	const origin = new URL(options.url, options.baseURL).origin;
	const secrets = await keyTexts(ctx, credentialType);
	let request: IHttpRequestOptions = options;
	for (let hops = 0; ; hops++) {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, {
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
		})) as { statusCode: number; headers?: HttpResult['headers']; body: unknown };
		const result: HttpResult = {
			statusCode: response.statusCode,
			headers: response.headers ?? {},
			body: withoutKey(response.body, secrets),
		};
		const location = header(result, 'location');
		if (!REDIRECT_STATUS.has(result.statusCode) || !location) return result;
		let target: URL;
		try {
			target = new URL(location, new URL(request.url, request.baseURL));
		} catch {
			return {
				...result,
				refusedRedirect: `the API answered with a redirect to an invalid URL (${location.slice(0, 100)})`,
			};
		}
		const method = (request.method ?? 'GET').toUpperCase();
		const repeatable =
			result.statusCode === 307 ||
			result.statusCode === 308 ||
			method === 'GET' ||
			method === 'HEAD';
		let refused: string | undefined;
		if (target.origin !== origin) {
			refused = `the API answered with a redirect to ${target.origin}, another origin; it was not followed, so your API key was not sent there`;
		} else if (!repeatable) {
			refused = `the API answered a ${method} with a redirect to ${target.pathname}, which would turn it into another request; it was not followed`;
		} else if (hops >= MAX_REDIRECTS) {
			refused = `the API kept redirecting (more than ${MAX_REDIRECTS} times)`;
		}
		if (refused) return { ...result, refusedRedirect: refused };
		// The next hop's URL is complete (query included), and a streamed answer is not read.
		(result.body as { destroy?: () => void } | undefined)?.destroy?.();
		request = { ...request, url: target.href, qs: undefined };
	}
}

function stopped(policy: RetryPolicy, delay: number, attempt: number): boolean {
	if (policy.signal?.aborted) return true;
	if (attempt >= (policy.maxAttempts ?? 8)) return true;
	return policy.deadline !== undefined && policy.clock.now() + delay > policy.deadline;
}

/**
 * A read (status, result) with retries on network errors, 429 (honouring Retry-After) and
 * 5xx, with exponential back-off and jitter. Returns the last answer; throws the last
 * network error when every attempt failed that way.
 */
export async function readWithRetry(
	send: () => Promise<HttpResult>,
	policy: RetryPolicy,
	isTransient: (result: HttpResult) => boolean = (r) => isRetryableStatus(r.statusCode),
): Promise<HttpResult> {
	for (let attempt = 1; ; attempt++) {
		const { result, failure } = await attemptOnce(send);
		if (failure !== undefined && (policy.signal?.aborted || !networkCode(failure))) throw failure;
		if (result && !isTransient(result)) return result;
		const delay = (result && retryAfterMs(result, policy.clock)) ?? backoffMs(attempt);
		if (stopped(policy, delay, attempt)) {
			if (result) return result;
			throw failure;
		}
		policy.onRetry?.(result ? `HTTP ${result.statusCode}` : (networkCode(failure) ?? 'network error'), attempt, delay);
		await policy.clock.sleep(delay, policy.signal);
	}
}

/** Runs a request, returning what it threw instead of throwing, so callers decide. */
async function attemptOnce(send: () => Promise<HttpResult>): Promise<{ result?: HttpResult; failure?: unknown }> {
	try {
		return { result: await send() };
	} catch (error) {
		return { failure: error ?? new Error('request failed') };
	}
}

/**
 * A submit. Repeated only when the provider provably did not create a job: HTTP 429, or the
 * connection was refused before anything was sent. Anything else is final.
 */
export async function submitWithRetry(send: () => Promise<HttpResult>, policy: RetryPolicy): Promise<HttpResult> {
	for (let attempt = 1; ; attempt++) {
		const { result, failure } = await attemptOnce(send);
		if (failure !== undefined && (policy.signal?.aborted || networkCode(failure) !== 'ECONNREFUSED')) throw failure;
		if (result && result.statusCode !== 429) return result;
		const delay = (result && retryAfterMs(result, policy.clock)) ?? backoffMs(attempt, 2000);
		if (stopped(policy, delay, attempt)) {
			if (result) return result;
			throw failure;
		}
		policy.onRetry?.(result ? 'HTTP 429' : 'connection refused', attempt, delay);
		await policy.clock.sleep(delay, policy.signal);
	}
}

/** Words for a submit whose connection failed after it may have reached the provider. */
export function submitNetworkMessage(error: unknown): string {
	const code = networkCode(error) ?? (error instanceof Error ? error.message : 'network error');
	return `the connection failed while submitting the job (${code}). The provider may have created the job anyway: check your dashboard before running again`;
}

/**
 * A JSON object body, or undefined when the answer was not one (malformed, HTML, empty). A
 * body read as text keeps integers beyond 2^53 exact, as strings (see json.ts).
 */
export function jsonBody(result: HttpResult): IDataObject | undefined {
	let body = result.body;
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		try {
			body = parseJsonExact(body);
		} catch {
			return undefined;
		}
	}
	return body && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : undefined;
}

export function trimSlash(url: string): string {
	return url.trim().replace(/\/+$/, '');
}
