/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code, never shipped */
/**
 * Many items, image inputs, cancellation, and n8n's Retry On Fail resuming the jobs already
 * bought instead of buying them again.
 */
import { forgetJobEnds } from '../../nodes/shared/polling';
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { scaledClock } from '../../nodes/shared/clock';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { runModel } from '../../nodes/shared/runner';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { WaveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/WaveSpeedSeedanceLiteReferenceToVideo/WaveSpeedSeedanceLiteReferenceToVideo.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { dataUri, jpeg, png } from '../fixtures/images';
import { binaryItem } from '../harness/context';
import { harness, items, submittedBodies } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

describe('many items', () => {
	it('runs 10 jobs at once: about one job of wall time, output in input order, paired', async () => {
		emu.setPlan({ durationMs: 1000 });
		// Later items finish first, so order has to be restored, not inherited.
		emu.planNext(...Array.from({ length: 10 }, (_, i) => ({ durationMs: 1500 - i * 100 })));
		const h = harness(new FalLynx(), emu, (i) => ({ imageUrl: IMG, prompt: `clip ${i}` }), { items: items(10) });
		const started = Date.now();
		const [out] = await h.run();
		const wall = Date.now() - started;
		expect(wall).toBeLessThan(1500 * 2);
		expect(out.map((o) => o.pairedItem)).toEqual(Array.from({ length: 10 }, (_, i) => ({ item: i })));
		const prompts = (submittedBodies(emu) as IDataObject[]).map((b) => b.prompt).sort();
		expect(prompts).toEqual(Array.from({ length: 10 }, (_, i) => `clip ${i}`).sort());
		const byId = new Map(emu.jobs().map((j) => [j.id, (j.input as IDataObject).prompt]));
		out.forEach((o, i) => expect(byId.get(String(o.json.requestId))).toBe(`clip ${i}`));
		expect(emu.count('submit')).toBe(10);
	});

	it('never runs more jobs at a time than the Concurrency option', async () => {
		emu.setPlan({ durationMs: 400 });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: { ...FAST, concurrency: 2 } }, { items: items(6) });
		await h.run();
		const jobs = emu.jobs();
		for (const job of jobs) {
			const overlapping = jobs.filter((j) => j.createdAt < (job.endsAt ?? 0) && (j.endsAt ?? 0) > job.createdAt);
			expect(overlapping.length).toBeLessThanOrEqual(2);
		}
	});
});

describe('images from the input binary and data URIs', () => {
	it('WaveSpeed: uploads the binary to media storage and sends its download URL', async () => {
		const photo = jpeg(640, 480);
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', imageSource: 'binary', imageBinaryProperty: 'photo', options: FAST }, { items: [binaryItem(photo, 'image/jpeg', 'me.jpg', 'photo')] });
		await h.run();
		const upload = emu.requests.find((r) => r.kind === 'upload');
		expect(upload?.body).toMatchObject({ bytes: expect.any(Number) });
		const body = submittedBodies(emu)[0] as IDataObject;
		expect(String(body.image)).toMatch(new RegExp(`^${emu.url}/files/uploads/`));
		const served = await (await fetch(String(body.image))).arrayBuffer();
		expect(Buffer.from(served).equals(photo)).toBe(true);
	});

	it('WaveSpeed: when the binary upload endpoint is gone, uses an upload ticket and a PUT without the key', async () => {
		emu.retireWaveSpeedBinaryUpload();
		const photo = jpeg(640, 480);
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', imageSource: 'binary', imageBinaryProperty: 'photo', options: FAST }, { items: [binaryItem(photo, 'image/jpeg', 'me.jpg', 'photo')] });
		const [out] = await h.run();
		expect(out[0].json.status).toBe('completed');
		const ticket = emu.requests.find((r) => r.path.endsWith('/media/uploads'));
		expect(ticket?.body).toMatchObject({ filename: 'me.jpg', size: photo.length, content_type: 'image/jpeg' });
		const put = h.httpCalls.find((c) => c.method === 'PUT');
		expect(Object.keys(put?.headers ?? {}).map((k) => k.toLowerCase())).not.toContain('authorization');
		const body = submittedBodies(emu)[0] as IDataObject;
		const served = await (await fetch(String(body.image))).arrayBuffer();
		expect(Buffer.from(served).equals(photo)).toBe(true);
		expect(emu.count('submit')).toBe(1);
	});

	it('fal: uploads the binary to fal storage (initiate, then PUT) and sends the file URL', async () => {
		const photo = png(320, 320);
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageSource: 'binary' }, { items: [binaryItem(photo, 'image/png', 'me.png')] });
		await h.run();
		expect(emu.count('storage-initiate', 'fal')).toBe(1);
		expect(emu.count('upload-put')).toBe(1);
		const put = h.httpCalls.find((c) => c.method === 'PUT');
		expect(Object.keys(put?.headers ?? {}).map((k) => k.toLowerCase())).not.toContain('authorization');
		const body = submittedBodies(emu)[0] as IDataObject;
		const served = await (await fetch(String(body.image_url))).arrayBuffer();
		expect(Buffer.from(served).equals(photo)).toBe(true);
	});

	it('checks the binary against the model limits before anything is sent', async () => {
		const h = harness(new WaveSpeedSeedanceLiteI2v720p(), emu, { imageSource: 'binary' }, { items: [binaryItem(png(120, 90), 'image/png', 'tiny.png')] });
		await expect(h.run()).rejects.toThrow('Image: the binary "data" (tiny.png) is 120×90 px; it must be at least 300×300 px');
		expect(emu.requests).toHaveLength(0);
	});

	it('refuses a binary that is not an image', async () => {
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageSource: 'binary' }, { items: [binaryItem(Buffer.from('%PDF-1.7 …'), 'application/pdf', 'doc.pdf')] });
		await expect(h.run()).rejects.toThrow(/is not a recognised image/);
		expect(emu.requests).toHaveLength(0);
	});

	it('WaveSpeed: uploads data: URIs (in reference image lists too) instead of sending them raw', async () => {
		const uri = dataUri(png(64, 64));
		const h = harness(new WaveSpeedSeedanceLiteReferenceToVideo(), emu, { prompt: 'p', referenceImages: `={{ [${JSON.stringify(uri)}, "${IMG}"] }}`, options: FAST });
		await h.run();
		expect(emu.count('upload', 'wavespeed')).toBe(1);
		const body = submittedBodies(emu)[0] as IDataObject;
		expect((body.reference_images as string[])[0]).toMatch(/\/files\/uploads\//);
		expect((body.reference_images as string[])[1]).toBe(IMG);
	});

	it('WaveSpeed: reference images one per line — data: URIs uploaded, a URL with commas sent whole', async () => {
		const firstBytes = png(64, 64);
		const secondBytes = jpeg(320, 320);
		const first = dataUri(firstBytes);
		const second = dataUri(secondBytes, 'image/jpeg');
		const commas = 'https://res.cloudinary.com/demo/image/upload/w_300,h_300/a.jpg';
		const h = harness(new WaveSpeedSeedanceLiteReferenceToVideo(), emu, {
			prompt: 'p',
			referenceImages: `${first}\n${commas}\n${second}`,
			options: FAST,
		});
		await h.run();
		expect(emu.count('upload', 'wavespeed')).toBe(2);
		const refs = (submittedBodies(emu)[0] as IDataObject).reference_images as string[];
		expect(refs).toHaveLength(3);
		expect(refs[1]).toBe(commas);
		const served = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
		expect((await served(refs[0])).equals(firstBytes)).toBe(true);
		expect((await served(refs[2])).equals(secondBytes)).toBe(true);
	});

	it('fal: sends a data: URI as it is (fal documents them)', async () => {
		const uri = dataUri(png(64, 64));
		await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: uri }).run();
		expect((submittedBodies(emu)[0] as IDataObject).image_url).toBe(uri);
		expect(emu.count('storage-initiate')).toBe(0);
	});
});

describe('cancelling the execution', () => {
	it('stops at once and cancels the fal job', async () => {
		emu.planNext({ durationMs: 30_000 });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const running = h.run();
		await waitFor(() => emu.jobs().length === 1 && emu.count('stream') === 1);
		const started = Date.now();
		await h.cancelAndWait();
		await expect(running).rejects.toThrow(/cancelled/);
		expect(Date.now() - started).toBeLessThan(1000);
		await waitFor(() => emu.count('cancel', 'fal') === 1);
		expect(emu.jobs()[0].cancelled).toBe(true);
	});

	it('stops polling WaveSpeed at once (WaveSpeed has no cancel API)', async () => {
		emu.planNext({ durationMs: 30_000 });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: { pollInterval: 0.2 } });
		const running = h.run();
		await waitFor(() => emu.count('result') >= 1);
		h.cancel();
		await expect(running).rejects.toThrow(/cancelled/);
		const polls = emu.count('result');
		await new Promise((resolve) => setTimeout(resolve, 600));
		expect(emu.count('result')).toBe(polls);
		expect(h.logs.some((l) => /no cancel API/.test(l.message))).toBe(true);
	});
});

describe('many items, one stop switch', () => {
	// Every waiting item listens for the stop (sleeps, requests); on one shared AbortSignal,
	// past ten listeners Node prints a MaxListenersExceededWarning into n8n's log.
	it('20 items waiting at once put at most 10 abort listeners on any signal of ours', async () => {
		// Counted the way Node counts before it warns: live 'abort' listeners per signal. n8n
		// itself adds one to the execution's cancel signal per request in flight (its request
		// helper binds that signal), so that signal is n8n's to count, not ours.
		const live = new Map<EventTarget, number>();
		const peak = new Map<EventTarget, number>();
		let most = 0;
		const proto = EventTarget.prototype;
		const { addEventListener: add, removeEventListener: remove } = proto;
		const isAbort = (target: EventTarget, type: string) => type === 'abort' && target instanceof AbortSignal;
		proto.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
			if (isAbort(this, type)) {
				live.set(this, (live.get(this) ?? 0) + 1);
				peak.set(this, Math.max(peak.get(this) ?? 0, live.get(this) ?? 0));
			}
			return (add as (...args: unknown[]) => void).call(this, type, ...rest);
		} as typeof proto.addEventListener;
		proto.removeEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
			if (isAbort(this, type)) live.set(this, Math.max((live.get(this) ?? 0) - 1, 0));
			return (remove as (...args: unknown[]) => void).call(this, type, ...rest);
		} as typeof proto.removeEventListener;
		try {
			emu.setPlan({ durationMs: 600 });
			const h = harness(new WaveSpeedLynx(), emu, (i) => ({ prompt: `clip ${i}`, image: IMG, options: { pollInterval: 0.1, concurrency: 20 } }), { items: items(20) });
			const [out] = await h.run();
			expect(out.map((o) => o.json.status)).toEqual(new Array(20).fill('completed'));
			const execution = h.ctx.getExecutionCancelSignal?.();
			most = Math.max(0, ...[...live.keys()].filter((s) => s !== execution).map((s) => peak.get(s) ?? 0));
		} finally {
			proto.addEventListener = add;
			proto.removeEventListener = remove;
		}
		expect(most).toBeGreaterThan(0);
		expect(most).toBeLessThanOrEqual(10);
	});
});

describe('the job ids survive a dead process', () => {
	// A queue worker killed mid-poll leaves n8n's generic "failed to be processed" error in
	// the execution; the worker's log, at n8n's default level (info), must name every paid job.
	it('logs every submit at info with node, item, provider, request id and execution id', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST }, { items: items(2) });
		await h.run();
		const ids = emu.jobs().map((job) => job.id);
		expect(ids).toHaveLength(2);
		const info = h.logs.filter((l) => l.level === 'info').map((l) => l.message);
		for (const [index, id] of ids.entries()) {
			expect(info.some((m) => m.includes(`item ${index}: submitted WaveSpeed job`) && m.includes(id))).toBe(true);
		}
		expect(info.every((m) => !m.includes(emu.wavespeed.apiKey))).toBe(true);
	});
});

describe("n8n's Retry On Fail", () => {
	it('resumes the job of a timed-out try instead of submitting a second one', async () => {
		emu.planNext({ durationMs: 2500 });
		const staticData: IDataObject = {};
		const params = { prompt: 'p', image: IMG, options: { pollInterval: 0.1, timeout: 1 } };
		const first = harness(new WaveSpeedLynx(), emu, params, { staticData });
		await expect(first.run()).rejects.toThrow(NodeApiError);
		const second = harness(new WaveSpeedLynx(), emu, { ...params, options: { pollInterval: 0.1, timeout: 10 } }, { staticData });
		const [out] = await second.run();
		expect(out[0].json.status).toBe('completed');
		expect(out[0].json.requestId).toBe(emu.jobs()[0].id);
		expect(emu.count('submit')).toBe(1);
		expect(second.logs.some((l) => /resuming job/.test(l.message))).toBe(true);
	});

	it('keeps finished items of a failed try: the retry buys only what failed', async () => {
		emu.planNext({}, { outcome: 'failed', error: 'flaky' }, {});
		const staticData: IDataObject = {};
		const params = (i: number) => ({ prompt: `clip ${i}`, image: IMG, options: { ...FAST, concurrency: 1 } });
		await expect(harness(new WaveSpeedLynx(), emu, params, { staticData, items: items(3) }).run()).rejects.toThrow(/flaky/);
		expect(emu.count('submit')).toBe(2);
		const [out] = await harness(new WaveSpeedLynx(), emu, params, { staticData, items: items(3) }).run();
		expect(out.map((o) => o.json.status)).toEqual(['completed', 'completed', 'completed']);
		// Item 0 was done, item 1 failed (bought again), item 2 was never started.
		expect(emu.count('submit')).toBe(4);
		expect(out[0].json.requestId).toBe(emu.jobs()[0].id);
	});

	it('forgets everything once the node succeeded, so the next execution submits anew', async () => {
		const staticData: IDataObject = {};
		await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }, { staticData }).run();
		await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }, { staticData, executionId: 'exec-2' }).run();
		expect(emu.count('submit')).toBe(2);
	});

	it('does not resume when the parameters changed between tries', async () => {
		emu.planNext({ outcome: 'never' });
		const staticData: IDataObject = {};
		await expect(harness(new FalLynx(), emu, { prompt: 'one', imageUrl: IMG, options: { timeout: 1 } }, { staticData }).run()).rejects.toThrow();
		await harness(new FalLynx(), emu, { prompt: 'two', imageUrl: IMG }, { staticData }).run();
		expect(emu.count('submit')).toBe(2);
	});
});

describe('the automatic poll schedule', () => {
	it('polls a Lynx job only inside its expected window (25–60 s), on a 50× clock', async () => {
		// The emulator runs 50× faster too: a 40 s job ends after 0.8 s of real time. What earlier
		// tests' jobs taught the schedule is forgotten: this is a fresh process's schedule.
		forgetJobEnds();
		emu.planNext({ durationMs: 800 });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG });
		const [out] = await runModel.call(h.ctx, waveSpeedLynx, { clock: scaledClock(50) });
		expect(out[0].json.status).toBe('completed');
		// 40 s job: quiet looks at 10 s and 17.5 s, then every 1.95 s from 25 s: 26.95, …, 40.6 → 10.
		expect(emu.count('result')).toBeGreaterThanOrEqual(7);
		expect(emu.count('result')).toBeLessThanOrEqual(11);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
