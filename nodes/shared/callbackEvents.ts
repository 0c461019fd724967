/**
 * What a provider's callback claims: which job, and whether it completed or failed. Only a
 * claim: fal signs every account's callbacks with one key set, so a signed body proves that
 * fal sent it, not that it is about this account's job or says the truth about its result.
 * The Trigger reads the job from the provider before anything starts (trigger.ts); the body
 * only says which job to read, whether to bother (not ended, or an event the user did not
 * ask for), and carries a few fields that are not the result.
 */
import type { IDataObject } from 'n8n-workflow';

import { isRequestId } from './callbackTag';

export type CallbackClaim =
	| {
			kind: 'ended';
			requestId: string;
			claimed: 'completed' | 'failed';
			/** The model the body names (WaveSpeed), a hint only. */
			model?: string;
			/** Fields kept on the item that are not the result (request echo, retry id). */
			extra: IDataObject;
	  }
	| { kind: 'ignored'; requestId?: string; reason: string };

const WAVESPEED_FAILED = new Set(['failed', 'cancelled', 'canceled', 'timeout', 'deleted']);

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
export function waveSpeedClaim(body: IDataObject): CallbackClaim {
	const requestId = body.id;
	if (!isRequestId(requestId)) return { kind: 'ignored', reason: 'no usable job id in the body' };
	const status = String(body.status ?? '').toLowerCase();
	const claimed = status === 'completed' ? 'completed' : WAVESPEED_FAILED.has(status) ? 'failed' : undefined;
	if (!claimed) return { kind: 'ignored', requestId, reason: `the job has not ended (${status || 'no status'})` };
	// The request as WaveSpeed echoes it: only in the callback (signed with this account's
	// secret), not in the result read; not part of the result, so it is kept from here.
	const input = slimInput(body.input);
	return {
		kind: 'ended',
		requestId,
		claimed,
		model: typeof body.model === 'string' ? body.model : undefined,
		extra: input ? { input } : {},
	};
}

/** fal posts {request_id, gateway_request_id, status: OK|ERROR, payload, error?, payload_error?} (§2.5). */
export function falClaim(body: IDataObject): CallbackClaim {
	const requestId = body.request_id;
	if (!isRequestId(requestId)) return { kind: 'ignored', reason: 'no usable request_id in the body' };
	const status = String(body.status ?? '').toUpperCase();
	const claimed = status === 'OK' ? 'completed' : status === 'ERROR' ? 'failed' : undefined;
	if (!claimed) return { kind: 'ignored', requestId, reason: `unknown status ${status || '(none)'}` };
	const extra: IDataObject = {};
	// Set when fal retried the request inside its queue: the id of the last attempt.
	if (typeof body.gateway_request_id === 'string' && body.gateway_request_id !== requestId) {
		extra.gatewayRequestId = body.gateway_request_id;
	}
	return { kind: 'ended', requestId, claimed, extra };
}
