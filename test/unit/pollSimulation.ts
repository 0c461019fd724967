/**
 * Simulated jobs on a virtual timeline for the poll schedule: every job reads its status at
 * the times pollDelayMs gives, all jobs of a run sharing the per-process record of when jobs
 * of the model ended (as the engine does), in global time order. Reads take no time.
 */
import type { Expected } from '../../nodes/shared/polling';
import { pollDelayMs, recentJobEnds, recordJobEnd } from '../../nodes/shared/polling';

export interface SimJob {
	startMs: number;
	durationMs: number;
}

export interface SimResult {
	durationMs: number;
	/** seen done − ended */
	latencyMs: number;
	reads: number;
}

const MODEL = { provider: 'wavespeed' as const, id: 'sim/model' };

export function simulate(jobs: SimJob[], expected: Expected | null): SimResult[] {
	interface State {
		job: SimJob;
		next: number;
		reads: number;
		runningAt: number;
		done?: SimResult;
	}
	const states: State[] = jobs.map((job) => ({
		job,
		next: job.startMs + pollDelayMs(0, expected, undefined, []),
		reads: 0,
		runningAt: 0,
	}));
	// The first delay depends on what was learned at submit time: computed when the job starts.
	const started = new Set<State>();
	for (;;) {
		const pending = states.filter((s) => !s.done);
		if (!pending.length) break;
		// Next event: a job start (its first delay is computed then) or a read.
		const nextStart = pending
			.filter((s) => !started.has(s))
			.reduce<
				State | undefined
			>((a, s) => (!a || s.job.startMs < a.job.startMs ? s : a), undefined);
		const nextRead = pending
			.filter((s) => started.has(s))
			.reduce<State | undefined>((a, s) => (!a || s.next < a.next ? s : a), undefined);
		if (nextStart && (!nextRead || nextStart.job.startMs <= nextRead.next)) {
			started.add(nextStart);
			nextStart.next =
				nextStart.job.startMs + pollDelayMs(0, expected, undefined, recentJobEnds(MODEL));
			continue;
		}
		const s = nextRead as State;
		const at = s.next - s.job.startMs;
		s.reads++;
		if (at >= s.job.durationMs) {
			recordJobEnd(MODEL, s.runningAt, at);
			s.done = { durationMs: s.job.durationMs, latencyMs: at - s.job.durationMs, reads: s.reads };
		} else {
			s.runningAt = at;
			s.next = s.next + pollDelayMs(at, expected, undefined, recentJobEnds(MODEL));
		}
	}
	return states.map((s) => s.done as SimResult);
}

/** Reads a job of `durationMs` costs, started alone after the others (with what they taught). */
export function readsFor(durationMs: number, expected: Expected | null): number {
	let t = 0;
	let reads = 0;
	for (;;) {
		t += pollDelayMs(t, expected, undefined, recentJobEnds(MODEL));
		reads++;
		if (t >= durationMs) return reads;
	}
}

export function p95(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(1, Math.ceil(0.95 * sorted.length)) - 1];
}

/** mulberry32 */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * `count` jobs with durations spread evenly over factor × [min, max] (one random draw per
 * stratum, shuffled), started `gapMs` apart.
 */
export function regime(
	count: number,
	factor: number,
	expected: Expected,
	gapMs: number,
	random: () => number,
): SimJob[] {
	const lo = factor * expected.min * 1000;
	const hi = factor * expected.max * 1000;
	const durations = Array.from(
		{ length: count },
		(_, i) => lo + ((hi - lo) * (i + random())) / count,
	);
	for (let i = durations.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[durations[i], durations[j]] = [durations[j], durations[i]];
	}
	return durations.map((durationMs, i) => ({ startMs: i * gapMs, durationMs }));
}

export interface SpeedResult {
	factor: number;
	/** p95 over the jobs submitted once one of the speed was seen done */
	p95Settled: number;
	/** reads of the speed's longest job */
	longestReads: number;
}

/**
 * The bench's latency phase on the virtual clock: 20 jobs per speed, stratified over factor ×
 * the documented range, one every third of a mean job, speeds one after another in one process.
 */
export function speeds(factors: readonly number[], expected: Expected, random: () => number): SpeedResult[] {
	return factors.map((factor) => {
		const meanMs = (factor * (expected.min + expected.max) * 1000) / 2;
		const jobs = regime(20, factor, expected, meanMs / 3, random);
		const results = simulate(jobs, expected);
		const firstDone = Math.min(...results.map((r, i) => jobs[i].startMs + r.durationMs + r.latencyMs));
		const longest = results.reduce((a, r) => (r.durationMs > a.durationMs ? r : a));
		return {
			factor,
			p95Settled: p95(results.filter((_, i) => jobs[i].startMs > firstDone).map((r) => r.latencyMs)),
			longestReads: longest.reads,
		};
	});
}
