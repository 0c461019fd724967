/**
 * The API key never goes to another origin. n8n's request helper follows redirects and, by
 * default, puts the credential's Authorization header back on a redirect to another origin
 * (the harness runs n8n's own request code, so it does too). The emulator answers a request
 * with a 302/307 to its second origin (`emu.other`, which records headers and serves the same
 * API) or to itself; every authenticated call the package makes is redirected in turn.
 */
import type { IDataObject, IHttpRequestOptions, INodeType } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { clearTriggerCaches } from '../../nodes/shared/trigger';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedTrigger } from '../../nodes/WaveSpeedTrigger/WaveSpeedTrigger.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator, Fault, RequestKind } from '../emulator/emulator';
import { png } from '../fixtures/images';
import { binaryItem, createHarness } from '../harness/context';
import { createWebhookHarness } from '../harness/webhook';
import { credentialsFor, harness, receiveOneCallback } from './setup';

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

/** Every header value the second origin received, as one text: the keys must be in none. */
function seenElsewhere(): string {
	return JSON.stringify(emu.other.requests.map((r) => r.headers));
}

function expectNoKeyElsewhere(): void {
	expect(seenElsewhere()).not.toContain(emu.wavespeed.apiKey);
	expect(seenElsewhere()).not.toContain(emu.fal.apiKey);
	expect(emu.other.requests.filter((r) => r.headers.authorization !== undefined)).toEqual([]);
}

async function settle(run: () => Promise<unknown>): Promise<unknown> {
	return await run().then(
		(value) => value,
		(error: unknown) => error,
	);
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
		await sleep(10);
	}
}

/** Sends a credential's own test request the way n8n's credential tester does (routing node → httpRequestWithAuthentication). */
async function credentialTest(type: 'waveSpeedApi' | 'falApi'): Promise<unknown> {
	const credentialTypes = { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() };
	const h = createHarness({
		node: type === 'falApi' ? new FalLynx() : new WaveSpeedLynx(),
		parameters: {},
		credentials: credentialsFor(emu),
		credentialTypes,
	});
	const request = { ...credentialTypes[type].test.request } as IHttpRequestOptions;
	const credentials = credentialsFor(emu)[type] as IDataObject;
	request.baseURL = String(request.baseURL).replace(
		/^=\{\{\$credentials\.(\w+)\}\}$/,
		(_, key: string) => String(credentials[key]),
	);
	return await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, type, {
		...request,
		returnFullResponse: true,
	});
}

interface Call {
	what: string;
	kind: RequestKind;
	provider: 'wavespeed' | 'fal';
	status?: number;
	run: () => Promise<unknown>;
}

const lynx =
	(node: () => INodeType, parameters: IDataObject, extra = {}) =>
	async () =>
		await harness(node(), emu, parameters, extra).run();

const CALLS: Call[] = [
	{
		what: 'WaveSpeed submit (307)',
		kind: 'submit',
		provider: 'wavespeed',
		status: 307,
		run: lynx(() => new WaveSpeedLynx(), { prompt: 'p', image: IMG, options: FAST }),
	},
	{
		what: 'WaveSpeed status read',
		kind: 'result',
		provider: 'wavespeed',
		run: lynx(() => new WaveSpeedLynx(), { prompt: 'p', image: IMG, options: FAST }),
	},
	{
		what: 'WaveSpeed media upload (307)',
		kind: 'upload',
		provider: 'wavespeed',
		status: 307,
		run: lynx(
			() => new WaveSpeedLynx(),
			{ prompt: 'p', imageSource: 'binary', options: FAST },
			{ items: [binaryItem(png(64, 64), 'image/png', 'me.png')] },
		),
	},
	{
		what: 'fal submit (307)',
		kind: 'submit',
		provider: 'fal',
		status: 307,
		run: lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG }),
	},
	{
		what: 'fal status stream',
		kind: 'stream',
		provider: 'fal',
		run: lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG }),
	},
	{
		what: 'fal status read',
		kind: 'status',
		provider: 'fal',
		run: lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG, options: FAST }),
	},
	{
		what: 'fal result',
		kind: 'result',
		provider: 'fal',
		run: lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG }),
	},
	{
		what: 'fal storage upload start (307)',
		kind: 'storage-initiate',
		provider: 'fal',
		status: 307,
		run: lynx(
			() => new FalLynx(),
			{ prompt: 'p', imageSource: 'binary' },
			{ items: [binaryItem(png(64, 64), 'image/png', 'me.png')] },
		),
	},
	{
		what: 'fal cancel (its header set by hand)',
		kind: 'cancel',
		provider: 'fal',
		status: 307,
		run: async () => {
			emu.planNext({ durationMs: 30_000 });
			const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
			const running = h.run();
			await waitFor(() => emu.count('stream') === 1);
			await h.cancelAndWait();
			await running.catch(() => undefined);
			// The cancel is sent without being awaited: wait for its answer to be logged.
			await waitFor(() =>
				h.logs.some((l) => /: (fal cancel of|cancel of \S+ failed)/.test(l.message)),
			);
		},
	},
	{
		what: 'WaveSpeed webhook secret (Trigger)',
		kind: 'secret',
		provider: 'wavespeed',
		run: async () => {
			const receiver = await receiveOneCallback();
			try {
				await harness(new WaveSpeedLynx(), emu, {
					prompt: 'p',
					image: IMG,
					mode: 'submitOnly',
					webhookUrl: receiver.url,
				}).run();
				const callback = await receiver.received;
				const h = createWebhookHarness({
					node: new WaveSpeedTrigger(),
					parameters: {},
					credentials: credentialsFor(emu),
					credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
					request: { headers: callback.headers, rawBody: callback.rawBody },
				});
				return await h.run();
			} finally {
				await receiver.close();
			}
		},
	},
	{
		what: 'WaveSpeed credential test',
		kind: 'balance',
		provider: 'wavespeed',
		run: async () => await credentialTest('waveSpeedApi'),
	},
	{
		what: 'fal credential test (307)',
		kind: 'storage-initiate',
		provider: 'fal',
		status: 307,
		run: async () => await credentialTest('falApi'),
	},
];

describe('no authenticated request carries the key to another origin', () => {
	it.each(CALLS)('$what: redirected to another origin, the key stays home', async (call) => {
		const fault: Fault = {
			kind: call.kind,
			provider: call.provider,
			redirect: 'other-origin',
			times: Infinity,
		};
		if (call.status) fault.status = call.status;
		emu.inject(fault);
		await settle(call.run);
		// The call was made and redirected (else this case would prove nothing).
		expect(
			emu.requests.filter((r) => r.kind === call.kind && r.status === (call.status ?? 302)).length,
		).toBeGreaterThan(0);
		expectNoKeyElsewhere();
	});
});

describe('what a redirect does to a run', () => {
	it('a status read redirected to another origin fails the item with the request id and what to check, not followed', async () => {
		emu.inject({
			kind: 'result',
			provider: 'wavespeed',
			redirect: 'other-origin',
			times: Infinity,
		});
		const error = await settle(
			lynx(() => new WaveSpeedLynx(), { prompt: 'p', image: IMG, options: FAST }),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		const id = emu.jobs()[0].id;
		const { message, description } = error as NodeApiError;
		expect(message).toBe(
			`WaveSpeed: Checking the job status failed with HTTP 302: the API answered with a redirect to ${emu.other.url}, another origin; it was not followed, so your API key was not sent there. Check the Base URL in the WaveSpeed credential (request ID: ${id})`,
		);
		expect(description).toContain(`The job ${id} may still be running`);
		expect(emu.other.requests).toEqual([]);
	});

	it('a submit redirected to another origin (307) creates no job anywhere and says so', async () => {
		emu.inject({
			kind: 'submit',
			provider: 'fal',
			redirect: 'other-origin',
			status: 307,
			times: Infinity,
		});
		const error = await settle(lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG }));
		expect((error as Error).message).toMatch(
			/^fal: Submitting the job failed with HTTP 307: the API answered with a redirect to http:\/\/127\.0\.0\.1:\d+, another origin; it was not followed, so your API key was not sent there\. Check the Queue URL in the fal credential$/,
		);
		expect(emu.jobs()).toEqual([]);
		expect(emu.other.requests).toEqual([]);
	});

	it('a redirect on the same origin is followed, with the key, and the item completes', async () => {
		emu.inject({ kind: 'result', provider: 'wavespeed', redirect: 'same-origin', times: 2 });
		const [out] = (await lynx(() => new WaveSpeedLynx(), {
			prompt: 'p',
			image: IMG,
			options: FAST,
		})()) as Array<Array<{ json: IDataObject }>>;
		expect(out[0].json.status).toBe('completed');
		const hops = emu.requests.filter((r) => r.kind === 'result' && r.query.redirected === '1');
		expect(hops.length).toBeGreaterThan(0);
		for (const hop of hops)
			expect(hop.headers.authorization).toBe(`Bearer ${emu.wavespeed.apiKey}`);
	});

	it('a submit redirected on the same origin with 307 is sent there once, and the job is bought once', async () => {
		emu.inject({ kind: 'submit', provider: 'fal', redirect: 'same-origin', status: 307 });
		const [out] = (await lynx(() => new FalLynx(), { prompt: 'p', imageUrl: IMG })()) as Array<
			Array<{ json: IDataObject }>
		>;
		expect(out[0].json.status).toBe('completed');
		expect(emu.jobs()).toHaveLength(1);
		expect(
			emu.requests.filter((r) => r.kind === 'submit').map((r) => r.query.redirected ?? null),
		).toEqual([null, '1']);
	});

	it('a redirect loop on the same origin stops after 5 hops', async () => {
		emu.inject({ kind: 'result', provider: 'wavespeed', redirect: 'same-origin', times: Infinity });
		const error = await settle(
			lynx(() => new WaveSpeedLynx(), { prompt: 'p', image: IMG, options: FAST }),
		);
		expect((error as Error).message).toMatch(
			/Checking the job status failed with HTTP 302: the API kept redirecting \(more than 5 times\)/,
		);
		expect(emu.count('result', 'wavespeed')).toBe(6);
	});
});
