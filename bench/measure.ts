/**
 * What one execution tells, read from n8n's own execution data (each node run's `startTime`
 * and `executionTime`, ms on the machine clock) and from the emulator (each job's
 * `createdAt`/`endsAt` on the same clock, and every request it answered).
 */
import type { Emulator, JobInfo } from '../test/emulator/emulator';
import type { ExecutionData, NodeExecutionItem } from '../test/e2e/n8n';

type RunData = ExecutionData['data']['resultData']['runData'];
interface TaskRun {
	startTime?: number;
	executionTime?: number;
	data?: { main?: Array<NodeExecutionItem[] | null> };
}

/** Requests that ask about a job: status, result (WaveSpeed's poll), fal's status stream. */
export const STATUS_KINDS = new Set(['status', 'result', 'stream']);

export interface JobSample {
	jobId: string;
	createdAt: number;
	endsAt: number;
	durationMs: number;
	/** node end (ours: the model node; loop: the Done run holding the job) − job end at the provider */
	latencyMs: number;
	statusRequests: number;
	/**
	 * webhook only, ms after the job's end: n8n's first status request for it (our webhook()
	 * checking the provider), n8n's answer to the callback, the resumed model run's start
	 */
	resume?: { check: number; ack: number; run: number; requests: string };
}

export interface ExecutionSample {
	executionId: number;
	tag: string;
	status: string;
	jobs: JobSample[];
	/** first node start → last node end */
	wallMs: number;
	/** time the execution held n8n's process (see workerMs()) */
	workerMs: number;
	error?: string;
}

const runsOf = (runData: RunData, node: string): TaskRun[] =>
	(runData[node] as unknown as TaskRun[] | undefined) ?? [];
const endOf = (r: TaskRun): number => (r.startTime ?? 0) + (r.executionTime ?? 0);

export function tagOf(data: ExecutionData['data']): string | undefined {
	const first = runsOf(data.resultData.runData, 'Request')[0]?.data?.main?.[0]?.[0];
	const body = first?.json.body as { tag?: string } | undefined;
	return body?.tag;
}

export const jobTag = (job: JobInfo): string =>
	String((job.input as { prompt?: unknown }).prompt ?? '').split('#')[0];

/**
 * The job id an item of a Done run holds: the loop's Status answer holds the job as `data`; a
 * resumed Wait node, the provider's callback as `body`.
 */
const jobIdOf = (json: Record<string, unknown>) =>
	(json.data as { id?: string } | undefined)?.id ?? (json.body as { id?: string } | undefined)?.id;

/** The Done run (loop and Wait-node workflows) whose items hold this job's id. */
function doneEndFor(runData: RunData, jobId: string): number | undefined {
	for (const r of runsOf(runData, 'Done')) {
		const items = r.data?.main?.[0] ?? [];
		if (items.some((it) => jobIdOf(it.json) === jobId))
			return endOf(r);
	}
	return undefined;
}

export function summarize(
	kind: 'poll' | 'webhook' | 'loop',
	executionId: number,
	status: string,
	data: ExecutionData['data'],
	jobs: JobInfo[],
	emulator: Emulator,
): ExecutionSample {
	const runData = data.resultData.runData;
	const all = Object.values(runData).flatMap((runs) => runs as unknown as TaskRun[]);
	const first = Math.min(...all.map((r) => r.startTime ?? Infinity));
	const last = Math.max(...all.map(endOf));
	const model = runsOf(runData, 'Model');
	const modelEnd = model.length ? endOf(model[model.length - 1]) : NaN;

	const resumedStart = model.length ? (model[model.length - 1].startTime ?? NaN) : NaN;
	const samples: JobSample[] = jobs.map((job) => {
		const end = model.length ? modelEnd : (doneEndFor(runData, job.id) ?? NaN);
		const endsAt = job.endsAt ?? NaN;
		const asked = emulator.requests.filter((q) => q.jobId === job.id && STATUS_KINDS.has(q.kind));
		const sample: JobSample = {
			jobId: job.id,
			createdAt: job.createdAt,
			endsAt,
			durationMs: endsAt - job.createdAt,
			latencyMs: end - endsAt,
			statusRequests: asked.length,
		};
		if (kind === 'webhook') {
			const check = asked.find((q) => q.at >= endsAt)?.at ?? NaN;
			const ack = emulator.callbacks.find((cb) => cb.jobId === job.id && cb.attempt > 0)?.at ?? NaN;
			sample.resume = {
				check: check - endsAt,
				ack: ack - endsAt,
				run: resumedStart - endsAt,
				requests: emulator.requests
					.filter((q) => q.at >= endsAt && q.at <= end && (q.jobId === job.id || !q.jobId))
					.map((q) => `${q.kind}@${q.at - endsAt}`)
					.join(','),
			};
		}
		return sample;
	});

	// Worker time held:
	// - polling: the model node's own execution time (it holds the execution while it waits);
	// - webhook: from the first node's start to the last submit, plus the resumed part (from
	//   the last job's end, when the provider calls back, through the last node: n8n loading
	//   the execution, our webhook() checking the jobs, the resumed run); the parked stretch
	//   holds nothing;
	// - loop: the whole execution (Wait under 65 s sleeps in the process; nothing parks).
	let workerMs: number;
	if (kind === 'poll') workerMs = model.reduce((s, r) => s + (r.executionTime ?? 0), 0);
	else if (kind === 'webhook') {
		const lastSubmit = Math.max(...jobs.map((j) => j.createdAt));
		const lastJobEnd = Math.max(...jobs.map((j) => j.endsAt ?? NaN));
		workerMs = lastSubmit - first + (last - lastJobEnd);
	} else workerMs = last - first;

	return {
		executionId,
		tag: tagOf(data) ?? '',
		status,
		jobs: samples,
		wallMs: last - first,
		workerMs,
		error: data.resultData.error?.message,
	};
}
