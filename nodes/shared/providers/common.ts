/** What both transports do the same way: credential settings, retry policy, posting a job. */
import { NodeApiError as NodeApiErrorClass } from 'n8n-workflow';
import type { IDataObject, IHttpRequestOptions, NodeApiError } from 'n8n-workflow';

import type { Host } from '../host';

import { PROVIDER_NAMES, providerError, toNodeError } from '../errors';
import {
	callOnce,
	networkCode,
	readWithRetry,
	submitNetworkMessage,
	submitWithRetry,
} from '../http';
import type { HttpResult, RetryPolicy } from '../http';
import type { Provider, RequestBody } from '../models/types';
import type { CallContext } from './types';

export function retryPolicy(call: CallContext, provider: Provider): RetryPolicy {
	return {
		clock: call.clock,
		signal: call.signal,
		deadline: call.deadline,
		onRetry: (reason, attempt, delay) =>
			call.debug(
				`${PROVIDER_NAMES[provider]} answered ${reason}; retry ${attempt} in ${Math.round(delay)} ms`,
			),
	};
}

/**
 * Submit failures after which the job may exist: the request may have reached the provider
 * and no answer was read (a dropped connection, a time-out, a stop mid-request), or an answer
 * said yes without naming the job. The run records such an item so that no retry buys it
 * again. Kept by identity, not as a field: nothing of it is shown to the user.
 */
const outcomeUnknown = new WeakSet<object>();

function unknownOutcome<T extends object>(error: T): T {
	outcomeUnknown.add(error);
	return error;
}

/**
 * Server errors that a provider answers before any job exists: fal's own client sends a submit
 * again after 502, 503 and 504 (fal-js `QUEUE_RETRY_CONFIG`), so fal's gateway makes none then.
 * WaveSpeed says nothing of the kind.
 */
const GATEWAY_REFUSALS: Record<Provider, number[]> = { fal: [502, 503, 504], wavespeed: [] };

/**
 * A submit answered with a server error (5xx). The provider may have taken the job before
 * failing (the fault matrix has it do exactly that), so the error says so and the run treats
 * the item as possibly bought. 4xx answers, and the gateway errors above, are refusals.
 */
export function submitServerError(
	error: NodeApiError,
	provider: Provider,
	statusCode: number,
): NodeApiError {
	if (statusCode < 500 || GATEWAY_REFUSALS[provider].includes(statusCode)) return error;
	error.message = `${error.message}. ${PROVIDER_NAMES[provider]} may have created the job anyway: check your dashboard before running again`;
	return unknownOutcome(error);
}

const CREDIT_WORDS =
	/user is locked|insufficient (balance|credit|funds)|exhausted balance|not enough (balance|credit)|balance is (not enough|insufficient)|top up your/i;

/**
 * The provider's words when it refused a submit because the account cannot pay (fal: HTTP 403
 * "User is locked. Reason: Exhausted balance…"; WaveSpeed: 402 or "insufficient balance");
 * undefined for any other failure. Asked of submit failures only: no later submit of the run
 * can succeed then.
 */
export function creditRefusal(error: unknown): string | undefined {
	if (!(error instanceof NodeApiErrorClass)) return undefined;
	const text = error.message.replace(/^(WaveSpeed|fal): /, '');
	return Number(error.httpCode) === 402 || CREDIT_WORDS.test(text) ? text : undefined;
}

/** Whether a failed submit may have created a job after all. */
export function submitMayHaveCreatedJob(error: unknown): boolean {
	return typeof error === 'object' && error !== null && outcomeUnknown.has(error);
}

/**
 * Posts a job, repeating only where the provider provably took none (see submitWithRetry).
 * A connection that fails after the request may have arrived becomes an error that says so.
 */
export async function postJob(
	call: CallContext,
	provider: Provider,
	credentialType: string,
	url: string,
	qs: IDataObject | undefined,
	body: RequestBody,
): Promise<HttpResult> {
	try {
		return await submitWithRetry(
			async () =>
				await callOnce(call.ctx, credentialType, {
					method: 'POST',
					url,
					qs,
					body,
					json: true,
					timeout: 60_000,
				}),
			{ ...retryPolicy(call, provider), maxAttempts: 5 },
		);
	} catch (error) {
		// Refused connections are the one failure that proves nothing was sent.
		const sent = networkCode(error) !== 'ECONNREFUSED';
		const nodeError = call.signal?.aborted
			? toNodeError(call.node, error, { itemIndex: call.itemIndex })
			: providerError(call.node, {
					provider,
					message: sent
						? submitNetworkMessage(error)
						: `the connection to ${PROVIDER_NAMES[provider]} was refused (${networkCode(error)}); no job was created`,
					itemIndex: call.itemIndex,
				});
		throw sent ? unknownOutcome(nodeError) : nodeError;
	}
}

/** A submit that was accepted but named no job: it may exist, and cannot be followed. */
export function missingJobId(
	call: CallContext,
	provider: Provider,
	field: string,
	response: unknown,
) {
	return unknownOutcome(
		providerError(call.node, {
			provider,
			message: `the submit answer carried no ${field}, so the job cannot be followed. It may have been created: check your ${PROVIDER_NAMES[provider]} dashboard before running again`,
			itemIndex: call.itemIndex,
			response: response ?? null,
		}),
	);
}

/**
 * A read with retries whose network failure, once retries are spent, names the provider, what
 * was being done and the job (n8n's own text would suggest "retry immediately").
 */
export async function readOrExplain(
	call: CallContext,
	provider: Provider,
	what: string,
	requestId: string | undefined,
	send: () => Promise<HttpResult>,
	isTransient?: (result: HttpResult) => boolean,
	maxAttempts?: number,
): Promise<HttpResult> {
	try {
		return await readWithRetry(send, { ...retryPolicy(call, provider), maxAttempts }, isTransient);
	} catch (error) {
		if (call.signal?.aborted) throw toNodeError(call.node, error, { itemIndex: call.itemIndex });
		throw providerError(call.node, {
			provider,
			message: `${what} failed: the connection to ${PROVIDER_NAMES[provider]} failed (${networkCode(error) ?? 'network error'})`,
			requestId,
			itemIndex: call.itemIndex,
			mayStillRun: requestId !== undefined,
		});
	}
}

/** The credential each provider's requests carry. */
const CREDENTIAL_TYPES: Record<Provider, string> = { wavespeed: 'waveSpeedApi', fal: 'falApi' };

export interface ReadOptions {
	/** The job the read is about, for the error. */
	requestId?: string;
	/** Answers worth another try (default: 429 and 5xx). */
	isTransient?: (result: HttpResult) => boolean;
	attempts?: number;
}

/**
 * An authenticated read (a GET, or a POST that creates nothing) with the credential of the
 * provider, retried on transient answers; a network failure names the provider, `what` was
 * being done and the job.
 */
export async function readApi(
	call: CallContext,
	provider: Provider,
	what: string,
	request: IHttpRequestOptions,
	options: ReadOptions = {},
): Promise<HttpResult> {
	return await readOrExplain(
		call,
		provider,
		what,
		options.requestId,
		async () => await callOnce(call.ctx, CREDENTIAL_TYPES[provider], request),
		options.isTransient,
		options.attempts,
	);
}

/**
 * The credential's fields, read once per n8n context: a run or a callback makes many calls,
 * and each read means a database lookup and decryption in n8n.
 */
export function cachedSettings<T>(read: (ctx: Host) => Promise<T>): (ctx: Host) => Promise<T> {
	const cache = new WeakMap<Host, Promise<T>>();
	return async (ctx) => {
		let settings = cache.get(ctx);
		if (!settings) {
			settings = read(ctx);
			cache.set(ctx, settings);
			settings.catch(() => cache.delete(ctx));
		}
		return await settings;
	};
}
