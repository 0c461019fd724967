/**
 * The providers' schemas (the emulator's catalogue fixtures, transcribed from the providers'
 * documents) made ModelSpecs, and checked against the curated tables of the seed models: a
 * curated table and the provider's own schema must describe the same fields.
 */
import type { Field } from '../../nodes/shared/models/types';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import { waveSpeedLtxVideoI2v720p } from '../../nodes/shared/models/wavespeed/ltxVideoI2v720p';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { waveSpeedSeedanceLiteI2v720p } from '../../nodes/shared/models/wavespeed/seedanceLiteI2v720p';
import { waveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/shared/models/wavespeed/seedanceLiteReferenceToVideo';
import { fieldFromProperty, fieldsFromSchema, humanize, outputSecondsOf, unwrap } from '../../nodes/shared/catalog/schema';
import type { SchemaProperty } from '../../nodes/shared/catalog/schema';
import {
	falInputSchema,
	falModel,
	falModels,
	falOpenApi,
	falResolveRef,
	waveSpeedModel,
	waveSpeedModels,
	waveSpeedRequestSchema,
} from '../emulator/catalog';

function waveSpeedFields(id: string): Field[] {
	const model = waveSpeedModel(id);
	const schema = model && waveSpeedRequestSchema(model);
	if (!schema) throw new Error(`no fixture for ${id}`);
	return fieldsFromSchema(schema as SchemaProperty);
}

function falFields(id: string): Field[] {
	const model = falModel(id);
	const doc = model && falOpenApi(model);
	const schema = doc && falInputSchema(doc, id);
	if (!doc || !schema) throw new Error(`no fixture for ${id}`);
	return fieldsFromSchema(schema as SchemaProperty, (ref) => falResolveRef(doc, ref) as SchemaProperty | undefined);
}

/** What must agree between a curated field and the schema's: name, kind, requiredness, values, bounds. */
function essence(field: Field) {
	const kind = field.type === 'imageList' ? 'imageList' : field.type;
	return {
		wire: field.wire,
		kind,
		required: field.required === true,
		values: field.type === 'options' ? [...field.values].map(String).sort() : undefined,
		min: field.type === 'number' ? field.min : undefined,
		max: field.type === 'number' ? field.max : undefined,
		integer: field.type === 'number' ? field.integer === true : undefined,
		items: field.type === 'imageList' ? [field.minItems ?? 1, field.maxItems] : undefined,
	};
}

describe('the seed models: curated table and provider schema agree', () => {
	it.each([
		['WaveSpeed Lynx', waveSpeedLynx, () => waveSpeedFields('wavespeed-ai/lynx')],
		['WaveSpeed LTX Video 0.9.7 I2V 720p', waveSpeedLtxVideoI2v720p, () => waveSpeedFields('wavespeed-ai/ltx-video-v097/i2v-720p')],
		['WaveSpeed Seedance V1 Lite Reference to Video', waveSpeedSeedanceLiteReferenceToVideo, () => waveSpeedFields('bytedance/seedance-v1-lite/reference-to-video')],
		['WaveSpeed Seedance V1 Lite I2V 720p', waveSpeedSeedanceLiteI2v720p, () => waveSpeedFields('bytedance/seedance-v1-lite-i2v-720p')],
		['fal Lynx', falLynx, () => falFields('bytedance/lynx')],
	])('%s', (_name, curated, schemaFields) => {
		const fromSchema = schemaFields();
		const byWire = (fields: readonly Field[]) => Object.fromEntries(fields.map((f) => [f.wire, essence(f)]));
		expect(byWire(fromSchema)).toEqual(byWire(curated.fields));
	});
});

describe('every fixture model becomes a spec', () => {
	it.each(waveSpeedModels().map((m) => [m.model_id]))('WaveSpeed %s', (id) => {
		const fields = waveSpeedFields(id);
		expect(fields.length).toBeGreaterThan(0);
		expect(fields.some((f) => f.required)).toBe(true);
	});

	it.each(falModels().map((m) => [m.endpoint_id]))('fal %s', (id) => {
		const fields = falFields(id);
		expect(fields.length).toBeGreaterThan(0);
		// Nothing arrives as a $ref or a one-element allOf: those are unwrapped.
		for (const field of fields) expect(field.displayName).not.toMatch(/^#/);
	});
});

describe('schema rules', () => {
	it('unwraps anyOf-with-null (optional values) and one-element allOf', () => {
		expect(unwrap({ anyOf: [{ type: 'integer' }, { type: 'null' }], title: 'Seed' })).toEqual({ type: 'integer', title: 'Seed' });
		const resolve = (ref: string) => (ref === '#/components/schemas/File' ? { type: 'object', properties: { url: { type: 'string' } } } : undefined);
		expect(unwrap({ allOf: [{ $ref: '#/components/schemas/File' }], title: 'Video' }, resolve)).toMatchObject({ type: 'object', title: 'Video' });
	});

	it.each<[string, SchemaProperty, Partial<Field>]>([
		['image_url', { type: 'string' }, { type: 'image' }],
		['image', { type: 'string' }, { type: 'image' }],
		['last_image', { type: 'string' }, { type: 'image' }],
		['image_urls', { type: 'array', items: { type: 'string' }, maxItems: 3 }, { type: 'imageList', maxItems: 3 }],
		['video_url', { type: 'string' }, { type: 'file' }],
		['audio_url', { type: 'string' }, { type: 'file' }],
		['image_size', { type: 'string' }, { type: 'string' }],
		['prompt', { type: 'string', maxLength: 20000 }, { type: 'string', maxLength: 20000 }],
		['duration', { type: 'string', enum: ['4s', '8s'], default: '8s' }, { type: 'options', values: ['4s', '8s'], default: '8s' }],
		['duration', { type: 'integer', minimum: 4, maximum: 12, default: 5 }, { type: 'number', integer: true, min: 4, max: 12, default: 5 }],
		['strength', { type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'number', min: 0, max: 1, exclusiveMin: true }],
		['tags', { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, { type: 'list', items: 'string', itemValues: ['a', 'b'] }],
		['video_size', { anyOf: [{ type: 'object' }, { type: 'string', enum: ['auto'] }] }, { type: 'json' }],
		['loras', { type: 'array', items: { type: 'object' } }, { type: 'json' }],
		['enable_safety_checker', { type: 'boolean', default: true }, { type: 'boolean', default: true }],
	])('%s %j', (wire, property, expected) => {
		expect(fieldFromProperty(wire, property, false)).toMatchObject({ wire, ...expected });
	});

	it('a default that is not one of the enum values is dropped', () => {
		expect(fieldFromProperty('resolution', { type: 'string', enum: ['480p'], default: '720p' }, false)).toMatchObject({ default: undefined });
	});

	it('names', () => {
		expect(humanize('image_url')).toBe('Image URL');
		expect(humanize('num_frames')).toBe('Num Frames');
		expect(humanize('image_urls')).toBe('Image URLs');
	});

	it('the length of the video from duration ("8s", 5) or frames over frame rate, else the defaults', () => {
		const seconds = outputSecondsOf([
			{ wire: 'duration', type: 'options', values: ['4s', '8s'], default: '8s', displayName: 'Duration', description: '' },
		]);
		expect(seconds({})).toBe(8);
		expect(seconds({ duration: '4s' })).toBe(4);
		expect(outputSecondsOf([])({ num_frames: 81, frames_per_second: 16 })).toBe(81 / 16);
		expect(outputSecondsOf([])({})).toBeNull();
	});
});
