/**
 * Where a paused execution keeps the list of jobs it waits for, so that every provider
 * callback can check "have they all ended?". n8n offers no single place on both majors:
 * 2.x gives webhook() the execution's custom data but not the workflow static data written
 * before the pause; 1.x gives webhook() the static data but no custom data. So the record is
 * written to both and read from whichever is there. Custom data holds at most 10 keys of
 * 255 characters (shared with the user's own), so the record is compact and split in chunks.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Host } from './host';
import type { CostSource } from './pricing';

export interface WaitRecord {
	/** Random secret in the callback URL; also the record's key. */
	nonce: string;
	/** Epoch ms after which unfinished jobs are reported as timed out. */
	deadline: number;
	output: 'url' | 'binary';
	binaryPropertyName: string;
	maxDownloadBytes: number;
	/** Per input item: the job's request id, or null when the item failed before submit. */
	jobs: Array<string | null>;
	/** Per input item that failed before submit: its error message. */
	errors: Record<number, string>;
	/** Per input item: the estimated cost in USD. */
	costs: Array<number | null>;
	/** Per input item: where the cost came from. */
	costSources?: CostSource[];
	/** Epoch ms when each job was submitted (timeouts are measured from there). */
	submittedAt: number;
	/**
	 * Per input item: the model id its job was bought for, where the node has no model of its
	 * own (any-model nodes); absent for curated nodes.
	 */
	models?: Array<string | null>;
	/** Cancel jobs still running when a callback comes after the deadline (On Timeout). */
	cancelOnTimeout?: boolean;
}

const STATIC_KEY = 'aiVideoWaits';
/** n8n keeps custom data values up to 255 characters, and at most 10 keys per execution. */
const CHUNK = 250;
const MAX_CHUNKS = 10;

function compactId(id: string): string {
	if (/^[0-9a-f]{32}$/i.test(id)) return `x${Buffer.from(id, 'hex').toString('base64url')}`;
	if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
		return `u${Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url')}`;
	}
	return `r${id}`;
}

function expandId(value: string): string {
	const body = value.slice(1);
	if (value[0] === 'x') return Buffer.from(body, 'base64url').toString('hex');
	if (value[0] === 'u') {
		const hex = Buffer.from(body, 'base64url').toString('hex');
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}
	return body;
}

const SOURCE_CODES: Record<string, CostSource> = { p: 'provider', t: 'table', n: null };

/** One letter per item (p, t, n), or one letter when all are the same. */
function costSourceField(sources: CostSource[] | undefined): IDataObject {
	if (!sources?.length) return {};
	const letters = sources.map((s) => (s === 'provider' ? 'p' : s === 'table' ? 't' : 'n'));
	return { cs: letters.every((l) => l === letters[0]) ? letters[0] : letters.join('') };
}

function decodeCostSources(value: unknown, length: number): CostSource[] {
	const text = typeof value === 'string' ? value : 'n';
	return Array.from({ length }, (_, i) => SOURCE_CODES[text.length === 1 ? text : (text[i] ?? 'n')] ?? null);
}

/** One id for all items, or one per item (0 for an item without a job). */
function modelsField(models: Array<string | null> | undefined): IDataObject {
	if (!models?.length) return {};
	const ids = models.filter((m): m is string => !!m);
	if (ids.length && ids.every((id) => id === ids[0])) return { md: ids[0] };
	return { md: models.map((m) => m ?? 0) };
}

function decodeModels(value: unknown, length: number): Array<string | null> | undefined {
	if (typeof value === 'string') return Array.from({ length }, () => value);
	if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : null));
	return undefined;
}

export function encodeRecord(record: WaitRecord): string {
	// 0.032 × 5 is 0.16000000000000003 in floating point: micro-dollars are plenty.
	const rounded = record.costs.map((c) => (c === null ? null : Math.round(c * 1e6) / 1e6));
	const costs = rounded.every((c) => c === rounded[0]) ? rounded[0] : rounded;
	return JSON.stringify({
		n: record.nonce,
		d: record.deadline,
		s: record.submittedAt,
		o: record.output === 'binary' ? 'b' : 'u',
		b: record.binaryPropertyName,
		m: record.maxDownloadBytes,
		j: record.jobs.map((id) => (id === null ? 0 : compactId(id))),
		e: record.errors,
		c: costs,
		...costSourceField(record.costSources),
		...modelsField(record.models),
		l: record.jobs.length,
		...(record.cancelOnTimeout ? { t: 1 } : {}),
	});
}

export function decodeRecord(text: string): WaitRecord | undefined {
	try {
		const raw = JSON.parse(text) as IDataObject;
		const jobs = (raw.j as Array<string | 0>).map((v) => (v === 0 ? null : expandId(v)));
		const length = Number(raw.l);
		const costs = Array.isArray(raw.c) ? (raw.c as Array<number | null>) : Array.from({ length }, () => raw.c as number | null);
		return {
			nonce: String(raw.n),
			deadline: Number(raw.d),
			submittedAt: Number(raw.s),
			output: raw.o === 'b' ? 'binary' : 'url',
			binaryPropertyName: String(raw.b),
			maxDownloadBytes: Number(raw.m),
			jobs,
			errors: (raw.e ?? {}) as Record<number, string>,
			costs,
			costSources: decodeCostSources(raw.cs, length),
			models: decodeModels(raw.md, length),
			cancelOnTimeout: raw.t === 1,
		};
	} catch {
		return undefined;
	}
}

function chunkKey(nodeId: string, index: number): string {
	return `aiv_${nodeId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}_${index}`;
}

/** How many jobs fit in n8n's custom data (ids compacted to ~24 characters each). */
export const MAX_WAITING_JOBS = 50;

/** Error texts of items that failed before submit are shortened to fit the reserved room. */
const ERROR_LENGTHS = [200, 80, 30, 0];

function customDataOf(host: Host): Host['customData'] | undefined {
	try {
		return host.customData ?? undefined;
	} catch {
		// n8n 1.x has no custom data in every context.
		return undefined;
	}
}

/** The room a record of `jobCount` jobs may need: every item with a job, ids of the longest compact form. */
function chunksFor(jobCount: number): number {
	const widest = encodeRecord({
		nonce: 'f'.repeat(32),
		deadline: 8.64e15,
		submittedAt: 8.64e15,
		output: 'binary',
		binaryPropertyName: 'x'.repeat(40),
		maxDownloadBytes: 2 ** 53,
		jobs: Array.from({ length: jobCount }, () => 'f'.repeat(32)),
		errors: {},
		costs: Array.from({ length: jobCount }, (_, i) => 10 + i / 1e6),
		cancelOnTimeout: true,
	});
	return Math.ceil(widest.length / CHUNK);
}

export type Reservation = { ok: true } | { ok: false; problem: string };

/**
 * Before the first submit: takes the custom data keys the job list will need, and reads them
 * back. n8n ignores writes past 10 keys without a word, so a workflow that uses custom data
 * itself could otherwise park an execution no callback can ever resume.
 */
export function reserveRecord(host: Host, jobCount: number): Reservation {
	const customData = customDataOf(host);
	if (!customData) return { ok: true };
	const nodeId = host.getNode().id;
	const needed = chunksFor(jobCount);
	if (needed > MAX_CHUNKS) {
		return { ok: false, problem: `${jobCount} items need more room than n8n's custom data has` };
	}
	const placeholder = '-'.repeat(CHUNK);
	try {
		for (let i = 0; i < needed; i++) customData.set(chunkKey(nodeId, i), placeholder);
	} catch {
		// Refused (n8n validates custom data in manual runs): reported below like an ignored write.
	}
	let missing = 0;
	for (let i = 0; i < needed; i++) if (customData.get(chunkKey(nodeId, i)) !== placeholder) missing++;
	if (!missing) return { ok: true };
	const others = Object.keys(customData.getAll()).filter((key) => !key.startsWith(chunkKey(nodeId, 0).slice(0, -1)));
	return {
		ok: false,
		problem: `n8n keeps at most 10 custom data entries per execution; this execution already uses ${others.length} (${others.join(', ') || 'none'}), and waiting for ${jobCount} job${jobCount === 1 ? '' : 's'} needs ${needed}`,
	};
}

/**
 * Saves the record; returns false when it could not be stored where the callbacks will read
 * it (then the caller must not pause, or the execution could never resume).
 */
export function saveRecord(host: Host, record: WaitRecord): boolean {
	const customData = customDataOf(host);
	const nodeId = host.getNode().id;
	let text = encodeRecord(record);
	const room = Math.max(chunksFor(record.jobs.length), 1) * CHUNK;
	for (const length of ERROR_LENGTHS) {
		if (text.length <= room) break;
		const errors = Object.fromEntries(
			Object.entries(record.errors).map(([k, v]) => [k, v.length > length ? `${v.slice(0, length)}…` : v]),
		);
		text = encodeRecord({ ...record, errors });
	}
	let stored: boolean | undefined;
	if (customData) {
		try {
			const chunks = Math.ceil(text.length / CHUNK);
			for (let i = 0; i < MAX_CHUNKS; i++) {
				const key = chunkKey(nodeId, i);
				if (i < chunks) customData.set(key, text.slice(i * CHUNK, (i + 1) * CHUNK));
				// Left-over reserved keys end the record: an empty value stops the reading.
				else if (customData.get(key) !== undefined) customData.set(key, '');
			}
		} catch {
			// Checked by reading back.
		}
		stored = readCustomData(host) === text;
	}
	let staticStored = false;
	try {
		const data = host.getWorkflowStaticData('node');
		const waits = (data[STATIC_KEY] ?? {}) as Record<string, string>;
		const now = Date.now();
		for (const [key, value] of Object.entries(waits)) {
			const old = decodeRecord(value);
			if (!old || old.deadline < now - 24 * 3600_000) delete waits[key];
		}
		waits[record.nonce] = text;
		data[STATIC_KEY] = waits;
		staticStored = true;
	} catch {
		// Without static data the custom data copy must do.
	}
	// Where custom data exists it is what n8n 2.x hands the callbacks: it must hold the record.
	return stored ?? staticStored;
}

function readCustomData(host: Host): string | undefined {
	const customData = customDataOf(host);
	if (!customData) return undefined;
	const nodeId = host.getNode().id;
	let text = '';
	for (let i = 0; i < MAX_CHUNKS; i++) {
		const part = customData.get(chunkKey(nodeId, i));
		if (typeof part !== 'string' || part === '') break;
		text += part;
	}
	return text || undefined;
}

/** The record whose nonce matches, from custom data (2.x) or static data (1.x). */
export function loadRecord(host: Host, nonce: string): WaitRecord | undefined {
	try {
		const text = readCustomData(host);
		const record = text ? decodeRecord(text) : undefined;
		if (record && record.nonce === nonce) return record;
	} catch {
		// No custom data in this context (n8n 1.x webhooks).
	}
	try {
		const waits = (host.getWorkflowStaticData('node')[STATIC_KEY] ?? {}) as Record<string, string>;
		const text = waits[nonce];
		return text ? decodeRecord(text) : undefined;
	} catch {
		return undefined;
	}
}

export function forgetRecord(host: Host, nonce: string): void {
	try {
		const waits = host.getWorkflowStaticData('node')[STATIC_KEY] as Record<string, string> | undefined;
		if (waits) delete waits[nonce];
	} catch {
		// Nothing stored there.
	}
}
