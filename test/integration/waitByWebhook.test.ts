/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped */
/**
 * Wait Method "Webhook" through the real node classes: execute() submits with the resume URL
 * and pauses; the emulator's real callbacks are captured on loopback and handed to the
 * node's webhook() as n8n would. Custom data is carried from the execute context to the
 * webhook context as n8n 2.x does (static data as 1.x does, in its own test).
 */
import { createServer } from 'http';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, INodeType, IWorkflowExecutionCustomData } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { createCustomData } from '../harness/context';
import type { Harness } from '../harness/context';
import { createWebhookHarness } from '../harness/webhook';
import type { WebhookHarness } from '../harness/webhook';
import { credentialsFor, harness, items } from './setup';
import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';

const IMG = 'https://cdn.example.com/portrait.jpg';

interface Captured {
	query: Record<string, string>;
	headers: Record<string, string>;
	rawBody: Buffer;
}

let emu: Emulator;
let receiver: Server;
let resumeBase: string;
const captured: Captured[] = [];

beforeAll(async () => {
	emu = await startEmulator();
	// Stands in for n8n's /webhook-waiting/<execution> endpoint: records what the provider sends.
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			captured.push({
				query: Object.fromEntries(url.searchParams),
				headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
				rawBody: Buffer.concat(chunks),
			});
			res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	resumeBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook-waiting`;
});
afterAll(async () => {
	await emu.close();
	await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
	emu.reset();
	captured.length = 0;
});

function pausedRun(
	node: INodeType,
	parameters: (i: number) => IDataObject,
	count: number,
	extra: { staticData?: IDataObject; continueOnFail?: boolean; customData?: IWorkflowExecutionCustomData } = {},
): Harness {
	return harness(node, emu, (i) => ({ waitMethod: 'webhook', ...parameters(i) }), {
		items: items(count),
		resumeUrl: `${resumeBase}/exec-1`,
		...extra,
	});
}

/** Hands one request to the node's webhook() in a later process, as n8n does on a callback. */
function callback(
	paused: Harness,
	node: INodeType,
	request: { query: Record<string, string>; rawBody: Buffer; headers?: Record<string, string> },
	options: { n8nMajor?: 1 | 2; onError?: 'continueRegularOutput' } = {},
): WebhookHarness {
	const major = options.n8nMajor ?? 2;
	const wh = createWebhookHarness({
		node,
		parameters: {},
		credentials: credentialsFor(emu),
		credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
		// 2.x hands webhook() the execution's custom data but a static data without our record;
		// 1.x the other way round.
		staticData: major === 1 ? paused.staticData : {},
		executionId: 'exec-1',
		mode: 'webhook',
		onError: options.onError,
		request: { method: 'POST', headers: { 'content-type': 'application/json', ...request.headers }, rawBody: request.rawBody, query: request.query },
	});
	if (major === 2) wh.ctx.customData.setAll(paused.ctx.customData.getAll());
	return wh;
}

async function waitFor(condition: () => boolean, timeoutMs = 8000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe.each([
	['WaveSpeed Lynx', new WaveSpeedLynx(), (i: number) => ({ prompt: `clip ${i}`, image: IMG })],
	['fal Lynx', new FalLynx(), (i: number) => ({ prompt: `clip ${i}`, imageUrl: IMG })],
] as const)('%s waiting by webhook', (_name, node, params) => {
	it('pauses, stays waiting through early callbacks, and resumes once with every item in order', async () => {
		emu.planNext({ durationMs: 1800 }, { durationMs: 300 }, { durationMs: 1000 });
		const paused = pausedRun(node, params, 3);
		const [passThrough] = await paused.run();
		expect(paused.waitTill).toBeInstanceOf(Date);
		expect(passThrough.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(emu.count('submit')).toBe(3);
		const webhooks = emu.jobs().map((j) => j.webhook);
		expect(new Set(webhooks).size).toBe(1);
		expect(webhooks[0]).toMatch(new RegExp(`^${resumeBase}/exec-1\\?aivNonce=[0-9a-f]{32}&aivModel=[\\w%.-]+$`));

		// The first job ends: its callback is acknowledged and the execution keeps waiting.
		await waitFor(() => captured.length >= 1);
		const early = callback(paused, node, captured[0]);
		const earlyResult = await early.run();
		expect(early.response.status).toBe(200);
		expect(earlyResult.workflowData).toBeUndefined();

		await waitFor(() => captured.length >= 3);
		const last = callback(paused, node, captured[2]);
		const result = await last.run();
		expect(last.response.status).toBe(200);
		const out = result.workflowData?.[0] ?? [];
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const prompts = new Map(emu.jobs().map((j) => [j.id, (j.input as IDataObject).prompt]));
		out.forEach((o, i) => {
			expect(o.json.status).toBe('completed');
			expect(prompts.get(String(o.json.requestId))).toBe(`clip ${i}`);
			// What the execution saw: the submit, and the end the callbacks told of.
			expect((o.json.statusHistory as Array<{ status: string }>).map((h) => h.status)).toEqual(['submitted', 'completed']);
		});
		expect(emu.count('submit')).toBe(3);
	});

	it('asks the provider once per job after the callback (the status read, or fal\'s result read, holds the output)', async () => {
		emu.planNext({ durationMs: 300 }, { durationMs: 400 });
		const paused = pausedRun(node, params, 2);
		await paused.run();
		await waitFor(() => captured.length >= 2);
		const before = emu.requests.length;
		const result = await callback(paused, node, captured[1]).run();
		expect(result.workflowData?.[0]).toHaveLength(2);
		const asked = emu.requests.slice(before).filter((q) => ['status', 'result', 'stream'].includes(q.kind));
		expect(asked).toHaveLength(2);
		expect(new Set(asked.map((q) => q.jobId)).size).toBe(2);
	});
});

describe.each([
	['fal Lynx', new FalLynx(), (i: number) => ({ prompt: `clip ${i}`, imageUrl: IMG })],
] as const)('%s after a callback, with one read per job', (_name, node, params) => {
	it('a job still running answers the result read "in progress": the execution keeps waiting', async () => {
		emu.planNext({ durationMs: 300 }, { durationMs: 2500 });
		const paused = pausedRun(node, params, 2);
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const early = callback(paused, node, captured[0]);
		const earlyResult = await early.run();
		expect(early.response.status).toBe(200);
		expect(earlyResult.workflowData).toBeUndefined();
		// The second job's own callback then resumes it (and is not left to the next test).
		await waitFor(() => captured.length >= 2);
		expect((await callback(paused, node, captured[1]).run()).workflowData?.[0]).toHaveLength(2);
	});

	it('a failed job read from its result fails the resumed node with the provider\'s message', async () => {
		emu.planNext({ durationMs: 300, outcome: 'failed', error: 'Image could not be processed' });
		const paused = pausedRun(node, params, 1);
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const before = emu.requests.length;
		await expect(callback(paused, node, captured[0]).run()).rejects.toThrow(/Image could not be processed/);
		expect(emu.requests.slice(before).filter((q) => q.kind === 'result' || q.kind === 'status')).toHaveLength(1);
	});
});

describe('a callback is a wake-up, not the truth', () => {
	it('refuses a request without our nonce or with a wrong one, asking the provider nothing', async () => {
		emu.planNext({ durationMs: 3000 });
		const paused = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG }), 1);
		await paused.run();
		const before = emu.requests.length;
		const queries: Array<Record<string, string>> = [{}, { aivNonce: 'f'.repeat(32) }, { aivNonce: 'short' }];
		for (const query of queries) {
			const forged = callback(paused, new WaveSpeedLynx(), { query, rawBody: Buffer.from('{"id":"x","status":"completed","outputs":["https://evil.example.com/v.mp4"]}') });
			const result = await forged.run();
			expect(forged.response.status).toBe(401);
			expect(result.workflowData).toBeUndefined();
		}
		expect(emu.requests.length).toBe(before);
	});

	it('a forged "completed" body on the right URL cannot end the wait or inject a video URL', async () => {
		emu.planNext({ durationMs: 1500 });
		const paused = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG }), 1);
		await paused.run();
		const job = emu.jobs()[0];
		const nonce = new URL(String(job.webhook)).searchParams.get('aivNonce') as string;
		const attack = Buffer.from(JSON.stringify({ id: job.id, status: 'completed', outputs: ['https://evil.example.com/v.mp4'] }));
		const early = await callback(paused, new WaveSpeedLynx(), { query: { aivNonce: nonce }, rawBody: attack }).run();
		expect(early.workflowData).toBeUndefined();
		await waitFor(() => captured.length >= 1);
		const late = await callback(paused, new WaveSpeedLynx(), { query: { aivNonce: nonce }, rawBody: attack }).run();
		const out = late.workflowData?.[0] ?? [];
		expect(out[0].json.videoUrl).toBe(`${emu.url}/files/wavespeed/${job.id}.mp4`);
		expect(JSON.stringify(out)).not.toContain('evil.example.com');
	});
});

describe('callbacks arriving together', () => {
	it("a callback that comes while another is checking is not dropped: it checks after it and resumes", async () => {
		emu.planNext({ durationMs: 300 }, { durationMs: 600 });
		const paused = pausedRun(new WaveSpeedLynx(), (i) => ({ prompt: `c${i}`, image: IMG }), 2);
		await paused.run();
		// The first check's answer is "still processing" and slow to arrive (a provider taking
		// 400 ms), so the second job ends and calls back while the first check is under way.
		const stale = { code: 200, message: 'success', data: { id: emu.jobs()[1].id, status: 'processing', outputs: [] } };
		emu.inject({ provider: 'wavespeed', kind: 'result', status: 200, body: stale, hangMs: 400, times: 1 });
		await waitFor(() => captured.length >= 1);
		const first = callback(paused, new WaveSpeedLynx(), captured[0]).run();
		await waitFor(() => captured.length >= 2);
		const second = callback(paused, new WaveSpeedLynx(), captured[1]).run();
		const results = await Promise.all([first, second]);
		const resumed = results.filter((r) => r.workflowData);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].workflowData?.[0].map((i) => i.json.status)).toEqual(['completed', 'completed']);
	});

	it('a callback that joins a follow-up check is answered at once; the two owners check, one resumes', async () => {
		emu.planNext({ durationMs: 300 }, { durationMs: 300 }, { durationMs: 300 });
		const paused = pausedRun(new WaveSpeedLynx(), (i) => ({ prompt: `c${i}`, image: IMG }), 3);
		await paused.run();
		await waitFor(() => captured.length >= 3);
		// Every status answer takes 600 ms: the first callback's check is under way while the
		// second starts the follow-up check and the third joins that one.
		emu.inject({ provider: 'wavespeed', kind: 'result', hangMs: 600, times: 100 });
		const hooks = captured.slice(0, 3).map((request) => callback(paused, new WaveSpeedLynx(), request));
		const first = hooks[0].run();
		const second = hooks[1].run();
		const started = Date.now();
		const third = await hooks[2].run();
		expect(Date.now() - started).toBeLessThan(300);
		expect(hooks[2].response).toMatchObject({ status: 200, sent: true });
		expect(third.workflowData).toBeUndefined();
		expect(hooks[1].response.sent).toBe(false);
		const results = await Promise.all([first, second]);
		const resumed = results.filter((r) => r.workflowData);
		expect(resumed).toHaveLength(1);
		expect(resumed[0].workflowData?.[0].map((i) => i.json.status)).toEqual(['completed', 'completed', 'completed']);
	});
});

describe('edges', () => {
	it('does not pause when every job has already ended by the time all are submitted', async () => {
		emu.setPlan({ durationMs: 0, queueMs: 0 });
		const paused = pausedRun(new FalLynx(), (i) => ({ prompt: `c${i}`, imageUrl: IMG }), 2);
		const [out] = await paused.run();
		expect(paused.waitTill).toBeUndefined();
		expect(out.map((o) => o.json.status)).toEqual(['completed', 'completed']);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('works from static data the way n8n 1.x hands it to webhook()', async () => {
		emu.planNext({ durationMs: 200 });
		const staticData: IDataObject = {};
		const paused = pausedRun(new FalLynx(), () => ({ prompt: 'p', imageUrl: IMG }), 1, { staticData });
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const result = await callback(paused, new FalLynx(), captured[0], { n8nMajor: 1 }).run();
		expect(result.workflowData?.[0][0].json.status).toBe('completed');
	});

	it('after the time limit, a late callback resumes with the unfinished items as errors carrying their ids', async () => {
		emu.planNext({ durationMs: 1500 }, { outcome: 'never' });
		const paused = pausedRun(new FalLynx(), (i) => ({ prompt: `c${i}`, imageUrl: IMG, options: { timeout: 1 } }), 2);
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const result = await callback(paused, new FalLynx(), captured[0], { onError: 'continueRegularOutput' }).run();
		const out = result.workflowData?.[0] ?? [];
		expect(out[0].json.status).toBe('completed');
		expect(out[1].json.error).toBe(
			`fal: the job did not finish within 1 s; it was cancelled at fal (On Timeout: Cancel), so it stops running and billing. Raise the Timeout option for long jobs (request ID: ${emu.jobs()[1].id})`,
		);
		expect(out[1].json.requestId).toBe(emu.jobs()[1].id);
		expect(emu.count('cancel', 'fal')).toBe(1);
		expect(emu.job(emu.jobs()[1].id)?.cancelled).toBe(true);
		// The cancelled job calls back too: taken here, not left for the next test.
		await waitFor(() => captured.length >= 2);
	});

	it('after the time limit with On Timeout "Keep It Running", the late callback leaves the job running', async () => {
		emu.planNext({ durationMs: 1500 }, { outcome: 'never' });
		const paused = pausedRun(new FalLynx(), (i) => ({ prompt: `c${i}`, imageUrl: IMG, options: { timeout: 1, onTimeout: 'keepRunning' } }), 2);
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const result = await callback(paused, new FalLynx(), captured[0], { onError: 'continueRegularOutput' }).run();
		const out = result.workflowData?.[0] ?? [];
		expect(out[1].json.error).toMatch(/did not finish within 1 s; it keeps running \(On Timeout: Keep Running\)/);
		expect(emu.count('cancel')).toBe(0);
	});

	it('downloads the video as binary on resume, like polling does', async () => {
		emu.planNext({ durationMs: 200, videoBytes: 123_456 });
		const paused = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG, output: 'binary' }), 1);
		await paused.run();
		await waitFor(() => captured.length >= 1);
		const wh = callback(paused, new WaveSpeedLynx(), captured[0]);
		const result = await wh.run();
		expect(result.workflowData?.[0][0].binary?.data?.mimeType).toBe('video/mp4');
		expect(wh.binaries[0].bytes).toBe(123_456);
	});

	it('a failed job fails the resumed node with its request id (or is an error item with Continue On Fail)', async () => {
		emu.setPlan({ durationMs: 200, outcome: 'failed', error: 'nsfw' });
		const failing = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG }), 1);
		await failing.run();
		await waitFor(() => captured.length >= 1);
		await expect(callback(failing, new WaveSpeedLynx(), captured[0]).run()).rejects.toThrow(`(request ID: ${emu.jobs()[0].id})`);

		const tolerant = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG }), 1);
		await tolerant.run();
		await waitFor(() => captured.length >= 2);
		const result = await callback(tolerant, new WaveSpeedLynx(), captured[1], { onError: 'continueRegularOutput' }).run();
		expect(result.workflowData?.[0][0].json).toMatchObject({ requestId: emu.jobs()[1].id, error: expect.stringMatching(/the job failed: nsfw/) });
	});

	it('refuses more items than the job list can hold, before any request', async () => {
		const paused = pausedRun(new FalLynx(), () => ({ prompt: 'p', imageUrl: IMG }), 51);
		await expect(paused.run()).rejects.toThrow('Wait Method: waiting by webhook handles at most 50 items per run (got 51)');
		expect(emu.requests).toHaveLength(0);
	});
});

describe("n8n's Retry On Fail while waiting by webhook", () => {
	it('jobs bought by an earlier try call back with a nonce the execution still accepts, and resume it', async () => {
		// Try 1: item 0 is bought, item 1's submit is refused (rate limited past every retry), item
		// 2 never starts. Try 2 resumes item 0's job and buys items 1 and 2. Item 0's job ends
		// last: its callback, with the URL of the first try, must resume the execution.
		emu.inject({ kind: 'submit', provider: 'wavespeed', status: 429, retryAfter: 0, after: 1, times: 5 });
		emu.planNext({ durationMs: 1500 }, { durationMs: 200 }, { durationMs: 700 });
		const staticData: IDataObject = {};
		const customData = createCustomData('webhook');
		const params = (i: number) => ({ prompt: `clip ${i}`, image: IMG, options: { concurrency: 1 } });
		const first = pausedRun(new WaveSpeedLynx(), params, 3, { staticData, customData });
		await expect(first.run()).rejects.toThrow(/HTTP 429/);
		expect(emu.count('submit')).toBe(6);

		const retry = pausedRun(new WaveSpeedLynx(), params, 3, { staticData, customData });
		await retry.run();
		expect(retry.waitTill).toBeInstanceOf(Date);
		expect(emu.jobs()).toHaveLength(3);

		// Items 1 and 2 (this try) end first: their callbacks find item 0's job still running.
		await waitFor(() => captured.length >= 2);
		const [firstJob, secondJob, thirdJob] = emu.jobs();
		const idOf = (c: Captured) => JSON.parse(c.rawBody.toString()).id as string;
		expect(captured.slice(0, 2).map(idOf).sort()).toEqual([secondJob.id, thirdJob.id].sort());
		for (const request of captured.slice(0, 2)) {
			const early = callback(retry, new WaveSpeedLynx(), request);
			expect((await early.run()).workflowData).toBeUndefined();
			expect(early.response.status).toBe(200);
		}
		// Item 0's job, bought by the first try, calls back last, with the first try's URL.
		await waitFor(() => captured.length >= 3);
		expect(idOf(captured[2])).toBe(firstJob.id);
		const byJob = new Map(captured.map((c) => [idOf(c), c]));
		const last = callback(retry, new WaveSpeedLynx(), byJob.get(firstJob.id)!);
		const result = await last.run();
		expect(last.response.status).toBe(200);
		const out = result.workflowData?.[0] ?? [];
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const prompts = new Map(emu.jobs().map((j) => [j.id, (j.input as IDataObject).prompt]));
		out.forEach((o, i) => {
			expect(o.json.status).toBe('completed');
			expect(prompts.get(String(o.json.requestId))).toBe(`clip ${i}`);
			expect(o.json.videoUrl).toBe(`${emu.url}/files/wavespeed/${String(o.json.requestId)}.mp4`);
		});
		expect(emu.count('submit')).toBe(8);
	});
});

describe("a workflow that uses n8n's custom data itself", () => {
	const fill = (count: number) => {
		const data = createCustomData('webhook');
		for (let i = 0; i < count; i++) data.set(`user_key_${i}`, `value ${i}`);
		return data;
	};

	it('with all 10 entries taken, fails before the first submit instead of parking for good', async () => {
		const paused = pausedRun(new WaveSpeedLynx(), () => ({ prompt: 'p', image: IMG }), 1, { customData: fill(10) });
		await expect(paused.run()).rejects.toThrow(
			/Wait Method: the list of jobs to wait for cannot be stored: n8n keeps at most 10 custom data entries per execution; this execution already uses 10 \(user_key_0, .*user_key_9\), and waiting for 1 job needs 1/,
		);
		expect(emu.requests).toHaveLength(0);
		expect(paused.waitTill).toBeUndefined();
	});

	it('with too few entries left for 50 items, fails before the first submit', async () => {
		const paused = pausedRun(new FalLynx(), () => ({ prompt: 'p', imageUrl: IMG }), 50, { customData: fill(5) });
		await expect(paused.run()).rejects.toThrow(/cannot be stored: .*already uses 5 .*needs \d+/);
		expect(emu.requests).toHaveLength(0);
	});

	it('with room left, waits and resumes as usual, and keeps the user\'s own entries', async () => {
		emu.planNext({ durationMs: 200 }, { durationMs: 200 });
		const customData = fill(8);
		const paused = pausedRun(new FalLynx(), (i) => ({ prompt: `c${i}`, imageUrl: IMG }), 2, { customData });
		await paused.run();
		expect(paused.waitTill).toBeInstanceOf(Date);
		await waitFor(() => captured.length >= 2);
		const result = await callback(paused, new FalLynx(), captured[1]).run();
		expect(result.workflowData?.[0].map((o) => o.json.status)).toEqual(['completed', 'completed']);
		expect(customData.get('user_key_7')).toBe('value 7');
	});
});
