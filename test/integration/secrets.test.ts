/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped */
/**
 * The API key appears nowhere a user, a log reader or n8n's execution store can see it, even
 * when the provider quotes it back in an error (the emulator's `echoAuth` fault answers with
 * the Authorization header it received, in the message and in a nested field): not in the
 * thrown error as n8n serialises it (its JSON, every own enumerable property, `messages`,
 * `cause`, `errorResponse`, `context`, the stack), not in Continue On Fail items, not in the
 * logs, not in a Trigger's answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INode, INodeType } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { FalTrigger } from '../../nodes/FalTrigger/FalTrigger.node';
import { toNodeError } from '../../nodes/shared/errors';
import { clearTriggerCaches } from '../../nodes/shared/trigger';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedTrigger } from '../../nodes/WaveSpeedTrigger/WaveSpeedTrigger.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { createWebhookHarness } from '../harness/webhook';
import { credentialsFor, harness, items } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => {
	emu.reset();
	clearTriggerCaches();
});

/** JSON.stringify that survives cycles (an HTTP library's error holds its request). */
function serialised(value: unknown): string {
	const seen = new WeakSet<object>();
	return (
		JSON.stringify(value, (_key, v: unknown) => {
			if (v && typeof v === 'object') {
				if (seen.has(v)) return '[circular]';
				seen.add(v);
			}
			return v;
		}) ?? String(value)
	);
}

/** Every way n8n (1.x or 2.x) may show, log or store an error, as one text. */
function everythingIn(error: unknown): string {
	const e = error as Record<string, unknown>;
	const parts = [JSON.stringify(error), String(e.message), String(e.stack), String(e.description)];
	for (const key of Object.keys(e)) if (key !== 'node') parts.push(serialised(e[key]));
	for (const key of ['messages', 'cause', 'errorResponse', 'context', 'extra', 'tags']) parts.push(serialised(e[key]));
	return parts.join('\n');
}

async function thrown(run: () => Promise<unknown>): Promise<unknown> {
	return await run().then(
		() => {
			throw new Error('expected a failure');
		},
		(error: unknown) => error,
	);
}

interface Case {
	name: string;
	provider: 'wavespeed' | 'fal';
	node: () => INodeType;
	parameters: IDataObject;
	key: () => string;
	/** what the status read is called at the emulator */
	statusKind: 'result' | 'status';
}

const cases: Case[] = [
	{ name: 'WaveSpeed', provider: 'wavespeed', node: () => new WaveSpeedLynx(), parameters: { prompt: 'p', image: IMG }, key: () => emu.wavespeed.apiKey, statusKind: 'result' },
	{ name: 'fal', provider: 'fal', node: () => new FalLynx(), parameters: { prompt: 'p', imageUrl: IMG }, key: () => emu.fal.apiKey, statusKind: 'status' },
];

describe.each(cases)('$name: a provider that quotes the key back', (c) => {
	it('the echo really carries the key (the fault works)', async () => {
		emu.inject({ kind: 'submit', provider: c.provider, echoAuth: true, times: Infinity });
		await thrown(() => harness(c.node(), emu, c.parameters).run());
		const answered = emu.requests.find((r) => r.kind === 'submit');
		expect(answered?.status).toBe(401);
		expect(answered?.headers.authorization).toContain(c.key());
	});

	it('a refused submit: the thrown error carries no key anywhere, nor do the logs', async () => {
		emu.inject({ kind: 'submit', provider: c.provider, echoAuth: true, status: 403, times: Infinity });
		const h = harness(c.node(), emu, c.parameters);
		const error = await thrown(() => h.run());
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/credentials not accepted/);
		expect(everythingIn(error)).not.toContain(c.key());
		expect(serialised(h.logs)).not.toContain(c.key());
	});

	it('a failing status read: neither the thrown error nor the logs carry the key', async () => {
		emu.inject({ kind: c.statusKind, provider: c.provider, echoAuth: true, times: Infinity });
		const h = harness(c.node(), emu, { ...c.parameters, options: FAST });
		const error = await thrown(() => h.run());
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toContain('(request ID: ');
		expect(everythingIn(error)).not.toContain(c.key());
		expect(serialised(h.logs)).not.toContain(c.key());
	});

	it('with Continue On Fail, the error items carry no key', async () => {
		emu.inject({ kind: c.statusKind, provider: c.provider, echoAuth: true, times: Infinity });
		const h = harness(c.node(), emu, { ...c.parameters, options: FAST }, { items: items(2), continueOnFail: true });
		const [out] = await h.run();
		expect(out).toHaveLength(2);
		expect(out.every((item) => typeof item.json.error === 'string')).toBe(true);
		expect(serialised(out)).not.toContain(c.key());
		expect(serialised(h.logs)).not.toContain(c.key());
	});

	it('wait by webhook, the status check at pause time fails: the thrown error carries no key', async () => {
		// fal's check is its result read (one request per job), WaveSpeed's its status read.
		for (const kind of new Set([c.statusKind, 'result'] as const))
			emu.inject({ kind, provider: c.provider, echoAuth: true, times: Infinity });
		const h = harness(c.node(), emu, { ...c.parameters, waitMethod: 'webhook' }, { resumeUrl: 'http://127.0.0.1:9/webhook-waiting/exec-1' });
		const error = await thrown(() => h.run());
		expect(everythingIn(error)).not.toContain(c.key());
		expect(serialised(h.logs)).not.toContain(c.key());
	});

	it('wait by webhook, the check on a callback fails: the warning logged and the answer carry no key', async () => {
		emu.planNext({ durationMs: 60_000 });
		const paused = harness(c.node(), emu, { ...c.parameters, waitMethod: 'webhook' }, { resumeUrl: 'http://127.0.0.1:9/webhook-waiting/exec-1' });
		await paused.run();
		expect(paused.waitTill).toBeInstanceOf(Date);
		const webhook = new URL(String(emu.jobs()[0].webhook));
		for (const kind of new Set([c.statusKind, 'result'] as const))
			emu.inject({ kind, provider: c.provider, echoAuth: true, times: Infinity });
		const wh = createWebhookHarness({
			node: c.node(),
			parameters: {},
			credentials: credentialsFor(emu),
			credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
			staticData: {},
			executionId: 'exec-1',
			mode: 'webhook',
			request: { method: 'POST', headers: { 'content-type': 'application/json' }, rawBody: Buffer.from('{}'), query: Object.fromEntries(webhook.searchParams) },
		});
		wh.ctx.customData.setAll(paused.ctx.customData.getAll());
		await wh.run();
		expect(wh.response.status).toBe(503);
		const warnings = wh.logs.filter((l) => l.level === 'warn');
		expect(warnings.some((l) => /could not check the .* jobs/.test(l.message))).toBe(true);
		expect(emu.requests.some((r) => (r.kind === c.statusKind || r.kind === 'result') && r.status === 401)).toBe(true);
		expect(serialised(wh.logs)).not.toContain(c.key());
		expect(serialised(wh.response)).not.toContain(c.key());
	});
});

describe('an n8n NodeApiError from the authenticated request helper', () => {
	it('keeps no key in its internals (the HTTP error in `cause` holds the request headers) once through toNodeError', async () => {
		emu.inject({ kind: 'balance', provider: 'wavespeed', echoAuth: true, times: Infinity });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG });
		const raw = await thrown(
			async () =>
				await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'waveSpeedApi', {
					method: 'GET',
					url: `${emu.wavespeed.baseUrl}/api/v3/balance`,
					json: true,
				}),
		);
		expect(raw).toBeInstanceOf(NodeApiError);
		// n8n's error does carry it (request headers and the quoted answer)
		expect(everythingIn(raw)).toContain(emu.wavespeed.apiKey);
		const error = toNodeError(h.ctx.getNode() as INode, raw, { provider: 'wavespeed', secrets: [emu.wavespeed.apiKey] });
		expect(everythingIn(error)).not.toContain(emu.wavespeed.apiKey);
		expect(error.message).toBeTruthy();
	});

	it('also removes the secret part of a key_id:key_secret key quoted on its own', () => {
		const error = toNodeError({ name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {}, id: 'x' }, new Error('unknown secret 0123456789abcdef'), {
			provider: 'fal',
			secrets: ['key-id-1:0123456789abcdef'],
		});
		expect(everythingIn(error)).not.toContain('0123456789abcdef');
	});
});

describe('WaveSpeed Trigger, when fetching the signing secret is answered with the key quoted', () => {
	it('throws (n8n answers 500) with no key in the error, the answer or the logs', async () => {
		emu.inject({ kind: 'secret', provider: 'wavespeed', echoAuth: true, times: Infinity });
		const ts = String(Math.floor(Date.now() / 1000));
		const h = createWebhookHarness({
			node: new WaveSpeedTrigger(),
			parameters: {},
			credentials: credentialsFor(emu),
			credentialTypes: { waveSpeedApi: new WaveSpeedApi() },
			request: {
				headers: { 'content-type': 'application/json', 'webhook-id': 'abc', 'webhook-timestamp': ts, 'webhook-signature': `v3,${'0'.repeat(64)}` },
				rawBody: Buffer.from('{"id":"abc","status":"completed","outputs":[]}'),
			},
		});
		const error = await thrown(() => h.run());
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/fetching the webhook signing secret failed with HTTP 401/);
		expect(h.response.status).toBe(500);
		expect(everythingIn(error)).not.toContain(emu.wavespeed.apiKey);
		expect(serialised(h.response)).not.toContain(emu.wavespeed.apiKey);
		expect(serialised(h.logs)).not.toContain(emu.wavespeed.apiKey);
	});
});

describe('fal Trigger, when the confirmation read is answered with the key quoted', () => {
	it('throws (n8n answers 500) with no key in the error, the answer or the logs', async () => {
		// a genuine callback: a fal node submits with a webhook URL, the emulator signs the callback
		const delivered: Array<{ headers: Record<string, string>; rawBody: Buffer; query: Record<string, string> }> = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const url = new URL(req.url ?? '/', 'http://127.0.0.1');
				delivered.push({ headers: req.headers as Record<string, string>, rawBody: Buffer.concat(chunks), query: Object.fromEntries(url.searchParams) });
				res.writeHead(200).end('{}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/trigger`;
			await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, mode: 'submitOnly', webhookUrl: url }).run();
			for (let i = 0; i < 200 && !delivered.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
			expect(delivered).toHaveLength(1);
			emu.inject({ kind: 'status', provider: 'fal', echoAuth: true, times: Infinity });
			const h = createWebhookHarness({
				node: new FalTrigger(),
				parameters: {},
				credentials: credentialsFor(emu),
				credentialTypes: { falApi: new FalApi() },
				request: delivered[0],
			});
			const error = await thrown(() => h.run());
			expect(error).toBeInstanceOf(NodeApiError);
			expect((error as NodeApiError).message).toMatch(/Checking the job status failed with HTTP 401: .*credentials not accepted/);
			expect(h.response.status).toBe(500);
			expect(everythingIn(error)).not.toContain(emu.fal.apiKey);
			expect(serialised(h.response)).not.toContain(emu.fal.apiKey);
			expect(serialised(h.logs)).not.toContain(emu.fal.apiKey);
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
	});
});
