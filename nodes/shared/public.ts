/**
 * Requests to URLs the provider handed us (video files, presigned upload targets). They go
 * without credentials: the API key must never travel to a storage or CDN host.
 */
import type { Host } from './host';

import type { HttpResult } from './http';

export async function putBytes(
	ctx: Host,
	url: string,
	bytes: Buffer,
	headers: Record<string, string>,
	signal?: AbortSignal,
): Promise<HttpResult> {
	const response = (await ctx.helpers.httpRequest({
		method: 'PUT',
		url,
		body: bytes,
		headers,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 300_000,
		abortSignal: signal,
	})) as { statusCode: number; headers?: HttpResult['headers']; body: unknown };
	return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
}

/** Opens a download; the body is a stream, read by the caller. */
export async function openStream(
	ctx: Host,
	url: string,
	signal?: AbortSignal,
	timeoutMs = 120_000,
): Promise<HttpResult> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url,
		// A compressed video gains nothing, and its Content-Length would not be its size.
		headers: { 'Accept-Encoding': 'identity' },
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
		abortSignal: signal,
	})) as { statusCode: number; headers?: HttpResult['headers']; body: unknown };
	return { statusCode: response.statusCode, headers: response.headers ?? {}, body: response.body };
}
