/**
 * Waiting for a job by asking. The schedule follows what the seeds say a model takes: quiet
 * until the fastest job could be done, every 1.85 s while it is expected to finish (so the
 * video is picked up within 2 s), then backing off. Providers with a push channel (fal's
 * status stream) are followed instead, with polling as the fallback.
 */
import { NodeApiError } from 'n8n-workflow';

import { errorMessage, toNodeError } from './errors';
import type { ModelSpec, RequestBody } from './models/types';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';

/**
 * Inside the expected window. 1.85 s rather than 2 s: a job is seen done at most one interval
 * (plus a request) after it ends, so the 95th percentile stays clear of 2 s, and a 60 s Lynx
 * job still costs 20 status requests at most (first at 25 s, then 19 in 35 s).
 */
export const WINDOW_INTERVAL_MS = 1850;
/** Unknown duration: the first checks 2 s apart. */
const UNKNOWN_MIN_MS = 2000;
const MAX_INTERVAL_MS = 10_000;

/** Delay before the next status check, given the time since submit. */
export function pollDelayMs(
	elapsedMs: number,
	expected: { min: number; max: number } | null | undefined,
	fixedMs?: number,
): number {
	if (fixedMs && fixedMs > 0) return fixedMs;
	const seconds = elapsedMs / 1000;
	if (expected) {
		if (seconds < expected.min) return (expected.min - seconds) * 1000;
		if (seconds <= expected.max) return WINDOW_INTERVAL_MS;
		return Math.min(UNKNOWN_MIN_MS + (seconds - expected.max) * 100, MAX_INTERVAL_MS);
	}
	// Unknown duration: 2 s at first, slowing to 10 s for long jobs (5 % of the time waited).
	return Math.min(Math.max(UNKNOWN_MIN_MS, seconds * 50), MAX_INTERVAL_MS);
}

export interface WaitOptions {
	submittedAt: number;
	timeoutMs: number;
	fixedIntervalMs?: number;
	onStatus: (status: JobStatus) => void;
}

const isTerminal = (status: JobStatus) => status.phase === 'completed' || status.phase === 'failed';

/** A provider that is down or overloaded (network failure, 429, 5xx), as opposed to a refusal. */
function isOutage(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const code = error.httpCode ? Number(error.httpCode) : undefined;
	return code === undefined || code === 429 || code >= 500;
}

/** How a wait ended: the job's terminal status, or the time limit with what was last known. */
export type WaitOutcome = { status: JobStatus } | { timedOut: true; detail: string };

/**
 * Waits until the job ends or the time limit passes. What to do with a job still running at
 * the time limit (cancel it, or leave it) is the caller's decision.
 */
export async function waitForJob(
	call: CallContext,
	transport: ProviderTransport,
	model: ModelSpec,
	body: RequestBody,
	requestId: string,
	options: WaitOptions,
): Promise<WaitOutcome> {
	const deadline = options.submittedAt + options.timeoutMs;
	const scoped: CallContext = { ...call, deadline };
	let last: JobStatus | undefined;
	let lastProblem: string | undefined;
	const seen = (status: JobStatus) => {
		last = status;
		options.onStatus(status);
	};

	if (transport.follow && !options.fixedIntervalMs) {
		// A dropped stream is reopened a couple of times before falling back to polling.
		for (let attempt = 0; attempt < 3 && call.clock.now() < deadline; attempt++) {
			const ended = await transport.follow(scoped, model, requestId, seen);
			if (ended) return { status: ended };
			if (call.signal?.aborted) break;
		}
	}

	const expected = model.expectedSeconds?.(body) ?? null;
	while (true) {
		const now = call.clock.now();
		const delay = pollDelayMs(now - options.submittedAt, expected, options.fixedIntervalMs);
		if (now >= deadline) break;
		// The last check lands on the deadline itself rather than past it.
		await call.clock.sleep(Math.min(delay, Math.max(deadline - now, 0)), call.signal);
		let status: JobStatus;
		try {
			status = await transport.status(scoped, model, requestId);
		} catch (error) {
			// A provider outage longer than one read's retries is waited out up to the deadline:
			// the job runs on regardless, and giving up would strand a paid result.
			if (call.signal?.aborted || !isOutage(error))
				throw toNodeError(call.node, error, { itemIndex: call.itemIndex, requestId });
			// Kept without the provider prefix and request id the final message adds itself.
			lastProblem = errorMessage(error)
				.replace(/ \(request ID: [^)]*\)$/, '')
				.replace(/^(WaveSpeed|fal): /, '');
			call.debug(`status of ${requestId} unavailable, still waiting: ${lastProblem}`);
			continue;
		}
		lastProblem = undefined;
		seen(status);
		if (isTerminal(status)) return { status };
	}
	const seconds = Math.round(options.timeoutMs / 1000);
	return {
		timedOut: true,
		detail: lastProblem
			? `could not learn the job's status within ${seconds} s (last problem: ${lastProblem})`
			: `the job did not finish within ${seconds} s (last status: ${last?.phase ?? 'unknown'})`,
	};
}
