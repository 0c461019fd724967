/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped */
/**
 * The WaveSpeed and fal Trigger nodes against the emulator's real signed callbacks: a model
 * node submits a job (Submit Only) with a Webhook URL pointing at a loopback receiver here, the
 * emulator calls it, and the captured request (raw bytes and headers) is handed to the
 * trigger's webhook() through the faithful webhook context. Forged, stale, unsigned and
 * replayed calls must start nothing.
 */
import { Fal } from '../../nodes/Fal/Fal.node';
import { WaveSpeed } from '../../nodes/WaveSpeed/WaveSpeed.node';
import { createHash, createHmac } from 'crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeType } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { FalTrigger } from '../../nodes/FalTrigger/FalTrigger.node';
import { clearTriggerCaches } from '../../nodes/shared/trigger';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedTrigger } from '../../nodes/WaveSpeedTrigger/WaveSpeedTrigger.node';
import { startEmulator, videoStream } from '../emulator/emulator';
import type { CallbackOptions, Emulator } from '../emulator/emulator';
import { createWebhookHarness } from '../harness/webhook';
import type { WebhookHarness } from '../harness/webhook';
import { credentialsFor, harness } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const ATTACKER_URL = 'https://attacker.invalid/evil.mp4';

// ---------------------------------------------------------------- a loopback receiver

interface Captured {
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	/** the query of the URL called (the model node tags it with the model id) */
	query?: Record<string, string>;
}

interface Receiver {
	url: string;
	received: Captured[];
	/** how the receiver answers; default 200 without looking */
	answer: (captured: Captured) => Promise<{ status: number; body: unknown }>;
	close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
	const receiver = {
		received: [] as Captured[],
		answer: async () => ({ status: 200, body: { ok: true } }),
	} as unknown as Receiver;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const query = Object.fromEntries(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
			const captured = { headers: req.headers, rawBody: Buffer.concat(chunks), query };
			receiver.received.push(captured);
			receiver.answer(captured).then(
				({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null)),
				(error: Error) => res.writeHead(500).end(error.message),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/trigger`;
	receiver.close = async () => await new Promise<void>((resolve) => server.close(() => resolve()));
	return receiver;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

// ---------------------------------------------------------------- fixtures

let emu: Emulator;
let receiver: Receiver;
beforeAll(async () => {
	emu = await startEmulator();
	receiver = await startReceiver();
});
afterAll(async () => {
	await receiver.close();
	await emu.close();
});
beforeEach(() => {
	emu.reset();
	receiver.received.splice(0);
	receiver.answer = async () => ({ status: 200, body: { ok: true } });
	clearTriggerCaches();
});
afterEach(() => jest.restoreAllMocks());

interface ProviderCase {
	provider: 'wavespeed' | 'fal';
	name: string;
	model: INodeType;
	trigger: () => INodeType;
	parameters: IDataObject;
	keyKind: 'secret' | 'jwks';
}

const cases: ProviderCase[] = [
	{
		provider: 'wavespeed',
		name: 'WaveSpeed Trigger',
		model: new WaveSpeedLynx(),
		trigger: () => new WaveSpeedTrigger(),
		parameters: { prompt: 'she smiles', image: IMG },
		keyKind: 'secret',
	},
	{
		provider: 'fal',
		name: 'fal Trigger',
		model: new FalLynx(),
		trigger: () => new FalTrigger(),
		parameters: { prompt: 'he waves', imageUrl: IMG },
		keyKind: 'jwks',
	},
];

/** Submits one job through the real model node (Submit Only, Webhook URL = the receiver). */
async function submitJob(c: ProviderCase): Promise<string> {
	const h = harness(c.model, emu, { ...c.parameters, mode: 'submitOnly', webhookUrl: receiver.url });
	const [out] = await h.run();
	expect(out[0].json.status).toBe('submitted');
	return String(out[0].json.requestId);
}

/** Submits a job and waits for the emulator's own (automatic) delivery. */
async function deliveredCallback(c: ProviderCase): Promise<{ requestId: string; callback: Captured }> {
	const before = receiver.received.length;
	const requestId = await submitJob(c);
	await waitFor(() => receiver.received.length > before);
	return { requestId, callback: receiver.received[receiver.received.length - 1] };
}

/** A callback the emulator sends on request (forged variants included), captured. */
async function sentCallback(requestId: string, opts: CallbackOptions = {}): Promise<Captured> {
	const before = receiver.received.length;
	// Where the provider delivers: the URL the model node gave it (tagged with the model id).
	await emu.sendCallback(requestId, { ...opts, to: opts.to ?? emu.job(requestId)?.webhook ?? receiver.url });
	await waitFor(() => receiver.received.length > before);
	return receiver.received[receiver.received.length - 1];
}

function triggerFor(
	c: ProviderCase,
	callback: Captured,
	parameters: IDataObject = {},
	extra: { staticData?: IDataObject; keys?: { wavespeed?: string; fal?: string } } = {},
): WebhookHarness {
	return createWebhookHarness({
		node: c.trigger(),
		parameters,
		credentials: credentialsFor(emu, extra.keys),
		credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
		staticData: extra.staticData,
		request: { headers: callback.headers, rawBody: callback.rawBody, query: callback.query },
	});
}

/** Runs the trigger: the items it started the workflow with (none when it started nothing). */
async function fire(h: WebhookHarness): Promise<IDataObject[]> {
	const result = await h.run();
	return (result.workflowData?.[0] ?? []).map((item) => item.json);
}

async function sha256OfStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

// ================================================================ both providers

describe.each(cases)('$name', (c) => {
	it('starts the workflow with one completed item from a genuine callback', async () => {
		const { requestId, callback } = await deliveredCallback(c);
		const h = triggerFor(c, callback);
		const result = await h.run();
		expect(result.workflowData).toHaveLength(1);
		expect(result.workflowData?.[0]).toHaveLength(1);
		const json = result.workflowData![0][0].json;
		const videoUrl = `${emu.url}/files/${c.provider}/${requestId}.mp4`;
		expect(json).toMatchObject({ provider: c.provider, requestId, status: 'completed', videoUrl, videoUrls: [videoUrl] });
		// the shape of a completed model-node item, with its cost: WaveSpeed's callback carries the
		// job's inputs, priced by WaveSpeed's price API; fal's does not, and Lynx on fal is priced
		// per second of video, so its cost is unknown (never a guess)
		expect(json).toMatchObject(
			c.provider === 'wavespeed'
				? { model: 'wavespeed-ai/lynx', estimatedCost: 0.5, costSource: 'provider', costCurrency: 'USD' }
				: { model: 'bytedance/lynx', estimatedCost: null, costSource: null, costCurrency: 'USD' },
		);
		if (c.provider === 'wavespeed') {
			expect(json).toMatchObject({ hasNsfwContents: [false], timings: { inference: expect.any(Number) }, input: { prompt: 'she smiles', image: IMG } });
		} else {
			expect(json).toMatchObject({ contentType: 'video/mp4', video: { url: videoUrl, content_type: 'video/mp4' } });
			expect(typeof json.seed).toBe('number');
		}
		expect(result.workflowData![0][0].binary).toBeUndefined();
		// confirmed with the provider, with the trigger's credential
		const reads = h.httpCalls.filter(
			(call) =>
				call.credentialType === (c.provider === 'wavespeed' ? 'waveSpeedApi' : 'falApi') &&
				!call.url.includes('/webhook/secret') &&
				!/\/model\/price|\/models\/pricing/.test(call.url),
		);
		expect(reads.map((call) => call.url.replace(emu.url, '').replace(/\?.*$/, ''))).toEqual(
			c.provider === 'wavespeed'
				? [`/wavespeed/api/v3/predictions/${requestId}/result`]
				: [`/fal-queue/bytedance/lynx/requests/${requestId}/status`, `/fal-queue/bytedance/lynx/requests/${requestId}`],
		);
		expect(h.response).toMatchObject({ status: 200, body: { message: 'Workflow was started' } });
		// the emulator's delivery was acknowledged by the receiver
		expect(emu.callbacks.filter((cb) => cb.jobId === requestId).map((cb) => cb.status)).toEqual([200]);
	});

	it(`fetches the ${c.keyKind === 'secret' ? 'signing secret with the credential' : 'JWKS without credentials'}, once for several callbacks`, async () => {
		const first = await deliveredCallback(c);
		const second = await deliveredCallback(c);
		const h1 = triggerFor(c, first.callback);
		expect(await fire(h1)).toHaveLength(1);
		const h2 = triggerFor(c, second.callback);
		expect(await fire(h2)).toHaveLength(1);
		expect(emu.count(c.keyKind)).toBe(1);
		// the second call fetched no key: its only requests are the job reads, with the credential
		expect(h2.httpCalls.length).toBeGreaterThan(0);
		expect(
			h2.httpCalls.every(
				(call) =>
					call.credentialType === (c.provider === 'wavespeed' ? 'waveSpeedApi' : 'falApi') &&
					/\/requests?\/|\/predictions\/|\/model\/price|\/models\/pricing/.test(call.url),
			),
		).toBe(true);
		const [call] = h1.httpCalls;
		if (c.provider === 'wavespeed') {
			expect(call).toMatchObject({ method: 'GET', url: `${emu.wavespeed.baseUrl}/api/v3/webhook/secret`, credentialType: 'waveSpeedApi' });
			expect(call.headers.authorization).toBe(`Bearer ${emu.wavespeed.apiKey}`);
		} else {
			expect(call).toMatchObject({ method: 'GET', url: emu.fal.jwksUrl });
			expect(call.headers.authorization).toBeUndefined();
			expect(call.credentialType).toBeUndefined();
		}
	});

	it('answers an unsigned callback 401 without fetching any key, and starts nothing', async () => {
		const { requestId } = await deliveredCallback(c);
		const unsigned = await sentCallback(requestId, { unsigned: true });
		const h = triggerFor(c, unsigned);
		const result = await h.run();
		expect(result).toEqual({ noWebhookResponse: true });
		expect(h.response).toMatchObject({ status: 401, body: { error: 'invalid signature' } });
		expect(emu.count(c.keyKind)).toBe(0);
		expect(h.logs.some((l) => l.level === 'warn' && /refused a callback: missing header/.test(l.message))).toBe(true);
	});

	it('answers a body forged after signing (attacker video URL) 401 and never touches the URL', async () => {
		const { requestId } = await deliveredCallback(c);
		const forged = await sentCallback(requestId, { tamper: true });
		expect(forged.rawBody.toString()).toContain(ATTACKER_URL);
		const h = triggerFor(c, forged, { output: 'binary' });
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 401, body: { error: 'invalid signature' } });
		expect(h.httpCalls.some((call) => call.url.includes('attacker.invalid'))).toBe(false);
		expect(h.binaries).toHaveLength(0);
	});

	it('answers a correctly signed but stale callback (10 minutes old) 401', async () => {
		const { requestId } = await deliveredCallback(c);
		const stale = await sentCallback(requestId, { staleSeconds: 600 });
		const h = triggerFor(c, stale);
		expect(await fire(h)).toEqual([]);
		expect(h.response.status).toBe(401);
		expect(h.logs.some((l) => /stale timestamp/.test(l.message))).toBe(true);
	});

	it('answers a callback signed with another key 401', async () => {
		const { requestId } = await deliveredCallback(c);
		const wrong = await sentCallback(requestId, { wrongKey: true });
		const h = triggerFor(c, wrong);
		expect(await fire(h)).toEqual([]);
		expect(h.response.status).toBe(401);
		expect(h.logs.some((l) => /bad signature/.test(l.message))).toBe(true);
	});

	it('answers 401 when n8n has no raw body for the request (never re-serializes the parsed one)', async () => {
		const { callback } = await deliveredCallback(c);
		const h = createWebhookHarness({
			node: c.trigger(),
			parameters: {},
			credentials: credentialsFor(emu),
			credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
			request: { headers: callback.headers, body: JSON.parse(callback.rawBody.toString()) as IDataObject },
		});
		expect(await fire(h)).toEqual([]);
		expect(h.response.status).toBe(401);
		expect(emu.count(c.keyKind)).toBe(0);
	});

	it('starts nothing for a replayed callback: the second delivery is acknowledged 200', async () => {
		const { requestId, callback } = await deliveredCallback(c);
		const staticData: IDataObject = {};
		expect(await fire(triggerFor(c, callback, {}, { staticData }))).toHaveLength(1);
		const again = triggerFor(c, callback, {}, { staticData });
		expect(await fire(again)).toEqual([]);
		expect(again.response).toMatchObject({ status: 200, body: { received: true, started: false, duplicate: true } });
		// a redelivery signed afresh (new timestamp) is the same job end: still nothing
		const redelivered = await sentCallback(requestId);
		expect(await fire(triggerFor(c, redelivered, {}, { staticData }))).toEqual([]);
		// and after a restart (in-memory state gone) the workflow's static data still knows it
		clearTriggerCaches();
		expect(await fire(triggerFor(c, redelivered, {}, { staticData }))).toEqual([]);
		expect(Object.keys(staticData.deliveredCallbacks as IDataObject)).toEqual([`${requestId}:completed`]);
	});

	it('starts one workflow when the same callback arrives three times at the same moment; the copies are acknowledged as duplicates', async () => {
		const { callback } = await deliveredCallback(c);
		// Separate static data, as concurrent requests each load the workflow in n8n.
		const harnesses = [1, 2, 3].map(() => triggerFor(c, callback, {}, { staticData: {} }));
		const runs = await Promise.all(harnesses.map(fire));
		expect(runs.map((items) => items.length).sort()).toEqual([0, 0, 1]);
		expect(harnesses.filter((h) => (h.response.body as IDataObject)?.duplicate === true)).toHaveLength(2);
		expect(harnesses.every((h) => h.response.status === 200)).toBe(true);
	});

	it('with Output binary, streams the video into binary data without sending credentials', async () => {
		emu.setPlan({ videoBytes: 2 * 1024 * 1024 + 5 });
		const { requestId, callback } = await deliveredCallback(c);
		const h = triggerFor(c, callback, { output: 'binary', binaryPropertyName: 'video' });
		const result = await h.run();
		const item = result.workflowData![0][0];
		expect(item.json.status).toBe('completed');
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: `${requestId}.mp4` });
		expect(h.binaries).toHaveLength(1);
		expect(h.binaries[0].bytes).toBe(2 * 1024 * 1024 + 5);
		expect(h.binaries[0].sha256).toBe(await sha256OfStream(videoStream(requestId, 2 * 1024 * 1024 + 5)));
		const download = h.httpCalls.find((call) => call.url.includes('/files/'));
		expect(download?.headers.authorization).toBeUndefined();
		expect(emu.count('download')).toBe(1);
	});

	it('emits a failed item for a failed job', async () => {
		emu.planNext({ outcome: 'failed', errorCode: 1402, error: 'Failed to download image' });
		const { requestId, callback } = await deliveredCallback(c);
		const h = triggerFor(c, callback, { output: 'binary' });
		const [json] = await fire(h);
		// What the provider's status read says, in the words a model node uses
		if (c.provider === 'wavespeed') {
			expect(json).toEqual({
				provider: 'wavespeed',
				model: 'wavespeed-ai/lynx',
				requestId,
				status: 'failed',
				error: 'the job failed: Failed to download image (code 1402: the provider could not download an input image; use a public URL)',
				errorCode: 1402,
				executionTime: expect.any(Number),
				input: { prompt: 'she smiles', image: IMG },
			});
		} else {
			expect(json).toEqual({
				provider: 'fal',
				model: 'bytedance/lynx',
				requestId,
				status: 'failed',
				error: 'the job failed: Failed to download image (error_type app_error)',
				errorType: 'app_error',
			});
		}
		expect(h.binaries).toHaveLength(0);
		expect(emu.count('download')).toBe(0);
	});

	it.each([
		['completed', 'completed', 1],
		['completed', 'failed', 0],
		['failed', 'failed', 1],
		['failed', 'completed', 0],
		['failed', 'both', 1],
	] as const)('with a %s job and Trigger On "%s", starts %d workflow(s)', async (outcome, events, started) => {
		emu.planNext({ outcome });
		const { callback } = await deliveredCallback(c);
		const h = triggerFor(c, callback, { events });
		expect(await fire(h)).toHaveLength(started);
		expect(h.response.status).toBe(200);
	});

	it('refetches the keys once when a check fails and they are a minute old (rotation), not more often', async () => {
		const { requestId, callback } = await deliveredCallback(c);
		expect(await fire(triggerFor(c, callback))).toHaveLength(1);
		expect(emu.count(c.keyKind)).toBe(1);
		const realNow = Date.now.bind(Date);
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
		const wrong = await sentCallback(requestId, { wrongKey: true });
		expect(await fire(triggerFor(c, wrong))).toEqual([]);
		expect(emu.count(c.keyKind)).toBe(2);
		// right after a refetch, another forged call does not cause a third one
		expect(await fire(triggerFor(c, wrong))).toEqual([]);
		expect(emu.count(c.keyKind)).toBe(2);
	});

	it('closes the loop: the receiver runs the trigger, a failed download is answered 500 and the redelivery starts the workflow once', async () => {
		const starts: IDataObject[] = [];
		const staticData: IDataObject = {};
		receiver.answer = async (captured) => {
			const h = triggerFor(c, captured, { output: 'binary' }, { staticData });
			try {
				starts.push(...(await fire(h)));
			} catch {
				// n8n answers 500 when webhook() throws
			}
			return { status: h.response.status ?? 500, body: h.response.body };
		};
		// All three download attempts of the first delivery fail; the redelivery's succeeds.
		emu.inject({ kind: 'download', provider: c.provider, status: 503, times: 3 });
		const requestId = await submitJob(c);
		await waitFor(() => emu.callbacks.some((cb) => cb.jobId === requestId && cb.status === 200));
		const attempts = emu.callbacks.filter((cb) => cb.jobId === requestId).map((cb) => cb.status);
		expect(attempts).toEqual([500, 200]);
		expect(starts).toHaveLength(1);
		expect(starts[0]).toMatchObject({ requestId, status: 'completed' });
	});
});

// ================================================================ confirmation with the provider

describe.each(cases)('$name: the callback is confirmed with the provider', (c) => {
	const reads = () => emu.count(c.provider === 'wavespeed' ? 'result' : 'status', c.provider);

	it('a genuinely signed callback naming an attacker video URL: the item and the download use the provider\'s URL only', async () => {
		const requestId = await submitJob(c);
		await waitFor(() => receiver.received.length > 0);
		const forged = await sentCallback(requestId, { forgeSigned: true });
		expect(forged.rawBody.toString()).toContain(ATTACKER_URL);
		const h = triggerFor(c, forged, { output: 'binary' });
		const [json] = await fire(h);
		const videoUrl = `${emu.url}/files/${c.provider}/${requestId}.mp4`;
		expect(json).toMatchObject({ requestId, status: 'completed', videoUrl, videoUrls: [videoUrl] });
		expect(JSON.stringify(json)).not.toContain('attacker.invalid');
		expect(h.httpCalls.some((call) => call.url.includes('attacker.invalid'))).toBe(false);
		expect(h.binaries).toHaveLength(1);
		expect(h.binaries[0].sha256).toBe(await sha256OfStream(videoStream(requestId, 65536)));
	});

	it('a job the credential cannot see starts nothing (one read), and a replay of the same callback costs no read', async () => {
		let callback: Captured;
		if (c.provider === 'fal') {
			// Someone else's fal account, the trigger's URL: fal signs the callback for real.
			const other = harness(c.model, emu, { ...c.parameters, mode: 'submitOnly', webhookUrl: receiver.url }, { keys: { fal: emu.fal.otherApiKey } });
			const [out] = await other.run();
			await waitFor(() => receiver.received.length > 0);
			callback = receiver.received[0];
			expect(callback.headers['x-fal-webhook-user-id']).toBe(emu.fal.otherUserId);
			expect(out[0].json.requestId).toBe(JSON.parse(callback.rawBody.toString()).request_id);
		} else {
			// A body signed with this account's secret for a job id WaveSpeed does not know.
			callback = signedWaveSpeedBody({ id: 'f'.repeat(32), model: 'wavespeed-ai/lynx', status: 'completed', outputs: [ATTACKER_URL] });
		}
		const h = triggerFor(c, callback, { output: 'binary' });
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 200, body: { received: true, started: false } });
		expect(h.logs.some((l) => l.level === 'warn' && /not visible to this credential/.test(l.message))).toBe(true);
		expect(reads()).toBe(1);
		expect(h.httpCalls.some((call) => call.url.includes('attacker.invalid'))).toBe(false);
		const replay = triggerFor(c, callback);
		expect(await fire(replay)).toEqual([]);
		expect(replay.response.status).toBe(200);
		expect(reads()).toBe(1);
	});

	it('a callback for a job the provider says is still running: 503, nothing starts; once it ended, its delivery starts one workflow', async () => {
		emu.planNext({ durationMs: 1500 });
		const requestId = await submitJob(c);
		const early = await sentCallback(requestId, { early: true });
		const staticData: IDataObject = {};
		const h = triggerFor(c, early, {}, { staticData });
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 503, body: { started: false } });
		expect(staticData.deliveredCallbacks).toBeUndefined();
		await waitFor(() => emu.callbacks.some((cb) => cb.jobId === requestId && cb.attempt >= 1));
		const delivered = receiver.received[receiver.received.length - 1];
		expect(await fire(triggerFor(c, delivered, {}, { staticData }))).toEqual([expect.objectContaining({ requestId, status: 'completed' })]);
	});
});

/** A WaveSpeed callback as WaveSpeed signs it (the emulator's secret), for a body built here. */
function signedWaveSpeedBody(body: IDataObject, query?: Record<string, string>): Captured {
	const raw = JSON.stringify(body);
	const ts = String(Math.floor(Date.now() / 1000));
	const signature = createHmac('sha256', emu.wavespeed.webhookSecret.slice('whsec_'.length)).update(`${String(body.id)}.${ts}.${raw}`).digest('hex');
	return {
		headers: { 'content-type': 'application/json', 'webhook-id': String(body.id), 'webhook-timestamp': ts, 'webhook-signature': `v3,${signature}` },
		rawBody: Buffer.from(raw),
		query,
	};
}

// ================================================================ key fetches (signing secret / JWKS)

describe.each(cases)('$name: fetching signing keys', (c) => {
	/** Moves this process's clock (Date.now) forward; the emulator's too, it shares the process. */
	function advanceClock(ms: number): void {
		const now = Date.now();
		jest.spyOn(Date, 'now').mockImplementation(() => now + ms);
	}

	async function run(h: WebhookHarness): Promise<{ items: IDataObject[]; status?: number; error?: unknown }> {
		try {
			return { items: await fire(h), status: h.response.status };
		} catch (error) {
			return { items: [], status: h.response.status, error };
		}
	}

	it('fetches no key for forged calls that fail the cheap checks (headers, timestamp, signature form, body)', async () => {
		const { requestId, callback } = await deliveredCallback(c);
		const stale = await sentCallback(requestId, { staleSeconds: 600 });
		const unsigned = await sentCallback(requestId, { unsigned: true });
		const sigHeader = c.provider === 'wavespeed' ? 'webhook-signature' : 'x-fal-webhook-signature';
		const malformed = { headers: { ...callback.headers, [sigHeader]: c.provider === 'wavespeed' ? 'v3,abc' : 'abc' }, rawBody: callback.rawBody };
		// (as text/plain: n8n itself answers 422 to a JSON content type that does not parse)
		const notJson = { headers: { ...callback.headers, 'content-type': 'text/plain' }, rawBody: Buffer.from('not json') };
		const array = { headers: callback.headers, rawBody: Buffer.from('[1]') };
		const forged = [stale, unsigned, malformed, notJson, array];
		for (let round = 0; round < 4; round++) {
			for (const call of forged) {
				const h = triggerFor(c, call);
				expect((await run(h)).status).toBe(401);
			}
		}
		expect(emu.count(c.keyKind)).toBe(0);
	});

	it('with the key endpoint failing, a burst of 20 calls costs one key request, and 30 s later one more', async () => {
		const { requestId } = await deliveredCallback(c);
		const wrong = await sentCallback(requestId, { wrongKey: true });
		emu.inject({ kind: c.keyKind, provider: c.provider, status: 503, times: Infinity });
		const outcomes = [];
		for (let i = 0; i < 20; i++) outcomes.push(await run(triggerFor(c, wrong)));
		expect(emu.count(c.keyKind)).toBe(1);
		// fail closed and visibly: n8n answers 500, so the provider delivers again later
		expect(outcomes.every((o) => o.status === 500 && o.error instanceof NodeApiError)).toBe(true);
		expect(outcomes.every((o) => o.items.length === 0)).toBe(true);
		advanceClock(31_000);
		await run(triggerFor(c, wrong));
		await run(triggerFor(c, wrong));
		expect(emu.count(c.keyKind)).toBe(2);
	});

	it('concurrent calls share one key request', async () => {
		const first = await deliveredCallback(c);
		const second = await deliveredCallback(c);
		const runs = await Promise.all([first, second, first, second].map(async ({ callback }) => await run(triggerFor(c, callback, {}, { staticData: {} }))));
		expect(runs.every((r) => r.status === 200)).toBe(true);
		expect(emu.count(c.keyKind)).toBe(1);
	});

	it('a failed refresh keeps the good keys: genuine callbacks still verify while the key endpoint is down', async () => {
		const first = await deliveredCallback(c);
		const second = await deliveredCallback(c);
		const third = await deliveredCallback(c);
		expect(await fire(triggerFor(c, first.callback))).toHaveLength(1);
		expect(emu.count(c.keyKind)).toBe(1);
		emu.inject({ kind: c.keyKind, provider: c.provider, status: 503, times: Infinity });
		// keys a minute old + a bad signature = one refresh attempt, which fails
		advanceClock(61_000);
		const wrong = await sentCallback(first.requestId, { wrongKey: true });
		const forged = await run(triggerFor(c, wrong));
		expect(forged.status).toBe(401);
		expect(emu.count(c.keyKind)).toBe(2);
		// the job's genuine callback (signed now) verifies with the kept keys, and costs no fetch
		const resent = await sentCallback(second.requestId);
		expect(await fire(triggerFor(c, resent))).toEqual([expect.objectContaining({ requestId: second.requestId })]);
		expect(emu.count(c.keyKind)).toBe(2);
		// past the keys' lifetime (WaveSpeed secret 5 min, emulator JWKS max-age 1 h) the endpoint
		// is asked again; it still fails, and the kept keys still verify
		jest.restoreAllMocks();
		advanceClock(2 * 3_600_000);
		const later = await sentCallback(third.requestId);
		expect(await fire(triggerFor(c, later))).toEqual([expect.objectContaining({ requestId: third.requestId })]);
		expect(emu.count(c.keyKind)).toBe(3);
	});
});

// ================================================================ provider specifics

describe('WaveSpeed Trigger specifics', () => {
	const ws = cases[0];

	it('fails visibly (n8n answers 500, WaveSpeed may redeliver) when the API key cannot fetch the secret', async () => {
		const { callback } = await deliveredCallback(ws);
		const h = triggerFor(ws, callback, {}, { keys: { wavespeed: 'not-the-key' } });
		const error = await h.run().then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/^WaveSpeed: fetching the webhook signing secret failed with HTTP 401.*Check the API key in the WaveSpeed credential/);
		expect(h.response.status).toBe(500);
	});

	it('a job WaveSpeed reports as unknown inside its envelope (HTTP 200, code 404) starts nothing', async () => {
		emu.inject({ kind: 'result', provider: 'wavespeed', status: 200, body: { code: 404, message: 'prediction not found', data: null } });
		const h = triggerFor(ws, signedWaveSpeedBody({ id: 'e'.repeat(32), model: 'wavespeed-ai/lynx', status: 'completed', outputs: [ATTACKER_URL] }));
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 200, body: { received: true, started: false } });
		expect(h.logs.some((l) => /not visible to this credential/.test(l.message))).toBe(true);
	});

	it('keys the cached secret by the normalized API key: a pasted "Bearer " prefix shares it', async () => {
		const { callback } = await deliveredCallback(ws);
		await fire(triggerFor(ws, callback, {}, { staticData: {} }));
		await fire(triggerFor(ws, callback, {}, { staticData: {}, keys: { wavespeed: ` Bearer ${emu.wavespeed.apiKey}\n` } }));
		expect(emu.count('secret')).toBe(1);
	});

	it('ignores a callback for a job that has not ended, acknowledging it', async () => {
		// A body WaveSpeed could sign for a running job: built here, signed like the emulator does.
		const { requestId } = await deliveredCallback(ws);
		const { createHmac } = await import('crypto');
		const body = JSON.stringify({ id: requestId, model: 'wavespeed-ai/lynx', outputs: [], status: 'processing' });
		const ts = String(Math.floor(Date.now() / 1000));
		const signature = createHmac('sha256', emu.wavespeed.webhookSecret.slice('whsec_'.length)).update(`${requestId}.${ts}.${body}`).digest('hex');
		const h = triggerFor(ws, {
			headers: { 'content-type': 'application/json', 'webhook-id': requestId, 'webhook-timestamp': ts, 'webhook-signature': `v3,${signature}` },
			rawBody: Buffer.from(body),
		});
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 200, body: { received: true, started: false } });
	});
});

describe('fal Trigger specifics', () => {
	const fal = cases[1];

	const statusReads = () => emu.count('status', 'fal');

	it('the fal node tags the webhook URL with its endpoint id; the trigger reads the job there', async () => {
		const { requestId, callback } = await deliveredCallback(fal);
		expect(callback.query).toEqual({ aivModel: 'bytedance/lynx' });
		expect(emu.job(requestId)?.webhook).toBe(`${receiver.url}?aivModel=bytedance%2Flynx`);
	});

	it('an untagged callback (a job from other software) is refused without a read, unless the Endpoint ID option names the endpoint', async () => {
		const { requestId, callback } = await deliveredCallback(fal);
		const untagged = { ...callback, query: {} };
		const h = triggerFor(fal, untagged);
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 400, body: { started: false } });
		expect(h.logs.some((l) => l.level === 'warn' && /Endpoint ID for Jobs From Other Software/.test(l.message))).toBe(true);
		expect(statusReads()).toBe(0);
		const withOption = triggerFor(fal, untagged, { options: { endpointId: 'bytedance/lynx' } });
		expect(await fire(withOption)).toEqual([expect.objectContaining({ requestId, model: 'bytedance/lynx', status: 'completed' })]);
		expect(statusReads()).toBe(1);
	});

	it('a tag that is not an endpoint id never goes into a URL', async () => {
		const { requestId, callback } = await deliveredCallback(fal);
		const sneaky = { ...callback, query: { aivModel: 'fal-ai/../../../fal-rest/storage/upload/initiate' } };
		const h = triggerFor(fal, sneaky);
		expect(await fire(h)).toEqual([]);
		expect(h.response.status).toBe(400);
		expect(emu.requests.filter((r) => r.provider === 'fal' && r.kind !== 'jwks' && r.kind !== 'submit' && r.kind !== 'price')).toEqual([]);
		// the option then decides
		expect(await fire(triggerFor(fal, sneaky, { options: { endpointId: 'bytedance/lynx' } }))).toEqual([expect.objectContaining({ requestId })]);
	});

	it('a tag naming another endpoint finds no such job there: nothing starts', async () => {
		const { callback } = await deliveredCallback(fal);
		const h = triggerFor(fal, { ...callback, query: { aivModel: 'fal-ai/other-app' } });
		expect(await fire(h)).toEqual([]);
		expect(h.response).toMatchObject({ status: 200, body: { started: false } });
		expect(emu.requests.filter((r) => r.kind === 'status').map((r) => r.path)).toEqual([expect.stringContaining('/fal-queue/fal-ai/other-app/requests/')]);
		// the tag is not signed: that refusal must not hide the job from its genuine delivery
		expect(await fire(triggerFor(fal, callback))).toEqual([expect.objectContaining({ status: 'completed' })]);
	});

	it('replays of another account\'s callback with ever new tags cost at most three reads', async () => {
		const other = harness(fal.model, emu, { ...fal.parameters, mode: 'submitOnly', webhookUrl: receiver.url }, { keys: { fal: emu.fal.otherApiKey } });
		await other.run();
		await waitFor(() => receiver.received.length > 0);
		const callback = receiver.received[0];
		for (let i = 0; i < 8; i++) {
			const h = triggerFor(fal, { ...callback, query: { aivModel: `fal-ai/app-${i}` } });
			expect(await fire(h)).toEqual([]);
			expect(h.response.status).toBe(200);
		}
		expect(statusReads()).toBe(3);
	});

	it('fails visibly (n8n answers 500, fal delivers again) when fal rejects the credential\'s key', async () => {
		const { callback } = await deliveredCallback(fal);
		const h = triggerFor(fal, callback, {}, { keys: { fal: 'not-the-key' } });
		const error = await h.run().then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/^fal: Checking the job status failed with HTTP 401.*Check the API key in the fal credential/);
		expect(h.response.status).toBe(500);
	});

	it('verifies a callback of a request fal retried: the signed header id is gateway_request_id, not request_id', async () => {
		emu.planNext({ gatewayRetry: true });
		const { requestId, callback } = await deliveredCallback(fal);
		const body = JSON.parse(callback.rawBody.toString()) as IDataObject;
		const gatewayId = String(body.gateway_request_id);
		expect(body.request_id).toBe(requestId);
		expect(gatewayId).not.toBe(requestId);
		expect(callback.headers['x-fal-webhook-request-id']).toBe(gatewayId);
		const h = triggerFor(fal, callback);
		const [json] = await fire(h);
		expect(json).toMatchObject({ provider: 'fal', requestId, gatewayRequestId: gatewayId, status: 'completed' });
		expect(h.response.status).toBe(200);
	});

	it('refuses a callback whose signed request id is neither the body\'s request_id nor its gateway_request_id', async () => {
		emu.planNext({ gatewayRetry: true });
		const { callback } = await deliveredCallback(fal);
		// Another genuinely signed callback of a different job, with this job's body: the
		// signature holds for the headers it came with, but the ids do not match.
		const other = await deliveredCallback(fal);
		const h = triggerFor(fal, { headers: other.callback.headers, rawBody: callback.rawBody });
		expect(await fire(h)).toEqual([]);
		expect(h.response.status).toBe(401);
		expect(emu.count('jwks')).toBe(0);
	});

	it('takes a JWKS key that has x but no kty/crv as Ed25519', async () => {
		emu.jwksStyle = 'x-only';
		const { requestId, callback } = await deliveredCallback(fal);
		expect(await fire(triggerFor(fal, callback))).toEqual([expect.objectContaining({ requestId, status: 'completed' })]);
	});

	it('keeps a seed beyond 2^53 exact (17454220438242315174, as a string)', async () => {
		emu.planNext({ bigSeed: '17454220438242315174' });
		const { callback } = await deliveredCallback(fal);
		expect(callback.rawBody.toString()).toContain('"seed":17454220438242315174');
		const [json] = await fire(triggerFor(fal, callback));
		expect(json.seed).toBe('17454220438242315174');
		expect((json.video as IDataObject).url).toBe(json.videoUrl);
	});

	it('fails visibly when the JWKS URL serves no keys', async () => {
		const fal = cases[1];
		const { callback } = await deliveredCallback(fal);
		const h = createWebhookHarness({
			node: new FalTrigger(),
			parameters: {},
			credentials: { falApi: { ...credentialsFor(emu).falApi, jwksUrl: `${emu.url}/fal-rest/.well-known/missing.json` } },
			credentialTypes: { falApi: new FalApi() },
			request: { headers: callback.headers, rawBody: callback.rawBody },
		});
		await expect(h.run()).rejects.toThrow(/^fal: the JWKS URL .* without signing keys/);
		expect(h.response.status).toBe(500);
	});
});

describe('jobs of any model (submitted by the any-model nodes with Submit Only)', () => {
	const mapper = (value: IDataObject) => ({ mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] });
	it.each([
		['WaveSpeed', cases[0], () => new WaveSpeed(), 'google/veo3.1-fast/image-to-video', { prompt: 'p', image: IMG }],
		['fal', cases[1], () => new Fal(), 'fal-ai/sora-2/image-to-video', { prompt: 'p', image_url: IMG }],
	] as const)('%s: the Trigger confirms the job under its model and outputs every file of its result', async (_name, c, node, model, inputs) => {
		const before = receiver.received.length;
		const h = harness(node(), emu, {
			operation: 'generate',
			model: { __rl: true, mode: 'id', value: model },
			inputs: mapper(inputs as IDataObject),
			mode: 'submitOnly',
			webhookUrl: receiver.url,
		});
		const [out] = await h.run();
		const requestId = String(out[0].json.requestId);
		await waitFor(() => receiver.received.length > before);
		const callback = receiver.received[receiver.received.length - 1];
		expect(callback.query).toEqual({ aivModel: model });
		const [json] = await fire(triggerFor(c, callback));
		expect(json).toMatchObject({ provider: c.provider, model, requestId, status: 'completed' });
		const media = json.mediaUrls as string[];
		expect(media.length).toBeGreaterThanOrEqual(1);
		expect(media.every((url) => url.startsWith(emu.url))).toBe(true);
	});
});
