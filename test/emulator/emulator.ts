/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test fixture, never shipped */
/**
 * Local provider emulator: one loopback HTTP server that speaks WaveSpeed's and fal's
 * wire protocols (see /work/shared/providers.md, cited below as §n.n) closely enough to
 * test the nodes against it. No real provider is ever called.
 *
 * Layout on one server:
 *   ${url}/wavespeed/...        WaveSpeed API (baseUrl)
 *   ${url}/fal-queue/...        fal queue (queueUrl)
 *   ${url}/fal-rest/...         fal REST: storage, JWKS, user balance (restUrl)
 *   ${url}/fal-api/...          fal platform API: models, pricing, billing (apiUrl)
 *   ${url}/files/...            generated videos and uploaded files (public)
 *   ${url}/__control/...        test control (no auth, loopback only; not recorded)
 */
import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

import { Billing, FAL_LOCKED, WAVESPEED_NO_CREDIT } from './billing';
import type { FalUnitPrice, PriceRule } from './billing';
import type { FalModel, WaveSpeedModel } from './catalog';
import {
	ModelCatalog,
	OUTPUT_TYPES,
	checkFalInput,
	checkWaveSpeedInput,
	falModelsAnswer,
	falOutputShape,
	falOwnerAlias,
	mp3Bytes,
	multiValues,
	pngBytes,
	waveSpeedOutputKind,
	waveSpeedSchemaOf,
	withFalDefaults,
	withWaveSpeedDefaults,
} from './models';
import type { FalErrorItem, FalOutputProp, OutputKind } from './models';

export { mp3Bytes, pngBytes } from './models';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type Provider = 'wavespeed' | 'fal';
export type RequestKind =
	| 'submit'
	| 'status'
	| 'result'
	| 'stream'
	| 'cancel'
	| 'upload'
	| 'upload-put'
	| 'download'
	| 'balance'
	| 'price'
	| 'catalog'
	| 'secret'
	| 'storage-initiate'
	| 'jwks'
	| 'callback'
	| 'unknown';

export interface RecordedRequest {
	provider: Provider | 'files';
	kind: RequestKind;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
	/** parsed JSON, or {bytes:number, contentType} for binary/multipart */
	body: unknown;
	jobId?: string;
	model?: string;
	/** what we answered (0 = no answer: reset, or client went away) */
	status: number;
	/** downloads: body bytes written to the socket (compressed, for gzip), counted as they go */
	bytesSent?: number;
	/** ms epoch */
	at: number;
}

export interface JobPlan {
	/** submit → terminal state; default 300 */
	durationMs?: number;
	/** how much of it is spent queued; default 30% of durationMs */
	queueMs?: number;
	/** never = stays processing/IN_PROGRESS forever; default completed */
	outcome?: 'completed' | 'failed' | 'never';
	/** failure message (default 'Task failed') */
	error?: string;
	/** WaveSpeed task code on failure (default 1405) */
	errorCode?: number;
	/** size of the generated video file; default 65536; streamed, never held in memory */
	videoBytes?: number;
	/** completed but outputs [] (WS) / no `video` (fal) */
	emptyOutputs?: boolean;
	/** of the video file, default video/mp4 */
	contentType?: string;
	/** fal: an integer seed beyond 2^53 (decimal digits), written as a raw JSON number in results and callbacks */
	bigSeed?: string;
	/**
	 * fal: the request was retried inside fal, so its callback carries the last attempt's id
	 * as `gateway_request_id` and in the signed X-Fal-Webhook-Request-Id header (§2.5)
	 */
	gatewayRetry?: boolean;
	/** what follows the MP4 header: the id's pattern (default, incompressible) or zero bytes */
	fill?: 'pattern' | 'zeros';
	/** send the video without Content-Length (chunked transfer encoding) */
	chunked?: boolean;
	/** send the video gzip-compressed (`Content-Encoding: gzip`, no Content-Length, no ranges) */
	gzip?: boolean;
}

export interface Fault {
	provider?: Provider;
	kind: RequestKind;
	times?: number;
	after?: number;
	status?: number;
	retryAfter?: number;
	body?: unknown;
	reset?: boolean;
	hangMs?: number;
	malformed?: boolean;
	envelopeCode?: number;
	truncate?: boolean;
	acceptThenFail?: boolean;
	/**
	 * The error answer quotes the Authorization header it received (as some APIs do in
	 * "invalid key" messages): in the message and in a nested field. Status default 401.
	 */
	echoAuth?: boolean;
	/** downloads: send this many bytes of the body, then nothing more (the connection stays open) */
	stallAfterBytes?: number;
	/**
	 * Answer with a redirect (`status`, default 302) instead: to the same path and query on
	 * the emulator's second origin (`emu.other`, which serves the same API), or on this origin
	 * (a relative Location, the same path plus `redirected=1`).
	 */
	redirect?: 'other-origin' | 'same-origin';
}

/** A request that reached the second origin (`emu.other`). */
export interface OtherOriginRequest {
	method: string;
	/** path and query */
	path: string;
	/** lower-case header names, as received */
	headers: Record<string, string>;
	at: number;
}

export interface EmulatorOptions {
	port?: number;
	wavespeedKey?: string;
	falKey?: string;
	/** the key of the second fal account (default 'fal-other-account-key') */
	falOtherKey?: string;
	/** multiplies all plan durations; default 1 */
	timeScale?: number;
	/**
	 * every job's video is test/fixtures/demo-clip.mp4 (a real, playable clip: `npm start`),
	 * instead of the id's byte pattern the tests hash; default false
	 */
	demoClip?: boolean;
}

export interface JobInfo {
	id: string;
	provider: Provider;
	model: string;
	input: unknown;
	webhook?: string;
	/** provider-native: created|processing|completed|failed (WS), IN_QUEUE|IN_PROGRESS|COMPLETED (fal) */
	status: string;
	createdAt: number;
	endsAt: number | null;
	cancelled: boolean;
	plan: JobPlan;
	/** the files the job makes once completed, in output order (also listed before it ends) */
	outputs: OutputFileInfo[];
}

/** One file a job makes: WaveSpeed lists its `url` in `outputs`, fal puts it at `key` of the result. */
export interface OutputFileInfo {
	url: string;
	kind: OutputKind;
	contentType: string;
	/** bytes (the plan's `videoBytes` for the main video) */
	size: number;
	/** fal: the result property holding it (`video`, `thumbnail`, `images`); WaveSpeed: '' */
	key: string;
}

export interface CallbackOptions {
	unsigned?: boolean;
	/** change the body after signing */
	tamper?: boolean;
	/** timestamp this far in the past */
	staleSeconds?: number;
	wrongKey?: boolean;
	/**
	 * change the body BEFORE signing: a genuinely signed callback whose result is the
	 * attacker's (fal signs any account's callbacks; a leaked WaveSpeed secret does the same)
	 */
	forgeSigned?: boolean;
	/** send even though the job has not ended, claiming it completed */
	early?: boolean;
	/** override URL */
	to?: string;
}

export interface CallbackRecord {
	url: string;
	jobId: string;
	/** HTTP status the receiver answered; 0 = unreachable / dropped by a 'callback' fault */
	status: number;
	/** body the receiver answered (or the network error message) */
	body: string;
	/** 1-based attempt number of an automatic delivery; 0 for sendCallback() */
	attempt: number;
	at: number;
	/** exactly what we sent */
	sentHeaders: Record<string, string>;
	sentBody: string;
	/** CallbackOptions used by sendCallback(), if any */
	forged?: CallbackOptions;
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

// The models served are the catalogue's (models.ts: catalog/ fixtures plus what a test adds).
// fal serves Lynx as bytedance/lynx (fal-js endpoints.ts since 2025-12); the old id is gone.

/** Size of a job's secondary videos (the first video takes the plan's `videoBytes`). */
const SECONDARY_VIDEO_BYTES = 32 * 1024;

const DEFAULT_PLAN = {
	durationMs: 300,
	outcome: 'completed' as const,
	error: 'Task failed',
	errorCode: 1405,
	videoBytes: 65536,
	emptyOutputs: false,
	contentType: 'video/mp4',
	bigSeed: '',
	gatewayRetry: false,
	fill: 'pattern' as const,
	chunked: false,
	gzip: false,
};
type ResolvedPlan = Required<JobPlan>;

const PATTERN_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 512 * 1024 * 1024;
const FAL_QUEUE_START_POSITION = 3;
const CALLBACK_BACKOFF_MS = [250, 500, 1000, 2000];
const CALLBACK_TIMEOUT_MS = 10_000;
const ATTACKER_URL = 'https://attacker.invalid/evil.mp4';
/** Marks a request the second origin forwards to the emulator (no faults apply to it). */
const FORWARDED_HEADER = 'x-emulator-forwarded';

type Phase = 'queued' | 'running' | 'completed' | 'failed';
type Timer = ReturnType<typeof setTimeout>;

interface Job {
	id: string;
	provider: Provider;
	model: string;
	input: Record<string, unknown>;
	webhook?: string;
	createdAt: number;
	queueEndsAt: number;
	/** planned end (also for 'never' jobs, used for log timing) */
	plannedEndsAt: number;
	endsAt: number | null;
	cancelled: boolean;
	plan: ResolvedPlan;
	seed: number;
	/** fal: the id of the last attempt (differs from `id` after a retry inside fal) */
	gatewayId: string;
	/** fal: which account submitted it */
	account: 'main' | 'other';
	/** the files it makes (the first video is served at /files/{provider}/{id}.mp4) */
	files: JobFile[];
	/** fal: how its result is laid out (from the endpoint's Output schema) */
	falShape: FalOutputProp[];
	/** fal: validation errors found when it ran (falValidation 'result'); it fails with them */
	detail?: FalErrorItem[];
	timer?: Timer;
}

interface JobFile {
	/** the URL's last segment (`thumbnail.png`); '' for the main video (`{id}.mp4`) */
	name: string;
	kind: OutputKind;
	key: string;
	main: boolean;
}

interface StoredFile {
	bytes: Buffer;
	contentType: string;
	filename: string;
}

interface PendingUpload {
	/** where the bytes go once PUT arrives */
	target: 'ws' | 'fal';
	key: string;
	filename: string;
	contentType: string;
}

interface Route {
	provider: Provider | 'files';
	/** provider a fault's `provider` is compared with (files belong to the provider that made them) */
	owner?: Provider;
	kind: RequestKind;
	jobId?: string;
	model?: string;
	/** sub-route for handlers */
	op: string;
	/** extra path data (token, upload number, …) */
	arg?: string;
}

interface Reply {
	status: number;
	json?: unknown;
	raw?: string | Buffer;
	headers?: Record<string, string>;
}

/** How a fault changes a streamed answer. */
interface StreamFault {
	truncate: boolean;
	stallAfterBytes?: number;
}

interface Custom {
	custom: (fault: StreamFault) => void;
}

interface Ctx {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	url: URL;
	route: Route;
	rec: RecordedRequest;
	raw: Buffer;
}

interface ActiveFault {
	fault: Fault;
	skip: number;
	left: number;
}

type FaultEffect =
	| 'none'
	| 'reset'
	| 'malformed'
	| 'envelope'
	| 'redirect'
	| 'status'
	| 'truncate'
	| 'stall';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

function isHttpUrl(s: string): boolean {
	try {
		const u = new URL(s);
		return u.protocol === 'http:' || u.protocol === 'https:';
	} catch {
		return false;
	}
}

function safeDecode(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

function headerString(v: string | string[] | undefined): string {
	if (v === undefined) return '';
	return Array.isArray(v) ? v.join(', ') : v;
}

function sha256hex(data: string | Buffer): string {
	return crypto.createHash('sha256').update(data).digest('hex');
}

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
	if (raw.length === 0) return { ok: false };
	try {
		return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
	} catch {
		return { ok: false };
	}
}

function recordBody(raw: Buffer, contentType: string): unknown {
	if (raw.length === 0) return undefined;
	const ct = contentType.toLowerCase();
	if (ct.includes('json') || ct === '') {
		const parsed = parseJson(raw);
		if (parsed.ok) return parsed.value;
		if (ct.includes('json'))
			return raw.length <= 65536 ? raw.toString('utf8') : { bytes: raw.length, contentType };
	}
	if (ct.startsWith('text/') && raw.length <= 65536) return raw.toString('utf8');
	return { bytes: raw.length, contentType };
}

function fileKind(contentType: string): string {
	const major = contentType.split('/')[0].toLowerCase();
	return major === 'image' || major === 'video' || major === 'audio' ? major : 'file';
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooBig = false;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > MAX_BODY_BYTES) tooBig = true;
			if (!tooBig) chunks.push(c);
		});
		req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks)));
		req.on('error', () => resolve(Buffer.alloc(0)));
		req.on('close', () => resolve(tooBig ? null : Buffer.concat(chunks)));
	});
}

/** Minimal but proper multipart/form-data parser (RFC 7578). */
export function parseMultipart(
	raw: Buffer,
	contentType: string,
): Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> | null {
	const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	if (!/^multipart\/form-data/i.test(contentType.trim()) || !m) return null;
	const boundary = m[1] ?? m[2];
	const delim = Buffer.from(`--${boundary}`);
	const nextDelim = Buffer.from(`\r\n--${boundary}`);
	const parts: Array<{ name: string; filename?: string; contentType?: string; data: Buffer }> = [];
	let pos = raw.indexOf(delim);
	if (pos < 0) return null;
	for (;;) {
		pos += delim.length;
		if (raw[pos] === 0x2d && raw[pos + 1] === 0x2d) break; // closing "--"
		while (raw[pos] === 0x20 || raw[pos] === 0x09) pos++; // transport padding
		if (raw[pos] === 0x0d && raw[pos + 1] === 0x0a) pos += 2;
		const headerEnd = raw.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0) break;
		const next = raw.indexOf(nextDelim, headerEnd + 4);
		if (next < 0) break;
		const headers: Record<string, string> = {};
		for (const line of raw.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const cd = headers['content-disposition'] ?? '';
		const name = /\bname="([^"]*)"/i.exec(cd)?.[1] ?? /\bname=([^;\s]+)/i.exec(cd)?.[1];
		const fnStar = /\bfilename\*=(?:UTF-8'')?([^;]+)/i.exec(cd)?.[1];
		const fn = fnStar ? safeDecode(fnStar.trim()) : /\bfilename="([^"]*)"/i.exec(cd)?.[1];
		if (name !== undefined) {
			parts.push({
				name,
				filename: fn,
				contentType: headers['content-type'],
				data: raw.subarray(headerEnd + 4, next),
			});
		}
		pos = next + 2;
	}
	return parts;
}

function mp4Header(total: number): Buffer {
	// ftyp box (32 bytes): major brand isom, minor 0x200, compatible isom iso2 avc1 mp41
	const ftyp = Buffer.alloc(32);
	ftyp.writeUInt32BE(32, 0);
	ftyp.write('ftypisom', 4, 'latin1');
	ftyp.writeUInt32BE(0x200, 12);
	ftyp.write('isomiso2avc1mp41', 16, 'latin1');
	const rest = total - 32;
	if (rest < 8) return ftyp;
	if (rest < 0x100000000) {
		const mdat = Buffer.alloc(8);
		mdat.writeUInt32BE(rest, 0);
		mdat.write('mdat', 4, 'latin1');
		return Buffer.concat([ftyp, mdat]);
	}
	const mdat = Buffer.alloc(16);
	mdat.writeUInt32BE(1, 0);
	mdat.write('mdat', 4, 'latin1');
	mdat.writeBigUInt64BE(BigInt(rest), 8);
	return Buffer.concat([ftyp, mdat]);
}

function patternFor(id: string): Buffer {
	const out = Buffer.alloc(PATTERN_BYTES);
	for (let k = 0; k < PATTERN_BYTES / 32; k++) {
		crypto
			.createHash('sha256')
			.update(`${id}:${k}`)
			.digest()
			.copy(out, k * 32);
	}
	return out;
}

/**
 * Deterministic content of a generated video: an MP4 `ftyp` box, an `mdat` header, then a
 * 64 KiB pattern derived from the id, repeated (or zero bytes, `fill: 'zeros'`). Streams bytes
 * [start, end) in constant memory (backpressure via Readable). Tests can use it to compute the
 * expected bytes/hash.
 */
export function videoStream(
	id: string,
	total: number,
	start = 0,
	end = total,
	fill: 'pattern' | 'zeros' = 'pattern',
): Readable {
	const header = mp4Header(total);
	const pattern = fill === 'zeros' ? Buffer.alloc(PATTERN_BYTES) : patternFor(id);
	let pos = Math.max(0, start);
	const stop = Math.min(end, total);
	return new Readable({
		highWaterMark: PATTERN_BYTES,
		read() {
			if (pos >= stop) {
				this.push(null);
				return;
			}
			let chunk: Buffer;
			if (pos < header.length) {
				chunk = header.subarray(pos, Math.min(header.length, stop));
			} else {
				const p = (pos - header.length) % PATTERN_BYTES;
				chunk = pattern.subarray(p, p + Math.min(PATTERN_BYTES - p, stop - pos));
			}
			pos += chunk.length;
			this.push(chunk);
		},
	});
}

function listen(server: http.Server, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (e: Error) => reject(e);
		server.once('error', onError);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', onError);
			const addr = server.address();
			resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
		});
	});
}

/** A placeholder JSON.stringify leaves as a string; toJson writes its digits as a raw number. */
function rawInt(digits: string): string {
	return `\u0000int:${digits}`;
}

/** JSON.stringify, with rawInt() placeholders turned into integer literals of any size. */
function toJson(value: unknown): string {
	return JSON.stringify(value).replace(/"\\u0000int:(-?\d+)"/g, '$1');
}

function reviveNumber(v: unknown): number | undefined {
	if (v === null || v === 'Infinity' || v === 'infinity' || v === -1) return Infinity;
	return typeof v === 'number' ? v : undefined;
}

function isLoopback(addr: string | undefined): boolean {
	return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

/** Where a truncated answer stops: half of what it announces. */
function truncate(fault: StreamFault, start: number, end: number): number {
	return fault.truncate ? start + Math.floor((end - start) / 2) : end;
}

// ---------------------------------------------------------------------------------------------
// Emulator
// ---------------------------------------------------------------------------------------------

interface EmulatorInit {
	server: http.Server;
	port: number;
	other: http.Server;
	otherPort: number;
	opts: EmulatorOptions;
}

export class Emulator {
	readonly url: string;
	readonly wavespeed: { baseUrl: string; apiKey: string; webhookSecret: string };
	readonly fal: {
		queueUrl: string;
		restUrl: string;
		jwksUrl: string;
		/** fal's platform API (catalogue, pricing, billing) */
		apiUrl: string;
		apiKey: string;
		/** a key with billing rights: fal's Platform API shows balances only to those */
		adminKey: string;
		userId: string;
		/**
		 * A second fal account (someone else's): its jobs are invisible to `apiKey` (404) and
		 * its callbacks are signed with the same keys, as fal signs every account's.
		 */
		otherApiKey: string;
		otherUserId: string;
	};
	/** prices, balances and refusals for lack of credit (billing.ts) */
	readonly billing = new Billing();
	/**
	 * When fal checks a submit against the endpoint's input schema: `'submit'` (default) answers
	 * 422 `{detail:[…]}` and creates no job; `'result'` queues the job, which then fails with that
	 * detail (result GET 422, callback `ERROR`), as fal's webhook docs show for a missing field.
	 * reset() sets 'submit' again.
	 */
	falValidation: 'submit' | 'result' = 'submit';
	requests: RecordedRequest[] = [];
	callbacks: CallbackRecord[] = [];
	/**
	 * How the JWKS writes its key: 'full' ({kty, crv, x, kid, use, alg}) or 'x-only' ({x, kid}),
	 * as some JWKS documents do. reset() sets 'full' again.
	 */
	jwksStyle: 'full' | 'x-only' = 'full';

	/**
	 * A second origin (another port on 127.0.0.1) that records every request it gets and
	 * forwards it, headers and all, to the emulator: a host that answers like the API but is
	 * not the host in the credential. Redirect faults point at it.
	 */
	readonly other: { url: string; requests: OtherOriginRequest[] };

	private readonly server: http.Server;
	private readonly otherServer: http.Server;
	private readonly otherSockets = new Set<http.IncomingMessage['socket']>();
	private readonly port: number;
	private readonly timeScale: number;
	private readonly falKeyPair: crypto.KeyPairKeyObjectResult;
	private readonly falWrongKeyPair: crypto.KeyPairKeyObjectResult;
	private readonly falKid = 'emulator-ed25519-1';
	private readonly wrongWebhookSecret = `whsec_${crypto.randomBytes(32).toString('base64')}`;

	private jobMap = new Map<string, Job>();
	private readonly models = new ModelCatalog();
	private plans: Array<{ match: { provider?: Provider; model?: string }; plan: JobPlan }> = [];
	private nextPlans: JobPlan[] = [];
	private binaryUploadRetired = false;
	private faults: ActiveFault[] = [];
	private owners = new WeakMap<RecordedRequest, Provider | undefined>();
	private files = new Map<string, StoredFile>();
	private pending = new Map<string, PendingUpload>();
	private uploadCounter = 0;

	private timers = new Set<Timer>();
	private sockets = new Set<http.IncomingMessage['socket']>();
	private outgoing = new Set<http.ClientRequest>();
	private generation = 0;
	private closed = false;
	private closing?: Promise<void>;
	private restartWait?: { timer: Timer; resolve: () => void };
	private readonly demoClip?: Buffer;

	/** @internal use startEmulator() */
	constructor(init: EmulatorInit) {
		this.server = init.server;
		if (init.opts.demoClip)
			this.demoClip = readFileSync(join(__dirname, '..', 'fixtures', 'demo-clip.mp4'));
		this.port = init.port;
		this.timeScale = init.opts.timeScale ?? 1;
		this.url = `http://127.0.0.1:${init.port}`;
		this.wavespeed = {
			baseUrl: `${this.url}/wavespeed`,
			apiKey: init.opts.wavespeedKey ?? 'ws-test-key',
			webhookSecret: `whsec_${crypto.randomBytes(32).toString('base64')}`,
		};
		this.fal = {
			queueUrl: `${this.url}/fal-queue`,
			restUrl: `${this.url}/fal-rest`,
			jwksUrl: `${this.url}/fal-rest/.well-known/jwks.json`,
			apiUrl: `${this.url}/fal-api`,
			apiKey: init.opts.falKey ?? 'fal-test-key',
			adminKey: 'fal-admin-key',
			userId: `emulator-user-${crypto.randomBytes(4).toString('hex')}`,
			otherApiKey: init.opts.falOtherKey ?? 'fal-other-account-key',
			otherUserId: `emulator-other-${crypto.randomBytes(4).toString('hex')}`,
		};
		this.other = { url: `http://127.0.0.1:${init.otherPort}`, requests: [] };
		this.otherServer = init.other;
		this.otherServer.on('connection', (s) => {
			this.otherSockets.add(s);
			s.on('close', () => this.otherSockets.delete(s));
		});
		this.otherServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
			this.forwardFromOther(req, res),
		);
		this.falKeyPair = crypto.generateKeyPairSync('ed25519');
		this.falWrongKeyPair = crypto.generateKeyPairSync('ed25519');
		this.server.on('connection', (s) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
			this.handle(req, res).catch((e: Error) => {
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'content-type': 'text/plain' });
					res.end(`emulator error: ${e.message}`);
				} else {
					res.destroy();
				}
			});
		});
	}

	// --- public API --------------------------------------------------------------------------

	count(kind: RequestKind, provider?: Provider): number {
		return this.requests.filter(
			(r) =>
				r.kind === kind &&
				(provider === undefined || r.provider === provider || this.owners.get(r) === provider),
		).length;
	}

	jobs(): JobInfo[] {
		return [...this.jobMap.values()].map((j) => this.jobInfo(j));
	}

	job(id: string): JobInfo | undefined {
		const j = this.jobMap.get(id);
		return j ? this.jobInfo(j) : undefined;
	}

	setPlan(plan: JobPlan, match: { provider?: Provider; model?: string } = {}): void {
		this.plans = this.plans.filter(
			(p) => p.match.provider !== match.provider || p.match.model !== match.model,
		);
		this.plans.push({ match: { provider: match.provider, model: match.model }, plan: { ...plan } });
	}

	planNext(...plans: JobPlan[]): void {
		this.nextPlans.push(...plans.map((p) => ({ ...p })));
	}

	inject(fault: Fault): void {
		this.faults.push({ fault: { ...fault }, skip: fault.after ?? 0, left: fault.times ?? 1 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	/**
	 * WaveSpeed without its one-request upload (`POST /api/v3/media/upload/binary` → 404, as an
	 * unknown route): what a client meets once only the SDKs' ticket flow remains (§1.8).
	 */
	retireWaveSpeedBinaryUpload(retired = true): void {
		this.binaryUploadRetired = retired;
	}

	/** The WaveSpeed models served (`GET /api/v3/models` lists them; submits accept them). */
	waveSpeedModels(): WaveSpeedModel[] {
		return this.models.waveSpeedModels();
	}

	/** The fal endpoints served, with their OpenAPI documents (`GET /v1/models` searches them). */
	falModels(): FalModel[] {
		return this.models.falModels();
	}

	/**
	 * Serves one more WaveSpeed model (or replaces a fixture of the same id) until reset(),
	 * with its price rule if given (`{kind: 'flat', usd}` …; without one it has no price).
	 */
	addWaveSpeedModel(model: WaveSpeedModel, price?: PriceRule): void {
		this.models.addWaveSpeed(model);
		if (price) this.billing.addPrices({ [model.model_id]: price }, {});
	}

	/** Serves one more fal endpoint (or replaces a fixture of the same id) until reset(), with its unit price if given. */
	addFalModel(model: FalModel, price?: Omit<FalUnitPrice, 'endpoint_id'>): void {
		this.models.addFal(model);
		if (price) this.billing.addPrices({}, { [model.endpoint_id]: { endpoint_id: model.endpoint_id, ...price } });
	}

	reset(): void {
		this.generation++;
		for (const j of this.jobMap.values()) if (j.timer) this.clearTimer(j.timer);
		this.jobMap.clear();
		this.requests.splice(0);
		this.callbacks.splice(0);
		this.plans = [];
		this.nextPlans = [];
		this.faults = [];
		this.files.clear();
		this.pending.clear();
		this.binaryUploadRetired = false;
		this.billing.reset();
		this.models.reset();
		this.falValidation = 'submit';
		this.jwksStyle = 'full';
		this.other.requests.splice(0);
	}

	/** The account's balance in USD (each job's price is taken from it; see billing.ts). */
	setBalance(provider: Provider, usd: number): void {
		this.billing.balances[provider] = usd;
	}

	async sendCallback(
		jobId: string,
		opts: CallbackOptions = {},
	): Promise<{ status: number; body: string }> {
		const job = this.jobMap.get(jobId);
		if (!job) throw new Error(`emulator: unknown job ${jobId}`);
		const url = opts.to ?? job.webhook;
		if (!url) throw new Error(`emulator: job ${jobId} has no webhook URL; pass opts.to`);
		const phase = this.phase(job);
		if (phase !== 'completed' && phase !== 'failed' && !opts.early) {
			throw new Error(`emulator: job ${jobId} has not finished (${phase})`);
		}
		const msg = this.buildCallback(job, opts);
		const answer = await this.post(url, msg.headers, msg.body);
		this.callbacks.push({
			url,
			jobId,
			status: answer.status,
			body: answer.body,
			attempt: 0,
			at: Date.now(),
			sentHeaders: msg.headers,
			sentBody: msg.body,
			forged: { ...opts },
		});
		return answer;
	}

	async restart(downMs: number): Promise<void> {
		if (this.closed) throw new Error('emulator: closed');
		await this.stopListening();
		await new Promise<void>((resolve) => {
			// deliberately NOT unref'd: nothing else keeps the loop alive while we are down
			const timer = setTimeout(
				() => {
					this.restartWait = undefined;
					resolve();
				},
				Math.max(0, downMs),
			);
			this.restartWait = { timer, resolve };
		});
		if (this.closed) return;
		await listen(this.server, this.port);
	}

	close(): Promise<void> {
		if (this.closing) return this.closing;
		this.closed = true;
		this.generation++;
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		if (this.restartWait) {
			clearTimeout(this.restartWait.timer);
			this.restartWait.resolve();
			this.restartWait = undefined;
		}
		for (const r of this.outgoing) r.destroy();
		this.outgoing.clear();
		const other = new Promise<void>((resolve) => {
			this.otherServer.close(() => resolve());
			for (const s of this.otherSockets) s.destroy();
			this.otherSockets.clear();
			this.otherServer.closeAllConnections();
		});
		this.closing = Promise.all([this.stopListening(), other]).then(() => undefined);
		return this.closing;
	}

	/** The connection data a client (or the CLI) needs. */
	info(): { url: string; wavespeed: Emulator['wavespeed']; fal: Emulator['fal'] } {
		return { url: this.url, wavespeed: { ...this.wavespeed }, fal: { ...this.fal } };
	}

	/** JWKS as served at fal.jwksUrl. */
	jwks(): { keys: Array<Record<string, string>> } {
		const jwk = this.falKeyPair.publicKey.export({ format: 'jwk' });
		if (this.jwksStyle === 'x-only') return { keys: [{ x: String(jwk.x), kid: this.falKid }] };
		return {
			keys: [
				{
					kty: 'OKP',
					crv: 'Ed25519',
					x: String(jwk.x),
					kid: this.falKid,
					use: 'sig',
					alg: 'EdDSA',
				},
			],
		};
	}

	// --- timers ------------------------------------------------------------------------------

	private later(ms: number, fn: () => void): Timer {
		const t = setTimeout(
			() => {
				this.timers.delete(t);
				fn();
			},
			Math.max(0, ms),
		);
		t.unref();
		this.timers.add(t);
		return t;
	}

	private every(ms: number, fn: () => void): Timer {
		const t = setInterval(fn, Math.max(1, ms));
		t.unref();
		this.timers.add(t);
		return t;
	}

	private clearTimer(t: Timer): void {
		clearTimeout(t);
		this.timers.delete(t);
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => this.later(ms, resolve));
	}

	private stopListening(): Promise<void> {
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			for (const s of this.sockets) s.destroy();
			this.sockets.clear();
			this.server.closeAllConnections();
		});
	}

	// --- plans & jobs ------------------------------------------------------------------------

	private resolvePlan(provider: Provider, model: string): ResolvedPlan {
		let best: JobPlan | undefined;
		let bestScore = -1;
		for (const p of this.plans) {
			if (p.match.provider !== undefined && p.match.provider !== provider) continue;
			if (p.match.model !== undefined && p.match.model !== model) continue;
			const score =
				(p.match.model !== undefined ? 2 : 0) + (p.match.provider !== undefined ? 1 : 0);
			if (score >= bestScore) {
				best = p.plan;
				bestScore = score;
			}
		}
		const next = this.nextPlans.shift();
		// planNext() wins over setPlan(), which wins over the built-in defaults (field by field)
		const merged = { ...DEFAULT_PLAN, ...stripUndefined(best), ...stripUndefined(next) };
		const durationMs = Math.max(0, merged.durationMs);
		const queueMs = Math.min(durationMs, Math.max(0, merged.queueMs ?? durationMs * 0.3));
		return { ...merged, durationMs, queueMs };
	}

	private createJob(
		provider: Provider,
		model: string,
		input: Record<string, unknown>,
		webhook?: string,
		account: 'main' | 'other' = 'main',
		detail?: FalErrorItem[],
	): Job {
		const plan = this.resolvePlan(provider, model);
		if (detail?.length) Object.assign(plan, { outcome: 'failed', error: detail[0].msg });
		const now = Date.now();
		const id =
			provider === 'wavespeed' ? crypto.randomBytes(16).toString('hex') : crypto.randomUUID();
		const { files, falShape } = this.outputsFor(provider, model, input, id);
		const seedIn = input.seed;
		const job: Job = {
			id,
			provider,
			model,
			input,
			webhook,
			createdAt: now,
			queueEndsAt: now + plan.queueMs * this.timeScale,
			plannedEndsAt: now + plan.durationMs * this.timeScale,
			endsAt: plan.outcome === 'never' ? null : now + plan.durationMs * this.timeScale,
			cancelled: false,
			plan,
			seed:
				typeof seedIn === 'number' && Number.isInteger(seedIn) && seedIn >= 0
					? seedIn
					: parseInt(sha256hex(id).slice(0, 8), 16) & 0x7fffffff,
			gatewayId: plan.gatewayRetry ? crypto.randomUUID() : id,
			account,
			files,
			falShape,
			detail: detail?.length ? detail : undefined,
		};
		this.jobMap.set(id, job);
		if (job.endsAt !== null) {
			job.timer = this.later(job.endsAt - now, () => {
				job.timer = undefined;
				this.onTerminal(job);
			});
		}
		return job;
	}

	/**
	 * The files a job of this model makes: WaveSpeed one, of the kind its `type` names; fal every
	 * file property of the endpoint's Output schema (Sora 2: video, thumbnail, spritesheet).
	 * The first video is the main one: served at /files/{provider}/{id}.mp4, shaped by the plan.
	 */
	private outputsFor(
		provider: Provider,
		model: string,
		input: Record<string, unknown>,
		id: string,
	): { files: JobFile[]; falShape: FalOutputProp[] } {
		if (provider === 'wavespeed') {
			const kind = waveSpeedOutputKind(this.models.waveSpeedModel(model)?.type);
			const main = kind === 'video';
			return {
				files: [{ name: main ? '' : `output.${OUTPUT_TYPES[kind].ext}`, kind, key: '', main }],
				falShape: [],
			};
		}
		const endpoint = this.models.falModel(model);
		const falShape: FalOutputProp[] = endpoint
			? falOutputShape(endpoint, input, id)
			: [
					{ name: 'video', kind: 'file', file: 'video', array: false },
					{ name: 'seed', kind: 'seed' },
				];
		const files: JobFile[] = [];
		for (const p of falShape) {
			if (p.kind !== 'file') continue;
			const main = p.file === 'video' && !files.some((f) => f.main);
			const name = main ? '' : `${p.name}${p.array ? '-0' : ''}.${OUTPUT_TYPES[p.file].ext}`;
			files.push({ name, kind: p.file, key: p.name, main });
		}
		return { files, falShape };
	}

	private fileUrl(job: Job, f: JobFile): string {
		return f.main ? this.videoUrl(job) : `${this.url}/files/${job.provider}/${job.id}/${f.name}`;
	}

	private fileContentType(job: Job, f: JobFile): string {
		return f.main ? job.plan.contentType : OUTPUT_TYPES[f.kind].contentType;
	}

	/** The bytes of a file other than the main video (deterministic: from the job id and name). */
	private fileBytes(job: Job, f: JobFile): Buffer | undefined {
		const seed = `${job.id}/${f.name}`;
		if (f.kind === 'image') return pngBytes(seed);
		if (f.kind === 'audio') return mp3Bytes(seed);
		return undefined;
	}

	private fileSize(job: Job, f: JobFile): number {
		if (f.main) return Math.max(0, Math.floor(job.plan.videoBytes));
		return this.fileBytes(job, f)?.length ?? SECONDARY_VIDEO_BYTES;
	}

	/** fal's File object for one output file. */
	private falFile(job: Job, f: JobFile): Record<string, unknown> {
		return {
			url: this.fileUrl(job, f),
			content_type: this.fileContentType(job, f),
			file_name: f.main ? `${job.id}.mp4` : f.name,
			file_size: f.main ? (this.demoClip?.length ?? job.plan.videoBytes) : this.fileSize(job, f),
		};
	}

	/** Job state is a pure function of the clock (brief: "derived from time"). */
	private phase(job: Job, t = Date.now()): Phase {
		if (job.cancelled) return 'failed';
		if (t < job.queueEndsAt) return 'queued';
		if (job.endsAt === null || t < job.endsAt) return 'running';
		return job.plan.outcome === 'failed' ? 'failed' : 'completed';
	}

	private jobError(job: Job): string {
		return job.cancelled ? 'cancelled' : job.plan.error;
	}

	private inferenceMs(job: Job): number {
		if (job.endsAt === null) return 0;
		return Math.max(0, Math.round(job.endsAt - Math.min(job.queueEndsAt, job.endsAt)));
	}

	private nativeStatus(job: Job, t = Date.now()): string {
		const ph = this.phase(job, t);
		if (job.provider === 'wavespeed') {
			return { queued: 'created', running: 'processing', completed: 'completed', failed: 'failed' }[
				ph
			];
		}
		return ph === 'queued' ? 'IN_QUEUE' : ph === 'running' ? 'IN_PROGRESS' : 'COMPLETED';
	}

	private jobInfo(j: Job): JobInfo {
		return {
			id: j.id,
			provider: j.provider,
			model: j.model,
			input: j.input,
			webhook: j.webhook,
			status: this.nativeStatus(j),
			createdAt: j.createdAt,
			endsAt: j.endsAt,
			cancelled: j.cancelled,
			plan: { ...j.plan },
			outputs: j.files.map((f) => ({
				url: this.fileUrl(j, f),
				kind: f.kind,
				contentType: this.fileContentType(j, f),
				size: this.fileSize(j, f),
				key: f.key,
			})),
		};
	}

	private videoUrl(job: Job): string {
		return `${this.url}/files/${job.provider}/${job.id}.mp4`;
	}

	private onTerminal(job: Job): void {
		if (job.webhook && !this.closed) void this.autoDeliver(job, this.generation);
	}

	// --- provider-shaped objects -------------------------------------------------------------

	/** §1.3 / §1.5: the prediction object (the `data` of the envelope; bare in webhooks §1.7). */
	private wsPrediction(job: Job, t = Date.now()): Record<string, unknown> {
		const ph = this.phase(job, t);
		const done = ph === 'completed' || ph === 'failed';
		const outputs = ph === 'completed' && !job.plan.emptyOutputs ? this.allOutputUrls(job) : [];
		const inference = done ? this.inferenceMs(job) : 0;
		const o: Record<string, unknown> = {
			id: job.id,
			model: job.model,
			outputs,
			urls: { get: `${this.wavespeed.baseUrl}/api/v3/predictions/${job.id}/result` },
			has_nsfw_contents: outputs.map(() => false),
			status: this.nativeStatus(job, t),
			created_at: iso(job.createdAt),
			error: ph === 'failed' ? this.jobError(job) : '',
			executionTime: inference,
			timings: { inference },
		};
		// §1.10: task failure carries a task code next to status "failed"
		if (ph === 'failed') o.code = job.plan.errorCode;
		return o;
	}

	private allOutputUrls(job: Job): string[] {
		return job.files.map((f) => this.fileUrl(job, f));
	}

	private falUrls(job: Job): Record<string, string> {
		// §2.3: status/result/cancel live under {owner}/{alias}/requests/{id} (fal-js drops the
		// rest of a longer endpoint id: fal-ai/kling-video/v2.1/pro/image-to-video → fal-ai/kling-video)
		const base = `${this.fal.queueUrl}/${falOwnerAlias(job.model)}/requests/${job.id}`;
		return {
			request_id: job.id,
			response_url: base,
			status_url: `${base}/status`,
			cancel_url: `${base}/cancel`,
		};
	}

	private queuePosition(job: Job, t: number): number {
		const span = job.queueEndsAt - job.createdAt;
		if (span <= 0 || t >= job.queueEndsAt) return 0;
		const frac = (job.queueEndsAt - t) / span;
		return Math.max(0, Math.ceil((FAL_QUEUE_START_POSITION + 1) * frac) - 1);
	}

	private falLogs(job: Job, t: number): Array<Record<string, string>> {
		const out: Array<Record<string, string>> = [];
		const start = job.queueEndsAt;
		if (t < start || (job.cancelled && job.endsAt !== null && job.endsAt < start)) return out;
		const stop = Math.min(t, job.endsAt ?? t);
		const line = (at: number, message: string, level = 'INFO') =>
			out.push({ message, level, source: 'USER', timestamp: iso(at) });
		line(start, `Starting ${job.model} inference`);
		for (let k = 1; k <= 4; k++) {
			const at = start + ((job.plannedEndsAt - start) * k) / 5;
			if (at <= stop) line(at, `Progress ${k * 20}%`);
		}
		const ph = this.phase(job, t);
		if (ph === 'completed') line(job.endsAt ?? t, 'Inference finished');
		if (ph === 'failed') line(job.endsAt ?? t, this.jobError(job), 'ERROR');
		return out;
	}

	/** §2.4 status object. */
	private falStatus(job: Job, t: number, logs: boolean): Record<string, unknown> {
		const ph = this.phase(job, t);
		const base = this.falUrls(job);
		if (ph === 'queued')
			return { status: 'IN_QUEUE', ...base, queue_position: this.queuePosition(job, t) };
		if (ph === 'running') {
			return { status: 'IN_PROGRESS', ...base, ...(logs ? { logs: this.falLogs(job, t) } : {}) };
		}
		const failed = ph === 'failed';
		return {
			status: 'COMPLETED',
			...base,
			...(logs ? { logs: this.falLogs(job, t) } : {}),
			metrics: { inference_time: this.inferenceMs(job) / 1000 },
			// §2.4: COMPLETED carries error/error_type when the request finished with an error
			error: failed ? this.jobError(job) : null,
			error_type: failed ? (job.cancelled ? 'request_cancelled' : 'app_error') : null,
		};
	}

	/**
	 * The result, laid out by the endpoint's Output schema (§4.2 for Lynx: `{video, seed}`):
	 * a File object per file property (a one-element list for a list of files), `seed` where
	 * the schema has one, a plausible value for the other required fields. `emptyOutputs`
	 * leaves the files out.
	 */
	private falOutput(job: Job): Record<string, unknown> {
		const seed = job.plan.bigSeed ? rawInt(job.plan.bigSeed) : job.seed;
		const out: Record<string, unknown> = {};
		for (const p of job.falShape) {
			if (p.kind === 'seed') {
				out[p.name] = seed;
			} else if (p.kind === 'value') {
				out[p.name] = p.value;
			} else if (!job.plan.emptyOutputs) {
				const f = job.files.find((x) => x.key === p.name);
				if (f) out[p.name] = p.array ? [this.falFile(job, f)] : this.falFile(job, f);
			}
		}
		return out;
	}

	private falErrorDetail(job: Job): Record<string, unknown> {
		// §2.8: model errors come as FastAPI/Pydantic-style detail lists
		if (job.detail && !job.cancelled) return { detail: job.detail };
		return { detail: [{ loc: ['body'], msg: this.jobError(job), type: 'value_error' }] };
	}

	// --- faults ------------------------------------------------------------------------------

	private takeFault(provider: Provider | undefined, kind: RequestKind): Fault | undefined {
		let chosen: Fault | undefined;
		for (const a of this.faults) {
			if (a.fault.kind !== kind) continue;
			if (a.fault.provider !== undefined && a.fault.provider !== provider) continue;
			if (a.skip > 0) {
				a.skip--;
				continue;
			}
			if (!chosen && a.left > 0) {
				chosen = a.fault;
				a.left--;
			}
		}
		this.faults = this.faults.filter((a) => a.left > 0);
		return chosen;
	}

	private faultEffect(f: Fault): FaultEffect {
		if (f.reset) return 'reset';
		if (f.malformed) return 'malformed';
		if (f.envelopeCode !== undefined) return 'envelope';
		if (f.echoAuth) return 'status';
		if (f.redirect !== undefined) return 'redirect';
		if (f.status !== undefined || f.body !== undefined || f.retryAfter !== undefined)
			return 'status';
		if (f.truncate) return 'truncate';
		if (f.stallAfterBytes !== undefined) return 'stall';
		if (f.hangMs !== undefined) return 'none';
		return 'status';
	}

	/** Provider-shaped error body: WS envelope (§1.10), fal `detail` (§2.8), plain text for files. */
	private defaultErrorBody(provider: Provider | 'files', status: number): Reply {
		const text = http.STATUS_CODES[status] ?? 'Error';
		if (provider === 'wavespeed')
			return { status, json: { code: status, message: text, data: null } };
		if (provider === 'fal') {
			const errorType =
				status === 504
					? 'request_timeout'
					: status === 503
						? 'runner_scheduling_failure'
						: undefined;
			return {
				status,
				json: errorType ? { detail: text, error_type: errorType } : { detail: text },
				headers: errorType ? { 'x-fal-error-type': errorType } : {},
			};
		}
		return { status, raw: text, headers: { 'content-type': 'text/plain' } };
	}

	private applyFault(ctx: Ctx, f: Fault, effect: FaultEffect): void {
		const { route } = ctx;
		const extra: Record<string, string> = {};
		if (f.retryAfter !== undefined) extra['retry-after'] = String(f.retryAfter);
		switch (effect) {
			case 'reset':
				ctx.rec.status = 0;
				ctx.req.socket.destroy();
				return;
			case 'malformed': {
				const raw =
					route.provider === 'fal'
						? '{"request_id":"'
						: '{"code":200,"message":"success","data":{"id":';
				this.send(ctx, {
					status: 200,
					raw,
					headers: { 'content-type': 'application/json', ...extra },
				});
				return;
			}
			case 'envelope': {
				// §1.3: official clients treat code !== 200 in an HTTP-200 envelope as an error
				const code = f.envelopeCode ?? 500;
				const message =
					code === 401
						? 'Invalid API key'
						: code === 402
							? 'Insufficient balance'
							: code === 429
								? 'Too many requests'
								: (http.STATUS_CODES[code] ?? 'error');
				this.send(ctx, { status: 200, json: { code, message, data: null }, headers: extra });
				return;
			}
			case 'redirect': {
				const { pathname, search } = ctx.url;
				const location =
					f.redirect === 'other-origin'
						? `${this.other.url}${pathname}${search}`
						: `${pathname}${search ? `${search}&` : '?'}redirected=1`;
				this.send(ctx, {
					status: f.status ?? 302,
					raw: '',
					headers: { location, 'content-type': 'text/plain', ...extra },
				});
				return;
			}
			default: {
				const status = f.status ?? (f.echoAuth ? 401 : f.retryAfter !== undefined ? 429 : 500);
				const reply: Reply =
					f.body !== undefined
						? { status, json: f.body }
						: f.echoAuth
							? this.echoAuthBody(ctx, status)
							: this.defaultErrorBody(route.provider, status);
				reply.headers = { ...(reply.headers ?? {}), ...extra };
				this.send(ctx, reply);
			}
		}
	}

	/** An error answer that quotes the received Authorization header back (an `echoAuth` fault). */
	private echoAuthBody(ctx: Ctx, status: number): Reply {
		const auth = headerString(ctx.req.headers.authorization);
		const text = `credentials not accepted: "${auth}"`;
		if (ctx.route.provider === 'wavespeed')
			return { status, json: { code: status, message: text, data: { authorization: auth } } };
		return {
			status,
			json: { detail: [{ loc: ['header', 'authorization'], msg: text, input: auth }], error_type: 'auth_error' },
		};
	}

	/** Resolves true when the wait ended normally, false when the client went away. */
	private hang(res: http.ServerResponse, ms: number): Promise<boolean> {
		return new Promise((resolve) => {
			if (res.destroyed || res.writableEnded) {
				resolve(false);
				return;
			}
			const onClose = () => {
				this.clearTimer(timer);
				resolve(false);
			};
			const timer = this.later(ms, () => {
				res.off('close', onClose);
				resolve(!res.destroyed);
			});
			res.once('close', onClose);
		});
	}

	// --- request pipeline --------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const at = Date.now();
		const url = new URL(req.url ?? '/', this.url);
		const method = (req.method ?? 'GET').toUpperCase();
		if (url.pathname.startsWith('/__control/') || url.pathname === '/__control') {
			await this.control(req, res, url, method);
			return;
		}
		const route = this.classify(method, url.pathname);
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) headers[k] = headerString(v);
		const rec: RecordedRequest = {
			provider: route.provider,
			kind: route.kind,
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers,
			body: undefined,
			jobId: route.jobId,
			model: route.model ?? (route.jobId ? this.jobMap.get(route.jobId)?.model : undefined),
			status: 0,
			at,
		};
		this.requests.push(rec);
		this.owners.set(rec, route.owner);

		const raw = await readBody(req);
		if (raw === null) {
			rec.body = { bytes: -1, contentType: headers['content-type'] ?? '' };
			const ctx: Ctx = { req, res, url, route, rec, raw: Buffer.alloc(0) };
			this.send(ctx, {
				status: 413,
				raw: 'Payload Too Large',
				headers: { 'content-type': 'text/plain' },
			});
			return;
		}
		rec.body = recordBody(raw, headers['content-type'] ?? '');
		const ctx: Ctx = { req, res, url, route, rec, raw };

		// What the second origin forwards is answered as it is: one redirect hop, not a loop.
		const forwarded = req.headers[FORWARDED_HEADER] !== undefined;
		const fault = forwarded ? undefined : this.takeFault(route.owner, route.kind);
		if (!fault) {
			this.deliver(ctx, this.dispatch(ctx), { truncate: false });
			return;
		}
		const effect = this.faultEffect(fault);
		if (fault.acceptThenFail && route.kind === 'submit') {
			// the job IS created (and runs); only the answer is lost/wrong
			const real = this.dispatch(ctx);
			if (fault.hangMs !== undefined && !(await this.hang(res, fault.hangMs))) return;
			if (effect === 'none') this.deliver(ctx, real, { truncate: false });
			else this.applyFault(ctx, fault, effect);
			return;
		}
		// a plain hang happens before processing: if the client gives up, nothing is processed
		if (fault.hangMs !== undefined && !(await this.hang(res, fault.hangMs))) return;
		if (effect === 'none' || effect === 'truncate' || effect === 'stall') {
			this.deliver(ctx, this.dispatch(ctx), {
				truncate: effect === 'truncate',
				stallAfterBytes: effect === 'stall' ? fault.stallAfterBytes : undefined,
			});
			return;
		}
		this.applyFault(ctx, fault, effect);
	}

	private deliver(ctx: Ctx, result: Reply | Custom, fault: StreamFault): void {
		if ('custom' in result) result.custom(fault);
		else this.send(ctx, result);
	}

	private send(ctx: Ctx, reply: Reply): void {
		const { res, rec } = ctx;
		if (res.headersSent || res.destroyed) return;
		const headers: Record<string, string> = { ...(reply.headers ?? {}) };
		let payload: Buffer;
		if (reply.raw !== undefined) {
			payload = Buffer.isBuffer(reply.raw) ? reply.raw : Buffer.from(reply.raw, 'utf8');
		} else if (reply.json !== undefined) {
			payload = Buffer.from(toJson(reply.json), 'utf8');
			if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
				headers['content-type'] = 'application/json';
			}
		} else {
			payload = Buffer.alloc(0);
		}
		headers['content-length'] = String(payload.length);
		rec.status = reply.status;
		res.writeHead(reply.status, headers);
		res.end(ctx.req.method === 'HEAD' ? undefined : payload);
	}

	private classify(method: string, path: string): Route {
		const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
		if (under('/wavespeed')) {
			const m = /^\/wavespeed\/api\/v3\/(.*?)\/*$/.exec(path);
			const unknown: Route = {
				provider: 'wavespeed',
				owner: 'wavespeed',
				kind: 'unknown',
				op: 'ws-unknown',
			};
			if (!m) return unknown;
			const p = m[1];
			const pred = /^predictions\/([^/]+)(?:\/result)?$/.exec(p);
			const base = { provider: 'wavespeed' as const, owner: 'wavespeed' as const };
			if (method === 'GET' && pred)
				return { ...base, kind: 'result', op: 'ws-result', jobId: safeDecode(pred[1]) };
			if (method === 'POST' && p === 'media/upload/binary')
				return { ...base, kind: 'upload', op: 'ws-upload' };
			if (method === 'POST' && p === 'media/uploads')
				return { ...base, kind: 'upload', op: 'ws-upload-ticket' };
			if (method === 'POST' && p === 'model/price') return { ...base, kind: 'price', op: 'ws-price' };
			if (method === 'GET' && p === 'models') return { ...base, kind: 'catalog', op: 'ws-models' };
			if (method === 'GET' && p === 'balance')
				return { ...base, kind: 'balance', op: 'ws-balance' };
			if (method === 'GET' && p === 'webhook/secret')
				return { ...base, kind: 'secret', op: 'ws-secret' };
			if (
				method === 'POST' &&
				p !== '' &&
				!p.startsWith('predictions/') &&
				!p.startsWith('media/')
			) {
				return { ...base, kind: 'submit', op: 'ws-submit', model: safeDecode(p) };
			}
			return unknown;
		}
		if (under('/fal-queue')) {
			const rest = path.slice('/fal-queue/'.length).replace(/\/+$/, '');
			const base = { provider: 'fal' as const, owner: 'fal' as const };
			const i = rest.indexOf('/requests/');
			if (i >= 0) {
				const app = rest.slice(0, i);
				const tail = rest.slice(i + '/requests/'.length).split('/');
				const jobId = safeDecode(tail[0]);
				const common = { ...base, model: app, jobId, arg: app };
				if (method === 'GET' && tail.length === 1)
					return { ...common, kind: 'result', op: 'fal-result' };
				if (method === 'GET' && tail.length === 2 && tail[1] === 'status') {
					return { ...common, kind: 'status', op: 'fal-status' };
				}
				if (method === 'GET' && tail.length === 3 && tail[1] === 'status' && tail[2] === 'stream') {
					return { ...common, kind: 'stream', op: 'fal-stream' };
				}
				if (method === 'PUT' && tail.length === 2 && tail[1] === 'cancel') {
					return { ...common, kind: 'cancel', op: 'fal-cancel' };
				}
				return { ...base, kind: 'unknown', op: 'fal-unknown', jobId };
			}
			if (method === 'POST' && rest !== '')
				return { ...base, kind: 'submit', op: 'fal-submit', model: rest };
			return { ...base, kind: 'unknown', op: 'fal-unknown' };
		}
		if (under('/fal-api')) {
			const base = { provider: 'fal' as const, owner: 'fal' as const };
			const p = path.slice('/fal-api'.length).replace(/\/+$/, '');
			if (method === 'GET' && p === '/v1/models/pricing') return { ...base, kind: 'price', op: 'fal-price' };
			if (method === 'GET' && p === '/v1/models') return { ...base, kind: 'catalog', op: 'fal-models' };
			if (method === 'GET' && p === '/v1/account/billing') return { ...base, kind: 'balance', op: 'fal-billing' };
			return { ...base, kind: 'unknown', op: 'fal-unknown' };
		}
		if (under('/fal-rest')) {
			const base = { provider: 'fal' as const, owner: 'fal' as const };
			if (method === 'GET' && /^\/fal-rest\/billing\/user_balance\/?$/.test(path)) {
				return { ...base, kind: 'balance', op: 'fal-user-balance' };
			}
			if (method === 'POST' && /^\/fal-rest\/storage\/upload\/initiate\/?$/.test(path)) {
				return { ...base, kind: 'storage-initiate', op: 'fal-initiate' };
			}
			if (method === 'GET' && path === '/fal-rest/.well-known/jwks.json')
				return { ...base, kind: 'jwks', op: 'fal-jwks' };
			return { ...base, kind: 'unknown', op: 'fal-unknown' };
		}
		if (under('/files')) {
			const seg = path.split('/').slice(2);
			const get = method === 'GET' || method === 'HEAD';
			const video = /^([^/]+)\.mp4$/.exec(seg[1] ?? '');
			if (get && seg.length === 2 && (seg[0] === 'wavespeed' || seg[0] === 'fal') && video) {
				const owner = seg[0] as Provider;
				return {
					provider: 'files',
					owner,
					kind: 'download',
					op: 'video',
					jobId: safeDecode(video[1]),
				};
			}
			if (get && seg.length === 3 && (seg[0] === 'wavespeed' || seg[0] === 'fal') && seg[2] !== '') {
				// the other files of a job: /files/{provider}/{id}/{name} (thumbnail.png, audio.mp3 …)
				return {
					provider: 'files',
					owner: seg[0] as Provider,
					kind: 'download',
					op: 'output',
					jobId: safeDecode(seg[1]),
					arg: safeDecode(seg[2]),
				};
			}
			if (get && seg.length >= 2 && seg[0] === 'uploads') {
				return {
					provider: 'files',
					owner: 'wavespeed',
					kind: 'download',
					op: 'file',
					arg: `ws:${seg[1]}`,
				};
			}
			if (get && seg.length >= 2 && seg[0] === 'fal-cdn') {
				return {
					provider: 'files',
					owner: 'fal',
					kind: 'download',
					op: 'file',
					arg: `fal:${seg[1]}`,
				};
			}
			if (method === 'PUT' && seg.length === 2 && seg[0] === 'fal-upload') {
				return { provider: 'files', owner: 'fal', kind: 'upload-put', op: 'put', arg: seg[1] };
			}
			if (method === 'PUT' && seg.length === 2 && seg[0] === 'ws-upload') {
				return {
					provider: 'files',
					owner: 'wavespeed',
					kind: 'upload-put',
					op: 'put',
					arg: seg[1],
				};
			}
		}
		return { provider: 'files', kind: 'unknown', op: 'unknown' };
	}

	private dispatch(ctx: Ctx): Reply | Custom {
		switch (ctx.route.op) {
			case 'ws-submit':
				return this.wsSubmit(ctx);
			case 'ws-result':
				return this.wsResult(ctx);
			case 'ws-upload':
				if (this.binaryUploadRetired) return { status: 404, json: { code: 404, message: 'Not Found', data: null } };
				return this.wsUpload(ctx);
			case 'ws-upload-ticket':
				return this.wsUploadTicket(ctx);
			case 'ws-balance':
				return (
					this.wsAuthed(ctx) ?? {
						status: 200,
						json: { code: 200, message: 'success', data: { balance: this.billing.balances.wavespeed } },
					}
				);
			case 'ws-price':
				return this.wsPrice(ctx);
			case 'ws-models':
				// §10: the whole catalogue in one answer, every model with its request schema
				return (
					this.wsAuthed(ctx) ?? {
						status: 200,
						json: { code: 200, message: 'success', data: this.models.waveSpeedModels() },
					}
				);
			case 'fal-models':
				return this.falModelsList(ctx);
			case 'fal-price':
				return this.falPrice(ctx);
			case 'fal-billing':
				return this.falBilling(ctx);
			case 'fal-user-balance':
				return this.falAuthed(ctx) ?? { status: 200, raw: String(this.billing.balances.fal), headers: { 'content-type': 'application/json' } };
			case 'ws-secret':
				// §1.7: secret source GET /api/v3/webhook/secret, parsed as data.secret
				return (
					this.wsAuthed(ctx) ?? {
						status: 200,
						json: { code: 200, message: 'success', data: { secret: this.wavespeed.webhookSecret } },
					}
				);
			case 'ws-unknown':
				return { status: 404, json: { code: 404, message: 'Not Found', data: null } };
			case 'fal-submit':
				return this.falSubmit(ctx);
			case 'fal-status':
			case 'fal-stream':
			case 'fal-result':
			case 'fal-cancel':
				return this.falRequest(ctx);
			case 'fal-initiate':
				return this.falInitiate(ctx);
			case 'fal-jwks':
				return { status: 200, json: this.jwks(), headers: { 'cache-control': 'max-age=3600' } };
			case 'fal-unknown':
				return { status: 404, json: { detail: 'Not Found' } };
			case 'video':
				return this.videoDownload(ctx);
			case 'output':
				return this.outputDownload(ctx);
			case 'file':
				return this.fileDownload(ctx);
			case 'put':
				return this.uploadPut(ctx);
			default:
				return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
		}
	}

	// --- WaveSpeed ---------------------------------------------------------------------------

	/** §1.2: `Authorization: Bearer <key>`; returns the 401 reply, or undefined when authorised. */
	private wsAuthed(ctx: Ctx): Reply | undefined {
		const h = ctx.req.headers.authorization;
		if (
			typeof h === 'string' &&
			h.startsWith('Bearer ') &&
			h.slice('Bearer '.length) === this.wavespeed.apiKey
		) {
			return undefined;
		}
		return { status: 401, json: { code: 401, message: 'Invalid API key' } };
	}

	private wsSubmit(ctx: Ctx): Reply {
		const denied = this.wsAuthed(ctx);
		if (denied) return denied;
		const model = ctx.route.model ?? '';
		const entry = this.models.waveSpeedModel(model);
		if (!entry) return { status: 404, json: { code: 404, message: `Model not found: ${model}` } };
		const parsed = parseJson(ctx.raw);
		if (!parsed.ok || !isObject(parsed.value)) {
			return {
				status: 400,
				json: { code: 400, message: 'Invalid request body: expected a JSON object' },
			};
		}
		// The body is checked against the model's own request schema before any job exists.
		const schema = waveSpeedSchemaOf(entry);
		const problem = schema ? checkWaveSpeedInput(schema, parsed.value) : undefined;
		if (problem) return { status: 400, json: { code: 400, message: problem } };
		const webhook = ctx.url.searchParams.get('webhook') ?? undefined;
		if (webhook !== undefined && !isHttpUrl(webhook)) {
			return { status: 400, json: { code: 400, message: 'Invalid webhook URL' } };
		}
		if (webhook !== undefined && parsed.value.enable_base64_output === true) {
			// §1.6: base64 output is rejected together with a webhook
			return {
				status: 400,
				json: {
					error:
						'webhook callback does not support base64 output, please use the normal API to use base64 output',
				},
			};
		}
		const priced = withWaveSpeedDefaults(entry, parsed.value);
		if (!this.billing.charge('wavespeed', this.billing.jobPrice('wavespeed', model, priced))) {
			return { status: 402, json: WAVESPEED_NO_CREDIT };
		}
		const job = this.createJob('wavespeed', model, parsed.value, webhook);
		ctx.rec.jobId = job.id;
		// §1.3: the submit answer always says "created" with no outputs yet
		const data = {
			...this.wsPrediction(job, job.createdAt),
			status: 'created',
			outputs: [],
			has_nsfw_contents: [],
		};
		return { status: 200, json: { code: 200, message: 'success', data } };
	}

	private wsResult(ctx: Ctx): Reply {
		const denied = this.wsAuthed(ctx);
		if (denied) return denied;
		const job = this.jobMap.get(ctx.route.jobId ?? '');
		if (!job || job.provider !== 'wavespeed') {
			return { status: 404, json: { code: 404, message: 'Prediction not found' } };
		}
		ctx.rec.model = job.model;
		return { status: 200, json: { code: 200, message: 'success', data: this.wsPrediction(job) } };
	}

	/** §1.8 A: multipart upload, field "file". */
	private wsUpload(ctx: Ctx): Reply {
		const denied = this.wsAuthed(ctx);
		if (denied) return denied;
		const parts = parseMultipart(ctx.raw, ctx.req.headers['content-type'] ?? '');
		if (!parts)
			return {
				status: 400,
				json: { code: 400, message: 'Content-Type must be multipart/form-data' },
			};
		const file = parts.find((p) => p.name === 'file');
		if (!file)
			return { status: 400, json: { code: 400, message: 'No file provided (form field "file")' } };
		const filename = file.filename || 'file';
		const contentType = file.contentType || 'application/octet-stream';
		const n = String(++this.uploadCounter);
		this.files.set(`ws:${n}`, { bytes: Buffer.from(file.data), contentType, filename });
		return {
			status: 200,
			json: {
				code: 200,
				message: 'success',
				data: {
					type: fileKind(contentType),
					download_url: `${this.url}/files/uploads/${n}/${encodeURIComponent(filename)}`,
					filename,
					size: file.data.length,
				},
			},
		};
	}

	/** §1.8 B: ticket upload (JSON → presigned PUT). */
	/** `POST /api/v3/model/price {model_id, inputs}` → `data: {model_id, price, discounted_price}`. */
	private wsPrice(ctx: Ctx): Reply {
		const denied = this.wsAuthed(ctx);
		if (denied) return denied;
		const parsed = parseJson(ctx.raw);
		const body = parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
		const model = typeof body?.model_id === 'string' ? body.model_id : '';
		const inputs = isObject(body?.inputs) ? body.inputs : {};
		if (!this.models.waveSpeedModel(model) && !this.billing.hasWaveSpeedRule(model)) {
			return { status: 404, json: { code: 404, message: `Model not found: ${model}` } };
		}
		const price = this.billing.waveSpeedPrice(model, inputs);
		// A catalogue model without a known price (fixture rule `unknown`, or a table without
		// this row) is answered as an unknown one: 404 (assumed; the real API always has a formula).
		if (price === undefined) return { status: 404, json: { code: 404, message: `No price for model: ${model}` } };
		return {
			status: 200,
			json: { code: 200, message: 'success', data: { model_id: model, price, discounted_price: price, currency: 'USD' } },
		};
	}

	/** `GET /v1/models/pricing?endpoint_id=` → `{prices: [{endpoint_id, unit_price, unit, currency}]}`. */
	private falPrice(ctx: Ctx): Reply {
		const denied = this.falAuthed(ctx);
		if (denied) return { status: 401, json: { error: { type: 'authorization_error', message: 'Unauthorized' } } };
		const ids = multiValues(ctx.url.searchParams, 'endpoint_id');
		if (!ids.length) return { status: 400, json: { error: { type: 'validation_error', message: 'endpoint_id is required' } } };
		if (ids.length > 50) return { status: 400, json: { error: { type: 'validation_error', message: `endpoint_id accepts 1-50 values, got ${ids.length}` } } };
		const prices = ids.map((id) => this.billing.falUnitPrice(id)).filter((p) => p !== undefined);
		if (!prices.length) return { status: 404, json: { error: { type: 'not_found', message: 'No pricing found' } } };
		return { status: 200, json: { prices, next_cursor: null, has_more: false } };
	}

	/**
	 * `GET /v1/models` (§9): authentication is optional there (a key only raises rate limits),
	 * but a key that is given must be valid (401 otherwise). Search, find, paging and
	 * `expand` as in models.ts `falModelsAnswer`.
	 */
	private falModelsList(ctx: Ctx): Reply {
		const auth = ctx.req.headers.authorization;
		const given = typeof auth === 'string' && auth.trim() !== '';
		if (given && !this.falAccount(ctx)) {
			return { status: 401, json: { error: { type: 'authorization_error', message: 'Invalid API key' } } };
		}
		return falModelsAnswer(this.models.falModels(), ctx.url.searchParams, given);
	}

	/** `GET /v1/account/billing?expand=credits`: fal shows it to admin keys only. */
	private falBilling(ctx: Ctx): Reply {
		const auth = ctx.req.headers.authorization;
		if (auth === `Key ${this.fal.adminKey}`) {
			const expand = ctx.url.searchParams.get('expand') ?? '';
			return {
				status: 200,
				json: {
					username: this.fal.userId,
					...(expand.split(',').includes('credits')
						? { credits: { current_balance: this.billing.balances.fal, currency: 'USD' } }
						: {}),
				},
			};
		}
		if (auth === `Key ${this.fal.apiKey}`) {
			return { status: 403, json: { error: { type: 'authorization_error', message: 'Access denied' } } };
		}
		return { status: 401, json: { error: { type: 'authorization_error', message: 'Unauthorized' } } };
	}

	private wsUploadTicket(ctx: Ctx): Reply {
		const denied = this.wsAuthed(ctx);
		if (denied) return denied;
		const parsed = parseJson(ctx.raw);
		const body = parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
		if (!body || typeof body.filename !== 'string' || body.filename === '') {
			return { status: 400, json: { code: 400, message: 'filename is required' } };
		}
		const filename = body.filename;
		const contentType =
			typeof body.content_type === 'string' ? body.content_type : 'application/octet-stream';
		const n = String(++this.uploadCounter);
		const token = crypto.randomBytes(12).toString('hex');
		this.pending.set(token, { target: 'ws', key: `ws:${n}`, filename, contentType });
		return {
			status: 200,
			json: {
				code: 200,
				message: 'success',
				data: {
					type: fileKind(contentType),
					download_url: `${this.url}/files/uploads/${n}/${encodeURIComponent(filename)}`,
					filename,
					size: typeof body.size === 'number' ? body.size : 0,
					upload: {
						method: 'PUT',
						url: `${this.url}/files/ws-upload/${token}`,
						headers: { 'Content-Type': contentType },
					},
				},
			},
		};
	}

	// --- fal ---------------------------------------------------------------------------------

	/** §2.2: `Authorization: Key <key>`; strict (a wrong or missing key always fails). */
	private falAuthed(ctx: Ctx): Reply | undefined {
		return this.falAccount(ctx) ? undefined : { status: 401, json: { detail: 'Unauthorized' } };
	}

	/** Which fal account the request's key belongs to. */
	private falAccount(ctx: Ctx): 'main' | 'other' | undefined {
		const h = ctx.req.headers.authorization;
		if (typeof h !== 'string' || !h.startsWith('Key ')) return undefined;
		const key = h.slice('Key '.length);
		// The admin key is the main account's key with billing rights besides.
		if (key === this.fal.apiKey || key === this.fal.adminKey) return 'main';
		return key === this.fal.otherApiKey ? 'other' : undefined;
	}

	private falSubmit(ctx: Ctx): Reply {
		const denied = this.falAuthed(ctx);
		if (denied) return denied;
		const app = ctx.route.model ?? '';
		const endpoint = this.models.falModel(app);
		if (!endpoint) return { status: 404, json: { detail: 'Application not found' } };
		const parsed = parseJson(ctx.raw);
		if (!parsed.ok || !isObject(parsed.value)) {
			return {
				status: 422,
				json: {
					detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }],
				},
			};
		}
		const webhook = ctx.url.searchParams.get('fal_webhook') ?? undefined;
		if (webhook !== undefined && !isHttpUrl(webhook))
			return { status: 400, json: { detail: 'Invalid webhook URL' } };
		// The body is checked against the endpoint's input schema (FastAPI + Pydantic): at submit
		// (422, no job), or, with falValidation 'result', by the job, which then fails with it.
		const detail = checkFalInput(endpoint, parsed.value);
		if (detail.length && this.falValidation === 'submit') return { status: 422, json: { detail } };
		const price = detail.length ? 0 : this.billing.jobPrice('fal', app, withFalDefaults(endpoint, parsed.value));
		if (!this.billing.charge('fal', price)) {
			return { status: 403, json: FAL_LOCKED };
		}
		const job = this.createJob('fal', app, parsed.value, webhook, this.falAccount(ctx), detail);
		ctx.rec.jobId = job.id;
		// §2.4 submit response
		return {
			status: 200,
			json: {
				status: 'IN_QUEUE',
				...this.falUrls(job),
				gateway_request_id: job.id,
				queue_position: this.queuePosition(job, job.createdAt),
			},
			headers: { 'x-fal-request-id': job.id },
		};
	}

	private falRequest(ctx: Ctx): Reply | Custom {
		const denied = this.falAuthed(ctx);
		if (denied) return denied;
		const app = ctx.route.arg ?? '';
		if (!this.models.isFalApp(app)) return { status: 404, json: { detail: 'Application not found' } };
		const job = this.jobMap.get(ctx.route.jobId ?? '');
		// Another account's request is as unknown as one that does not exist. The path names the
		// job's app as {owner}/{alias} (what fal's URLs say) or as the whole endpoint id.
		if (
			!job ||
			job.provider !== 'fal' ||
			(job.model !== app && falOwnerAlias(job.model) !== app) ||
			job.account !== this.falAccount(ctx)
		) {
			return { status: 404, json: { detail: 'Request not found', status: 'NOT_FOUND' } };
		}
		ctx.rec.model = job.model;
		const idHeader = { 'x-fal-request-id': job.id };
		const logs = ['1', 'true'].includes((ctx.url.searchParams.get('logs') ?? '').toLowerCase());
		const now = Date.now();
		const ph = this.phase(job, now);
		switch (ctx.route.op) {
			case 'fal-status':
				// §2.4: 202 while queued or running, 200 when COMPLETED
				return {
					status: ph === 'queued' || ph === 'running' ? 202 : 200,
					json: this.falStatus(job, now, logs),
					headers: idHeader,
				};
			case 'fal-stream':
				return { custom: () => this.runSse(ctx, job, logs) };
			case 'fal-result':
				if (ph === 'queued' || ph === 'running') {
					return {
						status: 400,
						json: { detail: 'Request is still in progress' },
						headers: idHeader,
					};
				}
				if (ph === 'failed')
					return { status: 422, json: this.falErrorDetail(job), headers: idHeader };
				return { status: 200, json: this.falOutput(job), headers: idHeader };
			default: {
				// cancel, §2.4 table
				if (ph === 'queued' || ph === 'running') {
					this.cancelJob(job);
					return { status: 202, json: { status: 'CANCELLATION_REQUESTED' }, headers: idHeader };
				}
				return { status: 400, json: { status: 'ALREADY_COMPLETED' }, headers: idHeader };
			}
		}
	}

	private cancelJob(job: Job): void {
		const now = Date.now();
		job.cancelled = true;
		job.endsAt = now;
		if (job.timer) this.clearTimer(job.timer);
		job.timer = undefined;
		this.onTerminal(job);
	}

	/** §2.5 / brief: SSE status stream. */
	private runSse(ctx: Ctx, job: Job, logs: boolean): void {
		const { res, rec } = ctx;
		rec.status = 200;
		res.writeHead(200, {
			'content-type': 'text/event-stream',
			'cache-control': 'no-cache',
			connection: 'keep-alive',
			'x-fal-request-id': job.id,
		});
		let last = '';
		let done = false;
		const stop = () => {
			done = true;
			this.clearTimer(check);
			this.clearTimer(ping);
		};
		const tick = () => {
			if (done) return;
			const j = this.jobMap.get(job.id);
			if (!j || res.destroyed) {
				stop();
				res.end();
				return;
			}
			const now = Date.now();
			const snap = JSON.stringify(this.falStatus(j, now, logs));
			if (snap !== last) {
				last = snap;
				res.write(`data: ${snap}\n\n`);
			}
			const ph = this.phase(j, now);
			if (ph === 'completed' || ph === 'failed') {
				stop();
				res.end();
			}
		};
		const check = this.every(20, tick);
		const ping = this.every(Math.max(250, 1000 * this.timeScale), () => {
			if (!done && !res.destroyed) res.write(': ping\n\n');
		});
		res.on('close', stop);
		tick();
	}

	/** §2.7 storage upload: initiate → PUT upload_url → file_url. */
	private falInitiate(ctx: Ctx): Reply {
		const denied = this.falAuthed(ctx);
		if (denied) return denied;
		const parsed = parseJson(ctx.raw);
		const body = parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
		if (!body) {
			return {
				status: 422,
				json: { detail: [{ loc: ['body'], msg: 'Field required', type: 'missing' }] },
			};
		}
		const contentType =
			typeof body.content_type === 'string' ? body.content_type : 'application/octet-stream';
		const filename =
			typeof body.file_name === 'string' && body.file_name !== '' ? body.file_name : 'upload.bin';
		const token = crypto.randomBytes(12).toString('hex');
		this.pending.set(token, { target: 'fal', key: `fal:${token}`, filename, contentType });
		return {
			status: 200,
			json: {
				upload_url: `${this.url}/files/fal-upload/${token}`,
				file_url: `${this.url}/files/fal-cdn/${token}/${encodeURIComponent(filename)}`,
			},
		};
	}

	// --- files -------------------------------------------------------------------------------

	private uploadPut(ctx: Ctx): Reply {
		const p = this.pending.get(ctx.route.arg ?? '');
		if (!p) return { status: 404, raw: 'NoSuchUpload', headers: { 'content-type': 'text/plain' } };
		const contentType = ctx.req.headers['content-type'] || p.contentType;
		this.files.set(p.key, { bytes: ctx.raw, contentType, filename: p.filename });
		return { status: 200, headers: { etag: `"${sha256hex(ctx.raw).slice(0, 32)}"` } };
	}

	private fileDownload(ctx: Ctx): Reply | Custom {
		const f = this.files.get(ctx.route.arg ?? '');
		if (!f) return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
		return {
			custom: (fault) =>
				this.streamDownload(
					ctx,
					f.bytes.length,
					f.contentType,
					(s, e) => Readable.from([f.bytes.subarray(s, e)]),
					fault,
				),
		};
	}

	private videoDownload(ctx: Ctx): Reply | Custom {
		const job = this.jobMap.get(ctx.route.jobId ?? '');
		if (
			!job ||
			job.provider !== ctx.route.owner ||
			this.phase(job) !== 'completed' ||
			job.plan.emptyOutputs ||
			!job.files.some((f) => f.main)
		) {
			return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
		}
		ctx.rec.model = job.model;
		const clip = this.demoClip;
		const size = clip ? clip.length : Math.max(0, Math.floor(job.plan.videoBytes));
		const { fill, chunked, gzip } = job.plan;
		return {
			custom: (fault) =>
				this.streamDownload(
					ctx,
					size,
					job.plan.contentType,
					(s, e) =>
						clip ? Readable.from([clip.subarray(s, e)]) : videoStream(job.id, size, s, e, fill),
					fault,
					{ chunked, gzip },
				),
		};
	}

	/** A job's other files: /files/{provider}/{id}/{name} (images, audio, further videos). */
	private outputDownload(ctx: Ctx): Reply | Custom {
		const job = this.jobMap.get(ctx.route.jobId ?? '');
		const f = job?.files.find((x) => !x.main && x.name === ctx.route.arg);
		if (
			!job ||
			!f ||
			job.provider !== ctx.route.owner ||
			this.phase(job) !== 'completed' ||
			job.plan.emptyOutputs
		) {
			return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
		}
		ctx.rec.model = job.model;
		ctx.rec.jobId = job.id;
		const bytes = this.fileBytes(job, f);
		const contentType = this.fileContentType(job, f);
		const make = bytes
			? (s: number, e: number) => Readable.from([bytes.subarray(s, e)])
			: (s: number, e: number) => videoStream(`${job.id}/${f.name}`, SECONDARY_VIDEO_BYTES, s, e);
		const size = bytes?.length ?? SECONDARY_VIDEO_BYTES;
		return { custom: (fault) => this.streamDownload(ctx, size, contentType, make, fault) };
	}

	private streamDownload(
		ctx: Ctx,
		size: number,
		contentType: string,
		make: (start: number, end: number) => Readable,
		fault: StreamFault,
		file: { chunked?: boolean; gzip?: boolean } = {},
	): void {
		const { req, res, rec } = ctx;
		if (res.destroyed) return;
		let start = 0;
		let end = size;
		let status = 200;
		const headers: Record<string, string> = { 'content-type': contentType };
		if (!file.gzip) headers['accept-ranges'] = 'bytes';
		const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? '').trim());
		if (!file.gzip && range && (range[1] !== '' || range[2] !== '')) {
			if (range[1] === '') {
				start = Math.max(0, size - Number(range[2]));
			} else {
				start = Number(range[1]);
				if (range[2] !== '') end = Math.min(size, Number(range[2]) + 1);
			}
			if (start >= size || start >= end) {
				rec.status = 416;
				res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' });
				res.end();
				return;
			}
			status = 206;
			headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
		}
		if (file.gzip) headers['content-encoding'] = 'gzip';
		else if (!file.chunked) headers['content-length'] = String(end - start);
		rec.status = status;
		rec.bytesSent = 0;
		res.writeHead(status, headers);
		if (req.method === 'HEAD') {
			res.end();
			return;
		}
		// truncate: announce the full length, send half, then close the connection;
		// stall: send the first bytes, then nothing, keeping the connection open.
		let limit = truncate(fault, start, end);
		if (fault.stallAfterBytes !== undefined) limit = Math.min(limit, start + fault.stallAfterBytes);
		const source = make(start, limit);
		// Each gzip chunk is flushed, so a stalled or slow compressed body still arrives.
		const stalls = fault.stallAfterBytes !== undefined;
		const body = file.gzip
			? source.pipe(zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }), { end: !stalls })
			: source;
		body.on('data', (chunk: Buffer) => {
			rec.bytesSent = (rec.bytesSent ?? 0) + chunk.length;
		});
		res.on('close', () => {
			source.destroy();
			body.destroy();
		});
		if (fault.truncate) {
			body.pipe(res, { end: false });
			body.on('end', () => res.socket?.end());
		} else if (stalls) {
			body.pipe(res, { end: false });
		} else {
			body.pipe(res);
		}
	}

	// --- webhooks ----------------------------------------------------------------------------

	private buildCallback(
		job: Job,
		opts: CallbackOptions = {},
	): { headers: Record<string, string>; body: string } {
		const ts = Math.floor(Date.now() / 1000) - Math.floor(opts.staleSeconds ?? 0);
		const end = job.endsAt ?? Date.now();
		const failed = this.phase(job, Math.max(Date.now(), end)) === 'failed';
		if (job.provider === 'wavespeed') {
			// §1.7: bare prediction object (plus the input echo), HMAC-SHA256 over id.ts.body
			const obj = { ...this.wsPrediction(job, Math.max(Date.now(), end)), input: job.input };
			if (opts.early) Object.assign(obj, { status: 'completed', outputs: this.allOutputUrls(job) });
			const signed = opts.forgeSigned ? this.tamper(toJson(obj)) : toJson(obj);
			const secret = opts.wrongKey ? this.wrongWebhookSecret : this.wavespeed.webhookSecret;
			const key = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
			const sig = crypto
				.createHmac('sha256', Buffer.from(key, 'utf8'))
				.update(`${job.id}.${ts}.${signed}`)
				.digest('hex');
			const headers: Record<string, string> = {
				'content-type': 'application/json',
				'user-agent': 'wavespeed-emulator-webhook',
				'webhook-id': job.id,
				'webhook-timestamp': String(ts),
			};
			if (!opts.unsigned) headers['webhook-signature'] = `v3,${sig}`;
			return { headers, body: opts.tamper ? this.tamper(signed) : signed };
		}
		// §2.5 body, §2.6 signature: Ed25519 over request_id\nuser_id\ntimestamp\nsha256hex(body)
		const obj: Record<string, unknown> = failed
			? {
					request_id: job.id,
					gateway_request_id: job.gatewayId,
					status: 'ERROR',
					error: 'Invalid status code: 422',
					payload: this.falErrorDetail(job),
				}
			: {
					request_id: job.id,
					gateway_request_id: job.gatewayId,
					status: 'OK',
					payload: this.falOutput(job),
				};
		const signed = opts.forgeSigned ? this.tamper(toJson(obj)) : toJson(obj);
		const userId = job.account === 'other' ? this.fal.otherUserId : this.fal.userId;
		// After a retry inside fal, the signed header names the last attempt (gateway_request_id).
		const msg = `${job.gatewayId}\n${userId}\n${ts}\n${sha256hex(signed)}`;
		const key = opts.wrongKey ? this.falWrongKeyPair.privateKey : this.falKeyPair.privateKey;
		const sig = crypto.sign(null, Buffer.from(msg, 'utf8'), key).toString('hex');
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'fal-emulator-webhook',
			'x-fal-webhook-request-id': job.gatewayId,
			'x-fal-webhook-user-id': userId,
			'x-fal-webhook-timestamp': String(ts),
		};
		if (!opts.unsigned) headers['x-fal-webhook-signature'] = sig;
		return { headers, body: opts.tamper ? this.tamper(signed) : signed };
	}

	/** A plausible attack: swap the video URL(s) for an attacker's and flag the change. */
	private tamper(signed: string): string {
		const copy = JSON.parse(signed) as Record<string, unknown>;
		if (Array.isArray(copy.outputs) && copy.outputs.length > 0) copy.outputs = [ATTACKER_URL];
		const payload = copy.payload;
		if (isObject(payload)) {
			for (const v of Object.values(payload)) {
				const files = Array.isArray(v) ? v : [v];
				for (const file of files) if (isObject(file) && typeof file.url === 'string') file.url = ATTACKER_URL;
			}
		}
		if (typeof copy.error === 'string' && copy.error !== '')
			copy.error = `${copy.error} (tampered)`;
		copy.tampered = true;
		return JSON.stringify(copy);
	}

	/** Delivery with fal-like redelivery (§2.5: retried on failure), short scaled backoff, bounded. */
	private async autoDeliver(job: Job, gen: number): Promise<void> {
		const url = job.webhook;
		if (!url) return;
		const attempts = CALLBACK_BACKOFF_MS.length + 1;
		for (let attempt = 1; attempt <= attempts; attempt++) {
			if (this.closed || gen !== this.generation || !this.jobMap.has(job.id)) return;
			const fault = this.takeFault(job.provider, 'callback');
			if (fault?.hangMs !== undefined) {
				await this.sleep(fault.hangMs);
				if (this.closed || gen !== this.generation) return;
			}
			const dropped = fault !== undefined && this.faultEffect(fault) !== 'none';
			const msg = this.buildCallback(job);
			const answer = dropped
				? { status: 0, body: 'dropped by injected callback fault' }
				: await this.post(url, msg.headers, msg.body);
			if (this.closed || gen !== this.generation) return;
			this.callbacks.push({
				url,
				jobId: job.id,
				status: answer.status,
				body: answer.body,
				attempt,
				at: Date.now(),
				sentHeaders: msg.headers,
				sentBody: msg.body,
			});
			if (answer.status >= 200 && answer.status < 300) return;
			if (attempt < attempts)
				await this.sleep(Math.max(10, CALLBACK_BACKOFF_MS[attempt - 1] * this.timeScale));
		}
	}

	private post(
		url: string,
		headers: Record<string, string>,
		body: string,
	): Promise<{ status: number; body: string }> {
		return new Promise((resolve) => {
			let u: URL;
			try {
				u = new URL(url);
			} catch {
				resolve({ status: 0, body: `invalid URL: ${url}` });
				return;
			}
			if (u.protocol !== 'http:') {
				resolve({ status: 0, body: `emulator delivers to http:// only, not ${u.protocol}` });
				return;
			}
			let settled = false;
			const finish = (r: { status: number; body: string }) => {
				if (!settled) {
					settled = true;
					resolve(r);
				}
			};
			const req = http.request(
				u,
				{
					method: 'POST',
					agent: false,
					headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
					timeout: CALLBACK_TIMEOUT_MS,
				},
				(res) => {
					const chunks: Buffer[] = [];
					let size = 0;
					res.on('data', (c: Buffer) => {
						size += c.length;
						if (size <= 65536) chunks.push(c);
					});
					res.on('end', () =>
						finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
					);
					res.on('error', (e) => finish({ status: 0, body: e.message }));
				},
			);
			this.outgoing.add(req);
			req.on('close', () => this.outgoing.delete(req));
			req.on('timeout', () => req.destroy(new Error('callback delivery timed out')));
			req.on('error', (e) => finish({ status: 0, body: e.message }));
			req.end(body);
		});
	}

	// --- the second origin --------------------------------------------------------------------

	/** Records what reached the other origin, then lets the emulator answer it. */
	private forwardFromOther(req: http.IncomingMessage, res: http.ServerResponse): void {
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(req.headers)) headers[k] = headerString(v);
		this.other.requests.push({
			method: (req.method ?? 'GET').toUpperCase(),
			path: req.url ?? '/',
			headers,
			at: Date.now(),
		});
		const upstream = http.request(
			`${this.url}${req.url ?? '/'}`,
			{
				method: req.method,
				headers: { ...req.headers, host: new URL(this.url).host, [FORWARDED_HEADER]: '1' },
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		this.outgoing.add(upstream);
		upstream.on('close', () => this.outgoing.delete(upstream));
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
			res.end();
		});
		res.on('close', () => upstream.destroy());
		req.pipe(upstream);
	}

	// --- control -----------------------------------------------------------------------------

	private async control(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		url: URL,
		method: string,
	): Promise<void> {
		const raw = (await readBody(req)) ?? Buffer.alloc(0);
		const reply = (status: number, json: unknown) => {
			if (res.headersSent || res.destroyed) return;
			const payload = JSON.stringify(json);
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': String(Buffer.byteLength(payload)),
			});
			res.end(payload);
		};
		if (!isLoopback(req.socket.remoteAddress)) {
			reply(403, { error: 'loopback only' });
			return;
		}
		const parsed = parseJson(raw);
		const b: Record<string, unknown> = parsed.ok && isObject(parsed.value) ? parsed.value : {};
		const name = url.pathname.replace(/^\/__control\/?/, '').replace(/\/+$/, '');
		try {
			switch (`${method} ${name}`) {
				case 'POST plan':
					this.setPlan(
						(isObject(b.plan) ? b.plan : {}) as JobPlan,
						(isObject(b.match) ? b.match : {}) as { provider?: Provider; model?: string },
					);
					return reply(200, { ok: true });
				case 'POST plan-next':
					this.planNext(...((Array.isArray(b.plans) ? b.plans : []) as JobPlan[]));
					return reply(200, { ok: true });
				case 'POST fault': {
					if (typeof b.kind !== 'string') return reply(400, { error: 'fault.kind is required' });
					const fault = { ...b } as unknown as Fault;
					if ('times' in b) fault.times = reviveNumber(b.times);
					this.inject(fault);
					return reply(200, { ok: true });
				}
				case 'POST clear-faults':
					this.clearFaults();
					return reply(200, { ok: true });
				case 'POST reset':
					this.reset();
					return reply(200, { ok: true });
				case 'GET requests':
					return reply(200, this.requests);
				case 'GET jobs':
					return reply(200, this.jobs());
				case 'GET callbacks':
					return reply(200, this.callbacks);
				case 'GET other-requests':
					return reply(200, { url: this.other.url, requests: this.other.requests });
				case 'GET info':
					return reply(200, this.info());
				case 'GET models':
					return reply(200, { wavespeed: this.waveSpeedModels(), fal: this.falModels() });
				case 'POST model': {
					if (b.provider === 'wavespeed' && isObject(b.model) && typeof b.model.model_id === 'string') {
						this.addWaveSpeedModel(b.model as unknown as WaveSpeedModel, isObject(b.price) ? (b.price as unknown as PriceRule) : undefined);
					} else if (b.provider === 'fal' && isObject(b.model) && typeof b.model.endpoint_id === 'string') {
						this.addFalModel(
							b.model as unknown as FalModel,
							isObject(b.price) ? (b.price as unknown as Omit<FalUnitPrice, 'endpoint_id'>) : undefined,
						);
					} else {
						return reply(400, { error: 'provider (wavespeed|fal) and model {model_id|endpoint_id, …} are required' });
					}
					return reply(200, { ok: true });
				}
				case 'POST fal-validation':
					if (b.mode !== 'submit' && b.mode !== 'result') return reply(400, { error: "mode must be 'submit' or 'result'" });
					this.falValidation = b.mode;
					return reply(200, { ok: true });
				case 'POST callback': {
					if (typeof b.jobId !== 'string') return reply(400, { error: 'jobId is required' });
					const r = await this.sendCallback(
						b.jobId,
						(isObject(b.opts) ? b.opts : {}) as CallbackOptions,
					);
					return reply(200, r);
				}
				case 'POST restart': {
					const downMs = typeof b.downMs === 'number' ? b.downMs : 1000;
					res.on('finish', () => {
						this.restart(downMs).catch(() => undefined);
					});
					return reply(200, { ok: true, downMs });
				}
				default:
					return reply(404, { error: `unknown control route ${method} /__control/${name}` });
			}
		} catch (e) {
			return reply(400, { error: (e as Error).message });
		}
	}
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
	if (!o) return {};
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const server = http.createServer();
	// keep-alive sockets are destroyed on close()/restart(); these only bound idle time
	server.keepAliveTimeout = 5000;
	const port = await listen(server, opts.port ?? 0);
	const other = http.createServer();
	other.keepAliveTimeout = 5000;
	const otherPort = await listen(other, 0);
	return new Emulator({ server, port, other, otherPort, opts });
}
