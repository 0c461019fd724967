/**
 * The any-model nodes (WaveSpeed, fal) against the emulator, which serves the providers'
 * catalogues and schemas from transcriptions of their real documents (test/emulator/catalog):
 * the model list, the typed fields, checks before paying, any output, input files from
 * binaries, the other operations, and parity with the curated nodes.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Fal } from '../../nodes/Fal/Fal.node';
import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { clearCatalogCache } from '../../nodes/shared/catalog/cache';
import { WaveSpeed } from '../../nodes/WaveSpeed/WaveSpeed.node';
import { WaveSpeedLtxVideoI2v720p } from '../../nodes/WaveSpeedLtxVideoI2v720p/WaveSpeedLtxVideoI2v720p.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { WaveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/WaveSpeedSeedanceLiteReferenceToVideo/WaveSpeedSeedanceLiteReferenceToVideo.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { jpeg } from '../fixtures/images';
import { binaryItem } from '../harness/context';
import { loadOptionsContext } from '../harness/loadOptions';
import { harness, items, submittedBodies } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };
const KLING_WS = 'kwaivgi/kling-v2.6-std/image-to-video';
const KLING_FAL = 'fal-ai/kling-video/v2.1/pro/image-to-video';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => {
	emu.reset();
	clearCatalogCache();
});

const mapper = (value: IDataObject) => ({
	mappingMode: 'defineBelow',
	value,
	matchingColumns: [],
	schema: [],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
});
const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });

function anyModel(node: INodeType, model: string, inputs: IDataObject, extra: IDataObject = {}, opts: Parameters<typeof harness>[3] = {}) {
	return harness(node, emu, { operation: 'generate', model: byId(model), inputs: mapper(inputs), options: FAST, ...extra }, opts);
}

const catalogReads = () => emu.requests.filter((r) => r.kind === 'catalog').length;

describe('the model list and the typed fields (editor)', () => {
	it.each([
		['WaveSpeed', () => new WaveSpeed()],
		['fal', () => new Fal()],
	] as const)('%s: searchable list, video models first; searching reaches the others', async (_name, node) => {
		const instance = node();
		const ctx = loadOptionsContext(harness(instance, emu, { operation: 'generate', model: byId('') }));
		const list = await instance.methods!.listSearch!.searchModels.call(ctx);
		expect(list.results.length).toBeGreaterThanOrEqual(10);
		expect(String(list.results[0].name)).toMatch(/video/i);
		const kling = await instance.methods!.listSearch!.searchModels.call(ctx, 'kling');
		expect(kling.results.length).toBeGreaterThan(0);
		expect(kling.results.every((r) => /kling/i.test(`${r.name} ${String(r.value)}`))).toBe(true);
	});

	it('WaveSpeed: the fields of a model from its schema: typed, required marked, enums as options', async () => {
		const instance = new WaveSpeed();
		const ctx = loadOptionsContext(harness(instance, emu, { operation: 'generate', model: byId(KLING_WS) }));
		const { fields } = await instance.methods!.resourceMapping!.getInputFields.call(ctx);
		expect(fields.map((f) => f.id)).toEqual(['prompt', 'image', 'negative_prompt', 'duration']);
		expect(fields.find((f) => f.id === 'prompt')).toMatchObject({ required: true, type: 'string' });
		expect(fields.find((f) => f.id === 'duration')).toMatchObject({ required: false, type: 'options', options: [{ name: '5', value: 5 }, { name: '10', value: 10 }] });
		expect(String(fields.find((f) => f.id === 'duration')?.displayName)).toMatch(/default 5/);
		const files = await instance.methods!.loadOptions!.getFileFields.call(ctx);
		expect(files.map((f) => f.value)).toEqual(['image']);
	});

	it('fal: the fields come from the OpenAPI document (x-fal-order-properties, $ref, anyOf with null)', async () => {
		const instance = new Fal();
		const ctx = loadOptionsContext(harness(instance, emu, { operation: 'generate', model: byId('fal-ai/ltx-2-19b/image-to-video') }));
		const { fields } = await instance.methods!.resourceMapping!.getInputFields.call(ctx);
		// In fal's own order (x-fal-order-properties of the LTX-2 input schema).
		expect(fields.slice(0, 4).map((f) => f.id)).toEqual(['prompt', 'image_url', 'num_frames', 'video_size']);
		expect(fields.find((f) => f.id === 'seed')).toMatchObject({ type: 'number', required: false });
		expect(fields.find((f) => f.id === 'image_url')).toMatchObject({ type: 'string', required: true });
	});

	it('the catalogue is read once for many lookups (cached per credential)', async () => {
		const instance = new WaveSpeed();
		const ctx = loadOptionsContext(harness(instance, emu, { operation: 'generate', model: byId(KLING_WS) }));
		await instance.methods!.listSearch!.searchModels.call(ctx);
		await instance.methods!.listSearch!.searchModels.call(ctx, 'veo');
		await instance.methods!.resourceMapping!.getInputFields.call(ctx);
		expect(catalogReads()).toBe(1);
	});
});

describe('Generate', () => {
	it('WaveSpeed Kling 2.6: sends the typed inputs, waits, outputs the video with mediaUrls and outputs', async () => {
		const h = anyModel(new WaveSpeed(), KLING_WS, { prompt: 'she smiles', image: IMG, duration: 10 });
		const [out] = await h.run();
		expect(submittedBodies(emu)).toEqual([{ prompt: 'she smiles', image: IMG, duration: 10 }]);
		const json = out[0].json;
		expect(json).toMatchObject({ provider: 'wavespeed', model: KLING_WS, status: 'completed', costCurrency: 'USD' });
		expect(json.videoUrls).toEqual([json.videoUrl]);
		expect(json.mediaUrls).toEqual([json.videoUrl]);
		expect(Array.isArray(json.outputs)).toBe(true);
		expect(out[0].pairedItem).toEqual({ item: 0 });
	});

	it('fal Kling 2.1: the same on fal, with the result object as outputs', async () => {
		const h = anyModel(new Fal(), KLING_FAL, { prompt: 'he waves', image_url: IMG, duration: '10' });
		const [out] = await h.run();
		expect(submittedBodies(emu)).toEqual([{ prompt: 'he waves', image_url: IMG, duration: '10' }]);
		expect(out[0].json).toMatchObject({ provider: 'fal', model: KLING_FAL, status: 'completed' });
		expect((out[0].json.outputs as IDataObject).video).toBeDefined();
	});

	it('a bad value fails before any request, naming the field and what is allowed', async () => {
		const h = anyModel(new WaveSpeed(), KLING_WS, { prompt: 'p', image: IMG, duration: 7 });
		await expect(h.run()).rejects.toThrow('Duration must be one of 5, 10 (got 7)');
		expect(emu.requests.filter((r) => r.kind !== 'catalog')).toHaveLength(0);
		const missing = anyModel(new Fal(), KLING_FAL, { prompt: 'p' });
		const error = await missing.run().catch((e: unknown) => e as NodeOperationError);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toMatch(/^Image URL is required/);
		expect(emu.count('submit')).toBe(0);
	});

	it('a field the provider no longer has is reported by name, not dropped', async () => {
		const h = anyModel(new WaveSpeed(), KLING_WS, { prompt: 'p', image: IMG, motion_strength: 0.4 });
		await expect(h.run()).rejects.toThrow(/Inputs: "motion_strength" is not an input of kwaivgi\/kling-v2.6-std\/image-to-video any more/);
		expect(emu.count('submit')).toBe(0);
	});

	it('several files out (Sora 2: video, thumbnail, spritesheet): all in mediaUrls, all downloaded with Output = binary', async () => {
		const h = anyModel(new Fal(), 'fal-ai/sora-2/image-to-video', { prompt: 'p', image_url: IMG }, { output: 'binary' });
		const [out] = await h.run();
		const media = out[0].json.mediaUrls as string[];
		expect(media.length).toBeGreaterThanOrEqual(3);
		expect(Object.keys(out[0].binary ?? {})).toEqual(['data', ...media.slice(1).map((_, i) => `data_${i + 1}`)]);
		expect(out[0].binary?.data.mimeType).toMatch(/^video\//);
		expect(out[0].json.videoUrl).toBe(media.find((u) => /\.mp4/.test(u)) ?? media[0]);
	});

	it('an input binary is uploaded and its URL put in the named field', async () => {
		const photo = jpeg(640, 480);
		const h = anyModel(new WaveSpeed(), KLING_WS, { prompt: 'p' }, { binaryInputs: { files: [{ field: 'image', binaryProperty: 'photo' }] } }, {
			items: [binaryItem(photo, 'image/jpeg', 'me.jpg', 'photo')],
		});
		await h.run();
		const body = submittedBodies(emu)[0] as IDataObject;
		expect(String(body.image)).toMatch(/\/files\/uploads\//);
		expect(emu.count('upload', 'wavespeed')).toBe(1);
	});

	it('50 items of one model: the schema costs one catalogue read, the price one request', async () => {
		const h = anyModel(new WaveSpeed(), KLING_WS, { prompt: 'p', image: IMG }, { options: { ...FAST, concurrency: 50 } }, { items: items(50) });
		const [out] = await h.run();
		expect(out).toHaveLength(50);
		expect(catalogReads()).toBe(1);
		expect(emu.count('price')).toBeLessThanOrEqual(1);
	});
});

describe('parity: the any-model node sends what the curated node sends', () => {
	it.each([
		['WaveSpeed Lynx', () => new WaveSpeedLynx(), 'wavespeed-ai/lynx', { prompt: 'she smiles', image: IMG, additionalFields: { aspectRatio: '9:16' } }, { prompt: 'she smiles', image: IMG, aspect_ratio: '9:16' }],
		['fal Lynx', () => new FalLynx(), 'bytedance/lynx', { imageUrl: IMG, prompt: 'he waves', additionalFields: { numFrames: 49, resolution: '480p', guidanceScale2: 2.5 } }, { image_url: IMG, prompt: 'he waves', num_frames: 49, resolution: '480p', guidance_scale_2: 2.5 }],
		['WaveSpeed LTX', () => new WaveSpeedLtxVideoI2v720p(), 'wavespeed-ai/ltx-video-v097/i2v-720p', { image: IMG, prompt: 'waves', additionalFields: { size: '720*1280', seed: 7 } }, { image: IMG, prompt: 'waves', size: '720*1280', seed: 7 }],
		['Seedance Reference', () => new WaveSpeedSeedanceLiteReferenceToVideo(), 'bytedance/seedance-v1-lite/reference-to-video', { prompt: 'a dancer', referenceImages: `${IMG}\nhttps://cdn.example.com/b.png`, additionalFields: { duration: 10, cameraFixed: true } }, { prompt: 'a dancer', reference_images: [IMG, 'https://cdn.example.com/b.png'], duration: 10, camera_fixed: true }],
		['Seedance I2V', () => new WaveSpeedSeedanceLiteI2v720p(), 'bytedance/seedance-v1-lite-i2v-720p', { image: IMG, prompt: 'the fox runs', additionalFields: { duration: 10, seed: -1 } }, { image: IMG, prompt: 'the fox runs', duration: 10, seed: -1 }],
	] as const)('%s', async (_name, curated, model, curatedParams, inputs) => {
		await harness(curated(), emu, { ...curatedParams, options: FAST }).run();
		const node = model.startsWith('bytedance/lynx') ? new Fal() : new WaveSpeed();
		await anyModel(node, model, inputs as IDataObject).run();
		const [fromCurated, fromAnyModel] = submittedBodies(emu);
		expect(fromAnyModel).toEqual(fromCurated);
	});
});

describe('the other operations', () => {
	it('Get Job re-attaches to a job by its request id and outputs it like Generate', async () => {
		emu.planNext({ durationMs: 400 });
		const [submitted] = await anyModel(new WaveSpeed(), KLING_WS, { prompt: 'p', image: IMG }, { mode: 'submitOnly' }).run();
		const requestId = String(submitted[0].json.requestId);
		const [out] = await harness(new WaveSpeed(), emu, { operation: 'getJob', requestId, options: FAST }).run();
		expect(out[0].json).toMatchObject({ provider: 'wavespeed', model: KLING_WS, requestId, status: 'completed' });
		expect(out[0].json.mediaUrls).toEqual([out[0].json.videoUrl]);
		expect(emu.count('submit')).toBe(1);
	});

	it('Get Job without waiting gives the current state; fal needs the model', async () => {
		emu.planNext({ durationMs: 5000 });
		const [submitted] = await anyModel(new Fal(), KLING_FAL, { prompt: 'p', image_url: IMG }, { mode: 'submitOnly' }).run();
		const requestId = String(submitted[0].json.requestId);
		const [out] = await harness(new Fal(), emu, { operation: 'getJob', model: byId(KLING_FAL), requestId, waitUntilDone: false }).run();
		expect(out[0].json).toMatchObject({ provider: 'fal', requestId, status: expect.stringMatching(/queued|running/) });
		const [cancelled] = await harness(new Fal(), emu, { operation: 'cancelJob', model: byId(KLING_FAL), requestId }).run();
		expect(cancelled[0].json).toMatchObject({ requestId, status: 'cancellationRequested' });
		expect(emu.job(requestId)?.cancelled).toBe(true);
	});

	it('Get Price: the provider\'s price for these inputs, without running anything', async () => {
		const [ws] = await harness(new WaveSpeed(), emu, { operation: 'getPrice', model: byId('bytedance/seedance-v1-lite-i2v-720p'), inputs: mapper({ duration: 10 }) }).run();
		expect(ws[0].json).toMatchObject({ provider: 'wavespeed', estimatedCost: 0.32, costSource: 'provider', costCurrency: 'USD' });
		const [fal] = await harness(new Fal(), emu, { operation: 'getPrice', model: byId('bytedance/lynx'), inputs: mapper({ num_frames: 48, frames_per_second: 24 }) }).run();
		expect(fal[0].json).toMatchObject({ estimatedCost: 1.2, unitPrice: 0.6, unit: 'seconds' });
		expect(emu.count('submit')).toBe(0);
	});

	it('Get Balance', async () => {
		emu.setBalance('wavespeed', 42.5);
		const [out] = await harness(new WaveSpeed(), emu, { operation: 'getBalance' }).run();
		expect(out[0].json).toEqual({ provider: 'wavespeed', balance: 42.5, currency: 'USD' });
	});
});
