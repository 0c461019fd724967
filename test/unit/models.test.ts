/**
 * Every model table checked against its seed page (shared/seeds/): parameter names, defaults,
 * enums and ranges. The expected tables are written by hand from the seeds, so an edit to a
 * model that would rename a saved workflow's parameter or change a default fails here.
 */
import type { INodeProperties } from 'n8n-workflow';

import { modelProperties, paramName } from '../../nodes/shared/model';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import type { ModelSpec } from '../../nodes/shared/models/types';
import { waveSpeedLtxVideoI2v720p } from '../../nodes/shared/models/wavespeed/ltxVideoI2v720p';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { waveSpeedSeedanceLiteI2v720p } from '../../nodes/shared/models/wavespeed/seedanceLiteI2v720p';
import { waveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/shared/models/wavespeed/seedanceLiteReferenceToVideo';

type Expected = Record<string, { type: string; default?: unknown; options?: unknown[]; min?: number; max?: number; required?: boolean }>;

const FAL_NEGATIVE =
	'Bright tones, overexposed, blurred background, static, subtitles, style, works, paintings, images, overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, messy background, three legs, many people in the background, walking backwards';

const cases: Array<[string, ModelSpec, string, { top: Expected; additional: Expected }]> = [
	[
		'WaveSpeed Lynx',
		waveSpeedLynx,
		'wavespeed-ai/lynx',
		{
			top: { prompt: { type: 'string', required: true }, imageSource: { type: 'options', default: 'url' }, image: { type: 'string', required: true }, imageBinaryProperty: { type: 'string', default: 'data' } },
			additional: { aspectRatio: { type: 'options', default: '16:9', options: ['16:9', '9:16', '1:1'] } },
		},
	],
	[
		'fal Lynx',
		falLynx,
		'bytedance/lynx',
		{
			top: { imageSource: { type: 'options', default: 'url' }, imageUrl: { type: 'string', required: true }, imageBinaryProperty: { type: 'string', default: 'data' }, prompt: { type: 'string', required: true } },
			additional: {
				negativePrompt: { type: 'string', default: FAL_NEGATIVE },
				numInferenceSteps: { type: 'number', default: 50, min: 1, max: 75 },
				seed: { type: 'number' },
				resolution: { type: 'options', default: '720p', options: ['480p', '580p', '720p'] },
				aspectRatio: { type: 'options', default: '16:9', options: ['16:9', '9:16', '1:1'] },
				ipScale: { type: 'number', default: 1, min: 0, max: 2 },
				strength: { type: 'number', default: 1, min: 0, max: 2 },
				framesPerSecond: { type: 'number', default: 16, min: 5, max: 30 },
				guidanceScale: { type: 'number', default: 5, min: 1, max: 20 },
				guidanceScale2: { type: 'number', default: 2, min: 0, max: 10 },
				numFrames: { type: 'number', default: 81, min: 9, max: 81 },
			},
		},
	],
	[
		'WaveSpeed LTX Video 0.9.7 I2V 720p',
		waveSpeedLtxVideoI2v720p,
		'wavespeed-ai/ltx-video-v097/i2v-720p',
		{
			top: { imageSource: { type: 'options', default: 'url' }, image: { type: 'string', required: true }, imageBinaryProperty: { type: 'string', default: 'data' }, prompt: { type: 'string', required: true } },
			additional: {
				negativePrompt: { type: 'string', default: '' },
				size: { type: 'options', default: '1280*720', options: ['720*1280', '1280*720'] },
				seed: { type: 'number', min: -1, max: 2147483647 },
			},
		},
	],
	[
		'WaveSpeed Seedance V1 Lite Reference to Video',
		waveSpeedSeedanceLiteReferenceToVideo,
		'bytedance/seedance-v1-lite/reference-to-video',
		{
			top: { prompt: { type: 'string', required: true }, referenceImages: { type: 'string', required: true } },
			additional: {
				// A range in the seed, offered as a dropdown of its whole numbers (the value is the number).
				duration: { type: 'options', default: 5, options: [5, 6, 7, 8, 9, 10] },
				cameraFixed: { type: 'boolean', default: false },
				seed: { type: 'number', min: -1, max: 2147483647 },
			},
		},
	],
	[
		'WaveSpeed Seedance V1 Lite I2V 720p',
		waveSpeedSeedanceLiteI2v720p,
		'bytedance/seedance-v1-lite-i2v-720p',
		{
			top: { imageSource: { type: 'options', default: 'url' }, image: { type: 'string', required: true }, imageBinaryProperty: { type: 'string', default: 'data' }, prompt: { type: 'string' } },
			additional: {
				lastImage: { type: 'string', default: '' },
				duration: { type: 'options', default: 5, options: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
				aspectRatio: { type: 'options', options: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'] },
				cameraFixed: { type: 'boolean', default: false },
				seed: { type: 'number', default: -1, min: -1, max: 2147483647 },
			},
		},
	],
];

function check(property: INodeProperties, expected: Expected[string]) {
	expect(property.type).toBe(expected.type);
	if ('default' in expected) expect(property.default).toEqual(expected.default);
	if (expected.options) expect(property.options?.map((o) => (o as { value: unknown }).value)).toEqual(expected.options);
	if (expected.min !== undefined) expect(property.typeOptions?.minValue).toBe(expected.min);
	if (expected.max !== undefined) expect(property.typeOptions?.maxValue).toBe(expected.max);
	if (expected.required) expect(property.required).toBe(true);
}

describe.each(cases)('%s table', (_name, model, id, expected) => {
	const properties = modelProperties(model);

	it(`targets ${id}`, () => {
		expect(model.id).toBe(id);
	});

	it('has exactly the seed parameters, with the seed defaults, enums and ranges', () => {
		const top = properties.filter((p) => p.name !== 'additionalFields');
		expect(top.map((p) => p.name).sort()).toEqual(Object.keys(expected.top).sort());
		for (const property of top) check(property, expected.top[property.name]);
		const collection = properties.find((p) => p.name === 'additionalFields');
		const options = (collection?.options ?? []) as INodeProperties[];
		expect(options.map((p) => p.name).sort()).toEqual(Object.keys(expected.additional).sort());
		for (const option of options) check(option, expected.additional[option.name]);
	});

	it('names every parameter with the camelCase of its API field', () => {
		for (const field of model.fields) {
			const all = [...properties, ...((properties.find((p) => p.name === 'additionalFields')?.options ?? []) as INodeProperties[])];
			expect(all.map((p) => p.name)).toContain(paramName(field.wire));
		}
	});

	it('shows the image field only for URL input and the binary field only for binary input', () => {
		const image = properties.find((p) => p.name === 'imageBinaryProperty');
		if (!image) return;
		expect(image.displayOptions).toEqual({ show: { imageSource: ['binary'] } });
		const urlField = properties.find((p) => p.displayOptions?.show?.imageSource?.[0] === 'url');
		expect(urlField?.name).toMatch(/^image(Url)?$/);
	});
});

describe('paramName', () => {
	it.each([
		['aspect_ratio', 'aspectRatio'],
		['guidance_scale_2', 'guidanceScale2'],
		['image_url', 'imageUrl'],
		['reference_images', 'referenceImages'],
		['last_image', 'lastImage'],
		['camera_fixed', 'cameraFixed'],
		['num_frames', 'numFrames'],
		['prompt', 'prompt'],
	])('%s → %s', (wire, name) => expect(paramName(wire)).toBe(name));
});

describe('prices from the seeds', () => {
	it('WaveSpeed Lynx is a flat $0.50 per clip', () => {
		expect((waveSpeedLynx as ModelSpec).price?.({ prompt: 'x', image: 'y' })).toBe(0.5);
	});
	it.each([
		[5, 0.16],
		[10, 0.32],
		[2, 0.064],
		[12, 0.384],
	])('Seedance Lite I2V for %i s costs $%d', (duration, price) => {
		expect(waveSpeedSeedanceLiteI2v720p.price?.({ duration })).toBeCloseTo(price, 6);
	});
	it('Seedance Lite I2V without a duration is priced at the provider default of 5 s', () => {
		expect(waveSpeedSeedanceLiteI2v720p.price?.({})).toBeCloseTo(0.16, 6);
	});
	it('fal Lynx is $0.60 per second of video: frames over frame rate', () => {
		expect(falLynx.price?.({})).toBeCloseTo(0.6 * (81 / 16), 6);
		expect(falLynx.price?.({ num_frames: 48, frames_per_second: 24 })).toBeCloseTo(1.2, 6);
	});
	it('models without a published price have none', () => {
		for (const model of [waveSpeedLtxVideoI2v720p, waveSpeedSeedanceLiteReferenceToVideo] as ModelSpec[]) {
			expect(model.price).toBeUndefined();
		}
	});
});
