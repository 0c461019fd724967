import { sleep as n8nSleep } from 'n8n-workflow';

/** Time as the engine sees it; tests pass a faster one so back-offs do not slow them down. */
export interface Clock {
	now(): number;
	/** Resolves after ms, rejects at once when the signal aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const CANCELLED = 'The execution was cancelled';

/**
 * n8n's own sleep. n8n 1.x's sleep ignores a signal, so racing it against the signal keeps
 * cancellation immediate on both majors (a leftover timer just resolves into nothing). The
 * abort listener is removed after every wait: a poll loop sleeps hundreds of times.
 */
export const realClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => {
		if (!signal) return await n8nSleep(ms);
		if (signal.aborted) throw new Error(CANCELLED);
		let onAbort = () => {};
		const abort = new Promise<never>((_, reject) => {
			onAbort = () => reject(new Error(CANCELLED));
			signal.addEventListener('abort', onAbort, { once: true });
		});
		try {
			await Promise.race([n8nSleep(ms, signal), abort]);
		} finally {
			signal.removeEventListener('abort', onAbort);
		}
	},
};

/** A clock whose waits are `factor` times shorter while reporting real elapsed time scaled up. */
export function scaledClock(factor: number): Clock {
	const start = Date.now();
	return {
		now: () => start + (Date.now() - start) * factor,
		sleep: async (ms, signal) => await realClock.sleep(ms / factor, signal),
	};
}
