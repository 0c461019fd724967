/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- benchmark driver, never shipped: builds packages with npm and tar */
/**
 * The official WaveSpeed and fal community nodes, measured beside ours (issue 13, item 4).
 * Their npm packages are not reachable from here, so they are built from the public GitHub
 * sources the way their own package.json builds them (`npm run build`: tsc + icon copy), then
 * packed (`npm pack`) and installed into n8n like any community package.
 *
 * - The source is a `git archive` tarball of one pinned commit, read from a directory
 *   (`--official-src`, default `~/.cache/n8n-nodes-ai-video-e2e/official/src`); the bench
 *   cannot download it (bench/README.md says how to make it).
 * - The packed result is cached per commit in `~/.cache/n8n-nodes-ai-video-e2e/official/
 *   <repo>-<commit>/`, built only when absent; the cached tarball is the unmodified build.
 * - At install time, and only in the temporary n8n user folder, the provider hosts hard-coded
 *   in the built JS are replaced by the emulator's URLs: the one change made to their code
 *   (those nodes have no base-URL setting). Every replacement is logged and counted.
 * - Anything missing or failing (no snapshot, install, build, pack) makes the bench skip that
 *   contender with the reason instead of failing the run.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Emulator } from '../test/emulator/emulator';
import { CACHE, run, type CredentialFile, type N8n, type ProcessResult } from '../test/e2e/n8n';

export type OfficialId = 'wavespeed' | 'fal';

/** A hard-coded host in the built JS and the emulator URL that stands in for it. */
export interface HostSubstitution {
	from: string;
	to: (emulator: Emulator) => string;
}

export interface OfficialPackage {
	id: OfficialId;
	/** npm name, as n8n loads it: `<packageName>.<nodeName>` is the node type */
	packageName: string;
	version: string;
	repo: string;
	/** the commit built; its `git archive` is `<repoName>-<commit>.tar.gz` in the source dir */
	commit: string;
	nodeName: string;
	credential: { type: string; id: string; name: string };
	hosts: HostSubstitution[];
}

export const OFFICIAL: Record<OfficialId, OfficialPackage> = {
	wavespeed: {
		id: 'wavespeed',
		packageName: '@wavespeed/n8n-nodes-wavespeed',
		version: '0.1.3',
		repo: 'WaveSpeedAI/n8n-nodes-wavespeed',
		commit: 'fff3d030baed0b1de84dce42c55f08001a2c1603',
		nodeName: 'waveSpeed',
		credential: {
			type: 'wavespeedApi',
			id: 'wavespeed-official',
			name: 'WaveSpeed (official node)',
		},
		// GenericFunctions.BASE_URL (every call) and the credential test's baseURL
		hosts: [{ from: 'https://api.wavespeed.ai', to: (e) => e.wavespeed.baseUrl }],
	},
	fal: {
		id: 'fal',
		packageName: '@fal-ai/n8n-nodes-fal',
		version: '1.0.1',
		repo: 'fal-ai-community/n8n-nodes-fal',
		commit: '1280a4a366eba710f8d905b8d0f2f28909716c37',
		nodeName: 'falAi',
		credential: { type: 'falAiApi', id: 'fal-official', name: 'fal (official node)' },
		// The submit URL and the status/result/cancel fallbacks (the node follows the URLs the
		// submit answer gives, which the emulator points at itself); the platform API (models,
		// usage, workflows, credential test), which the Generate Media operation never calls.
		hosts: [
			{ from: 'https://queue.fal.run', to: (e) => e.fal.queueUrl },
			{ from: 'https://api.fal.ai', to: (e) => e.fal.apiUrl },
		],
	},
};

export const OFFICIAL_CACHE = join(CACHE, 'official');
export const DEFAULT_OFFICIAL_SRC = join(OFFICIAL_CACHE, 'src');

const repoName = (p: OfficialPackage) => p.repo.split('/')[1];
export const sourceTarball = (p: OfficialPackage, srcDir: string) =>
	join(srcDir, `${repoName(p)}-${p.commit}.tar.gz`);
const buildDir = (p: OfficialPackage) => join(OFFICIAL_CACHE, `${repoName(p)}-${p.commit}`);

export type Prepared =
	| { ok: true; tarball: string; built: boolean }
	| { ok: false; reason: string };

function failure(what: string, r: ProcessResult): string {
	const tail = (s: string) => s.trim().split('\n').slice(-8).join('\n    ');
	return `${what} ${r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`}\n    ${tail(r.stderr || r.stdout)}`;
}

/**
 * Our environment without what `npm run bench` adds (npm_config_* from this repo's .npmrc,
 * npm_package_* …), so their build runs with their own settings. Everything else stays: the
 * registry may need the machine's CA bundle (NODE_EXTRA_CA_CERTS) and proxy settings.
 */
function buildEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env))
		if (!/^npm_/i.test(k) && k !== 'NODE_ENV' && k !== 'INIT_CWD') env[k] = v;
	return env;
}

async function step(what: string, cmd: string, args: string[], cwd: string): Promise<void> {
	const r = await run(cmd, args, { cwd, env: buildEnv(), timeoutMs: 10 * 60_000 });
	if (r.code !== 0) throw new Error(failure(what, r));
}

/**
 * The packed official package, from the cache or built now from the source snapshot. Never
 * throws: what cannot be done comes back as a reason to skip.
 */
export async function prepareOfficial(p: OfficialPackage, srcDir: string): Promise<Prepared> {
	const out = buildDir(p);
	const tarball = join(out, 'package.tgz');
	if (existsSync(tarball)) return { ok: true, tarball, built: false };
	const source = sourceTarball(p, srcDir);
	if (!existsSync(source))
		return {
			ok: false,
			reason: `no source snapshot ${source} (a git archive of ${p.repo} at ${p.commit}; bench/README.md says how to make one)`,
		};
	const work = await mkdtemp(join(tmpdir(), `official-${p.id}-`));
	try {
		await step('tar -xzf', 'tar', ['-xzf', source, '-C', work, '--strip-components=1'], work);
		// Their devDependencies from the registry. --ignore-scripts: fal's `preinstall` runs
		// `npx only-allow pnpm`. WaveSpeed ships a package-lock (npm ci); fal only a pnpm lock.
		const locked = existsSync(join(work, 'package-lock.json'));
		await step(
			locked ? 'npm ci' : 'npm install',
			'npm',
			[locked ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund'],
			work,
		);
		await step('npm run build', 'npm', ['run', 'build'], work);
		const packDir = join(work, '.pack');
		await mkdir(packDir);
		await step(
			'npm pack',
			'npm',
			['pack', '--ignore-scripts', '--pack-destination', packDir],
			work,
		);
		const packed = (await readdir(packDir)).filter((f) => f.endsWith('.tgz'));
		if (packed.length !== 1) throw new Error(`npm pack left ${packed.length} tarballs`);
		await mkdir(out, { recursive: true });
		await rename(join(packDir, packed[0]), tarball);
		await writeFile(
			join(out, 'build.json'),
			JSON.stringify(
				{
					repo: p.repo,
					commit: p.commit,
					packageName: p.packageName,
					builtAt: new Date().toISOString(),
					from: source,
				},
				null,
				2,
			),
		);
		return { ok: true, tarball, built: true };
	} catch (error) {
		return {
			ok: false,
			reason: `build of ${p.repo}@${p.commit.slice(0, 7)} failed: ${error instanceof Error ? error.message : String(error)}`,
		};
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

export interface Substitution {
	file: string;
	from: string;
	to: string;
	count: number;
}

async function jsFiles(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { withFileTypes: true });
	const nested = await Promise.all(
		entries.map(async (e) => {
			const path = join(dir, e.name);
			if (e.isDirectory()) return await jsFiles(path);
			return e.name.endsWith('.js') ? [path] : [];
		}),
	);
	return nested.flat();
}

/**
 * Installs the packed package into n8n's user folder as n8n's own installer does, then points
 * its hard-coded hosts at the emulator. Throws if a host it should replace is not found: the
 * node would then call the real provider.
 */
export async function installOfficial(
	n8n: N8n,
	p: OfficialPackage,
	tarball: string,
	emulator: Emulator,
): Promise<Substitution[]> {
	await n8n.installPackage(tarball, p.packageName);
	const dist = join(n8n.n8nFolder, 'nodes', 'node_modules', p.packageName, 'dist');
	const done: Substitution[] = [];
	for (const file of await jsFiles(dist)) {
		let text = await readFile(file, 'utf8');
		let changed = false;
		for (const h of p.hosts) {
			const count = text.split(h.from).length - 1;
			if (!count) continue;
			const to = h.to(emulator);
			text = text.split(h.from).join(to);
			changed = true;
			done.push({ file: file.slice(dist.length + 1), from: h.from, to, count });
		}
		if (changed) await writeFile(file, text);
	}
	for (const h of p.hosts)
		if (!done.some((d) => d.from === h.from))
			throw new Error(
				`${p.packageName}: ${h.from} not found in its dist; it would call the real provider`,
			);
	return done;
}

/** The credentials the official nodes use: their own types, the emulator's keys. */
export function officialCredentials(ids: OfficialId[], emulator: Emulator): CredentialFile[] {
	return ids.map((id) => {
		const { credential } = OFFICIAL[id];
		const apiKey = id === 'wavespeed' ? emulator.wavespeed.apiKey : emulator.fal.apiKey;
		return { ...credential, data: { apiKey } };
	});
}
