/**
 * Each of the five model nodes, run through its real execute() against the emulator: the
 * request body the provider receives, the output item, and the video as binary.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLtxVideoI2v720p } from '../../nodes/WaveSpeedLtxVideoI2v720p/WaveSpeedLtxVideoI2v720p.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { WaveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/WaveSpeedSeedanceLiteReferenceToVideo/WaveSpeedSeedanceLiteReferenceToVideo.node';
import { startEmulator, videoStream } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { harness, submittedBodies } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };

interface Case {
	name: string;
	node: INodeType;
	provider: 'wavespeed' | 'fal';
	model: string;
	parameters: IDataObject;
	body: IDataObject;
	cost: number | null;
}

const cases: Case[] = [
	{
		name: 'WaveSpeed Lynx',
		node: new WaveSpeedLynx(),
		provider: 'wavespeed',
		model: 'wavespeed-ai/lynx',
		parameters: { prompt: 'she smiles', image: IMG, additionalFields: { aspectRatio: '9:16' } },
		body: { prompt: 'she smiles', image: IMG, aspect_ratio: '9:16' },
		cost: 0.5,
	},
	{
		name: 'fal Lynx',
		node: new FalLynx(),
		provider: 'fal',
		model: 'bytedance/lynx',
		parameters: { imageUrl: IMG, prompt: 'he waves', additionalFields: { numFrames: 49, resolution: '480p', guidanceScale2: 2.5 } },
		body: { image_url: IMG, prompt: 'he waves', num_frames: 49, resolution: '480p', guidance_scale_2: 2.5 },
		// fal: $0.60 per second of video; 49 frames at 16 fps.
		cost: 1.8375,
	},
	{
		name: 'WaveSpeed LTX Video 0.9.7 I2V 720p',
		node: new WaveSpeedLtxVideoI2v720p(),
		provider: 'wavespeed',
		model: 'wavespeed-ai/ltx-video-v097/i2v-720p',
		parameters: { image: IMG, prompt: 'waves crash', additionalFields: { size: '720*1280', seed: 7, negativePrompt: 'blur' } },
		body: { image: IMG, prompt: 'waves crash', size: '720*1280', seed: 7, negative_prompt: 'blur' },
		// No published price; the emulator's price API answers $0.20.
		cost: 0.2,
	},
	{
		name: 'WaveSpeed Seedance V1 Lite Reference to Video',
		node: new WaveSpeedSeedanceLiteReferenceToVideo(),
		provider: 'wavespeed',
		model: 'bytedance/seedance-v1-lite/reference-to-video',
		parameters: { prompt: 'a dancer', referenceImages: `${IMG}\nhttps://cdn.example.com/b.png`, additionalFields: { duration: 10, cameraFixed: true } },
		body: { prompt: 'a dancer', reference_images: [IMG, 'https://cdn.example.com/b.png'], duration: 10, camera_fixed: true },
		cost: 0.18,
	},
	{
		name: 'WaveSpeed Seedance V1 Lite I2V 720p',
		node: new WaveSpeedSeedanceLiteI2v720p(),
		provider: 'wavespeed',
		model: 'bytedance/seedance-v1-lite-i2v-720p',
		parameters: { image: IMG, prompt: 'the fox runs', additionalFields: { duration: 10, lastImage: 'https://cdn.example.com/end.png', seed: -1 } },
		body: { image: IMG, prompt: 'the fox runs', duration: 10, last_image: 'https://cdn.example.com/end.png', seed: -1 },
		cost: 0.32,
	},
];

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

describe.each(cases)('$name', ({ node, provider, model, parameters, body, cost }) => {
	it('sends the body derived from the parameters and outputs the video URL, paired', async () => {
		const h = harness(node, emu, { ...parameters, options: FAST });
		const [out] = await h.run();
		expect(submittedBodies(emu)).toEqual([body]);
		expect(out).toHaveLength(1);
		const json = out[0].json;
		// Priced by the provider's price API (the emulator's, from billing.ts) before the submit.
		expect(json).toMatchObject({ provider, model, status: 'completed', estimatedCost: cost, costSource: 'provider', costCurrency: 'USD' });
		expect(emu.count('price', provider)).toBe(1);
		expect(typeof json.requestId).toBe('string');
		expect(json.videoUrl).toBe(`${emu.url}/files/${provider}/${String(json.requestId)}.mp4`);
		expect(json.videoUrls).toEqual([json.videoUrl]);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].binary).toBeUndefined();
		expect(emu.count('submit')).toBe(1);
		expect(emu.count('download')).toBe(0);
	});

	it('with output binary, streams the video into n8n binary data named after the request', async () => {
		emu.setPlan({ videoBytes: 3 * 1024 * 1024 + 17 });
		const h = harness(node, emu, { ...parameters, output: 'binary', binaryPropertyName: 'video', options: FAST });
		const [out] = await h.run();
		const json = out[0].json;
		const binary = out[0].binary?.video;
		expect(binary?.mimeType).toBe('video/mp4');
		expect(binary?.fileName).toBe(`${String(json.requestId)}.mp4`);
		expect(h.binaries).toHaveLength(1);
		expect(h.binaries[0].bytes).toBe(3 * 1024 * 1024 + 17);
		const expected = await sha256OfStream(videoStream(String(json.requestId), 3 * 1024 * 1024 + 17));
		expect(h.binaries[0].sha256).toBe(expected);
	});
});

async function sha256OfStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
	const { createHash } = await import('crypto');
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

describe('submit only', () => {
	it('returns the job at once with its request id and passes the webhook URL, tagged with the model id, to WaveSpeed', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, mode: 'submitOnly', webhookUrl: 'https://hooks.example.com/ws' });
		const [out] = await h.run();
		expect(out[0].json).toMatchObject({ provider: 'wavespeed', status: 'submitted', webhookUrl: 'https://hooks.example.com/ws', estimatedCost: 0.5 });
		const submit = emu.requests.find((r) => r.kind === 'submit');
		// the output keeps the URL as given; the provider gets it tagged (a Trigger reads the job there)
		expect(submit?.query).toEqual({ webhook: 'https://hooks.example.com/ws?aivModel=wavespeed-ai%2Flynx' });
		expect(emu.count('result')).toBe(0);
	});

	it('passes fal_webhook to fal, tagged with the endpoint id and keeping its own query', async () => {
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, mode: 'submitOnly', webhookUrl: 'https://hooks.example.com/fal?x=1' });
		const [out] = await h.run();
		expect(out[0].json.status).toBe('submitted');
		expect(emu.requests.find((r) => r.kind === 'submit')?.query).toEqual({ fal_webhook: 'https://hooks.example.com/fal?x=1&aivModel=bytedance%2Flynx' });
		expect(emu.count('status') + emu.count('stream')).toBe(0);
	});
});

describe('fal follows the status stream', () => {
	it('learns of completion from the stream: no status polls, one result request', async () => {
		emu.setPlan({ durationMs: 1500 }, { provider: 'fal' });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const started = Date.now();
		await h.run();
		expect(Date.now() - started).toBeLessThan(2500);
		expect(emu.count('stream', 'fal')).toBe(1);
		expect(emu.count('status', 'fal')).toBe(0);
		expect(emu.count('result', 'fal')).toBe(1);
	});

	it('falls back to polling when the stream is unavailable', async () => {
		emu.inject({ provider: 'fal', kind: 'stream', status: 404, times: Infinity });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const [out] = await h.run();
		expect(out[0].json.status).toBe('completed');
		expect(emu.count('status', 'fal')).toBeGreaterThan(0);
	});
});
