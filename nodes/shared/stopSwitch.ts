/**
 * Stops a run: the user cancelling the execution, or the first failure without Continue On
 * Fail. Each item gets its own AbortSignal from it, released when the item is done. One
 * shared signal would collect a listener for every waiting item (sleeps, requests,
 * downloads), and Node prints a MaxListenersExceededWarning into n8n's log past ten.
 */
export class StopSwitch {
	private readonly items = new Set<AbortController>();

	private isStopped = false;

	constructor(execution?: AbortSignal) {
		if (execution?.aborted) this.isStopped = true;
		else execution?.addEventListener('abort', () => this.stop(), { once: true });
	}

	get stopped(): boolean {
		return this.isStopped;
	}

	stop(): void {
		if (this.isStopped) return;
		this.isStopped = true;
		for (const item of this.items) item.abort();
		this.items.clear();
	}

	/** A signal for one item's work; `release()` once the item is done with it. */
	forItem(): { signal: AbortSignal; release(): void } {
		const item = new AbortController();
		if (this.isStopped) item.abort();
		else this.items.add(item);
		return { signal: item.signal, release: () => this.items.delete(item) };
	}
}
