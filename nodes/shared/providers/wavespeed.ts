/**
 * WaveSpeed transport (shared/providers.md §1). Every URL is built from the credential's
 * baseUrl; the `urls.get` the API returns is ignored so a gateway or emulator can stand in.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Host } from '../host';

import { normalizeApiKey } from '../apiKey';
import { tagWebhookUrl } from '../callbackTag';
import { providerError } from '../errors';
import { isRetryableStatus, jsonBody, trimSlash } from '../http';
import type { HttpResult } from '../http';
import type { ModelSpec, RequestBody } from '../models/types';
import { mediaFromUrls } from '../media';
import { putBytes } from '../public';
import {
	cachedSettings,
	missingJobId,
	postJob,
	readApi,
	readOrExplain,
	submitServerError,
} from './common';
import type { CallContext, JobPhase, JobStatus, ProviderTransport } from './types';

const CREDENTIAL = 'waveSpeedApi';

async function readSettings(ctx: Host): Promise<{ baseUrl: string; apiKey: string }> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiKey?: string }>(CREDENTIAL);
	return {
		baseUrl: trimSlash(credentials.baseUrl || 'https://api.wavespeed.ai'),
		apiKey: normalizeApiKey(credentials.apiKey),
	};
}

const settings = cachedSettings(readSettings);

const PHASES: Record<string, JobPhase> = {
	created: 'queued',
	pending: 'queued',
	processing: 'running',
	completed: 'completed',
	failed: 'failed',
	cancelled: 'failed',
	canceled: 'failed',
	timeout: 'failed',
	deleted: 'failed',
};

/** What the task codes of https://wavespeed.ai/docs/error-codes ask the user to do. */
const CODE_HINTS: Record<number, string> = {
	1200: 'the content was flagged by moderation; change the prompt or image',
	1400: 'a required parameter is missing',
	1401: 'a parameter is invalid',
	1402: 'the provider could not download an input image; use a public URL',
	5000: 'internal provider error; try again later',
	5003: 'the service is unavailable; try again later',
	5004: 'the provider timed out',
};

/** WaveSpeed's `error_code` (e.g. which role a permission failure needs), for the message. */
function errorCodePart(body: IDataObject | undefined): string {
	const code = body?.error_code;
	return typeof code === 'string' || typeof code === 'number'
		? ` (error_code ${String(code)})`
		: '';
}

/** The envelope's message (with its error_code), or a readable summary of a body that is not the envelope. */
function messageOf(result: HttpResult, body: IDataObject | undefined): string {
	const text = body?.message ?? body?.error ?? body?.detail;
	if (typeof text === 'string' && text) return `${text}${errorCodePart(body)}`;
	if (result.statusCode === 401 || result.statusCode === 403)
		return `the API key was rejected${errorCodePart(body)}`;
	return body ? JSON.stringify(body).slice(0, 300) : 'the answer was not JSON';
}

function failure(call: CallContext, result: HttpResult, what: string, requestId?: string) {
	const body = jsonBody(result);
	let message = `${what} failed with HTTP ${result.statusCode}: ${result.refusedRedirect ?? messageOf(result, body)}`;
	if (result.refusedRedirect) {
		message += '. Check the Base URL in the WaveSpeed credential';
	} else if (result.statusCode === 401 || result.statusCode === 403) {
		message += '. Check the API key in the WaveSpeed credential';
	} else if (result.statusCode === 402) {
		message += '. Top up your WaveSpeed balance';
	}
	return providerError(call.node, {
		provider: 'wavespeed',
		message,
		httpCode: result.statusCode,
		requestId,
		itemIndex: call.itemIndex,
		response: body ?? null,
		mayStillRun: requestId !== undefined,
	});
}

/** The envelope's `data`, when the call succeeded by both the HTTP status and `code`. */
function envelopeData(result: HttpResult): IDataObject | undefined {
	const body = jsonBody(result);
	if (result.statusCode < 200 || result.statusCode >= 300 || !body) return undefined;
	if (body.code !== undefined && Number(body.code) !== 200) return undefined;
	return body.data && typeof body.data === 'object' ? (body.data as IDataObject) : undefined;
}

/** Retry transient answers: 429/5xx, a malformed body, or an envelope code of 5xx. */
function isTransient(result: HttpResult): boolean {
	if (isRetryableStatus(result.statusCode)) return true;
	if (result.statusCode < 200 || result.statusCode >= 300) return false;
	const body = jsonBody(result);
	if (!body) return true;
	return body.code !== undefined && Number(body.code) >= 500;
}

function multipart(
	bytes: Buffer,
	mimeType: string,
	fileName: string,
): { body: Buffer; contentType: string } {
	const boundary = `----n8nAiVideo${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const safeName = fileName.replace(/["\r\n]/g, '_');
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${mimeType}\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	return {
		body: Buffer.concat([head, bytes, tail]),
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}

/** Answers that say an endpoint does not exist (any more). */
const RETIRED = [404, 405, 410];

/**
 * The upload flow of WaveSpeed's SDKs since 2026-08 (wavespeed-python `upload()`): a ticket
 * (`POST /api/v3/media/uploads` with name, size and type) names a presigned URL, the bytes go
 * there with exactly the headers the ticket gives (never the API key), and the ticket's
 * `download_url` is what the model gets.
 */
async function uploadByTicket(
	call: CallContext,
	baseUrl: string,
	bytes: Buffer,
	mimeType: string,
	fileName: string,
): Promise<string> {
	const ticket = await readApi(
		call,
		'wavespeed',
		'starting the image upload',
		{
			method: 'POST',
			url: `${baseUrl}/api/v3/media/uploads`,
			body: { filename: fileName, size: bytes.length, content_type: mimeType },
			json: true,
			timeout: 30_000,
		},
		{ isTransient: isTransient, attempts: 4 },
	);
	const data = envelopeData(ticket);
	const upload = data?.upload as IDataObject | undefined;
	const target = typeof upload?.url === 'string' ? upload.url : '';
	const downloadUrl = data?.download_url;
	if (
		String(upload?.method ?? '').toUpperCase() !== 'PUT' ||
		!/^https?:\/\//i.test(target) ||
		typeof downloadUrl !== 'string' ||
		!downloadUrl
	) {
		throw failure(call, ticket, 'Starting the image upload');
	}
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries((upload?.headers ?? {}) as IDataObject)) {
		if (typeof value === 'string' && name.toLowerCase() !== 'authorization') headers[name] = value;
	}
	const put = await readOrExplain(
		call,
		'wavespeed',
		'uploading the image',
		undefined,
		async () => await putBytes(call.ctx, target, bytes, headers, call.signal),
		undefined,
		4,
	);
	if (put.statusCode < 200 || put.statusCode >= 300)
		throw failure(call, put, 'Uploading the image');
	return downloadUrl;
}

export const waveSpeed: ProviderTransport = {
	provider: 'wavespeed',
	credentialType: CREDENTIAL,
	acceptsDataUri: false,
	// "For files larger than 300MB, we recommend using a URL input" (media-upload docs).
	maxUploadBytes: 300 * 1024 * 1024,
	uploadFormats: ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'],

	async secrets(ctx) {
		return [(await settings(ctx)).apiKey];
	},

	async submit(call, model: ModelSpec, body: RequestBody, webhookUrl?: string) {
		const { baseUrl } = await settings(call.ctx);
		const result = await postJob(
			call,
			'wavespeed',
			CREDENTIAL,
			`${baseUrl}/api/v3/${model.id}`,
			// Tagged with the model id: a Trigger reads the job from there (see callbackTag.ts).
			webhookUrl ? { webhook: tagWebhookUrl(webhookUrl, model.id) } : undefined,
			body,
		);
		const data = envelopeData(result);
		if (!data) {
			const envelope = jsonBody(result);
			if (result.statusCode >= 200 && result.statusCode < 300 && envelope?.code !== undefined) {
				const refused = providerError(call.node, {
					provider: 'wavespeed',
					message: `the job was refused (code ${String(envelope.code)}): ${messageOf(result, envelope)}`,
					httpCode: Number(envelope.code) || undefined,
					itemIndex: call.itemIndex,
					response: envelope,
				});
				// An envelope code of 5xx is a server error inside a 200: the job may exist.
				throw submitServerError(refused, 'wavespeed', Number(envelope.code) || 0);
			}
			// A 2xx answer we cannot read may still mean the job was taken.
			if (result.statusCode >= 200 && result.statusCode < 300)
				throw missingJobId(call, 'wavespeed', 'task id', envelope);
			throw submitServerError(
				failure(call, result, 'Submitting the job'),
				'wavespeed',
				result.statusCode,
			);
		}
		if (typeof data.id !== 'string' || !data.id) {
			throw missingJobId(call, 'wavespeed', 'task id', jsonBody(result) ?? null);
		}
		return { requestId: data.id, raw: data };
	},

	async status(call, _model, requestId) {
		const { baseUrl } = await settings(call.ctx);
		const result = await readApi(
			call,
			'wavespeed',
			'checking the job status',
			{
				method: 'GET',
				url: `${baseUrl}/api/v3/predictions/${encodeURIComponent(requestId)}/result`,
				json: true,
				timeout: 30_000,
			},
			{ requestId, isTransient: isTransient },
		);
		const data = envelopeData(result);
		if (!data) throw failure(call, result, 'Checking the job status', requestId);
		const status = String(data.status ?? '').toLowerCase();
		const phase = PHASES[status] ?? 'running';
		let error: string | undefined;
		if (phase === 'failed') {
			const code = Number(data.code);
			const hint = CODE_HINTS[code];
			error = [
				`the job ${status === 'failed' ? 'failed' : `ended as ${status}`}`,
				typeof data.error === 'string' && data.error ? `: ${data.error}` : '',
				Number.isFinite(code) && code ? ` (code ${code}${hint ? `: ${hint}` : ''})` : '',
				errorCodePart(data),
			].join('');
		}
		return { phase, error, raw: data };
	},

	async output(call, model, requestId, status: JobStatus) {
		const outputs = Array.isArray(status.raw.outputs) ? status.raw.outputs : [];
		const extra: IDataObject = {};
		if (status.raw.has_nsfw_contents !== undefined)
			extra.hasNsfwContents = status.raw.has_nsfw_contents;
		if (status.raw.timings !== undefined) extra.timings = status.raw.timings;
		if (status.raw.created_at !== undefined) extra.createdAt = status.raw.created_at;
		if (model.fromSchema) {
			// Any model: every URL is a result, whatever its kind; the list itself is kept as is.
			const media = mediaFromUrls(outputs);
			const videoUrls = media.filter((m) => m.kind === 'video').map((m) => m.url);
			return { videoUrls, media, outputs, extra };
		}
		const videoUrls = outputs.filter((o): o is string => typeof o === 'string' && o !== '');
		if (!videoUrls.length) {
			throw providerError(call.node, {
				provider: 'wavespeed',
				message: 'the job completed but returned no video',
				requestId,
				itemIndex: call.itemIndex,
				response: status.raw,
			});
		}
		return { videoUrls, extra };
	},

	async price(call, model, inputs) {
		const { baseUrl } = await settings(call.ctx);
		// Free and creates nothing: a failure is retried briefly, then the run goes on without it.
		const result = await readApi(
			call,
			'wavespeed',
			'reading the price',
			{
				method: 'POST',
				url: `${baseUrl}/api/v3/model/price`,
				body: { model_id: model.id, inputs },
				json: true,
				timeout: 15_000,
			},
			{ isTransient: isTransient, attempts: 2 },
		);
		const data = envelopeData(result);
		if (!data) throw failure(call, result, 'Reading the price');
		const currency = typeof data.currency === 'string' ? data.currency.toUpperCase() : 'USD';
		// What the account pays: the discounted price where WaveSpeed gives one.
		const usd = Number(data.discounted_price ?? data.price);
		if (currency !== 'USD' || data.price === undefined || !Number.isFinite(usd) || usd < 0)
			return undefined;
		return { kind: 'price', usd };
	},

	async balance(call) {
		const { baseUrl } = await settings(call.ctx);
		const result = await readApi(
			call,
			'wavespeed',
			'reading the balance',
			{
				method: 'GET',
				url: `${baseUrl}/api/v3/balance`,
				json: true,
				timeout: 15_000,
			},
			{ isTransient: isTransient, attempts: 3 },
		);
		const balance = Number(envelopeData(result)?.balance);
		if (!Number.isFinite(balance)) throw failure(call, result, 'Reading the balance');
		return balance;
	},

	async uploadImage(call, bytes, mimeType, fileName) {
		const { baseUrl } = await settings(call.ctx);
		const form = multipart(bytes, mimeType, fileName);
		// An upload is free and creates no job, so transient failures may be retried.
		const result = await readApi(
			call,
			'wavespeed',
			'uploading the image',
			{
				method: 'POST',
				url: `${baseUrl}/api/v3/media/upload/binary`,
				body: form.body,
				headers: { 'Content-Type': form.contentType },
				json: false,
				timeout: 300_000,
			},
			{ isTransient: isTransient, attempts: 4 },
		);
		// WaveSpeed's SDKs moved to upload tickets in 2026-08; when the one-request endpoint is
		// gone, the ticket flow takes over.
		if (RETIRED.includes(result.statusCode)) {
			call.debug(
				`WaveSpeed's binary upload answered HTTP ${result.statusCode}; using an upload ticket`,
			);
			return await uploadByTicket(call, baseUrl, bytes, mimeType, fileName);
		}
		const data = envelopeData(result);
		const url = data?.download_url;
		if (typeof url !== 'string' || !url) throw failure(call, result, 'Uploading the image');
		return url;
	},
};
