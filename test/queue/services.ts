/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- queue-mode e2e driver, never shipped: it spawns Redis, PostgreSQL and n8n */
/**
 * The services of n8n's queue mode, started by the test itself on 127.0.0.1 (ephemeral ports,
 * temp data dirs): Redis and PostgreSQL from the Debian packages (`redis-server`,
 * `/usr/lib/postgresql/<v>/bin`), then n8n as one main (`n8n start`), one webhook processor
 * (`n8n webhook`) and workers (`n8n worker`), all sharing one user folder, encryption key,
 * database and Redis.
 *
 * Every process runs in its own process group under `timeout` (so even a jest that is
 * SIGKILLed leaves nothing running for longer than MAX_LIFETIME_S), is stopped by `stop()`,
 * and is SIGKILLed by an exit handler if jest leaves without calling it. Every process's
 * output goes to a log file under .queue-artifacts/ and stays in memory for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
	createWriteStream,
	existsSync,
	readFileSync,
	readdirSync,
	type WriteStream,
} from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NODE24, REPO, freePort, run, sleep, waitFor, type N8n } from '../e2e/n8n';

/** Hard upper bound on the life of anything this file starts (the suite takes minutes). */
const MAX_LIFETIME_S = Number(process.env.N8N_QUEUE_MAX_LIFETIME_S ?? 1800);

export const ARTIFACTS = join(REPO, '.queue-artifacts');

// ---------------------------------------------------------------- processes

/** Process groups still running; SIGKILLed when the jest process exits without stopping them. */
const live = new Set<number>();
process.on('exit', () => {
	for (const pid of live) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

export interface Service {
	name: string;
	pid: number;
	/** Resolves with the exit code or signal. */
	exited: Promise<number | NodeJS.Signals | null>;
	hasExited(): boolean;
	/** Everything it printed so far. */
	output(): string;
	/** `signal` to the group, SIGKILL after `graceMs`; resolves once it exited. */
	stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
	/** SIGKILL to the whole group at once (a crashed machine), without waiting for a clean exit. */
	kill(): Promise<void>;
}

/**
 * Starts `cmd args` in its own process group, under `timeout` so it dies after
 * MAX_LIFETIME_S whatever happens to us. `stopSignal` is what `stop()` sends first.
 */
export async function startService(
	name: string,
	cmd: string,
	args: string[],
	opts: { env?: NodeJS.ProcessEnv; cwd?: string; stopSignal?: NodeJS.Signals } = {},
): Promise<Service> {
	await mkdir(ARTIFACTS, { recursive: true });
	const log: WriteStream = createWriteStream(join(ARTIFACTS, `${name}.log`), { flags: 'w' });
	const child: ChildProcess = spawn(
		'timeout',
		['-s', opts.stopSignal ?? 'TERM', '-k', '10', String(MAX_LIFETIME_S), cmd, ...args],
		{
			cwd: opts.cwd,
			env: opts.env ?? process.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const pid = child.pid;
	if (!pid) throw new Error(`could not start ${name}`);
	live.add(pid);
	let text = '';
	const keep = (d: Buffer) => {
		const s = d.toString();
		text += s;
		// Only the recent past matters for assertions and error messages; the log file has it all.
		if (text.length > 4_000_000) text = text.slice(-2_000_000);
		log.write(s);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	let done = false;
	const exited = new Promise<number | NodeJS.Signals | null>((resolvePromise) => {
		child.on('exit', (code, signal) => {
			done = true;
			live.delete(pid);
			// The group may still hold children (n8n's task runner): they go with their parent.
			signalGroup(pid, 'SIGKILL');
			log.end();
			resolvePromise(code ?? signal);
		});
	});
	const stop = async (signal: NodeJS.Signals = opts.stopSignal ?? 'SIGTERM', graceMs = 20_000) => {
		if (done) return;
		signalGroup(pid, signal);
		const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
	};
	const kill = async () => {
		signalGroup(pid, 'SIGKILL');
		await exited;
	};
	return { name, pid, exited, hasExited: () => done, output: () => text, stop, kill };
}

export function tail(text: string, lines = 60): string {
	return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------- Redis

export interface Redis {
	port: number;
	service: Service;
	/** `redis-cli -p <port> <args>`, trimmed output. */
	cli(...args: string[]): Promise<string>;
	stop(): Promise<void>;
}

export async function startRedis(): Promise<Redis> {
	const port = await freePort();
	const dir = await mkdtemp(join(tmpdir(), 'ai-video-queue-redis-'));
	// No persistence, loopback only: the data lives as long as the test.
	const service = await startService('redis', 'redis-server', [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--dir',
		dir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--protected-mode',
		'yes',
	]);
	const cli = async (...args: string[]) => {
		const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
			timeoutMs: 15_000,
		});
		if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}${r.stdout}`);
		return r.stdout.trim();
	};
	try {
		await waitFor(
			'Redis to answer PING',
			async () => {
				if (service.hasExited()) throw new Error(`redis-server exited:\n${tail(service.output())}`);
				return (await cli('PING').catch(() => '')) === 'PONG' ? true : undefined;
			},
			30_000,
		);
	} catch (error) {
		await service.stop();
		await rm(dir, { recursive: true, force: true });
		throw error;
	}
	return {
		port,
		service,
		cli,
		stop: async () => {
			await service.stop();
			await rm(dir, { recursive: true, force: true });
		},
	};
}

// ---------------------------------------------------------------- PostgreSQL

export interface Postgres {
	port: number;
	database: string;
	user: string;
	service: Service;
	/** SQL through the `pg` module n8n itself ships. */
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
	stop(): Promise<void>;
}

interface PgClient {
	connect(): Promise<void>;
	query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
	end(): Promise<void>;
}

function postgresBin(): string {
	const base = '/usr/lib/postgresql';
	const versions = existsSync(base)
		? readdirSync(base)
				.filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) {
		throw new Error(
			`no PostgreSQL server under ${base}: apt-get install -y postgresql (the queue suite needs it)`,
		);
	}
	return join(base, versions[0], 'bin');
}

/**
 * initdb + postgres as the `postgres` user (PostgreSQL refuses to run as root): a throwaway
 * cluster in a temp dir owned by that user, trust auth on 127.0.0.1, durability off (the
 * data lives as long as the test), a database `n8n`.
 */
export async function startPostgres(n8nInstallDir: string): Promise<Postgres> {
	const bin = postgresBin();
	const asRoot = process.getuid?.() === 0;
	const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
		asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
	const dir = await mkdtemp(join(tmpdir(), 'ai-video-queue-pg-'));
	if (asRoot) await chown(dir, ...postgresIds());
	const data = join(dir, 'data');
	const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		'postgres',
		'--auth=trust',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	const init = await run(initCmd, initArgs, { timeoutMs: 120_000 });
	if (init.code !== 0) {
		await rm(dir, { recursive: true, force: true });
		throw new Error(`initdb failed (${init.code}):\n${init.stdout}\n${init.stderr}`);
	}
	const port = await freePort();
	const [cmd, args] = asPostgres(join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		dir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=200',
	]);
	// SIGINT is PostgreSQL's "fast shutdown".
	const service = await startService('postgres', cmd, args, { stopSignal: 'SIGINT' });
	const stop = async () => {
		await service.stop('SIGINT', 20_000);
		await rm(dir, { recursive: true, force: true });
	};
	const pgRequire = createRequire(join(n8nInstallDir, 'node_modules', 'n8n', 'package.json'));
	const { Client } = pgRequire('pg') as { Client: new (opts: Record<string, unknown>) => PgClient };
	const connect = async (database: string) => {
		const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database });
		await client.connect();
		return client;
	};
	let client: PgClient | undefined;
	try {
		const admin = await waitFor(
			'PostgreSQL to accept connections',
			async () => {
				if (service.hasExited()) throw new Error(`postgres exited:\n${tail(service.output())}`);
				return await connect('postgres').catch(() => undefined);
			},
			60_000,
		);
		await admin.query('CREATE DATABASE n8n');
		await admin.end();
		client = await connect('n8n');
	} catch (error) {
		await stop();
		throw error;
	}
	const db = client;
	return {
		port,
		database: 'n8n',
		user: 'postgres',
		service,
		query: async <T>(sql: string, params: unknown[] = []) =>
			(await db.query(sql, params)).rows as T[],
		stop: async () => {
			await db.end().catch(() => undefined);
			await stop();
		},
	};
}

function postgresIds(): [number, number] {
	// `id -u postgres` without a shell: read /etc/passwd.
	const passwd = readFileSync('/etc/passwd', 'utf8');
	const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
	if (!line) throw new Error('no postgres user: apt-get install -y postgresql creates it');
	const [, , uid, gid] = line.split(':');
	return [Number(uid), Number(gid)];
}

// ---------------------------------------------------------------- n8n in queue mode

export interface QueueEnv {
	postgres: Postgres;
	redis: Redis;
	/** The webhook processor's base URL: production webhooks and resume URLs point there. */
	webhookUrl: string;
	/** Extra settings for every process (e.g. shortened Bull lock times). */
	extra?: Record<string, string>;
}

/**
 * The environment every n8n process of the cluster shares (and the CLI imports use): queue
 * mode, PostgreSQL, Redis, the webhook processor's URL as the webhook base, binary data in
 * the `database` mode (2.x; queue mode's own default there: every process reads and writes
 * the same PostgreSQL, so a binary made on one worker is readable by the others).
 */
export function queueEnv(n8n: N8n, q: QueueEnv): Record<string, string> {
	const webhookBase = q.webhookUrl.endsWith('/') ? q.webhookUrl : `${q.webhookUrl}/`;
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(q.postgres.port),
		DB_POSTGRESDB_DATABASE: q.postgres.database,
		DB_POSTGRESDB_USER: q.postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(q.redis.port),
		// 1.x has no `database` mode; `filesystem` works there on one machine (one shared folder).
		N8N_DEFAULT_BINARY_DATA_MODE: n8n.major >= 2 ? 'database' : 'filesystem',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		WEBHOOK_URL: webhookBase,
		N8N_WEBHOOK_URL: webhookBase,
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		...q.extra,
	};
}

export type Role = 'main' | 'webhook' | 'worker';

export interface N8nProcess extends Service {
	role: Role;
	/** http://127.0.0.1:<port>: the UI/API (main), webhooks (webhook), health (worker). */
	url: string;
	/** Resolves once the process answers its health/readiness endpoint. */
	ready(timeoutMs?: number): Promise<void>;
}

/**
 * Starts one n8n process of the cluster. The environment is the instance's own (N8n.env:
 * offline settings, user folder, key, a private task-broker port) plus `queueEnv` (set on
 * the instance with `setEnv`) plus this process's port.
 */
export async function startN8nProcess(
	n8n: N8n,
	name: string,
	role: Role,
	{ args = [], port: fixedPort }: { args?: string[]; port?: number } = {},
): Promise<N8nProcess> {
	const port = fixedPort ?? (await freePort());
	const env: NodeJS.ProcessEnv = { ...(await n8n.env()), N8N_PORT: String(port) };
	if (role === 'worker') {
		env.QUEUE_HEALTH_CHECK_ACTIVE = 'true';
		env.QUEUE_HEALTH_CHECK_PORT = String(port);
	}
	const command = role === 'main' ? 'start' : role;
	const service = await startService(name, NODE24, [n8n.install.bin, command, ...args], {
		env,
		cwd: n8n.userFolder,
	});
	const url = `http://127.0.0.1:${port}`;
	const probe = role === 'main' ? '/rest/settings' : '/healthz/readiness';
	const ready = async (timeoutMs = 180_000) => {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline && !service.hasExited()) {
			try {
				if ((await fetch(`${url}${probe}`, { signal: AbortSignal.timeout(5000) })).ok) return;
			} catch {
				// not listening yet
			}
			await sleep(500);
		}
		throw new Error(
			`${name}: ${service.hasExited() ? 'exited during start-up' : `no answer on ${url}${probe} within ${timeoutMs / 1000} s`}\n${tail(service.output())}`,
		);
	};
	return { ...service, role, url, ready };
}
