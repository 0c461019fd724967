/**
 * fal transport (shared/providers.md §2): the queue API for jobs, the status stream to learn
 * of completion the moment it happens, and storage for uploads. Every host comes from the
 * credential (queueUrl, restUrl); the URLs fal returns in its answers are not followed.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Host } from '../host';

import { normalizeApiKey } from '../apiKey';
import { tagWebhookUrl } from '../callbackTag';
import { providerError, toNodeError } from '../errors';
import { callOnce, header, isRetryableStatus, jsonBody, networkCode, trimSlash } from '../http';
import type { HttpResult } from '../http';
import type { ModelSpec, RequestBody } from '../models/types';
import { mediaInResult } from '../media';
import { putBytes } from '../public';
import {
	cachedSettings,
	missingJobId,
	postJob,
	readApi,
	readOrExplain,
	submitServerError,
} from './common';
import type { CallContext, CancelOutcome, JobStatus, ProviderTransport } from './types';

const CREDENTIAL = 'falApi';

async function readSettings(
	ctx: Host,
): Promise<{ queueUrl: string; restUrl: string; apiUrl: string; apiKey: string }> {
	const credentials = await ctx.getCredentials<{
		queueUrl?: string;
		restUrl?: string;
		apiUrl?: string;
		apiKey?: string;
	}>(CREDENTIAL);
	return {
		queueUrl: trimSlash(credentials.queueUrl || 'https://queue.fal.run'),
		restUrl: trimSlash(credentials.restUrl || 'https://rest.fal.ai'),
		apiUrl: trimSlash(credentials.apiUrl || 'https://api.fal.ai'),
		apiKey: normalizeApiKey(credentials.apiKey),
	};
}

const settings = cachedSettings(readSettings);

/** Status, result and cancel live under {owner}/{alias} without the app's sub-path (§2.3). */
export function requestBase(queueUrl: string, appId: string, requestId: string): string {
	const parts = appId.split('/');
	const head = ['workflows', 'comfy'].includes(parts[0]) ? parts.slice(0, 3) : parts.slice(0, 2);
	return `${queueUrl}/${head.join('/')}/requests/${encodeURIComponent(requestId)}`;
}

/** fal puts a string, or a list of {loc,msg} objects, in `detail`. */
export function detailText(body: IDataObject | undefined): string | undefined {
	if (!body) return undefined;
	const detail = body.detail ?? body.error ?? body.message;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		return detail
			.map((d) => {
				const entry = d as IDataObject;
				const loc = Array.isArray(entry.loc) ? entry.loc.filter((l) => l !== 'body').join('.') : '';
				return `${loc ? `${loc}: ` : ''}${String(entry.msg ?? JSON.stringify(entry))}`;
			})
			.join('; ');
	}
	return undefined;
}

/** fal's `error_type` (body, or the X-Fal-Error-Type header), for the message. */
function errorTypePart(result: HttpResult, body: IDataObject | undefined): string {
	const type = body?.error_type ?? header(result, 'x-fal-error-type');
	return typeof type === 'string' && type ? ` (error_type ${type})` : '';
}

function failure(
	call: CallContext,
	result: HttpResult,
	what: string,
	requestId?: string,
	urlField: 'Queue URL' | 'REST URL' | 'API URL' = 'Queue URL',
) {
	const body = jsonBody(result);
	let message = `${what} failed with HTTP ${result.statusCode}: ${result.refusedRedirect ?? detailText(body) ?? (body ? JSON.stringify(body).slice(0, 300) : 'the answer was not JSON')}${errorTypePart(result, body)}`;
	if (result.refusedRedirect) message += `. Check the ${urlField} in the fal credential`;
	else if (result.statusCode === 401 || result.statusCode === 403)
		message += '. Check the API key in the fal credential';
	if (result.statusCode === 402) message += '. Your fal balance is exhausted; top it up';
	return providerError(call.node, {
		provider: 'fal',
		message,
		httpCode: result.statusCode,
		requestId,
		itemIndex: call.itemIndex,
		response: body ?? null,
		mayStillRun: requestId !== undefined,
	});
}

const isTransient = (result: HttpResult) =>
	isRetryableStatus(result.statusCode) ||
	(result.statusCode >= 200 && result.statusCode < 300 && !jsonBody(result));

/**
 * A result read is repeated as fal's own client does it (fal-js `RESULT_RETRY_STATUSES`): on
 * 429, 502, 503 and 504, not on 500, which fal answers for an app that failed producing it.
 */
const isTransientResult = (result: HttpResult) =>
	[429, 502, 503, 504].includes(result.statusCode) ||
	(result.statusCode >= 200 && result.statusCode < 300 && !jsonBody(result));

/** Queue status → our phases; a COMPLETED status with `error` is a failed job (§2.4). */
export function toStatus(body: IDataObject): JobStatus {
	const status = String(body.status ?? '').toUpperCase();
	if (status === 'IN_QUEUE') {
		const position = Number(body.queue_position);
		return {
			phase: 'queued',
			queuePosition: Number.isFinite(position) ? position : undefined,
			raw: body,
		};
	}
	if (status === 'COMPLETED') {
		if (body.error) {
			const type = body.error_type ? ` (error_type ${String(body.error_type)})` : '';
			return { phase: 'failed', error: `the job failed: ${String(body.error)}${type}`, raw: body };
		}
		return { phase: 'completed', raw: body };
	}
	return { phase: 'running', raw: body };
}

/** The response body of the status stream (a Node stream; typed without importing it). */
type EventStream = AsyncIterable<Buffer | string> & { destroy(): void; on?: unknown };

/** Reads server-sent events from a stream, calling onEvent per `data:` payload. */
async function readEvents(
	stream: EventStream,
	onEvent: (data: string) => boolean,
): Promise<boolean> {
	let buffer = '';
	for await (const chunk of stream) {
		buffer += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
		let boundary: number;
		while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
			const event = buffer.slice(0, boundary);
			buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
			const data = event
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).trimStart())
				.join('\n');
			if (data && onEvent(data)) return true;
		}
	}
	return false;
}

/**
 * The cancel goes out after the user stopped the execution, when the execution's signal has
 * already fired. n8n binds that signal to every httpRequestWithAuthentication call, which
 * would abort this one before it is sent; so this single request carries its header itself.
 */
async function sendCancel(
	call: CallContext,
	url: string,
	authorization: string,
	requestId: string,
): Promise<CancelOutcome> {
	let response: { statusCode: number; body: unknown };
	try {
		response = (await call.ctx.helpers.httpRequest({
			method: 'PUT',
			url,
			headers: { Authorization: authorization },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: 15_000,
		})) as { statusCode: number; body: unknown };
	} catch (error) {
		return { outcome: 'failed', detail: networkCode(error) ?? 'network error' };
	}
	const body = jsonBody({ statusCode: response.statusCode, headers: {}, body: response.body });
	const status = String(body?.status ?? '');
	call.debug(`fal cancel of ${requestId}: HTTP ${response.statusCode} ${status}`);
	// §2.4: 202 CANCELLATION_REQUESTED while queued or running, 400 ALREADY_COMPLETED after.
	if (status === 'ALREADY_COMPLETED') return { outcome: 'alreadyEnded' };
	if (response.statusCode >= 200 && response.statusCode < 300) return { outcome: 'requested' };
	return { outcome: 'failed', detail: `HTTP ${response.statusCode}${status ? ` ${status}` : ''}` };
}

/** The result read (§2.4): 200 with the result once done; the job's failure, or not yet, otherwise. */
async function readResult(
	call: CallContext,
	model: ModelSpec,
	requestId: string,
): Promise<HttpResult> {
	const { queueUrl } = await settings(call.ctx);
	return await readApi(
		call,
		'fal',
		'fetching the result',
		{
			method: 'GET',
			url: requestBase(queueUrl, model.id, requestId),
			json: true,
			// As text, so jsonBody parses it keeping seeds beyond 2^53 exact (n8n's own
			// parsing would round them).
			encoding: 'text',
			timeout: 60_000,
		},
		{ requestId, isTransient: isTransientResult },
	);
}

/** What a result read that says the job failed (4xx other than auth and not found) says. */
function resultFailureMessage(result: HttpResult): string | undefined {
	if (
		result.statusCode < 400 ||
		result.statusCode >= 500 ||
		[401, 403, 404].includes(result.statusCode)
	)
		return undefined;
	const body = jsonBody(result);
	return `the job failed: ${detailText(body) ?? `HTTP ${result.statusCode}`}${errorTypePart(result, body)}`;
}

function resultFailure(call: CallContext, result: HttpResult, requestId: string) {
	const message = resultFailureMessage(result);
	if (!message) return undefined;
	const body = jsonBody(result);
	return providerError(call.node, {
		provider: 'fal',
		message,
		httpCode: result.statusCode,
		requestId,
		itemIndex: call.itemIndex,
		response: body ?? null,
	});
}

export const fal: ProviderTransport = {
	provider: 'fal',
	credentialType: CREDENTIAL,
	acceptsDataUri: true,
	// The single-request storage upload takes files up to 90 MiB (§2.7).
	maxUploadBytes: 90 * 1024 * 1024,
	uploadFormats: ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'],

	async secrets(ctx) {
		return [(await settings(ctx)).apiKey];
	},

	async submit(call, model: ModelSpec, body: RequestBody, webhookUrl?: string) {
		const { queueUrl } = await settings(call.ctx);
		const result = await postJob(
			call,
			'fal',
			CREDENTIAL,
			`${queueUrl}/${model.id}`,
			// Tagged with the model id: a Trigger reads the job from there (see callbackTag.ts).
			webhookUrl ? { fal_webhook: tagWebhookUrl(webhookUrl, model.id) } : undefined,
			body,
		);
		const data = jsonBody(result);
		if (result.statusCode < 200 || result.statusCode >= 300)
			throw submitServerError(
				failure(call, result, 'Submitting the job'),
				'fal',
				result.statusCode,
			);
		if (typeof data?.request_id !== 'string' || !data.request_id) {
			throw missingJobId(call, 'fal', 'request_id', data ?? null);
		}
		return { requestId: data.request_id, raw: data };
	},

	async status(call, model, requestId) {
		const { queueUrl } = await settings(call.ctx);
		const result = await readApi(
			call,
			'fal',
			'checking the job status',
			{
				method: 'GET',
				url: `${requestBase(queueUrl, model.id, requestId)}/status`,
				qs: { logs: 0 },
				json: true,
				timeout: 30_000,
			},
			{ requestId, isTransient: isTransient },
		);
		const body = jsonBody(result);
		if (result.statusCode < 200 || result.statusCode >= 300 || !body) {
			throw failure(call, result, 'Checking the job status', requestId);
		}
		return toStatus(body);
	},

	async follow(call, model, requestId, onStatus) {
		const { queueUrl } = await settings(call.ctx);
		let result: HttpResult;
		try {
			result = await callOnce(call.ctx, CREDENTIAL, {
				method: 'GET',
				url: `${requestBase(queueUrl, model.id, requestId)}/status/stream`,
				qs: { logs: 0 },
				headers: { Accept: 'text/event-stream' },
				encoding: 'stream',
				timeout: 30_000,
			});
		} catch (error) {
			if (call.signal?.aborted) throw toNodeError(call.node, error, { itemIndex: call.itemIndex });
			call.debug(
				`fal status stream unavailable (${networkCode(error) ?? 'error'}); polling instead`,
			);
			return undefined;
		}
		const stream = result.body as EventStream;
		if (result.statusCode !== 200 || typeof stream?.on !== 'function') {
			stream?.destroy?.();
			call.debug(
				`fal status stream answered HTTP ${result.statusCode}${result.refusedRedirect ? ` (${result.refusedRedirect})` : ''}; polling instead`,
			);
			return undefined;
		}
		// The stream can stay open for a long time: close it when the run is cancelled or the
		// deadline passes (n8n attaches only the execution's cancel signal to the request).
		const stop = () => stream.destroy();
		call.signal?.addEventListener('abort', stop, { once: true });
		const deadlineTimer = new AbortController();
		if (call.deadline !== undefined) {
			call.clock
				.sleep(Math.max(call.deadline - call.clock.now(), 0), deadlineTimer.signal)
				.then(stop, () => undefined);
		}
		let last: JobStatus | undefined;
		try {
			await readEvents(stream, (data) => {
				let body: IDataObject;
				try {
					body = JSON.parse(data) as IDataObject;
				} catch {
					return false;
				}
				last = toStatus(body);
				onStatus(last);
				return last.phase === 'completed' || last.phase === 'failed';
			});
		} catch (error) {
			if (call.signal?.aborted) throw toNodeError(call.node, error, { itemIndex: call.itemIndex });
			call.debug(`fal status stream broke (${networkCode(error) ?? 'closed'}); polling instead`);
		} finally {
			call.signal?.removeEventListener('abort', stop);
			deadlineTimer.abort();
			stream.destroy();
		}
		return last && (last.phase === 'completed' || last.phase === 'failed') ? last : undefined;
	},

	async check(call, model, requestId) {
		const result = await readResult(call, model, requestId);
		const body = jsonBody(result);
		if (result.statusCode === 200 && body) return { phase: 'completed', raw: body, result: body };
		// Not done yet: fal answers 202 with the status, or 400 "still in progress" (§2.4).
		const status = String(body?.status ?? '').toUpperCase();
		if (result.statusCode === 202 || status === 'IN_QUEUE' || status === 'IN_PROGRESS')
			return body && status ? toStatus(body) : { phase: 'running', raw: body ?? {} };
		const detail = detailText(body) ?? '';
		if (
			result.statusCode === 400 &&
			/in progress|in queue|not (yet )?(complete|ready|finished)/i.test(detail)
		)
			return { phase: 'running', raw: body ?? {} };
		const failed = resultFailureMessage(result);
		if (failed) return { phase: 'failed', error: failed, raw: body ?? {} };
		throw failure(call, result, 'Checking the job', requestId);
	},

	async output(call, model, requestId, status) {
		let body = status.result;
		if (!body) {
			const result = await readResult(call, model, requestId);
			const failed = resultFailure(call, result, requestId);
			if (failed) throw failed;
			body = jsonBody(result);
			if (result.statusCode < 200 || result.statusCode >= 300 || !body) {
				throw failure(call, result, 'Fetching the result', requestId);
			}
		}
		if (model.fromSchema) {
			// Any model: every file object in the result, of any kind; the result itself is kept.
			const media = mediaInResult(body);
			const videos = media.filter((m) => m.kind === 'video');
			const extra: IDataObject = {};
			if (body.seed !== undefined) extra.seed = body.seed;
			return {
				videoUrls: videos.map((m) => m.url),
				media,
				outputs: body,
				contentType: videos[0]?.contentType,
				extra,
			};
		}
		const video = body.video as IDataObject | undefined;
		const videos = Array.isArray(body.videos)
			? (body.videos as IDataObject[])
			: video
				? [video]
				: [];
		const videoUrls = videos
			.map((v) => v?.url)
			.filter((u): u is string => typeof u === 'string' && u !== '');
		if (!videoUrls.length) {
			throw providerError(call.node, {
				provider: 'fal',
				message: 'the job completed but returned no video',
				requestId,
				itemIndex: call.itemIndex,
				response: body,
			});
		}
		const extra: IDataObject = {};
		if (body.seed !== undefined) extra.seed = body.seed;
		if (video) extra.video = video;
		return {
			videoUrls,
			contentType: typeof video?.content_type === 'string' ? video.content_type : undefined,
			extra,
		};
	},

	async cancel(call, model, requestId) {
		const { queueUrl, apiKey } = await settings(call.ctx);
		return await sendCancel(
			call,
			`${requestBase(queueUrl, model.id, requestId)}/cancel`,
			`Key ${apiKey}`,
			requestId,
		);
	},

	async price(call, model) {
		const { apiUrl } = await settings(call.ctx);
		// fal prices an endpoint, not a set of inputs: the unit price, turned into a price per
		// job by the model's own knowledge of the unit (see pricing.ts).
		const result = await readApi(
			call,
			'fal',
			'reading the price',
			{
				method: 'GET',
				url: `${apiUrl}/v1/models/pricing`,
				qs: { endpoint_id: model.id },
				json: true,
				timeout: 15_000,
			},
			{ isTransient: isTransient, attempts: 2 },
		);
		const body = jsonBody(result);
		if (result.statusCode < 200 || result.statusCode >= 300 || !body) {
			throw failure(call, result, 'Reading the price');
		}
		const prices = Array.isArray(body.prices) ? (body.prices as IDataObject[]) : [];
		const entry = prices.find((p) => p?.endpoint_id === model.id);
		const unitPrice = Number(entry?.unit_price);
		const currency = String(entry?.currency ?? 'USD').toUpperCase();
		if (!entry || currency !== 'USD' || !Number.isFinite(unitPrice) || unitPrice < 0)
			return undefined;
		return { kind: 'unit', unitPrice, unit: String(entry.unit ?? '') };
	},

	async balance(call) {
		const { apiUrl, restUrl } = await settings(call.ctx);
		// The documented read (Platform API) needs a key with billing rights (an admin key); the
		// REST API's answers any key with the balance as a bare number.
		const billing = await readApi(
			call,
			'fal',
			'reading the balance',
			{
				method: 'GET',
				url: `${apiUrl}/v1/account/billing`,
				qs: { expand: 'credits' },
				json: true,
				timeout: 15_000,
			},
			{ isTransient: isTransient, attempts: 3 },
		);
		const credits = jsonBody(billing)?.credits as IDataObject | undefined;
		if (billing.statusCode >= 200 && billing.statusCode < 300 && credits) {
			const balance = Number(credits.current_balance);
			if (Number.isFinite(balance) && String(credits.currency ?? 'USD').toUpperCase() === 'USD')
				return balance;
		}
		if (billing.statusCode !== 401 && billing.statusCode !== 403 && billing.statusCode !== 404) {
			throw failure(call, billing, 'Reading the balance');
		}
		// The answer is a bare number, not a JSON object: only the status says "try again".
		const rest = await readApi(
			call,
			'fal',
			'reading the balance',
			{
				method: 'GET',
				url: `${restUrl}/billing/user_balance`,
				json: false,
				timeout: 15_000,
			},
			{ isTransient: (r) => isRetryableStatus(r.statusCode), attempts: 3 },
		);
		const text = Buffer.isBuffer(rest.body) ? rest.body.toString('utf8') : String(rest.body ?? '');
		const balance = Number(text.trim());
		if (
			rest.statusCode < 200 ||
			rest.statusCode >= 300 ||
			text.trim() === '' ||
			!Number.isFinite(balance)
		) {
			throw failure(call, rest, 'Reading the balance');
		}
		return balance;
	},

	async uploadImage(call, bytes, mimeType, fileName) {
		const { restUrl } = await settings(call.ctx);
		const initiate = await readApi(
			call,
			'fal',
			'starting the image upload',
			{
				method: 'POST',
				url: `${restUrl}/storage/upload/initiate`,
				qs: { storage_type: 'fal-cdn-v3' },
				body: { content_type: mimeType, file_name: fileName },
				json: true,
				timeout: 30_000,
			},
			{ isTransient: isTransient, attempts: 4 },
		);
		const target = jsonBody(initiate);
		if (
			initiate.statusCode < 200 ||
			initiate.statusCode >= 300 ||
			typeof target?.upload_url !== 'string' ||
			typeof target.file_url !== 'string'
		) {
			throw failure(call, initiate, 'Starting the image upload', undefined, 'REST URL');
		}
		const uploadUrl = target.upload_url;
		const put = await readOrExplain(
			call,
			'fal',
			'uploading the image',
			undefined,
			async () =>
				await putBytes(call.ctx, uploadUrl, bytes, { 'Content-Type': mimeType }, call.signal),
			undefined,
			4,
		);
		if (put.statusCode < 200 || put.statusCode >= 300)
			throw failure(call, put, 'Uploading the image');
		return target.file_url;
	},
};
