/**
 * Waiting for a job by asking. The schedule probes densely where jobs of the model end and
 * sparsely elsewhere: where the seeds say (the model's expected duration) until a few jobs
 * of the model have ended in this process, then also where those jobs actually ended, and
 * from twenty jobs on only there, so a provider that got faster or slower moves the window
 * instead of turning into latency. Until a job of the new speed has been seen done, the
 * schedule cannot know of it: those jobs are seen by the sparse reads (some 15 s apart).
 * Providers with a push channel (fal's status stream) are followed instead, with polling as
 * the fallback.
 */
import { NodeApiError } from 'n8n-workflow';

import { errorMessage, toNodeError } from './errors';
import type { ModelSpec, RequestBody } from './models/types';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';

/**
 * Between two reads inside the window. A job is seen done at most one interval (plus a
 * request) after it ends, so for jobs ending anywhere in the window the 95th percentile is
 * 0.95 × 1.95 s ≈ 1.85 s, clear of 2 s; and a 60 s Lynx job costs at most 20 reads (one
 * quiet probe, then 19 from 25 s to 60 s).
 */
export const WINDOW_INTERVAL_MS = 1950;
/** Past the window (and as long again) the interval grows by a tenth of the overrun, up to this. */
const MAX_INTERVAL_MS = 10_000;
/** Two reads are never closer than this (a slow answer does not cause a burst). */
const MIN_DELAY_MS = 250;
/**
 * Reads in the quiet stretch before a window: the last this long before it opens (for Lynx's
 * 25 s, at 15 s), then every HOLE_INTERVAL_MS back from there. A job that ends there (a
 * provider that got faster) is seen before the window opens, and the next ones learn from it.
 */
const QUIET_LEAD_MS = 10_000;
/** Ended jobs a window is learned from, per model; and models remembered per process. */
export const LEARN_JOBS = 20;
const LEARN_MODELS = 64;
/**
 * Until this many jobs ended, the documented window stays, and where the few jobs seen ended
 * outside it gets a probe each: a handful of jobs (the first of a run, or of another kind) is
 * not enough to read densely somewhere else, but enough to look there once.
 */
const LEARN_TRUST_JOBS = 5;
/** With no documented duration, a window is learned from this many jobs on. */
const LEARN_MIN_JOBS = 3;

/** When jobs are expected to end, seconds after submit. */
export interface Expected {
	min: number;
	max: number;
}

/** A stretch of time after submit, in ms, read every WINDOW_INTERVAL_MS. */
export interface Span {
	from: number;
	to: number;
}

/**
 * When a job of the model ended, as far as the reads tell: `at` the estimate (the middle of
 * the last interval it was seen running in), `by` when it was seen done (it had surely ended).
 */
export interface JobEnd {
	at: number;
	by: number;
}

/**
 * How long after a window's first read its answer may arrive and still tell of the moment
 * the read was sent: a job seen done by then had ended before the window opened.
 */
const EARLY_SLACK_MS = WINDOW_INTERVAL_MS / 2;

/** The longest quiet stretch before a window or between two of its spans. */
const HOLE_INTERVAL_MS = 15_000;
/**
 * Ends before this fraction of the documented minimum are jobs of another kind when jobs of
 * the documented kind were seen too: far below the 0.3× of the documented durations a provider may plausibly get to,
 * and below where a job first seen done at the first quiet probe is recorded to have ended.
 */
const OTHER_KIND_FRACTION = 0.1;

/**
 * A span around a group of ends. Each recorded end is known to within one interval (the
 * middle of the interval in which the job went from running to done), and the next job may
 * end a little before the earliest or after the latest seen: by about the spread of the ends
 * ÷ (jobs + 1), the expected gap between the edge of a sample and the edge of what it is
 * drawn from.
 */
function spanAround(sorted: readonly number[]): Span {
	const first = sorted[0];
	const last = sorted[sorted.length - 1];
	const margin = WINDOW_INTERVAL_MS / 2 + (last - first) / (sorted.length + 1);
	return { from: Math.max(0, first - margin), to: last + margin };
}

/** Spans in time order, overlapping ones joined. */
function joined(spans: Span[]): Span[] {
	const out: Span[] = [];
	for (const span of [...spans].sort((a, b) => a.from - b.from)) {
		const prev = out[out.length - 1];
		if (prev && span.from <= prev.to) prev.to = Math.max(prev.to, span.to);
		else out.push({ from: span.from, to: span.to });
	}
	return out;
}

/** Where to read, in ms after submit: what pollWindow says. */
export interface PollWindow {
	/** From jobs of this process (rather than from the seeds alone). */
	learned: boolean;
	/** Stretches read every WINDOW_INTERVAL_MS, in time order, apart; at least one. */
	spans: Span[];
	/** Single reads where a few jobs ended outside the spans. */
	probesMs: number[];
	/** The earliest quiet read is left out: a probe (of jobs of another kind) takes its place. */
	fewerQuiet: boolean;
}

/**
 * Where to probe densely, in ms after submit, from when jobs of this model ended in this
 * process (`recent`) and what the seeds say (`expected`); null when neither tells.
 */
export function pollWindow(
	expected: Expected | null | undefined,
	recent: readonly JobEnd[] = [],
): PollWindow | null {
	const documented = expected ? { from: expected.min * 1000, to: expected.max * 1000 } : null;
	const n = recent.length;
	if (n === 0 || (!documented && n < LEARN_MIN_JOBS))
		return documented
			? { learned: false, spans: [documented], probesMs: [], fewerQuiet: false }
			: null;
	// Seen done by the read at the documented window's start (it reads there first): surely a
	// faster job. Any other end is consistent with the window; where sparse reads before it
	// left the estimate below its start (a job last seen running at the quiet probe), it is
	// taken at the start: the estimate is an artefact of the reads, not a faster job.
	const ends = recent
		.map((end) =>
			!documented || end.by < documented.from + EARLY_SLACK_MS
				? end.at
				: Math.max(end.at, documented.from),
		)
		.sort((a, b) => a - b);
	// Jobs far shorter than the documented minimum, beside others, are of another kind (a
	// cached result or a tiny output beside real work): one read just after the latest of them
	// sees the next, where a dense span would read all through the stretch up to the others.
	// That read takes the place of the earliest quiet read, so a job of the documented length
	// costs no more.
	const farShort = documented
		? ends.filter((end) => end < documented.from * OTHER_KIND_FRACTION)
		: [];
	const apart = farShort.length > 0 && (farShort.length < n || n < LEARN_TRUST_JOBS);
	const probesMs = apart ? [Math.round(farShort[farShort.length - 1] + WINDOW_INTERVAL_MS / 2)] : [];
	const rest = apart ? ends.slice(farShort.length) : ends;
	if (documented && n < LEARN_TRUST_JOBS) {
		// A handful of jobs (the first of a run, or of another kind) is not enough to read
		// densely somewhere else, but enough to look there once.
		for (const end of rest)
			if (end < documented.from || end > documented.to)
				probesMs.push(Math.round(end + WINDOW_INTERVAL_MS / 2));
		return { learned: false, spans: [documented], probesMs, fewerQuiet: apart };
	}
	// `rest` is never empty here: jobs of another kind are set apart only beside others.
	const span = spanAround(rest);
	// No job seen done before the documented minimum (the ends of those that were not are at
	// its start or later): no margin below it, which keeps a 60 s Lynx job at 20 reads.
	const before = documented !== null && rest[0] < documented.from;
	const spans: Span[] = [
		documented && !before && span.to > documented.from
			? { from: Math.max(span.from, documented.from), to: span.to }
			: span,
	];
	if (documented && n < LEARN_JOBS) {
		// A few jobs say where jobs may also end, not where they cannot: with five ends, the
		// next job ends before the earliest of them one time in six. Until LEARN_JOBS ended the
		// documented window stays beside what was learned (a provider that got faster or slower
		// adds to it); five jobs that happened to be slow would otherwise leave the next 30 s
		// job to the sparse probes.
		spans.push({ ...documented });
	}
	return { learned: true, spans: joined(spans), probesMs, fewerQuiet: apart };
}

/**
 * Delay before the next status read, given the time since submit: sparse probes before a
 * window (10 s before it opens, and every 15 s back from there), every 1.95 s on a grid inside it and for as long again past its end (a job
 * that outlasts every recent one is as likely a little late as very late), then backing off. Unknown duration and
 * nothing learned: 1.95 s at first, slowing to 5 % of the time waited (10 s at most). A fixed
 * interval (the user's Poll Interval option) wins over all of it.
 */
export function pollDelayMs(
	elapsedMs: number,
	expected: Expected | null | undefined,
	fixedMs?: number,
	recent: readonly JobEnd[] = [],
): number {
	if (fixedMs && fixedMs > 0) return fixedMs;
	const window = pollWindow(expected, recent);
	const earliest = elapsedMs + MIN_DELAY_MS;
	if (!window) return Math.min(Math.max(WINDOW_INTERVAL_MS, elapsedMs * 0.05), MAX_INTERVAL_MS);
	const spans = [...window.spans];
	const last = spans[spans.length - 1];
	// Past the window its grid goes on for the window's length, then backs off from there.
	const denseTo = last.to + (last.to - spans[0].from);
	if (elapsedMs >= denseTo)
		return Math.min(WINDOW_INTERVAL_MS + (elapsedMs - denseTo) * 0.1, MAX_INTERVAL_MS);
	spans[spans.length - 1] = { from: last.from, to: denseTo };
	const candidates: number[] = [...window.probesMs];
	// In a gap between spans, a read at least every HOLE_INTERVAL_MS: a job that ends there
	// (where none of the recent ones did) is seen within that.
	if (elapsedMs >= spans[0].to) candidates.push(elapsedMs + HOLE_INTERVAL_MS);
	const quiet = spans.flatMap((span, i) => {
		// Quiet reads in the stretch before the span (from submit, or from the span before).
		const quietFrom = i === 0 ? 2 * WINDOW_INTERVAL_MS : spans[i - 1].to + WINDOW_INTERVAL_MS;
		const reads: number[] = [];
		for (let t = span.from - QUIET_LEAD_MS; t >= quietFrom; t -= HOLE_INTERVAL_MS) reads.push(t);
		return reads;
	});
	candidates.push(...quiet.sort((a, b) => a - b).slice(window.fewerQuiet ? 1 : 0));
	for (const span of spans) {
		// Inside the span, or before it: the next point of the grid from + k × interval (k ≥ 0:
		// the read at `from` itself tells a job that ended before the window from one in it).
		if (earliest <= span.to) {
			const k = Math.max(0, Math.ceil((earliest - span.from) / WINDOW_INTERVAL_MS));
			candidates.push(span.from + k * WINDOW_INTERVAL_MS);
		}
	}
	const next = Math.min(...candidates.filter((t) => t >= earliest));
	return Number.isFinite(next) ? Math.round(next - elapsedMs) : WINDOW_INTERVAL_MS;
}

/**
 * When jobs of each model ended in this process (ms after submit), the last LEARN_JOBS per
 * model, for LEARN_MODELS models at most (the one used longest ago is forgotten first).
 */
const recentEnds = new Map<string, JobEnd[]>();

const modelKey = (model: Pick<ModelSpec, 'provider' | 'id'>) => `${model.provider}:${model.id}`;

/** The recorded job ends of a model, oldest first. */
export function recentJobEnds(model: Pick<ModelSpec, 'provider' | 'id'>): readonly JobEnd[] {
	return recentEnds.get(modelKey(model)) ?? [];
}

/**
 * Records that a job of this model was last seen running `runningMs` after its submit and
 * seen done at `doneMs`: it ended in between, taken as the middle (and never earlier than
 * half an interval before `doneMs`).
 */
export function recordJobEnd(
	model: Pick<ModelSpec, 'provider' | 'id'>,
	runningMs: number,
	doneMs: number,
): void {
	if (!Number.isFinite(runningMs) || !Number.isFinite(doneMs) || doneMs < 0) return;
	const key = modelKey(model);
	const ends = recentEnds.get(key) ?? [];
	const running = Math.max(0, Math.min(runningMs, doneMs));
	recentEnds.delete(key);
	ends.push({
		at: Math.max(running, doneMs - Math.max(WINDOW_INTERVAL_MS, doneMs - running) / 2),
		by: doneMs,
	});
	if (ends.length > LEARN_JOBS) ends.splice(0, ends.length - LEARN_JOBS);
	recentEnds.set(key, ends);
	if (recentEnds.size > LEARN_MODELS) recentEnds.delete(recentEnds.keys().next().value as string);
}

/** Forgets every recorded job (tests). */
export function forgetJobEnds(): void {
	recentEnds.clear();
}

export interface WaitOptions {
	submittedAt: number;
	timeoutMs: number;
	fixedIntervalMs?: number;
	/**
	 * Record when the job ended, for the schedule of later jobs of the model. Only where
	 * `submittedAt` is the real submit (not for a job looked up by its id).
	 */
	learn?: boolean;
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
	const expected = model.expectedSeconds?.(body) ?? null;
	// The last time the job was seen running (ms after submit), for the record of its end.
	let runningAt = 0;
	// A push channel tells of the end as it happens; a read, only that it happened since the last.
	let pushed = false;
	const seen = (status: JobStatus) => {
		last = status;
		const at = call.clock.now() - options.submittedAt;
		if (!isTerminal(status)) runningAt = at;
		else if (options.learn && status.phase === 'completed')
			recordJobEnd(model, pushed ? at : runningAt, at);
		options.onStatus(status);
	};

	if (transport.follow && !options.fixedIntervalMs) {
		// A dropped stream is reopened a couple of times before falling back to polling.
		pushed = true;
		for (let attempt = 0; attempt < 3 && call.clock.now() < deadline; attempt++) {
			const ended = await transport.follow(scoped, model, requestId, seen);
			if (ended) return { status: ended };
			if (call.signal?.aborted) break;
		}
		pushed = false;
	}

	while (true) {
		const now = call.clock.now();
		const delay = pollDelayMs(
			now - options.submittedAt,
			expected,
			options.fixedIntervalMs,
			recentJobEnds(model),
		);
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
