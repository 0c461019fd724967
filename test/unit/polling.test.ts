/** The poll schedule and the retry rules, as pure functions over a virtual clock. */
import type { Clock } from '../../nodes/shared/clock';
import { readWithRetry, submitWithRetry } from '../../nodes/shared/http';
import type { HttpResult } from '../../nodes/shared/http';
import { pollDelayMs } from '../../nodes/shared/polling';

/** A clock that advances only when slept on: tests see the delays without waiting. */
function virtualClock(): Clock & { slept: number[] } {
	let now = 0;
	const slept: number[] = [];
	return {
		slept,
		now: () => now,
		sleep: async (ms) => {
			slept.push(ms);
			now += ms;
		},
	};
}

const answer = (statusCode: number, headers: HttpResult['headers'] = {}, body: unknown = {}): HttpResult => ({ statusCode, headers, body });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('poll schedule', () => {
	const lynx = { min: 25, max: 60 };

	it('stays quiet until the fastest job could be done', () => {
		expect(pollDelayMs(0, lynx)).toBe(25_000);
		expect(pollDelayMs(10_000, lynx)).toBe(15_000);
	});

	it('checks every 1.85 s while the job is expected to finish', () => {
		expect(pollDelayMs(25_000, lynx)).toBe(1850);
		expect(pollDelayMs(59_000, lynx)).toBe(1850);
	});

	it('backs off past the expected duration, up to 10 s', () => {
		expect(pollDelayMs(80_000, lynx)).toBe(4000);
		expect(pollDelayMs(600_000, lynx)).toBe(10_000);
	});

	it('makes at most 20 status requests for a 60 s Lynx job and finds it done within 1.85 s', () => {
		let t = 0;
		let requests = 0;
		while (true) {
			t += pollDelayMs(t, lynx);
			requests++;
			if (t >= 60_000) break;
		}
		expect(requests).toBeLessThanOrEqual(20);
		expect(t - 60_000).toBeLessThanOrEqual(1850);
	});

	it('starts at 2 s and slows to 10 s when the duration is unknown', () => {
		expect(pollDelayMs(0, null)).toBe(2000);
		expect(pollDelayMs(100_000, null)).toBe(5000);
		expect(pollDelayMs(3_600_000, null)).toBe(10_000);
	});

	it('uses a fixed interval when the user sets one', () => {
		expect(pollDelayMs(0, lynx, 7000)).toBe(7000);
		expect(pollDelayMs(90_000, null, 7000)).toBe(7000);
	});
});

describe('reads are retried on transient failures only', () => {
	it('retries 503 and a reset connection, then returns the answer', async () => {
		const clock = virtualClock();
		const script: Array<HttpResult | Error> = [answer(503), networkError('ECONNRESET'), answer(200, {}, { ok: true })];
		let calls = 0;
		const result = await readWithRetry(async () => {
			const next = script[calls++];
			if (next instanceof Error) throw next;
			return next;
		}, { clock });
		expect(result.statusCode).toBe(200);
		expect(calls).toBe(3);
		expect(clock.slept).toHaveLength(2);
		expect(clock.slept[1]).toBeGreaterThan(clock.slept[0] * 0.9);
	});

	it('honours Retry-After on 429', async () => {
		const clock = virtualClock();
		const script = [answer(429, { 'retry-after': '7' }), answer(200)];
		let calls = 0;
		await readWithRetry(async () => script[calls++], { clock });
		expect(clock.slept).toEqual([7000]);
	});

	it('does not retry a 404', async () => {
		const clock = virtualClock();
		let calls = 0;
		const result = await readWithRetry(async () => (calls++, answer(404)), { clock });
		expect(result.statusCode).toBe(404);
		expect(calls).toBe(1);
	});

	it('gives up at the deadline and returns the last answer', async () => {
		const clock = virtualClock();
		let calls = 0;
		const result = await readWithRetry(async () => (calls++, answer(502)), { clock, deadline: 5000 });
		expect(result.statusCode).toBe(502);
		expect(clock.now()).toBeLessThanOrEqual(5000);
		expect(calls).toBeGreaterThan(1);
	});

	it('throws an error that is not a network error at once', async () => {
		const clock = virtualClock();
		await expect(readWithRetry(async () => { throw new Error('boom'); }, { clock })).rejects.toThrow('boom');
		expect(clock.slept).toEqual([]);
	});
});

describe('a submit is repeated only when the provider provably took no job', () => {
	it('repeats after 429 and after a refused connection', async () => {
		const clock = virtualClock();
		const script: Array<HttpResult | Error> = [answer(429, { 'retry-after': '1' }), networkError('ECONNREFUSED'), answer(200)];
		let calls = 0;
		const result = await submitWithRetry(async () => {
			const next = script[calls++];
			if (next instanceof Error) throw next;
			return next;
		}, { clock });
		expect(result.statusCode).toBe(200);
		expect(calls).toBe(3);
	});

	it.each([500, 502, 503, 504])('does not repeat after HTTP %i (the job may exist)', async (status) => {
		const clock = virtualClock();
		let calls = 0;
		const result = await submitWithRetry(async () => (calls++, answer(status)), { clock });
		expect(result.statusCode).toBe(status);
		expect(calls).toBe(1);
	});

	it.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED'])('does not repeat after %s (the request may have arrived)', async (code) => {
		const clock = virtualClock();
		let calls = 0;
		await expect(submitWithRetry(async () => { calls++; throw networkError(code); }, { clock })).rejects.toThrow(code);
		expect(calls).toBe(1);
	});
});
