/**
 * A provider's callback body turned into the package's output item (shared/interface.md):
 * completed with the video URL(s), failed with the error, or ignored (not ended).
 */
import type { IDataObject } from 'n8n-workflow';

import { detailText } from './providers/fal';

export type CallbackEvent =
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
export function waveSpeedEvent(body: IDataObject): CallbackEvent {
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

/** fal posts {request_id, gateway_request_id, status: OK|ERROR, payload, error?, payload_error?} (§2.5). */
export function falEvent(body: IDataObject): CallbackEvent {
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
