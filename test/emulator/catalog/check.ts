/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test fixture, never shipped */
/**
 * Checks every catalogue fixture and prints a summary:
 *
 *   npx tsx test/emulator/catalog/check.ts
 *
 * - every fixture names its sources (`_source`) and lists what it assumed (`_assumed`);
 * - WaveSpeed: a `model_run` request schema, well formed (types, required ⊆ properties,
 *   `x-order-properties` lists every property once), defaults inside their enum / range,
 *   one price rule per model whose fields exist in the schema;
 * - fal: metadata and OpenAPI in fal's layout, the queue POST `$ref`s an existing
 *   `<Name>Input`, every `$ref` in the document resolves, `x-fal-order-properties` lists
 *   every property and every required field, defaults inside their enum / range, the
 *   result GET answers an `<Name>Output`, prices in the pricing API's layout;
 * - the seed models match /work/shared/seeds (transcribed below, and every field name is
 *   looked up in the seed file when it is there).
 *
 * Exits 1 when anything failed, after printing every problem.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	evaluatePriceRule,
	falBodyRef,
	falInputSchema,
	falModelsWithNotes,
	falOpenApi,
	falOutputSchema,
	falPricingEntries,
	falResolveRef,
	waveSpeedModelsWithNotes,
	waveSpeedPriceEntries,
	waveSpeedRequestSchema,
	type FalOpenApi,
	type FalSchema,
	type FixtureNotes,
	type Json,
	type WaveSpeedSchemaProperty,
} from './index';

const SEEDS_DIR = process.env.SEEDS_DIR ?? '/work/shared/seeds';

const problems: string[] = [];
const warnings: string[] = [];
const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);

function checkNotes(where: string, fixture: Partial<FixtureNotes>) {
	const source = fixture._source;
	const sources = Array.isArray(source) ? source : [source];
	if (
		!source ||
		sources.length === 0 ||
		sources.some((s) => typeof s !== 'string' || s.trim() === '')
	) {
		fail(where, '_source is missing or empty');
	}
	if (!Array.isArray(fixture._assumed) || fixture._assumed.some((a) => typeof a !== 'string')) {
		fail(where, '_assumed must be an array of strings (empty when nothing was assumed)');
	}
}

function typeOf(value: Json): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

/** Does a value fit a JSON Schema type name ('integer' also fits 'number'). */
function fitsType(value: Json, type: string | undefined): boolean {
	if (type === undefined) return true;
	const actual = typeOf(value);
	return actual === type || (type === 'number' && actual === 'integer');
}

/** A default (or example) against type / enum / minimum / maximum / maxLength. */
function checkValue(
	where: string,
	label: string,
	value: Json,
	schema: {
		type?: string;
		enum?: Json[];
		minimum?: number;
		maximum?: number;
		maxLength?: number;
	},
) {
	if (!fitsType(value, schema.type))
		fail(where, `${label} ${JSON.stringify(value)} is not of type ${schema.type}`);
	if (schema.enum && !schema.enum.some((option) => option === value)) {
		fail(where, `${label} ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
	}
	if (typeof value === 'number') {
		if (schema.minimum !== undefined && value < schema.minimum)
			fail(where, `${label} ${value} < minimum ${schema.minimum}`);
		if (schema.maximum !== undefined && value > schema.maximum)
			fail(where, `${label} ${value} > maximum ${schema.maximum}`);
	}
	if (
		typeof value === 'string' &&
		schema.maxLength !== undefined &&
		value.length > schema.maxLength
	) {
		fail(where, `${label} is longer than maxLength ${schema.maxLength}`);
	}
}

function checkBounds(
	where: string,
	schema: {
		minimum?: number;
		maximum?: number;
		minItems?: number;
		maxItems?: number;
		enum?: Json[];
		type?: string;
	},
) {
	if (
		schema.minimum !== undefined &&
		schema.maximum !== undefined &&
		schema.minimum > schema.maximum
	) {
		fail(where, `minimum ${schema.minimum} > maximum ${schema.maximum}`);
	}
	if (
		schema.minItems !== undefined &&
		schema.maxItems !== undefined &&
		schema.minItems > schema.maxItems
	) {
		fail(where, `minItems ${schema.minItems} > maxItems ${schema.maxItems}`);
	}
	if (schema.enum) {
		if (schema.enum.length === 0) fail(where, 'empty enum');
		if (new Set(schema.enum.map((v) => JSON.stringify(v))).size !== schema.enum.length)
			fail(where, 'enum has duplicates');
		for (const option of schema.enum) {
			if (!fitsType(option, schema.type))
				fail(where, `enum value ${JSON.stringify(option)} is not of type ${schema.type}`);
		}
	}
}

function checkOrder(
	where: string,
	order: string[] | undefined,
	properties: string[],
	required: string[],
	key: string,
) {
	if (!Array.isArray(order)) {
		fail(where, `${key} is missing`);
		return;
	}
	if (new Set(order).size !== order.length) fail(where, `${key} lists a field twice`);
	for (const name of order)
		if (!properties.includes(name)) fail(where, `${key} lists ${name}, which is not a property`);
	for (const name of properties)
		if (!order.includes(name)) fail(where, `property ${name} is missing from ${key}`);
	for (const name of required)
		if (!order.includes(name)) fail(where, `required ${name} is missing from ${key}`);
}

// ---------------------------------------------------------------------------------------
// Seeds, transcribed from /work/shared/seeds (type, required, default, enum / range)
// ---------------------------------------------------------------------------------------

interface SeedField {
	type: string;
	required: boolean;
	default?: Json;
	enum?: Json[];
	minimum?: number;
	maximum?: number;
}

const SEED_RANGE = { minimum: -1, maximum: 2147483647 };
const WAVESPEED_SEEDS: Record<string, { file: string; fields: Record<string, SeedField> }> = {
	'wavespeed-ai/lynx': {
		file: 'wavespeed-lynx.txt',
		fields: {
			prompt: { type: 'string', required: true },
			image: { type: 'string', required: true },
			aspect_ratio: {
				type: 'string',
				required: false,
				default: '16:9',
				enum: ['16:9', '9:16', '1:1'],
			},
		},
	},
	'wavespeed-ai/ltx-video-v097/i2v-720p': {
		file: 'wavespeed-ltx-video-v097-i2v-720p.txt',
		fields: {
			image: { type: 'string', required: true },
			prompt: { type: 'string', required: true },
			negative_prompt: { type: 'string', required: false },
			size: {
				type: 'string',
				required: false,
				default: '1280*720',
				enum: ['720*1280', '1280*720'],
			},
			seed: { type: 'integer', required: false, ...SEED_RANGE },
		},
	},
	'bytedance/seedance-v1-lite/reference-to-video': {
		file: 'wavespeed-seedance-v1-lite-reference-to-video.txt',
		fields: {
			prompt: { type: 'string', required: true },
			reference_images: { type: 'array', required: true },
			duration: { type: 'integer', required: false, default: 5, minimum: 5, maximum: 10 },
			camera_fixed: { type: 'boolean', required: false, default: false },
			seed: { type: 'integer', required: false, ...SEED_RANGE },
		},
	},
	'bytedance/seedance-v1-lite-i2v-720p': {
		file: 'wavespeed-seedance-v1-lite-i2v-720p.txt',
		fields: {
			prompt: { type: 'string', required: false },
			image: { type: 'string', required: true },
			last_image: { type: 'string', required: false },
			duration: {
				type: 'integer',
				required: false,
				default: 5,
				enum: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
			},
			aspect_ratio: {
				type: 'string',
				required: false,
				enum: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'],
			},
			camera_fixed: { type: 'boolean', required: false, default: false },
			seed: { type: 'integer', required: false, default: -1, ...SEED_RANGE },
		},
	},
};

/** fal Lynx: the seed's fields (fal-lynx.txt) with the bounds of fal's schema (docs/provider-facts.md §1). */
const FAL_LYNX_SEED: { file: string; fields: Record<string, SeedField> } = {
	file: 'fal-lynx.txt',
	fields: {
		image_url: { type: 'string', required: true },
		prompt: { type: 'string', required: true },
		negative_prompt: {
			type: 'string',
			required: false,
			default:
				'Bright tones, overexposed, blurred background, static, subtitles, style, works, paintings, images, overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, messy background, three legs, many people in the background, walking backwards',
		},
		num_inference_steps: { type: 'integer', required: false, default: 50, minimum: 1, maximum: 75 },
		seed: { type: 'integer', required: false },
		resolution: {
			type: 'string',
			required: false,
			default: '720p',
			enum: ['480p', '580p', '720p'],
		},
		aspect_ratio: {
			type: 'string',
			required: false,
			default: '16:9',
			enum: ['16:9', '9:16', '1:1'],
		},
		ip_scale: { type: 'number', required: false, default: 1, minimum: 0, maximum: 2 },
		strength: { type: 'number', required: false, default: 1, minimum: 0, maximum: 2 },
		frames_per_second: { type: 'integer', required: false, default: 16, minimum: 5, maximum: 30 },
		guidance_scale: { type: 'number', required: false, default: 5, minimum: 1, maximum: 20 },
		guidance_scale_2: { type: 'number', required: false, default: 2, minimum: 0, maximum: 10 },
		num_frames: { type: 'integer', required: false, default: 81, minimum: 9, maximum: 81 },
	},
};

function compareSeed(
	where: string,
	seed: { file: string; fields: Record<string, SeedField> },
	order: string[],
	required: string[],
	property: (name: string) => (SeedField & { type: string }) | undefined,
) {
	const expected = Object.keys(seed.fields);
	if (JSON.stringify(order) !== JSON.stringify(expected)) {
		fail(
			where,
			`fields ${JSON.stringify(order)} differ from the seed's ${JSON.stringify(expected)}`,
		);
	}
	for (const [name, want] of Object.entries(seed.fields)) {
		const got = property(name);
		if (!got) continue;
		if (got.type !== want.type)
			fail(where, `seed: ${name} type ${got.type}, seed says ${want.type}`);
		if (required.includes(name) !== want.required)
			fail(where, `seed: ${name} required ${!want.required}, seed says ${want.required}`);
		for (const key of ['default', 'enum', 'minimum', 'maximum'] as const) {
			if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
				fail(
					where,
					`seed: ${name}.${key} ${JSON.stringify(got[key])}, seed says ${JSON.stringify(want[key])}`,
				);
			}
		}
	}
	const file = path.join(SEEDS_DIR, seed.file);
	if (!fs.existsSync(file)) {
		warnings.push(`${where}: ${file} not found, transcription not re-read`);
		return;
	}
	const text = fs.readFileSync(file, 'utf8').replace(/\\_/g, '_');
	for (const name of expected)
		if (!text.includes(name)) fail(where, `seed file ${seed.file} never names ${name}`);
}

// ---------------------------------------------------------------------------------------
// WaveSpeed
// ---------------------------------------------------------------------------------------

const WS_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object']);
const wsRows: string[] = [];
const wsModels = waveSpeedModelsWithNotes();
const wsPrices = waveSpeedPriceEntries();
const wsIds = new Set<string>();

for (const model of wsModels) {
	const where = `wavespeed ${model.model_id}`;
	checkNotes(where, model);
	if (wsIds.has(model.model_id)) fail(where, 'model_id appears twice');
	wsIds.add(model.model_id);
	for (const key of ['model_id', 'name', 'type'] as const) {
		if (typeof model[key] !== 'string' || model[key] === '')
			fail(where, `${key} must be a non-empty string`);
	}
	if (
		model.base_price !== undefined &&
		!(typeof model.base_price === 'number' && model.base_price >= 0)
	) {
		fail(where, 'base_price must be a number >= 0');
	}
	const entries = model.api_schema?.api_schemas;
	if (!Array.isArray(entries) || !entries.some((e) => e.type === 'model_run')) {
		fail(where, 'api_schema.api_schemas has no model_run entry');
		continue;
	}
	const schema = waveSpeedRequestSchema(model)!;
	if (schema.type !== 'object') fail(where, 'request_schema.type must be "object"');
	const names = Object.keys(schema.properties ?? {});
	const required = schema.required ?? [];
	for (const name of required)
		if (!names.includes(name)) fail(where, `required ${name} is not a property`);
	checkOrder(where, schema['x-order-properties'], names, required, 'x-order-properties');
	for (const [name, prop] of Object.entries(schema.properties) as Array<
		[string, WaveSpeedSchemaProperty]
	>) {
		const at = `${where} ${name}`;
		if (!WS_TYPES.has(prop.type)) fail(at, `type ${prop.type} is not a JSON Schema type`);
		if (prop.type === 'array' && !prop.items) fail(at, 'array without items');
		if (
			prop.type !== 'array' &&
			(prop.items || prop.minItems !== undefined || prop.maxItems !== undefined)
		) {
			fail(at, 'items/minItems/maxItems on a non-array');
		}
		checkBounds(at, prop);
		if (prop.default !== undefined) checkValue(at, 'default', prop.default, prop);
	}

	const price = wsPrices[model.model_id];
	let priceText = 'no entry';
	if (!price) fail(where, 'no entry in wavespeed/prices.json');
	else {
		checkNotes(`${where} price`, price);
		const rule = price.rule;
		if (rule.kind === 'perSecond' && !names.includes(rule.field))
			fail(where, `price field ${rule.field} is not a property`);
		if (rule.kind === 'table') {
			for (const field of rule.fields) {
				if (!names.includes(field)) fail(where, `price field ${field} is not a property`);
				if (!(field in rule.defaults)) fail(where, `price table has no default for ${field}`);
				const prop = schema.properties[field];
				if (
					prop?.default !== undefined &&
					JSON.stringify(prop.default) !== JSON.stringify(rule.defaults[field])
				) {
					fail(
						where,
						`price default ${field}=${JSON.stringify(rule.defaults[field])} differs from the schema default ${JSON.stringify(prop.default)}`,
					);
				}
				for (const row of rule.rows) {
					if (prop) checkValue(`${where} price row`, field, row.when[field], prop);
				}
			}
		}
		const atDefaults = evaluatePriceRule(rule, {});
		priceText =
			rule.kind === 'unknown'
				? 'unknown'
				: `${rule.kind} ${atDefaults === undefined ? '(none at defaults)' : `$${atDefaults} at defaults`}`;
		if (
			atDefaults !== undefined &&
			model.base_price !== undefined &&
			atDefaults !== model.base_price
		) {
			warnings.push(
				`${where}: base_price ${model.base_price} differs from the price at defaults ${atDefaults}`,
			);
		}
	}

	const seed = WAVESPEED_SEEDS[model.model_id];
	if (seed) {
		compareSeed(where, seed, schema['x-order-properties'], required, (name) => {
			const p = schema.properties[name];
			return p && { ...p, required: required.includes(name) };
		});
	}
	wsRows.push(
		`  ${model.model_id.padEnd(46)} ${model.type.padEnd(15)} ${String(names.length).padStart(2)} fields${seed ? ' (seed)' : '       '}  price: ${priceText}`,
	);
}
for (const id of Object.keys(wsPrices))
	if (!wsIds.has(id)) fail(`wavespeed prices.json ${id}`, 'no such model in the catalogue');
for (const id of Object.keys(WAVESPEED_SEEDS))
	if (!wsIds.has(id)) fail(`wavespeed ${id}`, 'seed model missing from the catalogue');
if (wsIds.size < 10) fail('wavespeed', `only ${wsIds.size} models (at least 10 wanted)`);
if (!wsModels.some((m) => m.type === 'text-to-video')) fail('wavespeed', 'no text-to-video model');

// ---------------------------------------------------------------------------------------
// fal
// ---------------------------------------------------------------------------------------

const FAL_METADATA_REQUIRED = [
	'display_name',
	'category',
	'description',
	'status',
	'tags',
	'updated_at',
	'is_favorited',
	'thumbnail_url',
	'model_url',
	'date',
	'highlighted',
	'pinned',
] as const;

/** Every `$ref` anywhere in a document. */
function collectRefs(node: unknown, out: string[] = []): string[] {
	if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
	else if (node && typeof node === 'object') {
		for (const [key, value] of Object.entries(node)) {
			if (key === '$ref' && typeof value === 'string') out.push(value);
			else collectRefs(value, out);
		}
	}
	return out;
}

/** The value-carrying schema of a property: itself, or its non-null `anyOf` branch. */
function valueSchema(prop: FalSchema): FalSchema {
	if (prop.anyOf) {
		const branches = prop.anyOf.filter((b) => b.type !== 'null');
		if (branches.length === 1) return { ...branches[0], default: prop.default };
	}
	return prop;
}

function isFileLike(doc: FalOpenApi, prop: FalSchema): boolean {
	const ref =
		prop.$ref ?? prop.allOf?.[0]?.$ref ?? prop.items?.$ref ?? prop.items?.allOf?.[0]?.$ref;
	const target = ref ? falResolveRef(doc, ref) : undefined;
	return !!target?.properties?.url;
}

const falRows: string[] = [];
const falModels = falModelsWithNotes();
const falPrices = falPricingEntries();
const falIds = new Set<string>();
let multiFileOutputs = 0;
let imageUrlArrays = 0;

for (const model of falModels) {
	const id = model.endpoint_id;
	const where = `fal ${id}`;
	checkNotes(where, model);
	if (falIds.has(id)) fail(where, 'endpoint_id appears twice');
	falIds.add(id);
	const meta = model.metadata;
	if (!meta) fail(where, 'no metadata');
	else {
		for (const key of FAL_METADATA_REQUIRED)
			if (!(key in meta)) fail(where, `metadata.${key} is missing`);
		if (meta.status !== 'active' && meta.status !== 'deprecated')
			fail(where, `metadata.status ${meta.status}`);
	}
	const doc = falOpenApi(model);
	if (!doc) {
		fail(where, 'no OpenAPI document');
		continue;
	}
	if (!/^3\.0\./.test(doc.openapi)) fail(where, `openapi ${doc.openapi} is not 3.0.x`);
	if (doc.info?.['x-fal-metadata']?.endpointId !== id)
		fail(where, 'info.x-fal-metadata.endpointId differs from endpoint_id');
	if (meta && doc.info?.['x-fal-metadata']?.category !== meta.category)
		fail(where, 'x-fal-metadata.category differs from metadata.category');
	for (const ref of collectRefs(doc))
		if (!falResolveRef(doc, ref)) fail(where, `$ref ${ref} does not resolve`);

	const bodyRef = falBodyRef(doc, id);
	const input = falInputSchema(doc, id);
	if (!bodyRef || !input) {
		fail(where, `POST /${id} has no requestBody $ref to a schema`);
		continue;
	}
	if (!/Input$/.test(bodyRef))
		warnings.push(`${where}: request body schema ${bodyRef} is not named <Name>Input`);
	const names = Object.keys(input.properties ?? {});
	const required = input.required ?? [];
	for (const name of required)
		if (!names.includes(name)) fail(where, `required ${name} is not a property`);
	checkOrder(where, input['x-fal-order-properties'], names, required, 'x-fal-order-properties');
	let anyOfNull = 0;
	let wrapped = 0;
	for (const [name, raw] of Object.entries(input.properties ?? {})) {
		const at = `${where} ${name}`;
		if (raw.anyOf?.some((b) => b.type === 'null')) anyOfNull++;
		if (raw.allOf?.length === 1 && raw.allOf[0].$ref) wrapped++;
		if (raw.allOf && !(raw.allOf.length === 1 && raw.allOf[0].$ref))
			fail(at, 'allOf that is not a single $ref wrapper');
		const prop = valueSchema(raw);
		if (prop.type === undefined && !prop.$ref && !prop.anyOf && !prop.allOf) fail(at, 'no type');
		if (prop.type === 'array' && !prop.items) fail(at, 'array without items');
		if (prop.type === 'array' && prop.items?.type === 'string' && /image_urls$/.test(name))
			imageUrlArrays++;
		checkBounds(at, prop);
		if (raw.default !== undefined && raw.default !== null)
			checkValue(at, 'default', raw.default, prop);
		for (const example of raw.examples ?? []) {
			if (prop.type && prop.type !== 'object' && prop.type !== 'array')
				checkValue(at, 'example', example, { type: prop.type, enum: prop.enum });
		}
	}

	const output = falOutputSchema(doc, id);
	let outputText = 'none';
	if (!output) fail(where, 'the result GET answers no schema');
	else {
		const outs = Object.entries(output.properties ?? {});
		for (const name of output.required ?? [])
			if (!outs.some(([n]) => n === name)) fail(where, `output requires ${name}, not a property`);
		const files = outs.filter(([, p]) => isFileLike(doc, p)).map(([n]) => n);
		if (files.length === 0) fail(where, 'output has no file field');
		if (files.length > 1) multiFileOutputs++;
		outputText = files.join('+');
	}

	if (id === 'bytedance/lynx') {
		compareSeed(where, FAL_LYNX_SEED, input['x-fal-order-properties'] ?? [], required, (name) => {
			const raw = input.properties?.[name];
			if (!raw) return undefined;
			const p = valueSchema(raw);
			return {
				type: p.type ?? '?',
				required: required.includes(name),
				default: p.default,
				enum: p.enum,
				minimum: p.minimum,
				maximum: p.maximum,
			};
		});
	}

	const price = falPrices[id];
	let priceText = 'none';
	if (price) {
		checkNotes(`${where} price`, price);
		if (price.endpoint_id !== id) fail(where, `pricing entry names ${price.endpoint_id}`);
		if (!(typeof price.unit_price === 'number' && price.unit_price >= 0))
			fail(where, 'unit_price must be a number >= 0');
		if (typeof price.unit !== 'string' || price.unit === '')
			fail(where, 'unit must be a non-empty string');
		if (!/^[A-Z]{3}$/.test(price.currency))
			fail(where, `currency ${price.currency} is not ISO 4217`);
		priceText = `$${price.unit_price} per ${price.unit}`;
	} else warnings.push(`${where}: no price (falPricing answers undefined)`);

	falRows.push(
		`  ${id.padEnd(52)} ${(meta?.category ?? '?').padEnd(15)} ${String(names.length).padStart(2)} fields ${String(anyOfNull).padStart(1)} nullable ${String(wrapped)} $ref-wrapped  out: ${outputText.padEnd(22)} price: ${priceText}`,
	);
}
for (const id of Object.keys(falPrices))
	if (!falIds.has(id)) fail(`fal pricing.json ${id}`, 'no such model in the catalogue');
if (!falIds.has('bytedance/lynx')) fail('fal', 'bytedance/lynx (seed) is missing');
if (falIds.size < 10) fail('fal', `only ${falIds.size} models (at least 10 wanted)`);
if (multiFileOutputs === 0) fail('fal', 'no model whose output is more than one file');
if (imageUrlArrays === 0) fail('fal', 'no model whose input has an array of image URLs');

// ---------------------------------------------------------------------------------------

const out = (line = '') => process.stdout.write(`${line}\n`);
out(`WaveSpeed: ${wsModels.length} models (GET /api/v3/models data[])`);
out(wsRows.join('\n'));
out(`\nfal: ${falModels.length} models (GET /v1/models?expand=openapi-3.0 models[])`);
out(falRows.join('\n'));
out(
	`\nfal: ${multiFileOutputs} model(s) answer more than one file; ${imageUrlArrays} take an array of image URLs`,
);
if (warnings.length) out(`\n${warnings.length} note(s):\n  ${warnings.join('\n  ')}`);
if (problems.length) {
	process.stderr.write(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}\n`);
	process.exit(1);
}
out('\nAll catalogue fixtures are well formed.');
