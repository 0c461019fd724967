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
	/** Epoch ms when each job was submitted (timeouts are measured from there). */
	submittedAt: number;
}

const STATIC_KEY = 'aiVideoWaits';
const CHUNK = 250;
const MAX_CHUNKS = 8;

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

export function encodeRecord(record: WaitRecord): string {
	const costs = record.costs.every((c) => c === record.costs[0]) ? record.costs[0] : record.costs;
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
		l: record.jobs.length,
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

/**
 * Saves the record; returns false when it could not be stored anywhere readable later
 * (then the caller must not pause, or the execution could never resume).
 */
export function saveRecord(host: Host, record: WaitRecord): boolean {
	const text = encodeRecord(record);
	const nodeId = host.getNode().id;
	let stored = false;
	try {
		const chunks = Math.ceil(text.length / CHUNK);
		if (chunks <= MAX_CHUNKS) {
			for (let i = 0; i < chunks; i++) host.customData.set(chunkKey(nodeId, i), text.slice(i * CHUNK, (i + 1) * CHUNK));
			stored = readCustomData(host) === text;
		}
	} catch {
		// n8n 1.x has no custom data in every context; static data below covers it.
	}
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
		stored = true;
	} catch {
		// Without static data the custom data copy must do.
	}
	return stored;
}

function readCustomData(host: Host): string | undefined {
	const nodeId = host.getNode().id;
	let text = '';
	for (let i = 0; i < MAX_CHUNKS; i++) {
		const part = host.customData.get(chunkKey(nodeId, i));
		if (typeof part !== 'string') break;
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
