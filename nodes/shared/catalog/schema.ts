/**
 * A provider's own input schema (WaveSpeed's request_schema, fal's OpenAPI `…Input`) turned
 * into the same ModelSpec a curated table gives: from there, validation, the request body,
 * waiting and output do not know which it was. Pure: no I/O.
 *
 * Where JSON Schema says more than a form can hold, a small named rule decides:
 * - `$ref`, one-element `allOf` and `anyOf`/`oneOf` with `null` are unwrapped (fal writes
 *   optional values and nested objects that way);
 * - a string or list of strings whose name says it is an image (`image`, `image_url`,
 *   `last_image`, `image_urls`, …) is an image field, a video, audio or other `…_url` a file
 *   field: both are checked like the curated nodes' images (public http(s) URL or data: URI);
 * - objects, lists of objects and real choices between types are JSON fields.
 */
import type { Field, ModelSpec, Provider, RequestBody } from '../models/types';

export interface SchemaProperty {
	type?: string | string[];
	title?: string;
	description?: string;
	default?: unknown;
	enum?: unknown[];
	const?: unknown;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number | boolean;
	exclusiveMaximum?: number | boolean;
	minLength?: number;
	maxLength?: number;
	format?: string;
	items?: SchemaProperty;
	minItems?: number;
	maxItems?: number;
	anyOf?: SchemaProperty[];
	oneOf?: SchemaProperty[];
	allOf?: SchemaProperty[];
	$ref?: string;
	properties?: Record<string, SchemaProperty>;
	required?: string[];
	'x-order-properties'?: string[];
	'x-fal-order-properties'?: string[];
}

/** Looks a `$ref` up in the document it came from. */
export type RefResolver = (ref: string) => SchemaProperty | undefined;

const noRefs: RefResolver = () => undefined;

/** One property with its references, one-element allOf and null alternatives unwrapped. */
export function unwrap(property: SchemaProperty, resolve: RefResolver = noRefs, depth = 0): SchemaProperty {
	if (depth > 8) return property;
	let current = property;
	if (current.$ref) {
		const target = resolve(current.$ref);
		const { $ref: _ref, ...rest } = current;
		void _ref;
		current = target ? { ...unwrap(target, resolve, depth + 1), ...rest } : rest;
	}
	if (current.allOf?.length === 1) {
		const { allOf, ...rest } = current;
		current = { ...unwrap(allOf[0], resolve, depth + 1), ...rest };
	}
	const choice = current.anyOf ?? current.oneOf;
	if (choice) {
		const real = choice.filter((variant) => variant.type !== 'null');
		if (real.length === 1) {
			const { anyOf: _a, oneOf: _o, ...rest } = current;
			void _a;
			void _o;
			current = { ...unwrap(real[0], resolve, depth + 1), ...rest };
		}
	}
	if (Array.isArray(current.type)) {
		const types = current.type.filter((t) => t !== 'null');
		current = { ...current, type: types.length === 1 ? types[0] : types };
	}
	return current;
}

const ACRONYMS = /^(url|urls|id|ids|fps|api|hd|uri|cfg|ip|lora)$/i;

/** `image_url` → `Image URL`, `num_frames` → `Num Frames`; fal's titles ("Image Url") the same way. */
export function humanize(wire: string): string {
	return wire
		.split(/[_\s-]+/)
		.filter(Boolean)
		.map((word) => (ACRONYMS.test(word) ? word.toUpperCase().replace(/S$/, 's') : word[0].toUpperCase() + word.slice(1)))
		.join(' ');
}

const IMAGE_NAME =
	/^((first|last|end|start|tail|reference|ref|input|subject|face|source|control|style|mask|init)_)?(image|images|img|frame|frames|photo|photos|mask|masks)(_urls?)?$/;
const FILE_NAME = /(^|_)(video|videos|audio|audios|sound|music|voice|file|files)(_urls?)?$|_urls?$/;

/** What kind of URL a string (or list of strings) field holds, by its name and format. */
export function urlKind(wire: string, property: SchemaProperty): 'image' | 'file' | undefined {
	const name = wire.toLowerCase();
	if (IMAGE_NAME.test(name)) return 'image';
	if (FILE_NAME.test(name) || property.format === 'uri') return 'file';
	return undefined;
}

const isPrimitive = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

function typeOf(property: SchemaProperty): string | undefined {
	if (typeof property.type === 'string') return property.type;
	if (property.enum?.length) return typeof property.enum[0] === 'number' ? 'number' : 'string';
	if (property.properties) return 'object';
	return undefined;
}

/** One schema property as a field, or undefined for a constant the provider sets itself. */
export function fieldFromProperty(
	wire: string,
	raw: SchemaProperty,
	required: boolean,
	resolve: RefResolver = noRefs,
): Field | undefined {
	const property = unwrap(raw, resolve);
	const base = {
		wire,
		displayName: humanize(property.title?.trim() || wire),
		description: (property.description ?? '').trim(),
		required,
	};
	const type = typeOf(property);
	const enumValues = property.enum ?? (property.const !== undefined ? [property.const] : undefined);
	if (enumValues && enumValues.length && enumValues.every(isPrimitive)) {
		const values = enumValues as Array<string | number>;
		const fallback = values.includes(property.default as string | number) ? (property.default as string | number) : undefined;
		return { ...base, type: 'options', values, default: fallback };
	}
	switch (type) {
		case 'integer':
		case 'number': {
			const exclusiveMin = typeof property.exclusiveMinimum === 'number' ? property.exclusiveMinimum : undefined;
			const exclusiveMax = typeof property.exclusiveMaximum === 'number' ? property.exclusiveMaximum : undefined;
			const integer = type === 'integer';
			return {
				...base,
				type: 'number',
				integer,
				min: property.minimum ?? (exclusiveMin !== undefined && integer ? exclusiveMin + 1 : exclusiveMin),
				max: property.maximum ?? (exclusiveMax !== undefined && integer ? exclusiveMax - 1 : exclusiveMax),
				exclusiveMin: !integer && exclusiveMin !== undefined && property.minimum === undefined ? true : undefined,
				exclusiveMax: !integer && exclusiveMax !== undefined && property.maximum === undefined ? true : undefined,
				default: typeof property.default === 'number' ? property.default : undefined,
			};
		}
		case 'boolean':
			return { ...base, type: 'boolean', default: typeof property.default === 'boolean' ? property.default : undefined };
		case 'string': {
			const kind = urlKind(wire, property);
			if (kind === 'image') return { ...base, type: 'image' };
			if (kind === 'file') return { ...base, type: 'file' };
			return {
				...base,
				type: 'string',
				default: typeof property.default === 'string' ? property.default : undefined,
				minLength: property.minLength,
				maxLength: property.maxLength,
			};
		}
		case 'array': {
			const items = property.items ? unwrap(property.items, resolve) : {};
			const itemType = typeOf(items);
			const sizes = { minItems: property.minItems, maxItems: property.maxItems };
			if (itemType === 'string') {
				const kind = urlKind(wire, items);
				if (kind === 'image') return { ...base, type: 'imageList', ...sizes };
				if (kind === 'file') return { ...base, type: 'file', list: true, ...sizes };
			}
			if (itemType === 'string' || itemType === 'number' || itemType === 'integer' || itemType === 'boolean') {
				const itemValues = items.enum?.every(isPrimitive) ? (items.enum as Array<string | number>) : undefined;
				return {
					...base,
					type: 'list',
					items: itemType,
					itemValues,
					...sizes,
					default: Array.isArray(property.default) ? (property.default as Array<string | number | boolean>) : undefined,
				};
			}
			return { ...base, type: 'json', default: property.default };
		}
		default:
			return { ...base, type: 'json', default: property.default };
	}
}

/** Every property of an input schema as fields, in the provider's own order. */
export function fieldsFromSchema(schema: SchemaProperty, resolve: RefResolver = noRefs): Field[] {
	const object = unwrap(schema, resolve);
	const properties = object.properties ?? {};
	const order = object['x-fal-order-properties'] ?? object['x-order-properties'] ?? [];
	const names = [...order.filter((name) => name in properties), ...Object.keys(properties).filter((name) => !order.includes(name))];
	const required = new Set(object.required ?? []);
	return names
		.map((name) => fieldFromProperty(name, properties[name], required.has(name), resolve))
		.filter((field): field is Field => field !== undefined);
}

/** "8s", "5", 10 → seconds; undefined when the value says nothing of the kind. */
function seconds(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
	if (typeof value === 'string') {
		const match = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?)?\s*$/i.exec(value);
		if (match) return Number(match[1]);
	}
	return undefined;
}

/**
 * How long the video of a job is, from its inputs or the schema's defaults: a `duration`
 * field, else frames over frame rate. Per-second prices need it.
 */
export function outputSecondsOf(fields: readonly Field[]): (body: RequestBody) => number | null {
	const defaults = new Map(fields.map((field) => [field.wire, 'default' in field ? field.default : undefined]));
	const value = (body: RequestBody, wire: string) => body[wire] ?? defaults.get(wire);
	return (body) => {
		const duration = seconds(value(body, 'duration'));
		if (duration !== undefined) return duration;
		const frames = Number(value(body, 'num_frames'));
		const fps = Number(value(body, 'frames_per_second') ?? value(body, 'fps'));
		return Number.isFinite(frames) && Number.isFinite(fps) && frames > 0 && fps > 0 ? frames / fps : null;
	};
}

export interface CatalogEntry {
	provider: Provider;
	/** The provider's model id (WaveSpeed model_id, fal endpoint_id). */
	id: string;
	name: string;
	/** What the model makes: image-to-video, text-to-video, text-to-image, … */
	category?: string;
	description?: string;
	/** The model's price as the catalogue states it, for the model list only. */
	listPrice?: string;
}

/** A catalogue model and its input schema as a ModelSpec. */
export function specFromSchema(entry: CatalogEntry, schema: SchemaProperty, resolve: RefResolver = noRefs): ModelSpec {
	const fields = fieldsFromSchema(schema, resolve);
	return {
		provider: entry.provider,
		id: entry.id,
		label: entry.name,
		fields,
		fromSchema: true,
		outputSeconds: outputSecondsOf(fields),
	};
}
