/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test harness, never shipped */
/**
 * Self-test of test/harness/context.ts: the fake n8n execution context must behave like n8n,
 * so that node tests built on it fail where a real n8n would behave differently.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { binaryItem, createHarness, prettyBytes } from '../harness/context';

// ---------------------------------------------------------------- a loopback server

interface Hit {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

const hits: Hit[] = [];
const FIVE_MIB = 5 * 1024 * 1024;
let server: http.Server;
let cdn: http.Server;
let base = '';
let cdnBase = '';

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
	const chunks: Buffer[] = [];
	req.on('data', (c: Buffer) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks).toString('utf8');
		const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
		hits.push(hit);
		const path = (req.url ?? '').split('?')[0];
		if (path === '/echo') {
			res.writeHead(200, { 'content-type': 'application/json', 'X-Request-Id': 'req-1' });
			res.end(JSON.stringify(hit));
		} else if (path === '/text') {
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.end('hello');
		} else if (path === '/json-in-text') {
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.end('{"a":1}');
		} else if (path === '/404') {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: 'no such job', id: 'job-9' }));
		} else if (path === '/401') {
			res.writeHead(401, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: 'bad key' }));
		} else if (path === '/slow') {
			const timer = setTimeout(() => res.end('late'), 5000);
			res.on('close', () => clearTimeout(timer));
		} else if (path === '/bytes') {
			res.writeHead(200, { 'content-type': 'application/octet-stream' });
			res.end(Buffer.from([0, 1, 2, 3, 254, 255]));
		} else if (path === '/files/video.mp4') {
			res.writeHead(200, { 'content-type': 'video/mp4' });
			const block = Buffer.alloc(64 * 1024, 7);
			let sent = 0;
			const pump = () => {
				while (sent < FIVE_MIB) {
					sent += block.length;
					if (!res.write(block)) {
						res.once('drain', pump);
						return;
					}
				}
				res.end();
			};
			pump();
		} else if (path === '/redirect') {
			res.writeHead(302, { location: `${cdnBase}/echo` });
			res.end();
		} else {
			res.writeHead(500);
			res.end('unknown route');
		}
	});
}

async function listen(s: http.Server, host: string): Promise<string> {
	await new Promise<void>((resolve) => s.listen(0, host, resolve));
	return `http://${host}:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
	server = http.createServer(handler);
	cdn = http.createServer(handler);
	base = await listen(server, '127.0.0.1');
	cdnBase = await listen(cdn, '127.0.0.2');
});

afterAll(async () => {
	for (const s of [server, cdn]) {
		s.closeAllConnections();
		await new Promise((resolve) => s.close(resolve));
	}
});

beforeEach(() => {
	hits.length = 0;
});

// ---------------------------------------------------------------- a node and its credentials

const genericCredential: ICredentialType = {
	name: 'fakeApi',
	displayName: 'Fake API',
	properties: [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.example.com',
		},
	],
	authenticate: {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	},
};

const functionCredential: ICredentialType = {
	name: 'fakeFnApi',
	displayName: 'Fake Fn API',
	properties: [{ displayName: 'API Key', name: 'apiKey', type: 'string', default: '' }],
	authenticate: async (credentials, requestOptions) => {
		requestOptions.headers = {
			...requestOptions.headers,
			Authorization: `Key ${credentials.apiKey as string}`,
		};
		requestOptions.qs = { ...requestOptions.qs, sig: 'fn' };
		return requestOptions;
	},
};

const credentialTypes = { fakeApi: genericCredential, fakeFnApi: functionCredential };

const description: INodeTypeDescription = {
	displayName: 'Fake',
	name: 'fake',
	group: ['transform'],
	version: [1, 2],
	description: 'A node for the harness self-test',
	defaults: { name: 'Fake' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [
		{ name: 'fakeApi', required: true },
		{ name: 'fakeFnApi', required: false },
	],
	properties: [
		{ displayName: 'Prompt', name: 'prompt', type: 'string', default: 'a cat', required: true },
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{ name: 'Poll', value: 'poll' },
				{ name: 'Webhook', value: 'webhook' },
			],
			default: 'poll',
		},
		{
			displayName: 'Wait Seconds',
			name: 'waitSeconds',
			type: 'number',
			default: 5,
			displayOptions: { show: { mode: ['webhook'] } },
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'resourceLocator',
			default: { mode: 'id', value: '' },
			modes: [
				{ displayName: 'ID', name: 'id', type: 'string' },
				{
					displayName: 'URL',
					name: 'url',
					type: 'string',
					extractValue: { type: 'regex', regex: 'models/([a-z0-9-]+)' },
				},
			],
		},
		{ displayName: 'Tags', name: 'tags', type: 'string', default: '' },
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{ displayName: 'Timeout', name: 'timeout', type: 'number', default: 600 },
				{ displayName: 'Seed', name: 'seed', type: 'number', default: -1 },
			],
		},
	],
};

class FakeNode implements INodeType {
	description = description;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const credentials = await this.getCredentials<{ baseUrl: string }>('fakeApi');
			const prompt = this.getNodeParameter('prompt', i) as string;
			const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'fakeApi', {
				method: 'POST',
				url: `${credentials.baseUrl}/echo`,
				body: { prompt },
				json: true,
			})) as IDataObject;
			out.push(
				...this.helpers.constructExecutionMetaData(
					this.helpers.returnJsonArray({ sent: response.body }),
					{
						itemData: { item: i },
					},
				),
			);
		}
		return [out];
	}
}

function harness(extra: Partial<Parameters<typeof createHarness>[0]> = {}) {
	return createHarness({
		node: new FakeNode(),
		parameters: {},
		credentials: { fakeApi: { apiKey: 'k1', baseUrl: base } },
		credentialTypes,
		...extra,
	});
}

// ---------------------------------------------------------------- HTTP

describe('httpRequestWithAuthentication', () => {
	it('applies a generic authenticate block (expression resolved against the credentials)', async () => {
		const h = harness();
		const res = (await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'fakeApi', {
			url: `${base}/echo`,
			json: true,
		})) as Hit;
		expect(res.headers.authorization).toBe('Bearer k1');
		expect(h.httpCalls).toHaveLength(1);
		expect(h.httpCalls[0]).toMatchObject({
			method: 'GET',
			url: `${base}/echo`,
			credentialType: 'fakeApi',
		});
		expect(h.httpCalls[0].headers.authorization).toBe('Bearer k1');
		expect(h.httpCalls[0].headers['user-agent']).toBe('n8n');
		expect(h.httpCalls[0].headers.accept).toBe('application/json');
	});

	it('applies a function authenticate', async () => {
		const h = harness({ credentials: { fakeFnApi: { apiKey: 'f1' } } });
		const res = (await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'fakeFnApi', {
			url: `${base}/echo`,
			qs: { a: 'b' },
		})) as Hit;
		expect(res.headers.authorization).toBe('Key f1');
		expect(res.url).toBe('/echo?a=b&sig=fn');
	});

	it('fills credential defaults from the credential class, like n8n', async () => {
		const h = harness({ credentials: { fakeApi: { apiKey: 'k1' } } });
		const creds = await h.ctx.getCredentials('fakeApi');
		expect(creds).toEqual({ apiKey: 'k1', baseUrl: 'https://api.example.com' });
	});

	it('mutates the caller’s headers object in place, as n8n does', async () => {
		const h = harness();
		const options: IHttpRequestOptions = { url: `${base}/echo`, headers: {} };
		await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'fakeApi', options);
		expect(options.headers).toEqual({ Authorization: 'Bearer k1' });
		expect(options.abortSignal).toBe(h.ctx.getExecutionCancelSignal());
	});

	it('wraps a 404 in NodeApiError carrying the status', async () => {
		const h = harness();
		const error = (await h.ctx.helpers.httpRequestWithAuthentication
			.call(h.ctx, 'fakeApi', { url: `${base}/404`, json: true })
			.catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('404');
		expect(JSON.stringify(error.context)).not.toContain('k1');
	});

	it('re-sends the request once after a 401, as n8n does', async () => {
		const h = harness();
		await expect(
			h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'fakeApi', {
				method: 'POST',
				url: `${base}/401`,
				body: { submit: 1 },
			}),
		).rejects.toBeInstanceOf(NodeApiError);
		expect(hits.filter((hit) => hit.url === '/401')).toHaveLength(2);
		expect(h.httpCalls).toHaveLength(2);
	});

	it('records redirect hops, and n8n forwards Authorization across origins by default', async () => {
		const h = harness();
		const res = (await h.ctx.helpers.httpRequestWithAuthentication.call(h.ctx, 'fakeApi', {
			url: `${base}/redirect`,
			json: true,
		})) as Hit;
		expect(res.headers.authorization).toBe('Bearer k1');
		expect(h.httpCalls.map((c) => c.url)).toEqual([`${base}/redirect`, `${cdnBase}/echo`]);
		expect(h.httpCalls[1].redirectFrom).toBe(`${base}/redirect`);
		expect(h.httpCalls[1].headers.authorization).toBe('Bearer k1');

		const h2 = harness();
		const res2 = (await h2.ctx.helpers.httpRequestWithAuthentication.call(h2.ctx, 'fakeApi', {
			url: `${base}/redirect`,
			json: true,
			sendCredentialsOnCrossOriginRedirect: false,
		})) as Hit;
		expect(res2.headers.authorization).toBeUndefined();
		expect(h2.httpCalls[1].headers.authorization).toBeUndefined();
	});

	it('throws like n8n when the node has no such credential', async () => {
		const h = harness();
		await expect(h.ctx.getCredentials('otherApi')).rejects.toThrow(
			'Node type "n8n-nodes-ai-video.test" does not have any credentials of type "otherApi" defined',
		);
		const h2 = harness({ credentials: {} });
		await expect(h2.ctx.getCredentials('fakeApi')).rejects.toThrow(
			'Node does not have any credentials set',
		);
	});

	it('is aborted by cancel(), after which the cancellation handlers have run', async () => {
		const h = harness();
		const calls: string[] = [];
		h.ctx.onExecutionCancellation(() => calls.push('handler'));
		const pending = h.ctx.helpers.httpRequestWithAuthentication
			.call(h.ctx, 'fakeApi', { url: `${base}/slow` })
			.catch((e: unknown) => e);
		await new Promise((resolve) => setTimeout(resolve, 100));
		h.cancel();
		const error = (await pending) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error.cause as { code?: string }).code).toBe('ERR_CANCELED');
		expect(h.ctx.getExecutionCancelSignal()?.aborted).toBe(true);
		expect(calls).toEqual(['handler']);
	});
});

describe('n8n quirks the harness keeps', () => {
	it('httpRequestWithAuthentication without .call(this) fails as in n8n (its this is the helpers object)', async () => {
		const h = harness();
		const helpers = h.ctx.helpers;
		// (TypeScript flags the bare call `helpers.httpRequestWithAuthentication(...)` too)
		await expect(
			helpers.httpRequestWithAuthentication.call(helpers as never, 'fakeApi', {
				url: `${base}/echo`,
			}),
		).rejects.toThrow(TypeError);
		expect(h.httpCalls).toHaveLength(0);
	});

	it('cancelAndWait awaits async cancellation handlers and collects their failures', async () => {
		const h = harness();
		const order: string[] = [];
		h.ctx.onExecutionCancellation(async () => {
			await new Promise((resolve) => setTimeout(resolve, 20));
			order.push('cancelled job at provider');
		});
		h.ctx.onExecutionCancellation(async () => {
			throw new Error('provider down');
		});
		await h.cancelAndWait('user stopped');
		expect(order).toEqual(['cancelled job at provider']);
		expect(h.cancellationErrors).toEqual([new Error('provider down')]);
		expect(h.ctx.getExecutionCancelSignal()?.reason).toBe('user stopped');
	});
});

describe('httpRequest', () => {
	it('serialises qs like n8n (indices by default, arrayFormat honoured)', async () => {
		const h = harness();
		const a = (await h.ctx.helpers.httpRequest({
			url: `${base}/echo`,
			qs: { a: [1, 2], b: 'c d' },
		})) as Hit;
		expect(a.url).toBe('/echo?a%5B0%5D=1&a%5B1%5D=2&b=c%20d');
		const b = (await h.ctx.helpers.httpRequest({
			url: `${base}/echo`,
			qs: { a: [1, 2] },
			arrayFormat: 'repeat',
		})) as Hit;
		expect(b.url).toBe('/echo?a=1&a=2');
		expect(h.httpCalls[0].url).toBe(`${base}/echo?a%5B0%5D=1&a%5B1%5D=2&b=c%20d`);
		expect(h.httpCalls[0].credentialType).toBeUndefined();
	});

	it('sends an object body as JSON and a string as is', async () => {
		const h = harness();
		const a = (await h.ctx.helpers.httpRequest({
			method: 'POST',
			url: `${base}/echo`,
			body: { x: 1 },
		})) as Hit;
		expect(a.headers['content-type']).toBe('application/json');
		expect(a.body).toBe('{"x":1}');
		const b = (await h.ctx.helpers.httpRequest({
			method: 'POST',
			url: `${base}/echo`,
			body: 'raw',
			headers: { 'content-type': 'text/plain' },
		})) as Hit;
		expect(b.body).toBe('raw');
		expect(h.httpCalls[0].headers['content-type']).toBe('application/json');
	});

	it('returns the full response with lower-cased headers', async () => {
		const h = harness();
		const res = (await h.ctx.helpers.httpRequest({
			url: `${base}/echo`,
			returnFullResponse: true,
		})) as { body: Hit; headers: IDataObject; statusCode: number; statusMessage: string };
		expect(res.statusCode).toBe(200);
		expect(res.statusMessage).toBe('OK');
		expect(res.headers['x-request-id']).toBe('req-1');
		expect(res.body.url).toBe('/echo');
	});

	it('parses JSON even from a text/plain body, and leaves other text as a string (axios)', async () => {
		const h = harness();
		expect(await h.ctx.helpers.httpRequest({ url: `${base}/json-in-text` })).toEqual({ a: 1 });
		expect(await h.ctx.helpers.httpRequest({ url: `${base}/text` })).toBe('hello');
	});

	it('ignoreHttpStatusErrors returns the 404', async () => {
		const h = harness();
		const res = (await h.ctx.helpers.httpRequest({
			url: `${base}/404`,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
		})) as { statusCode: number; body: IDataObject };
		expect(res.statusCode).toBe(404);
		expect(res.body).toEqual({ error: 'no such job', id: 'job-9' });
	});

	it('throws an axios-style error on 404', async () => {
		const h = harness();
		const error = (await h.ctx.helpers
			.httpRequest({ url: `${base}/404` })
			.catch((e: unknown) => e)) as {
			isAxiosError: boolean;
			message: string;
			response: { status: number; headers: IDataObject; data: unknown };
		};
		expect(error.isAxiosError).toBe(true);
		expect(error.message).toBe('Request failed with status code 404');
		expect(error.response.status).toBe(404);
		expect(error.response.headers['content-type']).toBe('application/json');
		expect(error.response.data).toEqual({ error: 'no such job', id: 'job-9' });
	});

	it('encoding stream gives a Readable, arraybuffer a Buffer', async () => {
		const h = harness();
		const stream = (await h.ctx.helpers.httpRequest({
			url: `${base}/bytes`,
			encoding: 'stream',
		})) as Readable;
		expect(stream).toBeInstanceOf(Readable);
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks)).toEqual(Buffer.from([0, 1, 2, 3, 254, 255]));
		const buffer = await h.ctx.helpers.httpRequest({
			url: `${base}/bytes`,
			encoding: 'arraybuffer',
		});
		expect(Buffer.isBuffer(buffer)).toBe(true);
		expect(buffer).toEqual(Buffer.from([0, 1, 2, 3, 254, 255]));
	});

	it('times out with code ECONNABORTED', async () => {
		const h = harness();
		await expect(
			h.ctx.helpers.httpRequest({ url: `${base}/slow`, timeout: 100 }),
		).rejects.toMatchObject({
			code: 'ECONNABORTED',
		});
	});

	it('keeps the network error code', async () => {
		const h = harness();
		await expect(h.ctx.helpers.httpRequest({ url: 'http://127.0.0.1:1/' })).rejects.toMatchObject({
			code: 'ECONNREFUSED',
		});
	});

	it('is not tied to the cancel signal (only the authenticated helper is)', async () => {
		const h = harness();
		const options: IHttpRequestOptions = { url: `${base}/echo` };
		await h.ctx.helpers.httpRequest(options);
		expect(options.abortSignal).toBeUndefined();
	});
});

// ---------------------------------------------------------------- parameters

describe('getNodeParameter', () => {
	it('falls back to description defaults; a collection defaults to {} and its options are absent', () => {
		const h = harness();
		expect(h.ctx.getNodeParameter('prompt', 0)).toBe('a cat');
		expect(h.ctx.getNodeParameter('mode', 0)).toBe('poll');
		expect(h.ctx.getNodeParameter('options', 0)).toEqual({});
		expect(h.ctx.getNodeParameter('options.timeout', 0, 30)).toBe(30);
		expect(() => h.ctx.getNodeParameter('options.timeout', 0)).toThrow('Could not get parameter');
		// hidden by displayOptions → not set at all
		expect(() => h.ctx.getNodeParameter('waitSeconds', 0)).toThrow('Could not get parameter');
	});

	it('reads what the user set, dotted paths included, and drops unknown parameters', () => {
		const h = harness({
			parameters: { mode: 'webhook', options: { seed: 7 }, misspelled: 1 },
		});
		expect(h.ctx.getNodeParameter('waitSeconds', 0)).toBe(5);
		expect(h.ctx.getNodeParameter('options.seed', 0)).toBe(7);
		expect(h.ctx.getNodeParameter('options', 0)).toEqual({ seed: 7 });
		expect(() => h.ctx.getNodeParameter('misspelled', 0)).toThrow('Could not get parameter');
	});

	it('evaluates expressions with n8n’s engine', () => {
		const h = harness({
			items: [{ json: { n: 2 } }, { json: { n: 3 } }],
			parameters: {
				prompt: '={{ "x" }}',
				tags: "={{ [ 'a', 'b' ] }}",
				options: { seed: '={{ $json.n * 10 }}', timeout: '={{ 5 }}' },
			},
		});
		expect(h.ctx.getNodeParameter('prompt', 0)).toBe('x');
		expect(h.ctx.getNodeParameter('tags', 0)).toEqual(['a', 'b']);
		expect(h.ctx.getNodeParameter('options.seed', 1)).toBe(30);
		expect(h.ctx.getNodeParameter('options', 0)).toEqual({ seed: 20, timeout: 5 });
		expect(() =>
			harness({ parameters: { prompt: "={{ $('Nope').item.json.x }}" } }).ctx.getNodeParameter(
				'prompt',
				0,
			),
		).toThrow();
	});

	it('accepts per-item parameters', () => {
		const h = harness({
			items: [{ json: {} }, { json: {} }],
			parameters: (i) => ({ prompt: `p${i}` }),
		});
		expect(h.ctx.getNodeParameter('prompt', 0)).toBe('p0');
		expect(h.ctx.getNodeParameter('prompt', 1)).toBe('p1');
	});

	it('extracts resource locator values', () => {
		const h = harness({
			parameters: { model: { __rl: true, mode: 'url', value: 'https://x.test/models/lynx-1' } },
		});
		expect(h.ctx.getNodeParameter('model', 0, undefined, { extractValue: true })).toBe('lynx-1');
		expect(h.ctx.getNodeParameter('model', 0)).toMatchObject({ mode: 'url' });
	});
});

// ---------------------------------------------------------------- run(), node plumbing

describe('run()', () => {
	it('runs execute() with pairedItem from constructExecutionMetaData', async () => {
		const h = harness({ items: [{ json: {} }, { json: {} }], parameters: { prompt: 'hi' } });
		const [out] = await h.run();
		expect(out).toHaveLength(2);
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(JSON.parse((out[0].json.sent as string) ?? '{}')).toEqual({ prompt: 'hi' });
		expect(h.httpCalls.every((c) => c.headers.authorization === 'Bearer k1')).toBe(true);
	});

	it('refuses to run with an empty required parameter, like n8n (an expression passes)', async () => {
		await expect(harness({ parameters: { prompt: '' } }).run()).rejects.toThrow('has issues');
		const h = harness({ parameters: { prompt: "={{ '' }}" } });
		await h.run();
		expect(h.ctx.getNodeParameter('prompt', 0)).toBe('');
	});

	it('exposes node, mode, execution id, static data, resume URLs and UI messages', () => {
		const staticData: IDataObject = {};
		const h = harness({ staticData, continueOnFail: true });
		expect(h.ctx.getNode()).toMatchObject({
			name: 'Node under test',
			type: 'n8n-nodes-ai-video.test',
			typeVersion: 2,
		});
		expect(h.ctx.getNode().parameters.prompt).toBe('a cat');
		expect(h.ctx.continueOnFail()).toBe(true);
		expect(h.ctx.getExecutionId()).toBe('exec-1');
		expect(h.ctx.getMode()).toBe('manual');
		h.ctx.getWorkflowStaticData('node').jobId = 'j1';
		expect(staticData.jobId).toBe('j1');
		expect(harness({ staticData }).ctx.getWorkflowStaticData('node').jobId).toBe('j1');
		expect(h.ctx.getWorkflowDataProxy(0).$execution.resumeUrl).toBe(
			'http://localhost:5678/webhook-waiting/exec-1',
		);
		const signed = new URL(h.ctx.getSignedResumeUrl({ approved: 'true' }));
		expect(signed.pathname).toBe(`/webhook-waiting/exec-1/${h.node.id}`);
		const signature = signed.searchParams.get('signature');
		signed.searchParams.delete('signature');
		expect(signature).toBe(
			createHmac('sha256', h.signingSecret)
				.update(`${signed.host}${signed.pathname}${signed.search}`)
				.digest('hex'),
		);
		h.ctx.sendMessageToUI('hello');
		expect(h.uiMessages).toEqual(['hello']);
		const hTrigger = harness({ mode: 'trigger' });
		hTrigger.ctx.sendMessageToUI('hello');
		expect(hTrigger.uiMessages).toEqual([]);
		expect(continueOff().ctx.continueOnFail()).toBe(false);
	});

	it('records putExecutionToWait and logger calls', async () => {
		const h = harness();
		const when = new Date(Date.now() + 60_000);
		await h.ctx.putExecutionToWait(when);
		expect(h.waitTill).toBe(when);
		h.ctx.logger.info('polling', { requestId: 'r1' });
		expect(h.logs).toEqual([{ level: 'info', message: 'polling', meta: { requestId: 'r1' } }]);
	});
});

function continueOff() {
	return harness();
}

// ---------------------------------------------------------------- binary

describe('binary data', () => {
	it('prepareBinaryData of a 5 MiB download stream records bytes and sha256 without keeping it', async () => {
		const h = harness();
		const stream = (await h.ctx.helpers.httpRequest({
			url: `${base}/files/video.mp4`,
			encoding: 'stream',
		})) as Readable;
		const binary = await h.ctx.helpers.prepareBinaryData(stream, 'video.mp4', 'video/mp4');
		const expected = createHash('sha256');
		for (let sent = 0; sent < FIVE_MIB; sent += 64 * 1024)
			expected.update(Buffer.alloc(64 * 1024, 7));
		expect(h.binaries).toEqual([
			{
				fileName: 'video.mp4',
				mimeType: 'video/mp4',
				bytes: FIVE_MIB,
				sha256: expected.digest('hex'),
			},
		]);
		expect(binary).toMatchObject({
			mimeType: 'video/mp4',
			fileType: 'video',
			fileName: 'video.mp4',
			fileExtension: 'mp4',
			fileSize: '5.24 MB',
			bytes: FIVE_MIB,
			data: 'filesystem-v2',
		});
		expect(binary.id).toMatch(
			/^filesystem-v2:workflows\/workflow-1\/executions\/exec-1\/binary_data\//,
		);
		await expect(h.ctx.helpers.getBinaryDataBuffer(0, binary)).rejects.toThrow('not kept');
	});

	it('a downloaded stream is a plain Readable (axios 1.18), so without a name it is text/plain', async () => {
		const h = harness();
		const stream = (await h.ctx.helpers.httpRequest({
			url: `${base}/bytes`,
			encoding: 'stream',
		})) as Readable;
		const binary = await h.ctx.helpers.prepareBinaryData(stream);
		expect(binary.mimeType).toBe('text/plain');
		expect(binary.fileName).toBeUndefined();
		expect(binary.fileExtension).toBeUndefined();
	});

	it('prepareBinaryData of a small buffer keeps base64 data, as n8n’s default mode', async () => {
		const h = harness();
		const bytes = Buffer.from('hello');
		const binary = await h.ctx.helpers.prepareBinaryData(bytes, 'clip.mp4', 'video/mp4');
		expect(binary).toEqual({
			mimeType: 'video/mp4',
			fileType: 'video',
			fileExtension: 'mp4',
			data: bytes.toString('base64'),
			fileName: 'clip.mp4',
			fileSize: '5 B',
			bytes: 5,
		});
		expect(h.binaries[0].data).toEqual(bytes);
		const noName = await h.ctx.helpers.prepareBinaryData(Readable.from([Buffer.from('x')]));
		expect(noName.mimeType).toBe('text/plain');
		expect(noName.fileExtension).toBeUndefined();
	});

	it('reads input binaries and asserts like n8n', async () => {
		const bytes = Buffer.from([1, 2, 3]);
		const h = harness({
			items: [
				binaryItem(bytes, 'image/png', 'a.png'),
				binaryItem(bytes, 'image/png', 'b.png', 'img', {}, { mode: 'filesystem-v2' }),
				{ json: {} },
			],
		});
		expect(h.ctx.getInputData()[0].binary?.data).toMatchObject({
			fileName: 'a.png',
			fileExtension: 'png',
			fileSize: '3 B',
			data: bytes.toString('base64'),
		});
		expect(await h.ctx.helpers.getBinaryDataBuffer(0, 'data')).toEqual(bytes);
		expect(await h.ctx.helpers.getBinaryDataBuffer(1, 'img')).toEqual(bytes);
		expect(h.ctx.getInputData()[1].binary?.img.data).toBe('filesystem-v2');
		const id = h.ctx.getInputData()[1].binary?.img.id as string;
		expect(await h.ctx.helpers.getBinaryMetadata(id)).toEqual({
			fileName: 'b.png',
			mimeType: 'image/png',
			fileSize: 3,
		});
		expect(await h.ctx.helpers.binaryToBuffer(await h.ctx.helpers.getBinaryStream(id))).toEqual(
			bytes,
		);
		expect(() => h.ctx.helpers.assertBinaryData(0, 'nope')).toThrow(NodeOperationError);
		expect(() => h.ctx.helpers.assertBinaryData(0, 'nope')).toThrow(
			"The item has no binary field 'nope' [item 0]",
		);
		expect(() => h.ctx.helpers.assertBinaryData(2, 'data')).toThrow(
			"This operation expects the node's input data to contain a binary file 'data', but none was found [item 2]",
		);
	});

	it('formats fileSize like pretty-bytes', () => {
		expect(prettyBytes(0)).toBe('0 B');
		expect(prettyBytes(999)).toBe('999 B');
		expect(prettyBytes(1024)).toBe('1.02 kB');
		expect(prettyBytes(FIVE_MIB)).toBe('5.24 MB');
	});
});
