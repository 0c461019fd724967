/**
 * Step 3 of a run, by polling: wait for the job, and at the Timeout do what the user chose
 * (On Timeout): cancel the job where the provider can, so it stops billing, or leave it
 * running to be resumed by Retry On Fail or picked up later by its request id.
 */
import { errorMessage, providerError } from '../errors';
import { waitForJob } from '../polling';
import type { CallContext, JobStatus } from '../providers/types';
import type { Plan } from './plan';
import type { RunContext, SubmittedJob } from './submit';

/** One change of a job's status, as the output item's `statusHistory` lists it. */
export interface StatusChange {
	status: 'submitted' | JobStatus['phase'];
	/** ISO time the node saw the change. */
	at: string;
	/** Place in the provider's queue when the job was seen queued, where the provider says. */
	queuePosition?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The job's terminal status; throws the timeout (saying what became of the job) otherwise.
 * Every change of status (not every check) goes to n8n's log at info, to the browser console
 * of a manual run (n8n's sendMessageToUI: the only live channel a node has), and into
 * `history`, which the item carries as `statusHistory`.
 */
export async function waitPolled(
	run: RunContext,
	call: CallContext,
	plan: Plan,
	job: SubmittedJob,
	history: StatusChange[] = [],
): Promise<JobStatus> {
	const { transport, ctx, node, providerName } = run;
	const { model } = plan;
	if (!history.length) history.push({ status: 'submitted', at: iso(job.submittedAt) });
	let position: number | undefined;
	const onStatus = (s: JobStatus) => {
		const last = history[history.length - 1];
		const where = s.queuePosition !== undefined ? ` (queue position ${s.queuePosition})` : '';
		if (last.status === s.phase) {
			if (s.queuePosition !== undefined && s.queuePosition !== position)
				call.debug(`job ${job.requestId}: ${s.phase}${where}`);
			position = s.queuePosition;
			return;
		}
		position = s.queuePosition;
		const now = call.clock.now();
		history.push({
			status: s.phase,
			at: iso(now),
			...(s.queuePosition !== undefined ? { queuePosition: s.queuePosition } : {}),
		});
		const seconds = Math.max(0, Math.round((now - job.submittedAt) / 1000));
		const line = `item ${plan.itemIndex}: ${providerName} job ${job.requestId} is ${s.phase}${where}, ${seconds} s after submit`;
		ctx.logger.info(`[${node.name}] ${line}`);
		ctx.sendMessageToUI?.(line);
	};
	const outcome = await waitForJob(call, transport, model, plan.body, job.requestId, {
		submittedAt: job.submittedAt,
		timeoutMs: plan.timeoutMs,
		fixedIntervalMs: plan.fixedIntervalMs,
		learn: true,
		onStatus,
	});
	if ('status' in outcome) {
		onStatus(outcome.status);
		return outcome.status;
	}
	return await afterTimeout(run, call, plan, job.requestId, outcome.detail);
}

/**
 * The Timeout passed with the job still running. Returns the job's status when it turns out
 * to have ended meanwhile (the cancel came too late: its video is delivered after all).
 */
export async function afterTimeout(
	run: RunContext,
	call: CallContext,
	plan: Plan,
	requestId: string,
	detail: string,
): Promise<JobStatus> {
	const { transport, providerName } = run;
	const { model } = plan;
	const fail = (what: string, mayStillRun: boolean) =>
		providerError(call.node, {
			provider: model.provider,
			message: `${detail}; ${what}`,
			requestId,
			itemIndex: plan.itemIndex,
			mayStillRun,
		});
	if (plan.onTimeout !== 'cancel' || !transport.cancel) {
		const why = transport.cancel
			? 'it keeps running (On Timeout: Keep Running)'
			: `it keeps running: ${providerName} offers no way to cancel a job`;
		throw fail(`${why}. Raise the Timeout option for long jobs`, true);
	}
	// Sent without the item's signal: the item is over, the request must still go out.
	const cancelled = await transport.cancel({ ...call, signal: undefined }, model, requestId);
	if (cancelled.outcome === 'alreadyEnded') {
		// Too late to cancel: the job ended meanwhile, and its result is worth one more read.
		let status: JobStatus;
		try {
			status = await transport.status({ ...call, deadline: undefined }, model, requestId);
		} catch (error) {
			throw fail(
				`it had already ended when it was to be cancelled, but its status could not be read (${errorMessage(error).replace(/ \(request ID: [^)]*\)$/, '').replace(/^(WaveSpeed|fal): /, '')}). Look it up by its request ID`,
				false,
			);
		}
		if (status.phase === 'completed' || status.phase === 'failed') return status;
	}
	if (cancelled.outcome === 'requested') {
		// Nothing left to resume: a retry may buy the item anew.
		run.ledger.forget(plan.itemIndex);
		throw fail(
			`it was cancelled at ${providerName} (On Timeout: Cancel), so it stops running and billing. Raise the Timeout option for long jobs`,
			false,
		);
	}
	const answer = cancelled.outcome === 'failed' ? ` (${cancelled.detail})` : '';
	throw fail(`cancelling it failed${answer}, so it may still be running. Raise the Timeout option for long jobs`, true);
}
