/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test driver, never shipped */
/**
 * `npm start` (scripts/start.sh): a local n8n with this package and every example, for
 * trying the nodes by hand.
 *
 *   npm start                              n8n UI on http://127.0.0.1:5678
 *   npm start -- --execute wavespeed-lynx  run examples/wavespeed-lynx.json headless, print its output
 *   npm start -- --reset                   start from an empty .n8n-local/
 *
 * Providers: the local emulator, unless WAVESPEED_API_KEY / FAL_KEY are set (then that
 * provider's credential points at the real API, and real money is spent). State lives in
 * .n8n-local/ (git-ignored by its own .gitignore). Environment: AI_VIDEO_N8N_VERSION
 * (default 2.40.5), N8N_PORT (5678), AI_VIDEO_EMULATOR_PORT (5690).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../emulator/emulator';
import {
	buildAndPack,
	exampleCredentials,
	freePort,
	N8n,
	REPO,
	sha256,
	type NodeExecutionItem,
	type ProviderEndpoints,
	type Server,
} from './n8n';

const USER_FOLDER = join(REPO, '.n8n-local');
const EXAMPLES_DIR = join(REPO, 'examples');
const IMPORTED = join(USER_FOLDER, 'imported-examples.json');
const VERSION = process.env.AI_VIDEO_N8N_VERSION ?? '2.40.5';
const PORT = Number(process.env.N8N_PORT ?? 5678);
const EMULATOR_PORT = Number(process.env.AI_VIDEO_EMULATOR_PORT ?? 5690);
const OWNER_EMAIL = process.env.AI_VIDEO_OWNER_EMAIL ?? 'dev@example.com';
const OWNER_PASSWORD = process.env.AI_VIDEO_OWNER_PASSWORD ?? 'AiVideo-local-1';

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Args {
	execute?: string;
	reset: boolean;
}

function parseArgs(argv: string[]): Args {
	const args: Args = { reset: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--execute' || a === '-e') args.execute = argv[++i];
		else if (a.startsWith('--execute=')) args.execute = a.slice('--execute='.length);
		else if (a === '--reset') args.reset = true;
		else if (a === '--help' || a === '-h') {
			say('usage: npm start [-- --execute <example name>] [--reset]');
			say(
				`examples: ${exampleFiles()
					.map((f) => f.replace(/\.json$/, ''))
					.join(', ')}`,
			);
			process.exit(0);
		} else throw new Error(`unknown argument ${a} (try --help)`);
	}
	if (args.execute === '') throw new Error('--execute needs an example name');
	return args;
}

function exampleFiles(): string[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

/** Each provider: the real API when its key is in the environment, else the emulator. */
function endpoints(emulator: Emulator | undefined): ProviderEndpoints {
	const wsKey = process.env.WAVESPEED_API_KEY;
	const falKey = process.env.FAL_KEY;
	return {
		wavespeed: wsKey ? { apiKey: wsKey, baseUrl: 'https://api.wavespeed.ai' } : emulator!.wavespeed,
		fal: falKey
			? {
					apiKey: falKey,
					queueUrl: 'https://queue.fal.run',
					restUrl: 'https://rest.fal.ai',
					jwksUrl: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
					apiUrl: 'https://api.fal.ai',
				}
			: emulator!.fal,
	};
}

/** Imports examples that are new or changed since the last start, so edits made in the UI to unchanged examples survive a restart. */
async function importExamples(n8n: N8n): Promise<void> {
	const before = existsSync(IMPORTED)
		? (JSON.parse(await readFile(IMPORTED, 'utf8')) as Record<string, string>)
		: {};
	const now: Record<string, string> = {};
	const changed: string[] = [];
	for (const file of exampleFiles()) {
		now[file] = sha256(readFileSync(join(EXAMPLES_DIR, file)));
		if (before[file] !== now[file]) changed.push(file);
	}
	if (changed.length) {
		say(`importing ${changed.length} example workflow(s): ${changed.join(', ')}`);
		await n8n.importWorkflows(changed.map((f) => join(EXAMPLES_DIR, f)));
	}
	await writeFile(IMPORTED, JSON.stringify(now, null, 2));
}

/** A bcrypt hash for N8N_INSTANCE_OWNER_PASSWORD_HASH, made with n8n's own bcryptjs. */
function ownerPasswordHash(n8n: N8n): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bcrypt = require(join(n8n.install.dir, 'node_modules', 'bcryptjs')) as {
		hashSync(s: string, rounds: number): string;
	};
	return bcrypt.hashSync(OWNER_PASSWORD, 10);
}

function printItems(name: string, items: NodeExecutionItem[]): void {
	const shown = items.map((item) => ({
		json: item.json,
		...(item.binary
			? {
					binary: Object.fromEntries(
						Object.entries(item.binary).map(([k, b]) => [
							k,
							{ mimeType: b.mimeType, fileName: b.fileName, fileSize: b.fileSize, bytes: b.bytes },
						]),
					),
				}
			: {}),
	}));
	say(`\n${name}:`);
	say(JSON.stringify(shown, null, 2));
}

async function portIsFree(port: number): Promise<boolean> {
	try {
		await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
		return false;
	} catch {
		return true;
	}
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	let exampleFile: string | undefined;
	if (args.execute) {
		const wanted = args.execute.replace(/\.json$/, '');
		exampleFile = exampleFiles().find((f) => f === `${wanted}.json`);
		if (!exampleFile) {
			throw new Error(
				`no example "${args.execute}"; choose one of: ${exampleFiles()
					.map((f) => f.replace(/\.json$/, ''))
					.join(', ')}`,
			);
		}
	}
	if (!args.execute && !(await portIsFree(PORT))) {
		throw new Error(
			`something already listens on 127.0.0.1:${PORT} (another npm start?); stop it or set N8N_PORT`,
		);
	}

	if (args.reset) await rm(USER_FOLDER, { recursive: true, force: true });
	await mkdir(USER_FOLDER, { recursive: true });
	await writeFile(join(USER_FOLDER, '.gitignore'), '*\n');

	say('building and packing the package …');
	const packed = await buildAndPack();
	let emulator: Emulator | undefined;
	let server: Server | undefined;
	const cleanup = async () => {
		await rm(packed.dir, { recursive: true, force: true });
		if (server) say('stopping n8n …');
		await server?.stop();
		await emulator?.close();
		if (server) say('stopped.');
	};
	try {
		const useEmulator = !process.env.WAVESPEED_API_KEY || !process.env.FAL_KEY;
		if (useEmulator) {
			const port = (await portIsFree(EMULATOR_PORT)) ? EMULATOR_PORT : await freePort();
			// A real, playable clip as every job's video, so n8n's player shows something.
			emulator = await startEmulator({ port, demoClip: true });
		}
		const n8n = await N8n.create({
			version: VERSION,
			tarball: packed.tarball,
			userFolder: USER_FOLDER,
			verboseInstall: true,
			cliTimeoutMs: 30 * 60_000,
		});
		say(`n8n ${VERSION} with ${packed.tarball.split('/').pop()} in ${USER_FOLDER}`);
		await n8n.importCredentials(exampleCredentials(endpoints(emulator)));
		await importExamples(n8n);

		const providers = [
			process.env.WAVESPEED_API_KEY
				? 'WaveSpeed: real API (WAVESPEED_API_KEY)'
				: `WaveSpeed: emulator ${emulator?.wavespeed.baseUrl}`,
			process.env.FAL_KEY ? 'fal: real API (FAL_KEY)' : `fal: emulator ${emulator?.fal.queueUrl}`,
		];

		if (exampleFile) {
			const wf = JSON.parse(readFileSync(join(EXAMPLES_DIR, exampleFile), 'utf8')) as {
				id: string;
				name: string;
				nodes: Array<{ name: string; type: string }>;
			};
			say(`executing "${wf.name}" (${providers.join('; ')}) …`);
			const result = await n8n.execute(wf.id);
			// The package's nodes only: the others (trigger, the Base64 sample image) are noise here.
			const ours = wf.nodes
				.filter((node) => node.type.startsWith('n8n-nodes-ai-video.'))
				.map((node) => node.name);
			for (const name of ours) if (result.items[name]) printItems(name, result.items[name]);
			if (!result.ok) {
				process.stderr.write(`\nexecution failed: ${result.error}\n`);
				process.exitCode = 1;
			} else {
				say(`\ndone in ${(result.ms / 1000).toFixed(1)} s`);
			}
			return;
		}

		if (n8n.major >= 2) {
			// A ready-made owner account, so the first visit opens the editor, not a sign-up form.
			n8n.setEnv({
				N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
				N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
				N8N_INSTANCE_OWNER_FIRST_NAME: 'Local',
				N8N_INSTANCE_OWNER_LAST_NAME: 'Developer',
				N8N_INSTANCE_OWNER_PASSWORD_HASH: ownerPasswordHash(n8n),
			});
		}
		// Providers call back (waitMethod = webhook) at http://127.0.0.1:PORT/: the emulator can, a real provider cannot.
		server = await n8n.startServer({ port: PORT });
		// `on`, not `once`: a second Ctrl-C while n8n shuts down must not kill us before n8n is gone.
		const stopping = new Promise<void>((resolvePromise) => {
			const onSignal = () => resolvePromise();
			process.on('SIGINT', onSignal);
			process.on('SIGTERM', onSignal);
		});
		const url = server.url;
		await Promise.race([server.ready(), stopping]);
		say('');
		say(`  n8n ${VERSION} is running: ${url}`);
		if (n8n.major >= 2)
			say(`  log in as ${OWNER_EMAIL} / ${OWNER_PASSWORD} (this local instance only)`);
		say(`  workflows: the ${exampleFiles().length} "AI Video: …" examples`);
		for (const p of providers) say(`  ${p}`);
		say('  Ctrl-C stops n8n and the emulator.');
		say('');
		await Promise.race([stopping, server.exited]);
	} finally {
		await cleanup();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
