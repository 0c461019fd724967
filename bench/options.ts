/* eslint-disable @n8n/community-nodes/no-restricted-globals -- benchmark driver, never shipped: reads its command line */
/** Command-line options of `npm run bench` (see bench/README.md). */
import { DEFAULT_OFFICIAL_SRC } from './official';

export type Phase = 'latency' | 'items' | 'rss';

export interface BenchOptions {
	/** Emulator time scale: job durations are multiplied by it. */
	scale: number;
	quick: boolean;
	/** Latency samples per contender (concurrent single-item executions). */
	samples: number;
	/** Item counts of the items phase. */
	items: number[];
	/** Job duration of the items phase, ms (before scaling). */
	itemsDurationMs: number;
	/** Video sizes of the RSS phase, bytes. */
	rssSizes: number[];
	/**
	 * RSS phase in a fresh `n8n start` per contender, size and repeat, so that every measured
	 * download is the first big one of its process (the costly one), for ours and the floor alike.
	 */
	rssFresh: boolean;
	/** Repeats per contender and size with `rssFresh`. */
	rssRepeats: number;
	phases: Phase[];
	/** Contender ids to run (default: all). */
	only?: string[];
	n8nVersion: string;
	/** A packed package to install instead of building and packing the repo. */
	tarball?: string;
	/** Write every raw sample as JSON here. */
	json?: string;
	seed: number;
	/** Directory holding the official nodes' source snapshots (`<repo>-<commit>.tar.gz`). */
	officialSrc: string;
}

const MiB = 1024 * 1024;

export const USAGE = `npm run bench -- [options]
  --quick                 6 latency samples, items 1 and 10, RSS for 400 MiB only (~6 min)
  --scale <f>             emulator time scale (job durations × f; default 1). Our WaveSpeed
                          poll schedule follows real expected durations, so its latency and
                          request figures are only meaningful at 1.
  --samples <n>           latency samples per contender (default 20; quick 6)
  --items <a,b,…>         item counts for the items phase (default 1,10,50; quick 1,10)
  --items-duration <s>    every job's duration in the items phase (default 30 s)
  --rss-sizes <MiB,…>     video sizes for the RSS phase (default 400,1024; quick 400)
  --rss-fresh             RSS phase only: a new n8n process per contender, size and repeat,
                          contenders alternating (the measured download is the first of its process)
  --rss-repeats <n>       repeats per contender and size with --rss-fresh (default 3)
  --phases <p,…>          latency,items,rss (default all three)
  --only <id,…>           contenders: ws-poll,fal-poll,ws-webhook,fal-webhook,n8n-wait-webhook,
                          loop-5s,loop-2s,ws-official,fal-official (the official nodes, built from source
                          snapshots; skipped with the reason when they cannot be built)
  --n8n <version>         n8n version (default 2.40.5, from the e2e cache)
  --tarball <file.tgz>    install this packed package instead of build + pack
  --json <file>           also write every raw sample as JSON
  --seed <n>              seed of the drawn job durations (default 1)
  --official-src <dir>    where the official nodes' source snapshots are
                          (<repo>-<commit>.tar.gz; default ${DEFAULT_OFFICIAL_SRC})`;

function list(v: string): string[] {
	return v
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

export function parseOptions(argv: string[]): BenchOptions {
	const flags = new Map<string, string>();
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
		const [name, inline] = a.slice(2).split('=', 2);
		if (name === 'quick' || name === 'help' || name === 'rss-fresh') flags.set(name, 'true');
		else {
			const value = inline ?? argv[++i];
			if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
			flags.set(name, value);
		}
	}
	if (flags.has('help')) {
		process.stdout.write(USAGE + '\n');
		process.exit(0);
	}
	const known = [
		'quick',
		'scale',
		'samples',
		'items',
		'items-duration',
		'rss-sizes',
		'rss-fresh',
		'rss-repeats',
		'phases',
		'only',
		'n8n',
		'tarball',
		'json',
		'seed',
		'official-src',
	];
	for (const k of flags.keys())
		if (!known.includes(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
	const quick = flags.has('quick');
	const num = (k: string, d: number) => {
		const v = flags.get(k);
		if (v === undefined) return d;
		const n = Number(v);
		if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} must be a positive number`);
		return n;
	};
	const rssFresh = flags.has('rss-fresh');
	// Fresh processes are for the RSS phase alone: the other phases want one long-lived n8n.
	const phases = list(flags.get('phases') ?? (rssFresh ? 'rss' : 'latency,items,rss')) as Phase[];
	for (const p of phases)
		if (!['latency', 'items', 'rss'].includes(p)) throw new Error(`unknown phase ${p}`);
	return {
		scale: num('scale', 1),
		quick,
		samples: Math.round(num('samples', quick ? 6 : 20)),
		items: list(flags.get('items') ?? (quick ? '1,10' : '1,10,50')).map(Number),
		itemsDurationMs: num('items-duration', 30) * 1000,
		rssSizes: list(flags.get('rss-sizes') ?? (quick ? '400' : '400,1024')).map(
			(s) => Number(s) * MiB,
		),
		rssFresh,
		rssRepeats: Math.round(num('rss-repeats', 3)),
		phases,
		only: flags.has('only') ? list(flags.get('only') ?? '') : undefined,
		n8nVersion: flags.get('n8n') ?? '2.40.5',
		tarball: flags.get('tarball'),
		json: flags.get('json'),
		seed: Math.round(num('seed', 1)),
		officialSrc: flags.get('official-src') ?? DEFAULT_OFFICIAL_SRC,
	};
}
