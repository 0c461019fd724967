/**
 * Remembers, per execution and item, the job already bought, so that n8n's "Retry On Fail"
 * (which re-runs the node inside the same execution, with the same workflow object and so
 * the same node static data) resumes waiting on it instead of paying for a second one.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

const KEY = 'aiVideoJobs';

export interface LedgerEntry {
	fingerprint: string;
	requestId: string;
	/** 'submitted' while the job runs; 'done' once its output item is known. */
	state: 'submitted' | 'done';
	/** Clock ms of the submit, so a resumed wait keeps the original time limit. */
	submittedAt: number;
	output?: IDataObject;
}

export function fingerprint(parts: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export class JobLedger {
	private readonly entries: Record<string, LedgerEntry>;

	constructor(ctx: IExecuteFunctions) {
		let store: IDataObject = {};
		try {
			store = ctx.getWorkflowStaticData('node');
		} catch {
			// Some contexts (sub-workflow previews) have no static data; then nothing is resumed.
		}
		const executionId = String(ctx.getExecutionId?.() ?? 'unknown');
		const all = (store[KEY] ?? {}) as Record<string, Record<string, LedgerEntry>>;
		// Entries of other executions are stale: those runs are over (or hold their own copy).
		for (const id of Object.keys(all)) if (id !== executionId) delete all[id];
		all[executionId] = all[executionId] ?? {};
		store[KEY] = all as unknown as IDataObject;
		this.entries = all[executionId];
	}

	find(itemIndex: number, print: string): LedgerEntry | undefined {
		const entry = this.entries[itemIndex];
		return entry?.fingerprint === print ? entry : undefined;
	}

	submitted(itemIndex: number, print: string, requestId: string, submittedAt: number): void {
		this.entries[itemIndex] = { fingerprint: print, requestId, state: 'submitted', submittedAt };
	}

	done(itemIndex: number, print: string, requestId: string, output: IDataObject): void {
		const submittedAt = this.entries[itemIndex]?.submittedAt ?? 0;
		this.entries[itemIndex] = { fingerprint: print, requestId, state: 'done', submittedAt, output };
	}

	/** The job ended without a video: a retry may buy a new one. */
	forget(itemIndex: number): void {
		delete this.entries[itemIndex];
	}

	/** Every item reached its output: nothing left to resume. */
	clear(): void {
		for (const key of Object.keys(this.entries)) delete this.entries[key];
	}

	pending(): string[] {
		return Object.values(this.entries)
			.filter((e) => e.state === 'submitted')
			.map((e) => e.requestId);
	}
}
