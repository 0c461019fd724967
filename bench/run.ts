/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- benchmark driver, never shipped: spawns n8n, reads /proc, writes to stdout */
/**
 * `npm run bench`: real n8n (`n8n start`, the e2e setup) against the local provider emulator,
 * with job durations drawn from what the seeds say a model takes. Three phases, every
 * contender in the same run (bench/README.md explains each figure):
 *
 * 1. latency: concurrent single-item executions per contender, durations stratified over
 *    Lynx's 25–60 s; latency = the node's end (n8n's run data) − the job's end (emulator);
 *    status requests per job; worker time held per job;
 * 2. items: 1, 10 and 50 items in one execution, every job the same length;
 * 3. rss: peak RSS of n8n's process group while a workflow turns a 400 MiB / 1 GiB video
 *    into binary output, minus the RSS just before.
 *
 * The official WaveSpeed and fal nodes run beside ours when they can be built from their
 * source snapshots (bench/official.ts); otherwise they are skipped with the reason.
 */
import { rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';

import { startEmulator, type Emulator, type JobInfo } from '../test/emulator/emulator';
import {
	buildAndPack,
	exampleCredentials,
	freePort,
	N8n,
	NODE24,
	run,
	sleep,
	type BinaryRef,
	type ExecutionData,
	type Server,
} from '../test/e2e/n8n';
import { CONTENDERS, type Contender } from './contenders';
import { jobTag, summarize, tagOf, type ExecutionSample } from './measure';
import {
	OFFICIAL,
	installOfficial,
	officialCredentials,
	prepareOfficial,
	type OfficialId,
} from './official';
import { parseOptions, type BenchOptions } from './options';
import { readPeaks, resetPeaks, sampleOnce, startSampler } from './rss';
import { MiB, seededRandom, stratified } from './stats';
import { renderReport, type ContenderResult, type RssResult } from './table';
import { buildWorkflow, type WorkflowSpec } from './workflows';

/** seeds/wavespeed-lynx.txt: "~5–12 seconds of wall time per 1 second of video", 5 s clips. */
export const LYNX_RANGE_MS = { min: 25_000, max: 60_000 };

/**
 * The emulator as a fresh provider, with balances no run can spend: it bills every job since
 * spend control (Lynx on fal costs $3), and its default $100 runs out within one phase.
 */
function freshEmulator(emulator: Emulator): void {
	emulator.reset();
	emulator.setBalance('wavespeed', 1e9);
	emulator.setBalance('fal', 1e9);
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Ctx {
	opts: BenchOptions;
	emulator: Emulator;
	n8n: N8n;
	server: Server;
}

interface Body {
	tag: string;
	items: Array<{ prompt: string }>;
}

function body(tag: string, count: number): Body {
	return {
		tag,
		items: Array.from({ length: count }, (_, i) => ({
			prompt: `${tag}#${i}: the woman smiles and waves at the camera`,
		})),
	};
}

async function post(server: Server, path: string, b: Body): Promise<number> {
	try {
		const r = await fetch(`${server.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(b),
			signal: AbortSignal.timeout(15 * 60_000),
		});
		await r.arrayBuffer();
		return r.status;
	} catch {
		return 0;
	}
}

const FINAL = new Set(['success', 'error', 'crashed', 'canceled']);

/**
 * POSTs every body (staggered), waits for the answers and for n8n to have stored every
 * execution, and returns one summary per execution, matched to its jobs by tag.
 */
async function runExecutions(
	ctx: Ctx,
	c: Contender,
	spec: WorkflowSpec,
	bodies: Body[],
	staggerMs = 0,
): Promise<Array<{ sample: ExecutionSample; data: ExecutionData['data'] }>> {
	const afterId = await ctx.n8n.lastExecutionId();
	const answers = await Promise.all(
		bodies.map(async (b, i) => {
			await sleep(i * staggerMs);
			return await post(ctx.server, spec.path, b);
		}),
	);
	const bad = answers.filter((s) => s !== 200);
	if (bad.length) log(`${c.id}: ${bad.length} of ${bodies.length} calls answered ${bad.join(',')}`);
	const deadline = Date.now() + 120_000;
	for (;;) {
		const rows = await ctx.n8n.executionRows(spec.id, afterId);
		if (rows.length >= bodies.length && rows.every((r) => FINAL.has(r.status))) break;
		if (Date.now() > deadline) {
			throw new Error(
				`${c.id}: executions did not finish: ${JSON.stringify(rows.map((r) => r.status))}\n${ctx.server.output().split('\n').slice(-30).join('\n')}`,
			);
		}
		await sleep(200);
	}
	const rows = await ctx.n8n.executionRows(spec.id, afterId);
	const jobs = ctx.emulator.jobs();
	const out: Array<{ sample: ExecutionSample; data: ExecutionData['data'] }> = [];
	for (const row of rows) {
		const data = await ctx.n8n.executionData(row.id);
		if (!data) throw new Error(`${c.id}: execution ${row.id} has no data`);
		const tag = tagOf(data) ?? '';
		const mine: JobInfo[] = jobs.filter((j) => jobTag(j) === tag);
		const sample = summarize(c.kind, row.id, row.status, data, mine, ctx.emulator);
		if (row.status !== 'success')
			log(`${c.id}: execution ${row.id} ended ${row.status}: ${sample.error ?? ''}`);
		out.push({ sample, data });
	}
	return out;
}

/**
 * Job speeds, as factors of the documented duration (Lynx: 25–60 s): as documented, a
 * provider 0.3× as long (7.5–18 s), and one 3× as long (75–180 s), in this order in one n8n
 * process, so each speed starts with what the previous one taught the schedule.
 */
export const SPEEDS = [1, 0.3, 3];

/**
 * One speed: every contender gets the same job lengths, stratified over the speed's range,
 * one execution per contender at each tick (so the i-th submits of all contenders get the
 * i-th length), ticks a third of a mean job apart: about three jobs of a contender run at
 * once, and later ones start after earlier ones ended, as jobs of a busy workflow do.
 */
async function latencySpeed(
	ctx: Ctx,
	contenders: Contender[],
	factor: number,
	random: () => number,
): Promise<Map<string, ExecutionSample[]>> {
	const { opts, emulator } = ctx;
	freshEmulator(emulator);
	const min = LYNX_RANGE_MS.min * factor;
	const max = LYNX_RANGE_MS.max * factor;
	const durations = stratified(opts.samples, min, max, random);
	emulator.planNext(
		...durations.flatMap((durationMs) => contenders.map(() => ({ durationMs }))),
	);
	const tickMs = Math.round((min + max) / 2 / 3);
	const t0 = Date.now();
	const out = new Map<string, ExecutionSample[]>();
	await Promise.all(
		contenders.map(async (c) => {
			const bodies = durations.map((_, i) => body(`${c.id}-lat${factor}-${i}`, 1));
			const results = await runExecutions(ctx, c, c.workflow, bodies, tickMs);
			out.set(
				c.id,
				results.map((r) => r.sample),
			);
		}),
	);
	for (const c of contenders) {
		const samples = out.get(c.id) ?? [];
		const lat = samples.flatMap((s) => s.jobs.map((j) => j.latencyMs)).sort((a, b) => a - b);
		const reads = samples.flatMap((s) => s.jobs.map((j) => `${(j.durationMs / 1000).toFixed(0)}s:${j.statusRequests}`));
		log(
			`${c.id} latency at ${factor}× (${(min / 1000).toFixed(1)}–${(max / 1000).toFixed(0)} s, ${((Date.now() - t0) / 1000).toFixed(0)} s): latency ms ${lat.map((x) => x.toFixed(0)).join(' ')}; reads per job ${reads.join(' ')}`,
		);
		const resumes = samples.flatMap((s) => s.jobs.flatMap((j) => (j.resume ? [j.resume] : [])));
		if (resumes.length)
			log(
				`${c.id} after the job's end (ms): status check ${resumes.map((r) => r.check).join(' ')}; callback answered ${resumes.map((r) => r.ack).join(' ')}; resumed run starts ${resumes.map((r) => r.run).join(' ')}; requests ${resumes.map((r) => r.requests).join(' | ')}`,
			);
	}
	return out;
}

async function itemsPhase(ctx: Ctx, c: Contender): Promise<Record<number, ExecutionSample>> {
	const { opts, emulator } = ctx;
	const out: Record<number, ExecutionSample> = {};
	// Small counts share one round (11 jobs are no load); larger ones run alone.
	const counts = opts.items.filter((n) => n <= (c.maxItems ?? Infinity));
	const dropped = opts.items.filter((n) => !counts.includes(n));
	if (dropped.length)
		log(
			`${c.id} items: ${dropped.join(', ')} not run (it runs items one after another; at most ${c.maxItems})`,
		);
	const rounds = [counts.filter((n) => n <= 10), ...counts.filter((n) => n > 10).map((n) => [n])];
	for (const round of rounds.filter((r) => r.length)) {
		freshEmulator(emulator);
		emulator.setPlan({ durationMs: opts.itemsDurationMs });
		const results = await runExecutions(
			ctx,
			c,
			c.workflow,
			round.map((n) => body(`${c.id}-items${n}`, n)),
		);
		for (const { sample } of results) {
			const n = Number(/items(\d+)$/.exec(sample.tag)?.[1]);
			out[n] = sample;
			const created = sample.jobs.map((j) => j.createdAt);
			const ends = sample.jobs.map((j) => j.endsAt);
			const mine = ctx.emulator.callbacks.filter((cb) =>
				sample.jobs.some((j) => j.jobId === cb.jobId),
			);
			const acks = mine.map((cb) => cb.at);
			const answers = new Map<number, number>();
			for (const cb of mine) answers.set(cb.status, (answers.get(cb.status) ?? 0) + 1);
			const answered = [...answers].map(([status, n]) => `${n}× ${status}`).join(', ');
			const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
			log(
				`${c.id} items ${n}: wall ${ms(sample.wallMs)}, ${sample.jobs.length} jobs, status ${sample.status}; submits spread over ${ms(Math.max(...created) - Math.min(...created))}, node end ${ms(Math.min(...sample.jobs.map((j) => j.latencyMs)))} after the last job's end${acks.length ? `, callbacks answered ${ms(Math.min(...acks) - Math.max(...ends))}…${ms(Math.max(...acks) - Math.max(...ends))} after it (callback attempts answered: ${answered})` : ''}; ${sample.jobs.reduce((a, j) => a + j.statusRequests, 0)} status requests`,
			);
		}
	}
	return out;
}

function binaryOf(data: ExecutionData['data']): BinaryRef | undefined {
	for (const node of ['Model', 'Done']) {
		const runs = (data.resultData.runData[node] ?? []) as unknown as Array<{
			data?: { main?: Array<Array<{ binary?: Record<string, BinaryRef> }> | null> };
		}>;
		const item = runs[runs.length - 1]?.data?.main?.[0]?.[0];
		if (item?.binary) return Object.values(item.binary)[0];
	}
	return undefined;
}

/** One small run first, so that loading the code paths of a first binary write is not counted as the download's memory. */
async function rssWarmUp(ctx: Ctx, c: Contender, spec: WorkflowSpec): Promise<void> {
	freshEmulator(ctx.emulator);
	ctx.emulator.setPlan({ durationMs: 500, videoBytes: MiB });
	await runExecutions(ctx, c, spec, [body(`${c.id}-warmup`, 1)]);
}

/** One binary run of `size` bytes: VmHWM growth over n8n's process group, and sampled RSS. */
async function rssRun(ctx: Ctx, c: Contender, spec: WorkflowSpec, size: number, label = ''): Promise<RssResult> {
	const { emulator, server } = ctx;
	freshEmulator(emulator);
	emulator.setPlan({ durationMs: 1000, videoBytes: size });
	await sleep(2000);
	const idle: number[] = [];
	const idleMain: number[] = [];
	for (let i = 0; i < 20; i++) {
		const s = await sampleOnce(server.pid);
		idle.push(s.group);
		idleMain.push(s.main);
		await sleep(50);
	}
	// The kernel's high-water mark, reset just before the run: no spike escapes it.
	const base = await resetPeaks(server.pid);
	const sampler = startSampler(server.pid, 50);
	const t0 = Date.now();
	let results: Array<{ sample: ExecutionSample; data: ExecutionData['data'] }>;
	try {
		results = await runExecutions(ctx, c, spec, [body(`${c.id}-rss${size}`, 1)]);
		await sleep(500);
	} finally {
		await sampler.stop();
	}
	const peaks = await readPeaks(base.keys());
	let hwmGroup = 0;
	let hwmMain = 0;
	for (const [pid, rss] of base) {
		const growth = Math.max(0, (peaks.get(pid) ?? rss) - rss);
		hwmGroup += growth;
		if (pid === server.pid) hwmMain = growth;
	}
	const samples = sampler.samples;
	const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
	const ref = binaryOf(results[0].data);
	const r: RssResult = {
		size,
		idleGroup: median(idle),
		idleMain: median(idleMain),
		peakGroup: Math.max(...samples.map((s) => s.group)),
		peakMain: Math.max(...samples.map((s) => s.main)),
		samples: samples.length,
		ms: Date.now() - t0,
		bytes: ref?.bytes,
		storage: ref?.id?.split(':')[0] ?? (ref ? 'in memory (base64)' : 'none'),
		status: results[0].sample.status,
		hwmGroup,
		hwmMain,
	};
	log(
		`${c.id}${label} rss ${size / MiB} MiB: VmHWM +${(hwmGroup / MiB).toFixed(0)} MiB (main +${(hwmMain / MiB).toFixed(0)}); sampled: idle ${(r.idleGroup / MiB).toFixed(0)} MiB, peak ${(r.peakGroup / MiB).toFixed(0)} MiB (+${((r.peakGroup - r.idleGroup) / MiB).toFixed(0)}), main +${((r.peakMain - r.idleMain) / MiB).toFixed(0)}, ${r.samples} samples, ${(r.ms / 1000).toFixed(1)} s, binary ${r.bytes ?? '?'} bytes in ${r.storage}, status ${r.status}`,
	);
	return r;
}

async function rssPhase(ctx: Ctx, c: Contender): Promise<Record<number, RssResult>> {
	const out: Record<number, RssResult> = {};
	if (!c.binary) return out;
	await rssWarmUp(ctx, c, c.binary);
	for (const size of ctx.opts.rssSizes) out[size] = await rssRun(ctx, c, c.binary, size);
	return out;
}

/**
 * `--rss-fresh`: every measured download is the first big one of a new `n8n start` (after the
 * same 1 MiB warm-up), one process per contender, size and repeat. The contenders alternate,
 * and their order flips every repeat, so that drift in the machine's load falls on both alike.
 * The one-process phase cannot show this: whoever goes first there pays the process's first
 * big download (its heap and socket buffers growing to their working size), the others do not.
 */
async function rssFreshPhase(
	base: Omit<Ctx, 'server'>,
	contenders: Contender[],
	specs: WorkflowSpec[],
): Promise<Map<string, Record<number, RssResult[]>>> {
	const out = new Map<string, Record<number, RssResult[]>>();
	const measured = contenders.filter((c) => c.binary);
	for (let repeat = 1; repeat <= base.opts.rssRepeats; repeat++) {
		for (const size of base.opts.rssSizes) {
			const order = repeat % 2 === 1 ? measured : [...measured].reverse();
			for (const c of order) {
				const spec = c.binary as WorkflowSpec;
				const server = await base.n8n.startServer({ port: await freePort(), quiet: true });
				try {
					await server.ready();
					for (const s of specs) await server.waitForWebhook(s.path, 'POST');
					// Start-up work (migrations check, webhooks, the task runner) settles first.
					await sleep(5000);
					const ctx: Ctx = { ...base, server };
					await rssWarmUp(ctx, c, spec);
					const r = await rssRun(ctx, c, spec, size, ` (fresh n8n, repeat ${repeat})`);
					const bySize = out.get(c.id) ?? {};
					(bySize[size] ??= []).push(r);
					out.set(c.id, bySize);
				} finally {
					await server.stop();
				}
			}
		}
	}
	return out;
}

async function nodeVersion(): Promise<string> {
	const r = await run(NODE24, ['-v'], { timeoutMs: 10_000 });
	return r.stdout.trim();
}

const officialOf = (c: Contender): OfficialId | undefined =>
	c.workflow.kind === 'official' ? c.workflow.provider : undefined;

/**
 * The packed official packages the chosen contenders need, built now if not cached; a
 * contender whose package cannot be had is dropped with the reason.
 */
async function prepareOfficials(
	opts: BenchOptions,
	chosen: Contender[],
): Promise<{ contenders: Contender[]; tarballs: Map<OfficialId, string>; skipped: string[] }> {
	const tarballs = new Map<OfficialId, string>();
	const skipped = new Map<OfficialId, string>();
	for (const id of new Set(chosen.flatMap((c) => officialOf(c) ?? []))) {
		const p = OFFICIAL[id];
		log(`${p.packageName}: preparing ${p.repo}@${p.commit.slice(0, 7)} (built once, then cached)`);
		const r = await prepareOfficial(p, opts.officialSrc);
		if (r.ok) {
			tarballs.set(id, r.tarball);
			log(`${p.packageName}: ${r.built ? 'built and packed' : 'from the cache'}: ${r.tarball}`);
		} else {
			skipped.set(id, r.reason);
			log(`skipping the official ${id} node: ${r.reason}`);
		}
	}
	const contenders = chosen.filter((c) => {
		const id = officialOf(c);
		return id === undefined || !skipped.has(id);
	});
	const notes = chosen.flatMap((c) => {
		const id = officialOf(c);
		const why = id && skipped.get(id);
		return why ? [`${c.id}: ${why}`] : [];
	});
	return { contenders, tarballs, skipped: notes };
}

async function main(): Promise<void> {
	const opts = parseOptions(process.argv.slice(2));
	const chosen = CONTENDERS.filter((c) => !opts.only || opts.only.includes(c.id));
	if (chosen.length === 0) throw new Error(`--only matched no contender`);
	const { contenders, tarballs, skipped } = await prepareOfficials(opts, chosen);
	if (contenders.length === 0) {
		log('no contender left to run');
		return;
	}
	const started = Date.now();
	const loadAtStart = loadavg()[0];
	const random = seededRandom(opts.seed);
	log(`options: ${JSON.stringify(opts)}`);

	const emulator = await startEmulator({ timeScale: opts.scale });
	freshEmulator(emulator);
	let packDir: string | undefined;
	let n8n: N8n | undefined;
	let server: Server | undefined;
	try {
		let tarball = opts.tarball;
		if (!tarball) {
			log('building and packing the repo');
			const packed = await buildAndPack();
			tarball = packed.tarball;
			packDir = packed.dir;
		}
		log(`n8n@${opts.n8nVersion}: install package, import, activate`);
		const instance = await N8n.create({
			version: opts.n8nVersion,
			tarball,
			env: { N8N_LOG_LEVEL: 'warn' },
		});
		n8n = instance;
		// The official packages go in beside ours, their hosts pointed at the emulator.
		for (const [id, file] of tarballs) {
			const done = await installOfficial(instance, OFFICIAL[id], file, emulator);
			for (const d of done)
				log(`${OFFICIAL[id].packageName}: dist/${d.file}: ${d.from} → ${d.to} (${d.count}×)`);
		}
		await instance.importCredentials([
			...exampleCredentials(emulator),
			...officialCredentials([...tarballs.keys()], emulator),
		]);
		const specs = contenders.flatMap((c) => [
			c.workflow,
			...(c.binary && opts.phases.includes('rss') ? [c.binary] : []),
		]);
		await instance.importWorkflows(specs.map((s) => buildWorkflow(s, emulator.wavespeed)));
		for (const s of specs) await instance.activate(s.id);
		const results: ContenderResult[] = contenders.map((contender) => ({ contender }));
		if (opts.phases.includes('rss') && opts.rssFresh) {
			const fresh = await rssFreshPhase({ opts, emulator, n8n: instance }, contenders, specs);
			for (const r of results) {
				const bySize = fresh.get(r.contender.id);
				if (!bySize) continue;
				r.rssFresh = bySize;
				// The main table shows the median repeat (by VmHWM growth).
				r.rss = {};
				for (const [size, runs] of Object.entries(bySize)) {
					const sorted = [...runs].sort((a, b) => a.hwmGroup - b.hwmGroup);
					r.rss[Number(size)] = sorted[Math.floor((sorted.length - 1) / 2)];
				}
			}
		}
		const others = opts.phases.filter((p) => p !== 'rss' || !opts.rssFresh);
		if (others.length) {
			const s = await instance.startServer({ port: await freePort(), quiet: true });
			server = s;
			await s.ready();
			for (const spec of specs) await s.waitForWebhook(spec.path, 'POST');
			log(`n8n is up (pid ${s.pid}) after ${((Date.now() - started) / 1000).toFixed(0)} s`);
		}
		const ctx: Ctx | undefined = server ? { opts, emulator, n8n: instance, server } : undefined;

		// RSS first, on a fresh n8n: after the 50-item runs its heap has grown (idle ~1.1 GiB)
		// and has room to absorb a download without any RSS growth, which would flatter anyone.
		if (ctx && opts.phases.includes('rss') && !opts.rssFresh)
			for (const r of results) r.rss = await rssPhase(ctx, r.contender);
		if (ctx && opts.phases.includes('latency'))
			for (const factor of SPEEDS) {
				const bySpeed = await latencySpeed(ctx, contenders, factor, random);
				for (const r of results) {
					const samples = bySpeed.get(r.contender.id) ?? [];
					(r.bySpeed ??= {})[factor] = samples;
					r.latency = [...(r.latency ?? []), ...samples];
				}
			}
		if (ctx && opts.phases.includes('items'))
			for (const r of results) r.items = await itemsPhase(ctx, r.contender);

		const wallS = (Date.now() - started) / 1000;
		const report = renderReport(results, {
			date: new Date().toISOString(),
			machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), 1-min load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end`,
			node: await nodeVersion(),
			n8n: opts.n8nVersion,
			command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
			opts,
			wallS,
			skipped,
		});
		process.stdout.write(report + '\n');
		if (opts.json) await writeFile(opts.json, JSON.stringify({ opts, results }, null, 2));
	} finally {
		await server?.stop();
		await n8n?.dispose();
		await emulator.close();
		if (packDir) await rm(packDir, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exitCode = 1;
});
