/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code, never shipped */
/**
 * The emulator serves every catalogue model (test/emulator/catalog): the catalogues
 * themselves (WaveSpeed `GET /api/v3/models`, fal `GET /v1/models`), jobs of every model with
 * the body checked against the model's own schema, outputs laid out by the model (several
 * files where the schema says so), and prices from the fixtures. Plain HTTP against
 * startEmulator(), no node code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	falInputSchema,
	falModels,
	falOpenApi,
	falOutputSchema,
	falPricing,
	waveSpeedModels,
	waveSpeedPrice,
	waveSpeedRequestSchema,
} from '../emulator/catalog';
import type { FalModel, FalSchema, WaveSpeedModel } from '../emulator/catalog';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- provider answers, read field by field in assertions
type Json = Record<string, any>;

let emu: Emulator;

beforeAll(async () => {
	emu = await startEmulator({ timeScale: 0.05 });
});
afterAll(async () => await emu.close());
beforeEach(() => {
	emu.reset();
	emu.setPlan({ durationMs: 200 });
});

const wsHeaders = () => ({
	authorization: `Bearer ${emu.wavespeed.apiKey}`,
	'content-type': 'application/json',
});
const falHeaders = () => ({
	authorization: `Key ${emu.fal.apiKey}`,
	'content-type': 'application/json',
});

async function call(
	url: string,
	init: RequestInit = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
	const res = await fetch(url, init);
	const text = await res.text();
	return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}

async function download(
	url: string,
): Promise<{ status: number; type: string | null; bytes: Buffer }> {
	const res = await fetch(url);
	return {
		status: res.status,
		type: res.headers.get('content-type'),
		bytes: Buffer.from(await res.arrayBuffer()),
	};
}

const wait = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the emulator says the job has ended. */
async function settle(id: string): Promise<void> {
	for (let i = 0; i < 200; i++) {
		const status = emu.job(id)?.status;
		if (status === 'completed' || status === 'failed' || status === 'COMPLETED') return;
		await wait(10);
	}
	throw new Error(`job ${id} did not end`);
}

/** A value the schema takes for a required field (prompt text, an image URL, the first enum value…). */
function sample(
	name: string,
	prop: { type?: string; enum?: unknown[]; default?: unknown; minimum?: number; minItems?: number },
): unknown {
	if (prop.enum?.length) return prop.enum[0];
	if (prop.default !== undefined) return prop.default;
	const url = /video/.test(name)
		? 'https://cdn.example.com/in.mp4'
		: 'https://cdn.example.com/in.png';
	switch (prop.type) {
		case 'array':
			return Array.from({ length: Math.max(1, prop.minItems ?? 1) }, () => url);
		case 'integer':
		case 'number':
			return prop.minimum ?? 1;
		case 'boolean':
			return false;
		default:
			return /url|image|video|audio/.test(name) ? url : 'a red fox running through snow';
	}
}

function waveSpeedBody(model: WaveSpeedModel): Json {
	const schema = waveSpeedRequestSchema(model)!;
	return Object.fromEntries(
		schema.required.map((name) => [name, sample(name, schema.properties[name])]),
	);
}

function falInput(model: FalModel): FalSchema {
	return falInputSchema(falOpenApi(model)!, model.endpoint_id)!;
}

function falBody(model: FalModel): Json {
	const schema = falInput(model);
	return Object.fromEntries(
		(schema.required ?? []).map((name) => [name, sample(name, schema.properties![name] as never)]),
	);
}

const PNG_SIGNATURE = '89504e470d0a1a0a';

/** Checks a PNG's chunk layout and CRCs (what an image decoder checks first). */
function expectValidPng(bytes: Buffer): void {
	expect(bytes.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const types: string[] = [];
	for (let pos = 8; pos < bytes.length; ) {
		const len = bytes.readUInt32BE(pos);
		const body = bytes.subarray(pos + 4, pos + 8 + len);
		types.push(body.subarray(0, 4).toString('latin1'));
		expect(bytes.readUInt32BE(pos + 8 + len)).toBe(crc(body));
		pos += 12 + len;
	}
	expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
}

// ---------------------------------------------------------------------------------------------

describe('WaveSpeed: GET /api/v3/models', () => {
	it('lists every fixture model in the {code, message, data} envelope, notes stripped, recorded as catalog', async () => {
		const { status, body } = await call(`${emu.wavespeed.baseUrl}/api/v3/models`, {
			headers: wsHeaders(),
		});
		expect(status).toBe(200);
		expect(body.code).toBe(200);
		expect(body.message).toBe('success');
		expect(body.data).toEqual(waveSpeedModels());
		expect(body.data).toHaveLength(10);
		expect(JSON.stringify(body.data)).not.toMatch(/"_source"|"_assumed"/);
		expect(emu.count('catalog', 'wavespeed')).toBe(1);
		expect(emu.requests[0]).toMatchObject({ kind: 'catalog', provider: 'wavespeed', status: 200 });
	});

	it.each([
		['no key', {}],
		['a wrong key', { authorization: 'Bearer nope' }],
	])('answers %s with the 401 envelope', async (_name, headers) => {
		const { status, body } = await call(`${emu.wavespeed.baseUrl}/api/v3/models`, { headers });
		expect(status).toBe(401);
		expect(body).toEqual({ code: 401, message: 'Invalid API key' });
	});

	it('takes faults like any other request kind', async () => {
		emu.inject({ kind: 'catalog', provider: 'wavespeed', status: 503 });
		expect(
			(await call(`${emu.wavespeed.baseUrl}/api/v3/models`, { headers: wsHeaders() })).status,
		).toBe(503);
		expect(
			(await call(`${emu.wavespeed.baseUrl}/api/v3/models`, { headers: wsHeaders() })).status,
		).toBe(200);
	});
});

describe('fal: GET /v1/models', () => {
	const models = (q = '', headers: Record<string, string> = {}) =>
		call(`${emu.fal.apiUrl}/v1/models${q}`, { headers });

	it('lists without a key, 10 a page by default, and pages through every fixture with real cursors', async () => {
		const first = await models();
		expect(first.status).toBe(200);
		expect(first.body.models).toHaveLength(10);
		expect(first.body.has_more).toBe(true);
		expect(first.body.models[0].openapi).toBeUndefined();
		// fal's metadata says null for is_favorited when nobody is signed in
		expect(first.body.models[0].metadata.is_favorited).toBeNull();

		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const page: { body: Json } = await models(
				`?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			seen.push(...page.body.models.map((m: Json) => m.endpoint_id as string));
			cursor = page.body.next_cursor as string | null;
			expect(page.body.has_more).toBe(cursor !== null);
			pages++;
		} while (cursor);
		expect(pages).toBe(3);
		expect(seen).toEqual(falModels().map((m) => m.endpoint_id));
		expect(emu.count('catalog', 'fal')).toBe(4);
	});

	it('finds endpoint ids (repeated and comma separated) in the order asked, with their OpenAPI on expand', async () => {
		const ids = [
			'fal-ai/sora-2/image-to-video',
			'bytedance/lynx',
			'fal-ai/kling-video/video-to-audio',
		];
		const { status, body } = await models(
			`?endpoint_id=${ids[0]}&endpoint_id=${ids[1]},${ids[2]}&expand=openapi-3.0`,
			falHeaders(),
		);
		expect(status).toBe(200);
		expect(body.models.map((m: Json) => m.endpoint_id)).toEqual(ids);
		for (const m of body.models)
			expect(m).toEqual(falModels().find((f) => f.endpoint_id === m.endpoint_id));
		expect(body).toMatchObject({ next_cursor: null, has_more: false });
	});

	it('searches q case-insensitively over id, name, description and category; filters category and status', async () => {
		const kling = await models('?q=KLING&limit=50');
		expect(kling.body.models.map((m: Json) => m.endpoint_id)).toEqual([
			'fal-ai/kling-video/v2.1/pro/image-to-video',
			'fal-ai/kling-video/v2.5-turbo/pro/image-to-video',
			'fal-ai/kling-video/v2.6/pro/image-to-video',
			'fal-ai/kling-video/video-to-audio',
		]);
		const byName = await models(
			`?q=${encodeURIComponent(falModels()[0].metadata!.display_name.toLowerCase())}`,
		);
		expect(byName.body.models.map((m: Json) => m.endpoint_id)).toContain(
			falModels()[0].endpoint_id,
		);
		const t2v = await models('?category=text-to-video');
		expect(t2v.body.models.map((m: Json) => m.endpoint_id)).toEqual(['fal-ai/veo3.1']);
		const v2a = await models('?q=audio&category=video-to-audio');
		expect(v2a.body.models.map((m: Json) => m.endpoint_id)).toEqual([
			'fal-ai/kling-video/video-to-audio',
		]);
		const active = await models('?status=active&limit=100');
		expect(active.body.models).toHaveLength(
			falModels().filter((m) => m.metadata?.status === 'active').length,
		);
		expect((await models('?status=deprecated')).body.models).toEqual([]);
	});

	it('accepts a valid key (is_favorited kept) and refuses a wrong one with 401 {error:{type,message}}', async () => {
		const ok = await models('?limit=1', falHeaders());
		expect(ok.status).toBe(200);
		expect(ok.body.models[0].metadata.is_favorited).toBe(false);
		const wrong = await models('?limit=1', { authorization: 'Key wrong-key' });
		expect(wrong.status).toBe(401);
		expect(wrong.body.error).toMatchObject({
			type: 'authorization_error',
			message: expect.any(String),
		});
	});

	it.each([
		['?limit=0', 400, 'validation_error'],
		['?limit=abc', 400, 'validation_error'],
		['?cursor=not-a-page', 400, 'validation_error'],
		['?status=retired', 400, 'validation_error'],
		['?endpoint_id=fal-ai/no-such-model', 404, 'not_found'],
	])('%s → %d %s', async (q, status, type) => {
		const answer = await models(q);
		expect(answer.status).toBe(status);
		expect(answer.body.error.type).toBe(type);
	});
});

// ---------------------------------------------------------------------------------------------

describe('jobs of every WaveSpeed model', () => {
	it.each(waveSpeedModels().map((m) => [m.model_id, m] as const))(
		'%s: a valid body makes one .mp4 video',
		async (id, model) => {
			const submit = await call(`${emu.wavespeed.baseUrl}/api/v3/${id}`, {
				method: 'POST',
				headers: wsHeaders(),
				body: JSON.stringify(waveSpeedBody(model)),
			});
			expect(submit.status).toBe(200);
			expect(submit.body.data).toMatchObject({ model: id, status: 'created', outputs: [] });
			await settle(submit.body.data.id);
			const result = await call(
				`${emu.wavespeed.baseUrl}/api/v3/predictions/${submit.body.data.id}/result`,
				{ headers: wsHeaders() },
			);
			expect(result.body.data.status).toBe('completed');
			expect(result.body.data.outputs).toHaveLength(1);
			expect(result.body.data.outputs[0]).toMatch(/\.mp4$/);
			const file = await download(result.body.data.outputs[0]);
			expect(file).toMatchObject({ status: 200, type: 'video/mp4' });
			expect(file.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
		},
	);

	it.each([
		['text-to-image', 'image/png', /\.png$/],
		['video-to-audio', 'audio/mpeg', /\.mp3$/],
		['text-to-audio', 'audio/mpeg', /\.mp3$/],
		['image-to-video', 'video/mp4', /\.mp4$/],
	])(
		'a model of type %s answers %s outputs (added with addWaveSpeedModel)',
		async (type, contentType, ext) => {
			const base = waveSpeedModels().find((m) => m.model_id === 'wavespeed-ai/lynx')!;
			emu.addWaveSpeedModel(
				{ ...base, model_id: `test/${type}`, type },
				{ kind: 'flat', usd: 0.05 },
			);
			const submit = await call(`${emu.wavespeed.baseUrl}/api/v3/test/${type}`, {
				method: 'POST',
				headers: wsHeaders(),
				body: JSON.stringify({ prompt: 'p', image: 'https://cdn.example.com/in.png' }),
			});
			expect(submit.status).toBe(200);
			await settle(submit.body.data.id);
			const result = await call(
				`${emu.wavespeed.baseUrl}/api/v3/predictions/${submit.body.data.id}`,
				{ headers: wsHeaders() },
			);
			expect(result.body.data.outputs[0]).toMatch(ext);
			const file = await download(result.body.data.outputs[0]);
			expect(file).toMatchObject({ status: 200, type: contentType });
			if (contentType === 'image/png') expectValidPng(file.bytes);
			if (contentType === 'audio/mpeg')
				expect(file.bytes.subarray(0, 4).toString('hex')).toBe('fffb9064');
			expect(emu.billing.balances.wavespeed).toBe(99.95);
			// the catalogue lists it too, until reset()
			const list = await call(`${emu.wavespeed.baseUrl}/api/v3/models`, { headers: wsHeaders() });
			expect(list.body.data.map((m: Json) => m.model_id)).toContain(`test/${type}`);
		},
	);
});

describe('jobs of every fal endpoint', () => {
	it.each(falModels().map((m) => [m.endpoint_id, m] as const))(
		'%s: the result follows the Output schema',
		async (id, model) => {
			const submit = await call(`${emu.fal.queueUrl}/${id}`, {
				method: 'POST',
				headers: falHeaders(),
				body: JSON.stringify(falBody(model)),
			});
			expect(submit.status).toBe(200);
			// fal's URLs name only {owner}/{alias}
			const ownerAlias = id.split('/').slice(0, 2).join('/');
			expect(submit.body.status_url).toBe(
				`${emu.fal.queueUrl}/${ownerAlias}/requests/${submit.body.request_id}/status`,
			);
			await settle(submit.body.request_id);
			const status = await call(submit.body.status_url, { headers: falHeaders() });
			expect(status.body.status).toBe('COMPLETED');
			const result = await call(submit.body.response_url, { headers: falHeaders() });
			expect(result.status).toBe(200);

			const output = falOutputSchema(falOpenApi(model)!, id)!;
			for (const name of output.required ?? []) expect(result.body).toHaveProperty(name);
			expect('seed' in result.body).toBe('seed' in (output.properties ?? {}));
			const files = Object.entries(result.body).filter(
				([, v]) => typeof v === 'object' && v !== null && 'url' in v,
			);
			expect(files.length).toBeGreaterThan(0);
			for (const [, file] of files as Array<[string, Json]>) {
				expect(Object.keys(file).sort()).toEqual(['content_type', 'file_name', 'file_size', 'url']);
				const got = await download(file.url as string);
				expect(got.status).toBe(200);
				expect(got.type).toBe(file.content_type);
				expect(got.bytes.length).toBe(file.file_size);
			}
		},
	);

	it('Sora 2: video + thumbnail + spritesheet (valid PNGs) + video_id, each file served once completed', async () => {
		const id = 'fal-ai/sora-2/image-to-video';
		const submit = await call(`${emu.fal.queueUrl}/${id}`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ prompt: 'a cat', image_url: 'https://cdn.example.com/cat.png' }),
		});
		await settle(submit.body.request_id);
		const { body } = await call(submit.body.response_url, { headers: falHeaders() });
		expect(Object.keys(body)).toEqual(['video', 'video_id', 'thumbnail', 'spritesheet']);
		expect(body.video.content_type).toBe('video/mp4');
		expect(typeof body.video_id).toBe('string');
		for (const key of ['thumbnail', 'spritesheet']) {
			expect(body[key]).toMatchObject({ content_type: 'image/png', file_name: `${key}.png` });
			const png = await download(body[key].url as string);
			expect(png.type).toBe('image/png');
			expectValidPng(png.bytes);
		}
		expect(emu.job(submit.body.request_id)!.outputs.map((o) => [o.key, o.kind])).toEqual([
			['video', 'video'],
			['thumbnail', 'image'],
			['spritesheet', 'image'],
		]);
		expect(emu.count('download', 'fal')).toBe(2);
	});

	it('Kling video-to-audio: an MP3 audio file and the dubbed video', async () => {
		const submit = await call(`${emu.fal.queueUrl}/fal-ai/kling-video/video-to-audio`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ video_url: 'https://cdn.example.com/in.mp4' }),
		});
		await settle(submit.body.request_id);
		const { body } = await call(submit.body.response_url, { headers: falHeaders() });
		expect(Object.keys(body)).toEqual(['video', 'audio']);
		expect(body.audio).toMatchObject({ content_type: 'audio/mpeg', file_name: 'audio.mp3' });
		const audio = await download(body.audio.url as string);
		expect(audio.type).toBe('audio/mpeg');
		expect(audio.bytes.subarray(0, 4).toString('hex')).toBe('fffb9064');
		const video = await download(body.video.url as string);
		expect(video.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
	});

	it('LTX-2 19B: the VideoFile ($ref, no allOf), the seed asked for and the prompt echoed', async () => {
		const submit = await call(`${emu.fal.queueUrl}/fal-ai/ltx-2-19b/image-to-video`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({
				prompt: 'waves',
				image_url: 'https://cdn.example.com/sea.png',
				seed: 1234,
			}),
		});
		await settle(submit.body.request_id);
		const { body } = await call(submit.body.response_url, { headers: falHeaders() });
		expect(body).toMatchObject({
			video: { content_type: 'video/mp4' },
			seed: 1234,
			prompt: 'waves',
		});
	});

	it('a list of image files (added with addFalModel) answers a one-element list', async () => {
		const lynx = falModels().find((m) => m.endpoint_id === 'bytedance/lynx')!;
		const doc = JSON.parse(JSON.stringify(lynx.openapi)) as Json;
		doc.paths['/test/images'] = doc.paths['/bytedance/lynx'];
		doc.paths['/test/images/requests/{request_id}'] =
			doc.paths['/bytedance/lynx/requests/{request_id}'];
		doc.components.schemas.ImageFile = {
			type: 'object',
			properties: { url: { type: 'string' }, content_type: { type: 'string' } },
		};
		doc.components.schemas.LynxOutput = {
			type: 'object',
			properties: {
				images: { type: 'array', items: { $ref: '#/components/schemas/ImageFile' } },
				seed: { type: 'integer' },
			},
			required: ['images', 'seed'],
		};
		emu.addFalModel(
			{ ...lynx, endpoint_id: 'test/images', openapi: doc as never },
			{ unit_price: 0.03, unit: 'images', currency: 'USD' },
		);
		const submit = await call(`${emu.fal.queueUrl}/test/images`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ prompt: 'p', image_url: 'https://cdn.example.com/in.png' }),
		});
		expect(submit.status).toBe(200);
		await settle(submit.body.request_id);
		const { body } = await call(submit.body.response_url, { headers: falHeaders() });
		expect(body.images).toHaveLength(1);
		expect(body.images[0]).toMatchObject({ content_type: 'image/png', file_name: 'images-0.png' });
		expectValidPng((await download(body.images[0].url as string)).bytes);
		expect(emu.billing.balances.fal).toBe(99.97);
	});

	it('status takes the whole endpoint id as well as {owner}/{alias}; another app is 404', async () => {
		const id = 'fal-ai/kling-video/v2.1/pro/image-to-video';
		// Long enough to be still running at every read, even on a loaded machine.
		emu.planNext({ durationMs: 30_000 });
		const submit = await call(`${emu.fal.queueUrl}/${id}`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ prompt: 'p', image_url: 'https://cdn.example.com/in.png' }),
		});
		const rid = submit.body.request_id as string;
		expect(
			(await call(`${emu.fal.queueUrl}/${id}/requests/${rid}/status`, { headers: falHeaders() }))
				.status,
		).toBe(202);
		expect(
			(
				await call(`${emu.fal.queueUrl}/fal-ai/kling-video/requests/${rid}/status`, {
					headers: falHeaders(),
				})
			).status,
		).toBe(202);
		expect(
			(
				await call(`${emu.fal.queueUrl}/fal-ai/veo3.1/requests/${rid}/status`, {
					headers: falHeaders(),
				})
			).status,
		).toBe(404);
		expect(
			(
				await call(`${emu.fal.queueUrl}/fal-ai/nothing-here/requests/${rid}/status`, {
					headers: falHeaders(),
				})
			).body,
		).toEqual({
			detail: 'Application not found',
		});
		const status = emu.requests.filter((r) => r.kind === 'status');
		expect(status[0].model).toBe(id);
	});
});

describe('callbacks carry the same outputs', () => {
	let receiver: http.Server;
	let receiverUrl: string;
	const received: Json[] = [];

	beforeAll(async () => {
		receiver = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
				res.writeHead(200).end('ok');
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
	});
	afterAll(async () => await new Promise((resolve) => receiver.close(resolve)));
	beforeEach(() => received.splice(0));

	async function delivered(n: number): Promise<void> {
		for (let i = 0; i < 300 && received.length < n; i++) await wait(10);
		expect(received).toHaveLength(n);
	}

	it('fal: the payload is the result (Sora 2: three files)', async () => {
		const submit = await call(
			`${emu.fal.queueUrl}/fal-ai/sora-2/image-to-video?fal_webhook=${encodeURIComponent(receiverUrl)}`,
			{
				method: 'POST',
				headers: falHeaders(),
				body: JSON.stringify({ prompt: 'a cat', image_url: 'https://cdn.example.com/cat.png' }),
			},
		);
		await delivered(1);
		const result = await call(submit.body.response_url, { headers: falHeaders() });
		expect(received[0]).toMatchObject({ request_id: submit.body.request_id, status: 'OK' });
		expect(received[0].payload).toEqual(result.body);
	});

	it('WaveSpeed: the prediction lists the same outputs as the result', async () => {
		const submit = await call(
			`${emu.wavespeed.baseUrl}/api/v3/google/veo3.1-fast/text-to-video?webhook=${encodeURIComponent(receiverUrl)}`,
			{
				method: 'POST',
				headers: wsHeaders(),
				body: JSON.stringify({ prompt: 'a cat' }),
			},
		);
		await delivered(1);
		const result = await call(
			`${emu.wavespeed.baseUrl}/api/v3/predictions/${submit.body.data.id}/result`,
			{ headers: wsHeaders() },
		);
		expect(received[0].status).toBe('completed');
		expect(received[0].outputs).toEqual(result.body.data.outputs);
		expect(received[0].outputs).toHaveLength(1);
	});

	it("fal with falValidation 'result': the job is queued, then fails with the field's detail", async () => {
		emu.falValidation = 'result';
		const submit = await call(
			`${emu.fal.queueUrl}/bytedance/lynx?fal_webhook=${encodeURIComponent(receiverUrl)}`,
			{
				method: 'POST',
				headers: falHeaders(),
				body: JSON.stringify({ image_url: 'https://cdn.example.com/in.png' }),
			},
		);
		expect(submit.status).toBe(200);
		await delivered(1);
		const expected = [
			{
				loc: ['body', 'prompt'],
				msg: 'Field required',
				type: 'missing',
				input: { image_url: 'https://cdn.example.com/in.png' },
			},
		];
		expect(received[0]).toMatchObject({
			status: 'ERROR',
			error: 'Invalid status code: 422',
			payload: { detail: expected },
		});
		const result = await call(submit.body.response_url, { headers: falHeaders() });
		expect(result.status).toBe(422);
		expect(result.body.detail).toEqual(expected);
		const status = await call(submit.body.status_url, { headers: falHeaders() });
		expect(status.body).toMatchObject({ status: 'COMPLETED', error: 'Field required' });
		// nobody pays for a request that failed validation
		expect(emu.billing.balances.fal).toBe(100);
	});
});

// ---------------------------------------------------------------------------------------------

describe("submits checked against the model's own schema", () => {
	const wsSubmit = (model: string, body: Json) =>
		call(`${emu.wavespeed.baseUrl}/api/v3/${model}`, {
			method: 'POST',
			headers: wsHeaders(),
			body: JSON.stringify(body),
		});
	const falSubmit = (model: string, body: Json) =>
		call(`${emu.fal.queueUrl}/${model}`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify(body),
		});
	const IMG = 'https://cdn.example.com/in.png';

	it.each([
		['alibaba/wan-2.6/image-to-video', 'prompt is required', { image: IMG }],
		['alibaba/wan-2.6/image-to-video', 'prompt is required', { image: IMG, prompt: '' }],
		[
			'alibaba/wan-2.6/image-to-video',
			'duration must be one of 5, 10, 15',
			{ image: IMG, prompt: 'p', duration: 7 },
		],
		[
			'alibaba/wan-2.6/image-to-video',
			'duration must be an integer',
			{ image: IMG, prompt: 'p', duration: '5' },
		],
		[
			'alibaba/wan-2.6/image-to-video',
			'resolution must be one of 720p, 1080p',
			{ image: IMG, prompt: 'p', resolution: '4k' },
		],
		[
			'alibaba/wan-2.6/image-to-video',
			'enable_prompt_expansion must be a boolean',
			{ image: IMG, prompt: 'p', enable_prompt_expansion: 'yes' },
		],
		[
			'bytedance/seedance-v1.5-pro/image-to-video',
			'duration must be between 4 and 12',
			{ image: IMG, prompt: 'p', duration: 13 },
		],
		[
			'bytedance/seedance-v1-lite-i2v-720p',
			'prompt must be at most 2000 characters',
			{ image: IMG, prompt: 'x'.repeat(2001) },
		],
		[
			'bytedance/seedance-v1-lite/reference-to-video',
			'reference_images must have at least 1 item',
			{ prompt: 'p', reference_images: [] },
		],
		[
			'bytedance/seedance-v1-lite/reference-to-video',
			'reference_images[1] must be a string',
			{ prompt: 'p', reference_images: [IMG, 3] },
		],
	] as Array<[string, string, Json]>)(
		'WaveSpeed %s → 400 "%s", no job, nothing charged',
		async (model, message, body) => {
			const answer = await wsSubmit(model, body);
			expect(answer.status).toBe(400);
			expect(answer.body).toEqual({ code: 400, message });
			expect(emu.jobs()).toHaveLength(0);
			expect(emu.billing.balances.wavespeed).toBe(100);
		},
	);

	it('WaveSpeed ignores fields the schema does not name, and null optional fields', async () => {
		const answer = await wsSubmit('wavespeed-ai/lynx', {
			prompt: 'p',
			image: IMG,
			aspect_ratio: null,
			enable_sync_mode: false,
		});
		expect(answer.status).toBe(200);
	});

	it.each([
		[
			'bytedance/lynx',
			{ prompt: 'p' },
			[{ loc: ['body', 'image_url'], type: 'missing', msg: 'Field required' }],
		],
		[
			'bytedance/lynx',
			{ prompt: 'p', image_url: IMG, num_frames: 100, resolution: '1080p' },
			[
				{
					loc: ['body', 'resolution'],
					type: 'literal_error',
					msg: "Input should be '480p', '580p' or '720p'",
				},
				{
					loc: ['body', 'num_frames'],
					type: 'less_than_equal',
					msg: 'Input should be less than or equal to 81',
					ctx: { le: 81 },
				},
			],
		],
		[
			'bytedance/lynx',
			{ prompt: 'p', image_url: IMG, num_frames: 'many' },
			[{ loc: ['body', 'num_frames'], type: 'int_parsing' }],
		],
		[
			'bytedance/lynx',
			{ prompt: 'p', image_url: IMG, num_frames: 20.5 },
			[{ loc: ['body', 'num_frames'], type: 'int_from_float' }],
		],
		[
			'bytedance/lynx',
			{ prompt: 7, image_url: IMG },
			[{ loc: ['body', 'prompt'], type: 'string_type', msg: 'Input should be a valid string' }],
		],
		[
			'fal-ai/kling-video/v2.1/pro/image-to-video',
			{ prompt: 'p', image_url: IMG, duration: 5 },
			[{ loc: ['body', 'duration'], type: 'literal_error', msg: "Input should be '5' or '10'" }],
		],
		[
			'fal-ai/kling-video/v2.1/pro/image-to-video',
			{ prompt: 'x'.repeat(2501), image_url: IMG },
			[
				{
					loc: ['body', 'prompt'],
					type: 'string_too_long',
					msg: 'String should have at most 2500 characters',
				},
			],
		],
		[
			'fal-ai/sora-2/image-to-video',
			{ prompt: '', image_url: IMG },
			[
				{
					loc: ['body', 'prompt'],
					type: 'string_too_short',
					msg: 'String should have at least 1 character',
				},
			],
		],
		[
			'fal-ai/veo3.1/reference-to-video',
			{ prompt: 'p', image_urls: IMG },
			[{ loc: ['body', 'image_urls'], type: 'list_type' }],
		],
		[
			'fal-ai/veo3.1/reference-to-video',
			{ prompt: 'p', image_urls: [IMG, 5] },
			[{ loc: ['body', 'image_urls', 1], type: 'string_type' }],
		],
		[
			'fal-ai/ltx-2-19b/image-to-video',
			{ prompt: 'p', image_url: IMG, video_size: 'huge' },
			[{ loc: ['body', 'video_size'], type: 'literal_error' }],
		],
		[
			'fal-ai/ltx-2-19b/image-to-video',
			{ prompt: 'p', image_url: IMG, video_size: { width: 0, height: 512 } },
			[{ loc: ['body', 'video_size', 'width'], type: 'greater_than', ctx: { gt: 0 } }],
		],
		[
			'fal-ai/kling-video/v2.6/pro/image-to-video',
			{ prompt: 'p', start_image_url: IMG, generate_audio: 'maybe' },
			[{ loc: ['body', 'generate_audio'], type: 'bool_parsing' }],
		],
	])('fal %s → 422 with the detail (case %#)', async (model, body, detail) => {
		const answer = await falSubmit(model, body);
		expect(answer.status).toBe(422);
		expect(answer.body.detail).toHaveLength(detail.length);
		detail.forEach((item, i) => expect(answer.body.detail[i]).toMatchObject(item));
		expect(emu.jobs()).toHaveLength(0);
		expect(emu.billing.balances.fal).toBe(100);
	});

	it("fal coerces as Pydantic's lax mode does, and takes null for nullable or optional fields", async () => {
		const lynx = await falSubmit('bytedance/lynx', {
			prompt: 'p',
			image_url: IMG,
			num_frames: '33',
			guidance_scale: '4.5',
			seed: null,
		});
		expect(lynx.status).toBe(200);
		const ltx = await falSubmit('fal-ai/ltx-2-19b/image-to-video', {
			prompt: 'p',
			image_url: IMG,
			seed: null,
			generate_audio: 'false',
			video_size: { width: 640, height: 360 },
		});
		expect(ltx.status).toBe(200);
	});
});

// ---------------------------------------------------------------------------------------------

describe('prices from the fixtures', () => {
	const wsPrice = (model_id: string, inputs: Json = {}) =>
		call(`${emu.wavespeed.baseUrl}/api/v3/model/price`, {
			method: 'POST',
			headers: wsHeaders(),
			body: JSON.stringify({ model_id, inputs }),
		});
	const STAND_INS: Record<string, number> = {
		'wavespeed-ai/ltx-video-v097/i2v-720p': 0.2,
		'bytedance/seedance-v1-lite/reference-to-video': 0.18,
	};

	it.each(waveSpeedModels().map((m) => [m.model_id]))(
		'WaveSpeed %s at the schema defaults',
		async (id) => {
			const answer = await wsPrice(id);
			const expected = STAND_INS[id] ?? waveSpeedPrice(id, {})?.price;
			if (expected === undefined) {
				expect(answer.status).toBe(404);
				expect(answer.body.code).toBe(404);
			} else {
				expect(answer.status).toBe(200);
				expect(answer.body.data).toEqual({
					model_id: id,
					price: expected,
					discounted_price: expected,
					currency: 'USD',
				});
			}
		},
	);

	it.each([
		[
			'bytedance/seedance-v1.5-pro/image-to-video',
			{ resolution: '480p', duration: 5, generate_audio: false },
			0.06,
		],
		['bytedance/seedance-v1.5-pro/image-to-video', { resolution: '720p', duration: '10' }, 0.52],
		['bytedance/seedance-v1-lite-i2v-720p', { duration: 10 }, 0.32],
		['google/veo3.1-fast/image-to-video', { generate_audio: false }, 0.8],
		['alibaba/wan-2.6/image-to-video', { resolution: '1080p', duration: 10 }, 1.5],
	])('WaveSpeed %s %j → $%d (table, per second, flat)', async (id, inputs, price) => {
		expect((await wsPrice(id, inputs)).body.data.price).toBe(price);
	});

	it('WaveSpeed: a table without the row, or an unknown model, is 404', async () => {
		expect(
			(await wsPrice('bytedance/seedance-v1.5-pro/image-to-video', { resolution: '1080p' })).status,
		).toBe(404);
		expect((await wsPrice('kwaivgi/kling-v2.6-std/image-to-video')).status).toBe(404);
		expect((await wsPrice('nobody/nothing')).body).toEqual({
			code: 404,
			message: 'Model not found: nobody/nothing',
		});
	});

	it('fal: every endpoint with a price, one request; one without is left out; none at all is 404', async () => {
		const ids = falModels().map((m) => m.endpoint_id);
		const answer = await call(`${emu.fal.apiUrl}/v1/models/pricing?endpoint_id=${ids.join(',')}`, {
			headers: falHeaders(),
		});
		expect(answer.status).toBe(200);
		expect(answer.body.prices).toEqual(ids.map((id) => falPricing(id)).filter(Boolean));
		expect(answer.body.prices.map((p: Json) => p.endpoint_id)).not.toContain(
			'fal-ai/wan-25-preview/image-to-video',
		);
		const none = await call(
			`${emu.fal.apiUrl}/v1/models/pricing?endpoint_id=fal-ai/wan-25-preview/image-to-video`,
			{ headers: falHeaders() },
		);
		expect(none.status).toBe(404);
		expect(none.body.error.type).toBe('not_found');
	});

	it('jobs are charged at the same prices (WaveSpeed table at the defaults, fal per second of duration)', async () => {
		const ws = await call(`${emu.wavespeed.baseUrl}/api/v3/alibaba/wan-2.6/image-to-video`, {
			method: 'POST',
			headers: wsHeaders(),
			body: JSON.stringify({ prompt: 'p', image: 'https://cdn.example.com/in.png' }),
		});
		expect(ws.status).toBe(200);
		expect(emu.billing.balances.wavespeed).toBe(
			100 - waveSpeedPrice('alibaba/wan-2.6/image-to-video', {})!.price,
		);

		const fal = await call(`${emu.fal.queueUrl}/fal-ai/kling-video/v2.1/pro/image-to-video`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({
				prompt: 'p',
				image_url: 'https://cdn.example.com/in.png',
				duration: '10',
			}),
		});
		expect(fal.status).toBe(200);
		expect(emu.billing.balances.fal).toBe(99.02); // 10 s × $0.098
		// Veo 3.1 defaults to "8s": 8 × $0.40
		await call(`${emu.fal.queueUrl}/fal-ai/veo3.1`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ prompt: 'p' }),
		});
		expect(emu.billing.balances.fal).toBe(95.82);
	});

	it('a balance below the price refuses the submit (402 WaveSpeed, 403 locked at fal)', async () => {
		emu.setBalance('wavespeed', 1);
		emu.setBalance('fal', 1);
		const ws = await call(`${emu.wavespeed.baseUrl}/api/v3/google/veo3.1-fast/text-to-video`, {
			method: 'POST',
			headers: wsHeaders(),
			body: JSON.stringify({ prompt: 'p' }),
		});
		expect(ws.status).toBe(402);
		const fal = await call(`${emu.fal.queueUrl}/fal-ai/veo3.1`, {
			method: 'POST',
			headers: falHeaders(),
			body: JSON.stringify({ prompt: 'p' }),
		});
		expect(fal.status).toBe(403);
		expect(fal.body.detail).toMatch(/^User is locked/);
		expect(emu.jobs()).toHaveLength(0);
	});
});
