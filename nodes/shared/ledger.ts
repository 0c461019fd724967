/**
 * Remembers, per execution and item, the job already bought, so that n8n's "Retry On Fail"
 * (which re-runs the node inside the same execution, with the same workflow object and so
 * the same node static data) resumes waiting on it instead of paying for a second one.
 *
 * An item is written down *before* its submit goes out ("submitting"): if the connection
 * then fails with no answer read, the job may exist, and no later try may buy it again
 * ("uncertain"). Only an answer that proves the provider took nothing clears the entry.
 */
import { createHash, randomBytes } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { Host } from './host';

const KEY = 'aiVideoJobs';

/**
 * Entries of an execution untouched for this long are dropped. Entries of other executions
 * are otherwise left alone: executions of one workflow can share the static data object
 * (trigger-started runs in one process), and dropping a running one's entries would let its
 * retry buy its jobs again.
 */
const RETENTION_MS = 7 * 24 * 3_600_000;

export interface LedgerEntry {
	fingerprint: string;
	/**
	 * 'submitting' while the submit request is out; 'uncertain' when it failed without an
	 * answer (the job may exist); 'submitted' while the job runs; 'done' once its output item
	 * is known.
	 */
	state: 'submitting' | 'uncertain' | 'submitted' | 'done';
	requestId?: string;
	/** Clock ms of the submit, so a resumed wait keeps the original time limit. */
	submittedAt: number;
	/** Epoch ms when the submit was sent (for the user to find an uncertain job). */
	sentAt?: number;
	/** What went wrong with an uncertain submit. */
	problem?: string;
	output?: IDataObject;
}

interface ExecutionEntries {
	/** Epoch ms of the last write. */
	touchedAt: number;
	/** The callback nonce of a wait by webhook: the same for every try of the execution. */
	nonce?: string;
	items: Record<string, LedgerEntry>;
}

export function fingerprint(parts: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

function isExecutionEntries(value: unknown): value is ExecutionEntries {
	return (
		!!value &&
		typeof value === 'object' &&
		typeof (value as ExecutionEntries).touchedAt === 'number' &&
		!!(value as ExecutionEntries).items &&
		typeof (value as ExecutionEntries).items === 'object'
	);
}

export class JobLedger {
	private readonly all: Record<string, unknown>;

	private readonly executionId: string;

	private readonly own: ExecutionEntries;

	constructor(ctx: Host, now = Date.now()) {
		let store: IDataObject = {};
		try {
			store = ctx.getWorkflowStaticData('node');
		} catch {
			// Some contexts (sub-workflow previews) have no static data; then nothing is resumed.
		}
		this.executionId = String(ctx.getExecutionId?.() ?? 'unknown');
		const stored = store[KEY];
		const all = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
		for (const [id, value] of Object.entries(all)) {
			// Entries in an older layout, or long untouched ones, belong to runs that are over.
			if (id !== this.executionId && (!isExecutionEntries(value) || now - value.touchedAt > RETENTION_MS)) {
				delete all[id];
			}
		}
		const mine = all[this.executionId];
		this.own = isExecutionEntries(mine) ? mine : { touchedAt: now, items: {} };
		all[this.executionId] = this.own;
		store[KEY] = all as IDataObject;
		this.all = all;
	}

	private touch(): void {
		this.own.touchedAt = Date.now();
		this.all[this.executionId] = this.own;
	}

	/** The entry of this item, when it was made for the same parameters. */
	find(itemIndex: number, print: string): LedgerEntry | undefined {
		const entry = this.own.items[itemIndex];
		return entry?.fingerprint === print ? entry : undefined;
	}

	/** Written before the submit request goes out. */
	submitting(itemIndex: number, print: string, submittedAt: number): void {
		this.own.items[itemIndex] = { fingerprint: print, state: 'submitting', submittedAt, sentAt: Date.now() };
		this.touch();
	}

	/** The submit failed without an answer that proves no job was made: never submit it again. */
	uncertain(itemIndex: number, print: string, problem: string): void {
		const before = this.own.items[itemIndex];
		this.own.items[itemIndex] = {
			fingerprint: print,
			state: 'uncertain',
			submittedAt: before?.submittedAt ?? 0,
			sentAt: before?.sentAt ?? Date.now(),
			problem,
		};
		this.touch();
	}

	submitted(itemIndex: number, print: string, requestId: string, submittedAt: number): void {
		this.own.items[itemIndex] = { fingerprint: print, requestId, state: 'submitted', submittedAt };
		this.touch();
	}

	done(itemIndex: number, print: string, requestId: string, output: IDataObject): void {
		const submittedAt = this.own.items[itemIndex]?.submittedAt ?? 0;
		this.own.items[itemIndex] = { fingerprint: print, requestId, state: 'done', submittedAt, output };
		this.touch();
	}

	/** The job ended without a video, or the provider refused the submit: a retry may buy one. */
	forget(itemIndex: number): void {
		delete this.own.items[itemIndex];
		this.touch();
	}

	/** This execution's callback nonce for waiting by webhook, the same for every try. */
	nonce(): string {
		if (!this.own.nonce) {
			this.own.nonce = randomBytes(16).toString('hex');
			this.touch();
		}
		return this.own.nonce;
	}

	/** Every item reached its output: nothing of this execution is left to resume. */
	clear(): void {
		delete this.all[this.executionId];
	}

	/** Request ids of jobs submitted and not yet done. */
	pending(): string[] {
		return Object.values(this.own.items)
			.filter((e) => e.state === 'submitted' && e.requestId)
			.map((e) => e.requestId as string);
	}

	/** Items whose submit may have made a job nobody knows the id of. */
	uncertainItems(): number[] {
		return Object.entries(this.own.items)
			.filter(([, e]) => e.state === 'uncertain' || e.state === 'submitting')
			.map(([index]) => Number(index));
	}
}
