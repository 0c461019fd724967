import { sleep as n8nSleep } from 'n8n-workflow';

/** Time as the engine sees it; tests pass a faster one so back-offs do not slow them down. */
export interface Clock {
	now(): number;
	/** Resolves after ms, rejects at once when the signal aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function aborted(signal: AbortSignal): Promise<never> {
	return new Promise((_, reject) => {
		const fail = () => reject(new Error('The execution was cancelled'));
		if (signal.aborted) fail();
		else signal.addEventListener('abort', fail, { once: true });
	});
}

/**
 * n8n's own sleep. n8n 1.x's sleep ignores a signal, so racing it against the signal keeps
 * cancellation immediate on both majors (a leftover timer just resolves into nothing).
 */
export const realClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => {
		if (!signal) return await n8nSleep(ms);
		await Promise.race([n8nSleep(ms, signal), aborted(signal)]);
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
