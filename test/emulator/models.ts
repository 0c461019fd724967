/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test fixture, never shipped */
/**
 * The emulator's model catalogue at run time: which models each provider serves (the fixtures
 * in ./catalog plus any a test adds), how a submit's body is checked against the model's own
 * schema, which files a finished job makes, and the fal catalogue's search and paging.
 *
 * Nothing here talks HTTP; emulator.ts routes requests to it.
 *
 * Assumed (no provider answer seen; see README.md):
 * - WaveSpeed's wording of a validation error (`prompt is required`, `duration must be one of
 *   5, 10`). Only its envelope `{code: 400, message}` is taken from the other 4xx answers.
 * - fal's errors follow FastAPI + Pydantic v2 (`Field required`/`missing`, `literal_error`,
 *   `less_than_equal`, …), with Pydantic's lax coercions (`"5"` is a valid integer, `1` a
 *   valid boolean). `null` for an optional field is taken as "not given".
 * - fal catalogue search: every word of `q` must occur in the endpoint id, display name,
 *   description or category (the real search is fuzzier). Cursors are base64 page numbers
 *   (the spec's example `Mg==` is "2").
 */
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';

import {
	falModels as fixtureFalModels,
	falInputSchema,
	falOpenApi,
	falOutputSchema,
	falResolveRef,
	waveSpeedModels as fixtureWaveSpeedModels,
	waveSpeedRequestSchema,
} from './catalog';
import type {
	FalModel,
	FalOpenApi,
	FalSchema,
	Json,
	WaveSpeedModel,
	WaveSpeedRequestSchema,
	WaveSpeedSchemaProperty,
} from './catalog';

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------

let fixtures: { wavespeed: WaveSpeedModel[]; fal: FalModel[] } | undefined;

/** The fixtures, read once per process (they are never changed: answers are built from copies). */
function loadFixtures() {
	fixtures ??= { wavespeed: fixtureWaveSpeedModels(), fal: fixtureFalModels() };
	return fixtures;
}

/**
 * fal's queue paths drop everything after `{owner}/{alias}` (fal-js `parseEndpointId`; the
 * namespaces `workflows/` and `comfy/` come before the owner).
 */
export function falOwnerAlias(endpointId: string): string {
	const parts = endpointId.split('/');
	return parts.slice(0, ['workflows', 'comfy'].includes(parts[0]) ? 3 : 2).join('/');
}

/** The models the emulator serves: the fixtures, then what a test added (same id: the added one). */
export class ModelCatalog {
	private wsExtra = new Map<string, WaveSpeedModel>();
	private falExtra = new Map<string, FalModel>();

	reset(): void {
		this.wsExtra.clear();
		this.falExtra.clear();
	}

	addWaveSpeed(model: WaveSpeedModel): void {
		this.wsExtra.set(model.model_id, model);
	}

	addFal(model: FalModel): void {
		this.falExtra.set(model.endpoint_id, model);
	}

	waveSpeedModels(): WaveSpeedModel[] {
		const base = loadFixtures().wavespeed.filter((m) => !this.wsExtra.has(m.model_id));
		return [...base, ...this.wsExtra.values()];
	}

	waveSpeedModel(id: string): WaveSpeedModel | undefined {
		return this.wsExtra.get(id) ?? loadFixtures().wavespeed.find((m) => m.model_id === id);
	}

	falModels(): FalModel[] {
		const base = loadFixtures().fal.filter((m) => !this.falExtra.has(m.endpoint_id));
		return [...base, ...this.falExtra.values()];
	}

	falModel(id: string): FalModel | undefined {
		return this.falExtra.get(id) ?? loadFixtures().fal.find((m) => m.endpoint_id === id);
	}

	/** A queue path prefix (`{owner}/{alias}` or a whole endpoint id) that names a served app. */
	isFalApp(prefix: string): boolean {
		return this.falModels().some(
			(m) => m.endpoint_id === prefix || falOwnerAlias(m.endpoint_id) === prefix,
		);
	}
}

// ---------------------------------------------------------------------------------------------
// WaveSpeed: checking a submit against request_schema
// ---------------------------------------------------------------------------------------------

const absent = (v: unknown) => v === undefined || v === null;

function waveSpeedProblem(p: WaveSpeedSchemaProperty, v: unknown): string | undefined {
	switch (p.type) {
		case 'string':
			if (typeof v !== 'string') return 'must be a string';
			if (p.maxLength !== undefined && [...v].length > p.maxLength)
				return `must be at most ${p.maxLength} characters`;
			break;
		case 'integer':
			if (typeof v !== 'number' || !Number.isInteger(v)) return 'must be an integer';
			break;
		case 'number':
			if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
			break;
		case 'boolean':
			if (typeof v !== 'boolean') return 'must be a boolean';
			break;
		case 'array': {
			if (!Array.isArray(v)) return 'must be an array';
			if (p.minItems !== undefined && v.length < p.minItems)
				return `must have at least ${p.minItems} item${p.minItems === 1 ? '' : 's'}`;
			if (p.maxItems !== undefined && v.length > p.maxItems)
				return `must have at most ${p.maxItems} item${p.maxItems === 1 ? '' : 's'}`;
			const itemType = p.items?.type;
			if (itemType) {
				const bad = v.findIndex(
					(item) =>
						waveSpeedProblem({ type: itemType as WaveSpeedSchemaProperty['type'] }, item) !==
						undefined,
				);
				if (bad >= 0) return `[${bad}] must be ${itemType === 'integer' ? 'an' : 'a'} ${itemType}`;
			}
			break;
		}
		case 'object':
			if (!isObject(v)) return 'must be an object';
			break;
	}
	if (p.enum && !p.enum.some((e) => e === v))
		return `must be one of ${p.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join(', ')}`;
	if (typeof v === 'number') {
		if (p.minimum !== undefined && v < p.minimum)
			return p.maximum !== undefined
				? `must be between ${p.minimum} and ${p.maximum}`
				: `must be at least ${p.minimum}`;
		if (p.maximum !== undefined && v > p.maximum)
			return p.minimum !== undefined
				? `must be between ${p.minimum} and ${p.maximum}`
				: `must be at most ${p.maximum}`;
	}
	return undefined;
}

/**
 * The first problem of a WaveSpeed submit body (`prompt is required`, `duration must be one of
 * 5, 10`), or undefined. Fields the schema does not name are ignored, as are `null`s for
 * optional ones.
 */
export function checkWaveSpeedInput(
	schema: WaveSpeedRequestSchema,
	body: Record<string, unknown>,
): string | undefined {
	for (const name of schema.required ?? []) {
		const v = body[name];
		if (absent(v) || v === '') return `${name} is required`;
	}
	const order = [
		...new Set([...(schema['x-order-properties'] ?? []), ...Object.keys(schema.properties)]),
	];
	for (const name of order) {
		const prop = schema.properties[name];
		const v = body[name];
		if (!prop || absent(v)) continue;
		const problem = waveSpeedProblem(prop, v);
		if (problem) return problem.startsWith('[') ? `${name}${problem}` : `${name} ${problem}`;
	}
	return undefined;
}

export function waveSpeedSchemaOf(model: WaveSpeedModel): WaveSpeedRequestSchema | undefined {
	return waveSpeedRequestSchema(model);
}

/** Request fields with the schema's defaults filled in (for prices). */
export function withWaveSpeedDefaults(
	model: WaveSpeedModel | undefined,
	body: Record<string, unknown>,
): Record<string, unknown> {
	const schema = model && waveSpeedRequestSchema(model);
	const out: Record<string, unknown> = {};
	for (const [name, prop] of Object.entries(schema?.properties ?? {}))
		if (prop.default !== undefined) out[name] = prop.default;
	for (const [k, v] of Object.entries(body)) if (!absent(v)) out[k] = v;
	return out;
}

// ---------------------------------------------------------------------------------------------
// fal: checking a submit against the OpenAPI input schema (FastAPI + Pydantic v2 answers)
// ---------------------------------------------------------------------------------------------

export interface FalErrorItem {
	loc: Array<string | number>;
	msg: string;
	type: string;
	input?: unknown;
	ctx?: Record<string, unknown>;
}

/** Follows `$ref` and a one-element `allOf` to the schema meant. */
function deref(doc: FalOpenApi | undefined, s: FalSchema, depth = 0): FalSchema {
	if (depth > 8) return s;
	if (s.$ref && doc) {
		const target = falResolveRef(doc, s.$ref);
		if (target) return deref(doc, { ...target, ...withoutKeys(s, ['$ref']) }, depth + 1);
	}
	if (s.allOf && s.allOf.length === 1)
		return deref(doc, { ...s.allOf[0], ...withoutKeys(s, ['allOf']) }, depth + 1);
	return s;
}

function withoutKeys(s: FalSchema, keys: string[]): FalSchema {
	const copy: Record<string, unknown> = { ...s };
	for (const k of keys) delete copy[k];
	return copy as FalSchema;
}

function refName(s: FalSchema): string | undefined {
	const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
	return ref?.split('/').pop();
}

function pyRepr(v: Json): string {
	return typeof v === 'string'
		? `'${v}'`
		: typeof v === 'boolean'
			? v
				? 'True'
				: 'False'
			: v === null
				? 'None'
				: String(v);
}

function expectedList(values: Json[]): string {
	const shown = values.map(pyRepr);
	return shown.length <= 1
		? (shown[0] ?? '')
		: `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const TRUE_WORDS = ['true', 't', 'yes', 'y', 'on', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', 'off', '0'];

function jsonTypeOf(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'array';
	if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
	return typeof v;
}

/** Pydantic-style errors of one value (empty when it validates). */
function checkFalValue(
	doc: FalOpenApi | undefined,
	raw: FalSchema,
	v: unknown,
	loc: Array<string | number>,
): FalErrorItem[] {
	const s = deref(doc, raw);
	const err = (type: string, msg: string, ctx?: Record<string, unknown>): FalErrorItem[] => [
		{ loc, msg, type, input: v, ...(ctx ? { ctx } : {}) },
	];
	if (s.anyOf && s.anyOf.length > 0) {
		const branches = s.anyOf.map((b) => deref(doc, b));
		if (v === null && branches.some((b) => b.type === 'null')) return [];
		const results = branches
			.filter((b) => b.type !== 'null')
			.map((b) => ({ b, errors: checkFalValue(doc, b, v, loc) }));
		if (results.length === 0 || results.some((r) => r.errors.length === 0)) return [];
		// Report the branch of the value's own JSON type (Pydantic lists every branch; one is enough here).
		const t = jsonTypeOf(v);
		const pick =
			results.find(
				(r) =>
					r.b.type === t ||
					(t === 'integer' && r.b.type === 'number') ||
					(t === 'object' && (r.b.type === 'object' || r.b.properties)),
			) ?? results[0];
		return pick.errors;
	}
	if (s.enum) {
		const ok = s.enum.some(
			(e) =>
				e === v ||
				((s.type === 'integer' || s.type === 'number') &&
					typeof v === 'string' &&
					NUMERIC.test(v) &&
					Number(v) === e),
		);
		return ok
			? []
			: err('literal_error', `Input should be ${expectedList(s.enum)}`, {
					expected: expectedList(s.enum),
				});
	}
	const type = s.type ?? (s.properties ? 'object' : undefined);
	let n: number | undefined;
	switch (type) {
		case 'null':
			return v === null ? [] : err('none_required', 'Input should be None');
		case 'string':
			if (typeof v !== 'string') return err('string_type', 'Input should be a valid string');
			if (s.minLength !== undefined && [...v].length < s.minLength) {
				return err(
					'string_too_short',
					`String should have at least ${plural(s.minLength, 'character')}`,
					{ min_length: s.minLength },
				);
			}
			if (s.maxLength !== undefined && [...v].length > s.maxLength) {
				return err(
					'string_too_long',
					`String should have at most ${plural(s.maxLength, 'character')}`,
					{ max_length: s.maxLength },
				);
			}
			return [];
		case 'integer':
			if (typeof v === 'number') {
				if (!Number.isFinite(v)) return err('finite_number', 'Input should be a finite number');
				if (!Number.isInteger(v))
					return err(
						'int_from_float',
						'Input should be a valid integer, got a number with a fractional part',
					);
				n = v;
			} else if (typeof v === 'string') {
				if (!/^\s*[-+]?\d+\s*$/.test(v))
					return err(
						'int_parsing',
						'Input should be a valid integer, unable to parse string as an integer',
					);
				n = Number(v);
			} else if (typeof v === 'boolean') {
				n = v ? 1 : 0;
			} else {
				return err('int_type', 'Input should be a valid integer');
			}
			break;
		case 'number':
			if (typeof v === 'number') {
				if (!Number.isFinite(v)) return err('finite_number', 'Input should be a finite number');
				n = v;
			} else if (typeof v === 'string') {
				if (!NUMERIC.test(v))
					return err(
						'float_parsing',
						'Input should be a valid number, unable to parse string as a number',
					);
				n = Number(v);
			} else if (typeof v === 'boolean') {
				n = v ? 1 : 0;
			} else {
				return err('float_type', 'Input should be a valid number');
			}
			break;
		case 'boolean':
			if (typeof v === 'boolean') return [];
			if (typeof v === 'number')
				return v === 0 || v === 1
					? []
					: err('bool_parsing', 'Input should be a valid boolean, unable to interpret input');
			if (typeof v === 'string') {
				const w = v.trim().toLowerCase();
				return TRUE_WORDS.includes(w) || FALSE_WORDS.includes(w)
					? []
					: err('bool_parsing', 'Input should be a valid boolean, unable to interpret input');
			}
			return err('bool_type', 'Input should be a valid boolean');
		case 'array': {
			if (!Array.isArray(v)) return err('list_type', 'Input should be a valid list');
			if (s.minItems !== undefined && v.length < s.minItems) {
				return err(
					'too_short',
					`List should have at least ${plural(s.minItems, 'item')} after validation, not ${v.length}`,
					{
						field_type: 'List',
						min_length: s.minItems,
						actual_length: v.length,
					},
				);
			}
			if (s.maxItems !== undefined && v.length > s.maxItems) {
				return err(
					'too_long',
					`List should have at most ${plural(s.maxItems, 'item')} after validation, not ${v.length}`,
					{
						field_type: 'List',
						max_length: s.maxItems,
						actual_length: v.length,
					},
				);
			}
			const items = s.items;
			return items ? v.flatMap((item, i) => checkFalValue(doc, items, item, [...loc, i])) : [];
		}
		case 'object':
			if (!isObject(v))
				return err(
					'model_attributes_type',
					'Input should be a valid dictionary or object to extract fields from',
				);
			return checkFalObject(doc, s, v, loc);
		default:
			return [];
	}
	// numbers: bounds
	const bound = (kind: string, text: string, limit: number, ok: boolean) =>
		ok
			? []
			: err(kind, `Input should be ${text} ${limit}`, {
					[{ greater_than_equal: 'ge', less_than_equal: 'le', greater_than: 'gt', less_than: 'lt' }[
						kind
					] as string]: limit,
				});
	const exMin = (s as { exclusiveMinimum?: number }).exclusiveMinimum;
	const exMax = (s as { exclusiveMaximum?: number }).exclusiveMaximum;
	return [
		...(s.minimum !== undefined
			? bound('greater_than_equal', 'greater than or equal to', s.minimum, n >= s.minimum)
			: []),
		...(s.maximum !== undefined
			? bound('less_than_equal', 'less than or equal to', s.maximum, n <= s.maximum)
			: []),
		...(typeof exMin === 'number' ? bound('greater_than', 'greater than', exMin, n > exMin) : []),
		...(typeof exMax === 'number' ? bound('less_than', 'less than', exMax, n < exMax) : []),
	].slice(0, 1);
}

function checkFalObject(
	doc: FalOpenApi | undefined,
	s: FalSchema,
	body: Record<string, unknown>,
	loc: Array<string | number>,
): FalErrorItem[] {
	const props = s.properties ?? {};
	const required = new Set(s.required ?? []);
	const order = [
		...new Set([...(s['x-fal-order-properties'] ?? []), ...Object.keys(props), ...required]),
	];
	const errors: FalErrorItem[] = [];
	for (const name of order) {
		const v = body[name];
		if (v === undefined || (v === null && !required.has(name))) {
			if (required.has(name))
				errors.push({ loc: [...loc, name], msg: 'Field required', type: 'missing', input: body });
			continue;
		}
		const prop = props[name];
		if (prop) errors.push(...checkFalValue(doc, prop, v, [...loc, name]));
	}
	return errors;
}

/** The schema a fal endpoint's queue POST takes (its requestBody `$ref`, else the one `…Input`). */
export function falInputOf(model: FalModel): { doc: FalOpenApi; schema: FalSchema } | undefined {
	const doc = falOpenApi(model);
	if (!doc) return undefined;
	const byRef = falInputSchema(doc, model.endpoint_id);
	const inputs = Object.keys(doc.components.schemas).filter((n) => n.endsWith('Input'));
	const schema = byRef ?? (inputs.length === 1 ? doc.components.schemas[inputs[0]] : undefined);
	return schema ? { doc, schema } : undefined;
}

/** FastAPI's `detail` items for a fal submit body; empty when it validates (or no schema is known). */
export function checkFalInput(model: FalModel, body: Record<string, unknown>): FalErrorItem[] {
	const input = falInputOf(model);
	return input ? checkFalObject(input.doc, input.schema, body, ['body']) : [];
}

/** Request fields with the input schema's defaults filled in (for prices). */
export function withFalDefaults(
	model: FalModel | undefined,
	body: Record<string, unknown>,
): Record<string, unknown> {
	const input = model && falInputOf(model);
	const out: Record<string, unknown> = {};
	for (const [name, prop] of Object.entries(input?.schema.properties ?? {}))
		if (prop.default !== undefined) out[name] = prop.default;
	for (const [k, v] of Object.entries(body)) if (!absent(v)) out[k] = v;
	return out;
}

// ---------------------------------------------------------------------------------------------
// Outputs: which files a job makes
// ---------------------------------------------------------------------------------------------

export type OutputKind = 'video' | 'image' | 'audio';

export const OUTPUT_TYPES: Record<OutputKind, { contentType: string; ext: string }> = {
	video: { contentType: 'video/mp4', ext: 'mp4' },
	image: { contentType: 'image/png', ext: 'png' },
	audio: { contentType: 'audio/mpeg', ext: 'mp3' },
};

/** WaveSpeed: the output's kind from the model `type` (`…-to-video`, `…-to-image`, `…-to-audio`/`…-audio`). */
export function waveSpeedOutputKind(type: string | undefined): OutputKind {
	const t = (type ?? '').toLowerCase();
	if (/(^|-)(audio|speech|music)$/.test(t)) return 'audio';
	if (/(^|-)image$/.test(t)) return 'image';
	return 'video';
}

/** One property of a fal result, as the emulator fills it in. */
export type FalOutputProp =
	| { name: string; kind: 'file'; file: OutputKind; array: boolean }
	| { name: string; kind: 'seed' }
	| { name: string; kind: 'value'; value: unknown };

const FILE_SCHEMAS: Record<string, OutputKind | undefined> = {
	VideoFile: 'video',
	ImageFile: 'image',
	AudioFile: 'audio',
	File: undefined,
};

function kindFromText(text: string): OutputKind | undefined {
	const t = text.toLowerCase();
	if (/\.(mp4|mov|webm|mkv|avi)\b|video\//.test(t)) return 'video';
	if (/\.(mp3|wav|m4a|aac|ogg|flac)\b|audio\//.test(t)) return 'audio';
	if (/\.(png|jpe?g|webp|gif)\b|image\//.test(t)) return 'image';
	return undefined;
}

function kindFromName(name: string): OutputKind | undefined {
	const n = name.toLowerCase();
	if (/video/.test(n)) return 'video';
	if (/audio|sound|music|speech|voice/.test(n)) return 'audio';
	if (/image|thumbnail|spritesheet|frame|mask|poster/.test(n)) return 'image';
	return undefined;
}

/**
 * Is this output property a file (a `$ref`/one-element `allOf` to File, VideoFile, ImageFile,
 * AudioFile, or an object with `url` and `content_type`), and of which kind? The generic
 * `File` takes its kind from the property's examples, then its name, then the category.
 */
function fileKindOf(
	doc: FalOpenApi,
	name: string,
	prop: FalSchema,
	category: string,
): OutputKind | undefined {
	const ref = refName(prop);
	const target = deref(doc, prop);
	const fileLike =
		(ref !== undefined && ref in FILE_SCHEMAS) ||
		(!!target.properties?.url && !!target.properties?.content_type);
	if (!fileLike) return undefined;
	const named = ref ? FILE_SCHEMAS[ref] : undefined;
	if (named) return named;
	const example = prop.examples?.[0];
	const fromExample = isObject(example)
		? kindFromText(`${String(example.content_type ?? '')} ${String(example.url ?? '')}`)
		: undefined;
	return (
		fromExample ??
		kindFromName(`${name} ${prop.title ?? ''}`) ??
		kindFromName(category.split('-to-').pop() ?? '') ??
		'video'
	);
}

/** A plausible value of a required, non-file output field. */
function plausible(
	schema: FalSchema,
	name: string,
	input: Record<string, unknown>,
	id: string,
): unknown {
	if (schema.enum?.length) return schema.enum[0];
	if (schema.default !== undefined) return schema.default;
	const echoed = input[name];
	switch (schema.type) {
		case 'string':
			return typeof echoed === 'string' ? echoed : `${name}_${id.replace(/-/g, '').slice(0, 12)}`;
		case 'integer':
		case 'number':
			return typeof echoed === 'number' ? echoed : 0;
		case 'boolean':
			return false;
		case 'array':
			return [];
		case 'object':
			return {};
		default:
			return typeof echoed === 'string' ? echoed : null;
	}
}

/**
 * The shape of a fal endpoint's result, from its Output schema: every file property, `seed`
 * where the schema has one, and the other required fields. An endpoint without a usable
 * schema answers as Lynx does (`video` + `seed`).
 */
export function falOutputShape(
	model: FalModel,
	input: Record<string, unknown>,
	id: string,
): FalOutputProp[] {
	const doc = falOpenApi(model);
	const out = doc && falOutputSchema(doc, model.endpoint_id);
	if (!doc || !out?.properties) {
		return [
			{ name: 'video', kind: 'file', file: 'video', array: false },
			{ name: 'seed', kind: 'seed' },
		];
	}
	const category = model.metadata?.category ?? doc.info['x-fal-metadata']?.category ?? '';
	const props = out.properties;
	const required = new Set(out.required ?? []);
	const order = [...new Set([...(out['x-fal-order-properties'] ?? []), ...Object.keys(props)])];
	const shape: FalOutputProp[] = [];
	for (const name of order) {
		const prop = props[name];
		if (!prop) continue;
		const direct = fileKindOf(doc, name, prop, category);
		if (direct) {
			shape.push({ name, kind: 'file', file: direct, array: false });
			continue;
		}
		const resolved = deref(doc, prop);
		const items = resolved.type === 'array' && resolved.items ? resolved.items : undefined;
		const itemKind = items ? fileKindOf(doc, name, items, category) : undefined;
		if (itemKind) {
			shape.push({ name, kind: 'file', file: itemKind, array: true });
			continue;
		}
		if (name === 'seed') {
			shape.push({ name, kind: 'seed' });
			continue;
		}
		if (required.has(name))
			shape.push({ name, kind: 'value', value: plausible(resolved, name, input, id) });
	}
	return shape;
}

// ---------------------------------------------------------------------------------------------
// Generated bytes: a tiny PNG, a few MP3 frames
// ---------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

function crc32(buf: Buffer): number {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

/** A valid 16×9 RGB PNG filled with a colour derived from `id` (deterministic). */
export function pngBytes(id: string, width = 16, height = 9): Buffer {
	const [r, g, b] = crypto.createHash('sha256').update(id).digest();
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type RGB
	const row = Buffer.alloc(1 + width * 3);
	for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
	const raw = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', zlib.deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames, each starting FF FB 90 64. */
const MP3_FRAME_BYTES = 417;

/** A few MP3 frames (header + zeroed body after an id-derived first byte): ~0.2 s, 3336 bytes. */
export function mp3Bytes(id: string, frames = 8): Buffer {
	const mark = crypto.createHash('sha256').update(id).digest()[0];
	const out = Buffer.alloc(MP3_FRAME_BYTES * frames);
	for (let f = 0; f < frames; f++) {
		out.set([0xff, 0xfb, 0x90, 0x64], f * MP3_FRAME_BYTES);
		out[f * MP3_FRAME_BYTES + 8] = mark;
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// fal catalogue: GET /v1/models (list, find, search; paging; expand)
// ---------------------------------------------------------------------------------------------

export interface CatalogReply {
	status: number;
	json: unknown;
}

const FAL_DEFAULT_LIMIT = 10;
const FAL_MAX_LIMIT = 100;
const FAL_MAX_IDS = 50;

function falApiError(status: number, type: string, message: string): CatalogReply {
	return { status, json: { error: { type, message } } };
}

/** Query values that may repeat and/or hold comma-separated lists. */
export function multiValues(params: URLSearchParams, name: string): string[] {
	return params
		.getAll(name)
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter(Boolean);
}

/**
 * fal's `GET /v1/models`: list (no filter), find (`endpoint_id`, 1–50, repeated or comma
 * separated), search (`q`, `category`, `status`; with `endpoint_id` they narrow each other).
 * `limit` (default 10, at most 100) and `cursor` page through the matches; `expand=openapi-3.0`
 * adds each model's `openapi`, `expand=enterprise_status` its `enterprise_status` ('ready').
 * `authenticated`: whether a key was given (`metadata.is_favorited` is null without one).
 */
export function falModelsAnswer(
	models: FalModel[],
	params: URLSearchParams,
	authenticated: boolean,
): CatalogReply {
	const ids = multiValues(params, 'endpoint_id');
	if (ids.length > FAL_MAX_IDS)
		return falApiError(
			400,
			'validation_error',
			`endpoint_id accepts 1-${FAL_MAX_IDS} values, got ${ids.length}`,
		);
	const status = params.get('status');
	if (status !== null && status !== 'active' && status !== 'deprecated') {
		return falApiError(400, 'validation_error', "status must be 'active' or 'deprecated'");
	}
	const limitText = params.get('limit');
	const limit = limitText === null || limitText === '' ? FAL_DEFAULT_LIMIT : Number(limitText);
	if (!Number.isInteger(limit) || limit < 1)
		return falApiError(400, 'validation_error', 'limit must be an integer of at least 1');
	const pageSize = Math.min(limit, FAL_MAX_LIMIT);
	const cursor = params.get('cursor');
	let page = 1;
	if (cursor !== null && cursor !== '') {
		const decoded = Buffer.from(cursor, 'base64').toString('utf8');
		page = /^\d+$/.test(decoded) ? Number(decoded) : NaN;
		if (!Number.isInteger(page) || page < 1)
			return falApiError(400, 'validation_error', 'Invalid cursor');
	}
	const expand = new Set(multiValues(params, 'expand'));

	const words = (params.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
	const category = params.get('category');
	let matches = models.filter((m) => {
		const meta = m.metadata;
		if (category && meta?.category !== category) return false;
		if (status && (meta?.status ?? 'active') !== status) return false;
		if (words.length) {
			const text = [m.endpoint_id, meta?.display_name, meta?.description, meta?.category]
				.filter(Boolean)
				.join(' ')
				.toLowerCase();
			if (!words.every((w) => text.includes(w))) return false;
		}
		return true;
	});
	if (ids.length) {
		// Find mode keeps the order of the ids asked for.
		matches = ids
			.map((id) => matches.find((m) => m.endpoint_id === id))
			.filter((m): m is FalModel => m !== undefined);
		if (matches.length === 0 && !words.length && !category && !status) {
			return falApiError(404, 'not_found', `No model found for endpoint_id ${ids.join(', ')}`);
		}
	}
	const start = (page - 1) * pageSize;
	const slice = matches.slice(start, start + pageSize);
	const hasMore = start + pageSize < matches.length;
	return {
		status: 200,
		json: {
			models: slice.map((m) => {
				const { openapi, ...rest } = m;
				const entry: Record<string, unknown> = { ...rest };
				if (rest.metadata && !authenticated)
					entry.metadata = { ...rest.metadata, is_favorited: null };
				if (expand.has('openapi-3.0'))
					entry.openapi = openapi ?? {
						error: { code: 'expansion_failed', message: 'No OpenAPI schema for this endpoint' },
					};
				if (expand.has('enterprise_status')) entry.enterprise_status = 'ready';
				return entry;
			}),
			next_cursor: hasMore ? Buffer.from(String(page + 1), 'utf8').toString('base64') : null,
			has_more: hasMore,
		},
	};
}
