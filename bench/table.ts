/**
 * The printed report: one table (contender rows × metric columns, the targets as a row and a
 * pass/fail column), the quoted figures of the existing integrations, each target check, and
 * what every figure means.
 */
import type { Contender } from './contenders';
import type { ExecutionSample, JobSample } from './measure';
import type { BenchOptions } from './options';
import { mean, MiB, percentile } from './stats';

export interface RssResult {
	size: number;
	idleGroup: number;
	idleMain: number;
	peakGroup: number;
	peakMain: number;
	samples: number;
	ms: number;
	/** size of the binary n8n stored (its execution data), if it says */
	bytes?: number;
	/** binary data mode of the stored file (`filesystem-v2`, …) */
	storage: string;
	status: string;
	/** growth of VmHWM (peak resident memory, kernel-counted) over the RSS at its reset, bytes */
	hwmGroup: number;
	hwmMain: number;
}

export interface ContenderResult {
	contender: Contender;
	latency?: ExecutionSample[];
	/** latency samples per job speed (factor of the documented duration) */
	bySpeed?: Record<number, ExecutionSample[]>;
	items?: Record<number, ExecutionSample>;
	rss?: Record<number, RssResult>;
	/** `--rss-fresh`: every repeat per size, each the first big download of a new n8n process */
	rssFresh?: Record<number, RssResult[]>;
}

export interface Meta {
	date: string;
	machine: string;
	node: string;
	n8n: string;
	command: string;
	opts: BenchOptions;
	wallS: number;
	/** contenders that could not run, with the reason (the official nodes when not built) */
	skipped?: string[];
}

const GiB = 1024 * MiB;
const SPEED_COLUMNS = [0.3, 1, 3];

function seconds(ms: number): string {
	if (!Number.isFinite(ms)) return 'n/a';
	if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
	return `${(ms / 1000).toFixed(2)} s`;
}

const sizeLabel = (bytes: number) =>
	bytes >= GiB && bytes % GiB === 0 ? `${bytes / GiB} GiB` : `${Math.round(bytes / MiB)} MiB`;

interface Figures {
	p50?: number;
	p95?: number;
	samples: number;
	reqMean?: number;
	reqLongest?: { requests: number; durationMs: number };
	workerMs?: number;
	wall: Record<number, number>;
	ratio50?: number;
	rssGrowth: Record<number, { group: number; main: number; hwm: number; hwmMain: number }>;
	speeds: Record<
		number,
		{
			p95: number;
			n: number;
			/** p95 of the jobs submitted after a job of this speed was first seen done */
			settledP95: number;
			settledN: number;
			longest?: { requests: number; durationMs: number };
		}
	>;
}

/**
 * The jobs of a speed submitted after one of them was first seen done: a schedule that
 * learns from ended jobs cannot know of a new speed before that, so the jobs before it show
 * the transition and these the schedule once it could have learned.
 */
export function settledJobs(jobs: JobSample[]): JobSample[] {
	const seen = Math.min(...jobs.map((j) => j.endsAt + j.latencyMs).filter(Number.isFinite));
	return jobs.filter((j) => j.createdAt >= seen);
}

function figures(r: ContenderResult): Figures {
	const jobs = (r.latency ?? []).filter((s) => s.status === 'success').flatMap((s) => s.jobs);
	const latencies = jobs.map((j) => j.latencyMs).filter(Number.isFinite);
	const longest = [...jobs].sort((a, b) => b.durationMs - a.durationMs)[0];
	const wall: Record<number, number> = {};
	for (const [n, s] of Object.entries(r.items ?? {}))
		if (s.status === 'success') wall[Number(n)] = s.wallMs;
	const rssGrowth: Figures['rssGrowth'] = {};
	for (const [size, x] of Object.entries(r.rss ?? {})) {
		if (x.status !== 'success') continue;
		rssGrowth[Number(size)] = {
			group: x.peakGroup - x.idleGroup,
			main: x.peakMain - x.idleMain,
			hwm: x.hwmGroup,
			hwmMain: x.hwmMain,
		};
	}
	const okLatency = (r.latency ?? []).filter((s) => s.status === 'success');
	const speeds: Figures['speeds'] = {};
	for (const [factor, samples] of Object.entries(r.bySpeed ?? {})) {
		const js = samples.filter((s) => s.status === 'success').flatMap((s) => s.jobs);
		const ls = js.map((j) => j.latencyMs).filter(Number.isFinite);
		const top = [...js].sort((a, b) => b.durationMs - a.durationMs)[0];
		const settled = settledJobs(js)
			.map((j) => j.latencyMs)
			.filter(Number.isFinite);
		speeds[Number(factor)] = {
			p95: ls.length ? percentile(ls, 95) : NaN,
			n: ls.length,
			settledP95: settled.length ? percentile(settled, 95) : NaN,
			settledN: settled.length,
			longest: top ? { requests: top.statusRequests, durationMs: top.durationMs } : undefined,
		};
	}
	return {
		speeds,
		p50: latencies.length ? percentile(latencies, 50) : undefined,
		p95: latencies.length ? percentile(latencies, 95) : undefined,
		samples: latencies.length,
		reqMean: jobs.length ? mean(jobs.map((j) => j.statusRequests)) : undefined,
		reqLongest: longest
			? { requests: longest.statusRequests, durationMs: longest.durationMs }
			: undefined,
		workerMs: okLatency.length
			? mean(okLatency.map((s) => s.workerMs / Math.max(1, s.jobs.length)))
			: undefined,
		wall,
		ratio50: wall[50] !== undefined && wall[1] !== undefined ? wall[50] / wall[1] : undefined,
		rssGrowth,
	};
}

interface Check {
	what: string;
	value: string;
	limit: string;
	pass: boolean | undefined;
}

function checks(r: ContenderResult, f: Figures, rssSizes: number[]): Check[] {
	const t = r.contender.targets;
	const out: Check[] = [];
	const add = (
		what: string,
		value: number | undefined,
		limit: number,
		fmt: (x: number) => string,
	) =>
		out.push({
			what,
			value: value === undefined ? 'not measured' : fmt(value),
			limit: `≤ ${fmt(limit)}`,
			pass: value === undefined ? undefined : value <= limit,
		});
	if (t.latencyP95Ms !== undefined) {
		const factors = Object.keys(f.speeds).map(Number);
		if (!factors.length) add('latency p95', f.p95, t.latencyP95Ms, seconds);
		for (const factor of factors) {
			add(`latency p95, jobs ${factor}× the documented duration`, f.speeds[factor].p95, t.latencyP95Ms, seconds);
			add(
				`latency p95, jobs ${factor}× the documented duration, submitted once one of them was seen done (n=${f.speeds[factor].settledN})`,
				f.speeds[factor].settledP95,
				t.latencyP95Ms,
				seconds,
			);
		}
	}
	if (t.requestsPerJob !== undefined) {
		const longest = f.speeds[1]?.longest ?? f.reqLongest;
		add(
			`status requests for the longest job${longest ? ` (${seconds(longest.durationMs)})` : ''}`,
			longest?.requests,
			t.requestsPerJob,
			(x) => String(x),
		);
	}
	if (t.items50Ratio !== undefined)
		add('wall time 50 items ÷ 1 item', f.ratio50, t.items50Ratio, (x) => `${x.toFixed(2)}×`);
	const mib = (x: number) => `${(x / MiB).toFixed(0)} MiB`;
	if (t.rss400MiB !== undefined && rssSizes.includes(400 * MiB))
		add('peak memory growth (VmHWM), 400 MiB video', f.rssGrowth[400 * MiB]?.hwm, t.rss400MiB * MiB, mib);
	if (t.rss1GiB !== undefined && rssSizes.includes(GiB))
		add('peak memory growth (VmHWM), 1 GiB video', f.rssGrowth[GiB]?.hwm, t.rss1GiB * MiB, mib);
	return out;
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
	const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
	return [
		line(rows[0]),
		`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
		...rows.slice(1).map(line),
	].join('\n');
}

export function renderReport(results: ContenderResult[], meta: Meta): string {
	const { opts } = meta;
	const counts = opts.items;
	const sizes = opts.rssSizes;
	const header = [
		'contender',
		'latency p50',
		'latency p95',
		...SPEED_COLUMNS.map((x) => `p95 at ${x}× (all / once one was seen)`),
		'status req/job: mean (longest job)',
		'reads, longest job at 3×',
		'worker s/job',
		...counts.map((n) => `wall ${n} item${n === 1 ? '' : 's'}`),
		...(counts.includes(50) && counts.includes(1) ? ['50 ÷ 1'] : []),
		...sizes.map((s) => `peak mem + (VmHWM), ${sizeLabel(s)} video`),
		'targets',
	];
	const rows: string[][] = [header];
	const allChecks: Array<{ r: ContenderResult; c: Check }> = [];
	for (const r of results) {
		const f = figures(r);
		const cs = checks(r, f, sizes);
		for (const c of cs) allChecks.push({ r, c });
		const decided = cs.filter((c) => c.pass !== undefined);
		const met = decided.filter((c) => c.pass).length;
		rows.push([
			r.contender.label,
			f.p50 === undefined ? '—' : seconds(f.p50),
			f.p95 === undefined ? '—' : `${seconds(f.p95)} (n=${f.samples})`,
			...SPEED_COLUMNS.map((x) => {
				const sp = f.speeds[x];
				return sp ? `${seconds(sp.p95)} / ${seconds(sp.settledP95)} (n=${sp.settledN})` : '—';
			}),
			f.reqMean === undefined
				? '—'
				: `${f.reqMean.toFixed(1)} (${(f.speeds[1]?.longest ?? f.reqLongest)?.requests ?? '?'} for ${seconds((f.speeds[1]?.longest ?? f.reqLongest)?.durationMs ?? NaN)})`,
			f.speeds[3]?.longest ? `${f.speeds[3].longest.requests} for ${seconds(f.speeds[3].longest.durationMs)}` : '—',
			f.workerMs === undefined ? '—' : (f.workerMs / 1000).toFixed(2),
			...counts.map((n) => (f.wall[n] === undefined ? '—' : seconds(f.wall[n]))),
			...(counts.includes(50) && counts.includes(1)
				? [f.ratio50 === undefined ? '—' : `${f.ratio50.toFixed(2)}×`]
				: []),
			...sizes.map((s) => {
				const g = f.rssGrowth[s];
				return g
					? `+${(g.hwm / MiB).toFixed(0)} MiB (main +${(g.hwmMain / MiB).toFixed(0)}; sampled RSS +${(g.group / MiB).toFixed(0)})`
					: '—';
			}),
			cs.length === 0
				? 'baseline'
				: `${met}/${cs.length} met${decided.length < cs.length ? ` (${cs.length - decided.length} n/a)` : ''}: ${cs.map((c) => (c.pass === undefined ? '?' : c.pass ? 'PASS' : 'FAIL')).join(' ')}`,
		]);
	}
	rows.push([
		'targets (ours)',
		'—',
		'WS poll ≤ 2 s; fal poll ≤ 0.5 s; webhook ≤ 250 ms',
		...SPEED_COLUMNS.map(() => 'same, at each speed'),
		'WS poll ≤ 20 (60 s job); fal ≤ 3',
		'— (≤ 70 once 3× is what it learned: unit test)',
		'—',
		...counts.map(() => '—'),
		...(counts.includes(50) && counts.includes(1) ? ['≤ 1.2×'] : []),
		...sizes.map((s) => (s === 400 * MiB ? '≤ 40 MiB' : s === GiB ? '≤ 64 MiB' : '—')),
		'',
	]);
	rows.push([
		"WaveSpeed's node (issue, quoted)",
		'—',
		'1.9 s',
		...SPEED_COLUMNS.map(() => '—'),
		'33 per 60 s job',
		'—',
		'—',
		...counts.map(() => '—'),
		...(counts.includes(50) && counts.includes(1) ? ['items one after another'] : []),
		...sizes.map((s) => (s === 400 * MiB ? '+821 MiB' : '—')),
		'',
	]);
	rows.push([
		"fal's node (issue, quoted)",
		'—',
		'3.4 s',
		...SPEED_COLUMNS.map(() => '—'),
		'15',
		'—',
		'—',
		...counts.map(() => '—'),
		...(counts.includes(50) && counts.includes(1) ? ['—'] : []),
		...sizes.map(() => '—'),
		'',
	]);

	const lines: string[] = [];
	lines.push(`# n8n-nodes-ai-video benchmark`);
	lines.push('');
	lines.push(`- date: ${meta.date}`);
	lines.push(
		`- machine: ${meta.machine}; node ${meta.node}; n8n ${meta.n8n} (\`n8n start\`, SQLite, regular mode)`,
	);
	lines.push(`- command: \`${meta.command}\` (wall time ${(meta.wallS / 60).toFixed(1)} min)`);
	lines.push(
		`- emulator time scale ${opts.scale}${opts.scale === 1 ? '' : ' (NOT 1: our WaveSpeed poll schedule follows real expected durations, so its latency and request figures are not meaningful)'}; latency jobs at three speeds in this order: 1× (Lynx's documented 25–60 s: 5–12 s of wall time per second of a 5 s clip), 0.3× (7.5–18 s) and 3× (75–180 s), ${opts.samples} per speed and contender, stratified, seed ${opts.seed}, every contender's i-th execution of a speed started at the same tick with the same job length, ticks a third of a mean job apart; items jobs ${opts.itemsDurationMs / 1000} s each`,
	);
	for (const s of meta.skipped ?? []) lines.push(`- not run: ${s}`);
	lines.push('');
	lines.push(table(rows));
	lines.push('');
	const fresh = freshSection(results, opts.rssSizes);
	if (fresh.length) lines.push(...fresh, '');
	lines.push('## Target checks');
	lines.push('');
	for (const { r, c } of allChecks)
		lines.push(
			`- ${c.pass === undefined ? 'n/a ' : c.pass ? 'PASS' : 'FAIL'} ${r.contender.label}: ${c.what} ${c.value} (target ${c.limit})`,
		);
	const storage = results.flatMap((r) => Object.values(r.rss ?? {}).map((x) => x.storage));
	lines.push('');
	lines.push('## How to read it');
	lines.push('');
	lines.push(
		"- latency: the end of the node (n8n's run data: startTime + executionTime of the model node, or of the loop's Done run holding the job) minus the job's end in the emulator; one job per execution, executions concurrent and 250 ms apart; nearest-rank percentiles.",
	);
	lines.push(
		'- p95 at a speed, "once one was seen": only the jobs of that speed submitted after the first of them was seen done by the contender; the speeds run one after another in one n8n process, and a schedule that learns from ended jobs cannot know of a new speed before then.',
	);
	lines.push(
		'- status req/job: status, result and status-stream requests the emulator answered for the job (submit and download not counted); mean over the latency jobs, and the figure for the longest one (60 s).',
	);
	lines.push(
		"- worker s/job: polling = the model node's execution time; webhook = first node start → last submit, plus the job's end (the provider's callback) → last node end (the parked stretch holds no worker); loop = the whole execution (its Wait is under 65 s, so n8n sleeps in the process instead of parking).",
	);
	lines.push(
		`- wall N items: first node start → last node end of one execution with N items (Split Out), every job ${opts.itemsDurationMs / 1000} s; our nodes run with Concurrency = 50 (default 10); 1 and 10 items run at the same time, 50 alone.`,
	);
	lines.push(
		`- peak mem +: measured first, on a fresh n8n after one 1 MiB warm-up run per workflow; VmHWM (the kernel's high-water mark of resident memory) after the run minus VmRSS when it was reset (\`echo 5 > /proc/<pid>/clear_refs\`) just before, summed over n8n's process group (main process + task runner); "main" is the n8n main process alone; "sampled RSS" is peak VmRSS sampled every 50 ms minus the idle median, which misses short spikes. Binary data mode: ${[...new Set(storage)].join(', ') || 'n/a'} (n8n 2.x default in regular mode: filesystem). Ours: WaveSpeed poll (1 s fixed interval), fal poll, WaveSpeed webhook; loop: HTTP Request (response: file) after the 2 s loop; WaveSpeed's official node: Download Output (its default 2 s poll).`,
	);
	return lines.join('\n');
}

/** Middle value; the mean of the two middle ones for an even count. */
function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mib = (bytes: number) => `${bytes < 0 ? '−' : '+'}${Math.abs(bytes / MiB).toFixed(0)}`;

/**
 * `--rss-fresh`: per size, every repeat's VmHWM growth per contender, the median and the spread,
 * and ours minus the floor (n8n's HTTP Request node, the loop contender): the difference of
 * medians, and repeat by repeat (the pair measured back to back).
 */
function freshSection(results: ContenderResult[], sizes: number[]): string[] {
	const measured = results.filter((r) => r.rssFresh);
	if (!measured.length) return [];
	const floor = measured.find((r) => r.contender.kind === 'loop');
	const lines = ['## Peak memory, first download in a fresh n8n (`--rss-fresh`)', ''];
	lines.push(
		'Each figure: VmHWM growth (MiB) of the first big download of its own `n8n start` (after a 1 MiB warm-up), summed over the process group; repeats in the order run, contenders alternating, order flipped every repeat.',
	);
	for (const size of sizes) {
		const rows: string[][] = [['contender', 'every repeat', 'median', 'min–max', 'ours − floor: medians', 'ours − floor: per repeat']];
		const floorRuns = floor?.rssFresh?.[size] ?? [];
		for (const r of measured) {
			const runs = r.rssFresh?.[size] ?? [];
			const ok = runs.filter((x) => x.status === 'success').map((x) => x.hwmGroup);
			const isFloor = r === floor;
			const floorOk = floorRuns.filter((x) => x.status === 'success').map((x) => x.hwmGroup);
			rows.push([
				`${r.contender.label}${isFloor ? ' (the floor)' : ''}`,
				runs.map((x) => (x.status === 'success' ? mib(x.hwmGroup) : x.status)).join(', ') || '—',
				ok.length ? mib(median(ok)) : '—',
				ok.length ? `${mib(Math.min(...ok))}…${mib(Math.max(...ok))}` : '—',
				isFloor || !ok.length || !floorOk.length ? '—' : mib(median(ok) - median(floorOk)),
				isFloor || !floorRuns.length
					? '—'
					: runs
							.map((x, i) =>
								floorRuns[i] && x.status === 'success' && floorRuns[i].status === 'success'
									? mib(x.hwmGroup - floorRuns[i].hwmGroup)
									: '?',
							)
							.join(', '),
			]);
		}
		lines.push('', `### ${sizeLabel(size)} video`, '', table(rows));
	}
	return lines;
}
