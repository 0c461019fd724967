/**
 * Everything derived from a model table: the node's parameters, the checks that run before
 * any request, and the request body. Pure functions of data; no I/O here.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { nonPublicHost } from './address';
import { checkImage } from './images';
import type {
	Field,
	ImageField,
	ImageFormat,
	ImageListField,
	ModelSpec,
	RequestBody,
} from './models/types';

export const ADDITIONAL_FIELDS = 'additionalFields';

/** `aspect_ratio` → `aspectRatio`, `guidance_scale_2` → `guidanceScale2`. */
export function paramName(wire: string): string {
	return wire.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function mainImageField(model: ModelSpec): Field | undefined {
	return model.fields.find((f) => f.type === 'image' && f.main);
}

function isTopLevel(field: Field): boolean {
	return field.required === true || field.topLevel === true;
}

/**
 * What is checked of an image before anything is sent, derived from the rules the validation
 * applies, so the editor says exactly that. URLs are not fetched: the provider downloads them,
 * and n8n cannot check where a name resolves (no DNS for community nodes).
 */
export function imageCheckNote(field: ImageField | ImageListField): string {
	const checks = ['format'];
	if (field.rules?.maxBytes) checks.push('file size');
	if (field.rules?.minWidth) checks.push('pixel size');
	const list =
		checks.length > 1
			? `${checks.slice(0, -1).join(', ')} and ${checks[checks.length - 1]}`
			: checks[0];
	const each = field.type === 'imageList' ? 'each ' : 'a ';
	const files = field.type === 'image' && field.main ? 'data: URI or input binary' : 'data: URI';
	return `Checked before anything is sent: ${each}${files} for ${list}; ${each}URL only for http(s) and a public address (the provider downloads it, so its file is checked there)`;
}

function fieldProperty(field: Field, forCollection: boolean): INodeProperties {
	const base = {
		displayName: field.displayName,
		name: paramName(field.wire),
		description: field.description,
		required: forCollection ? undefined : field.required,
	};
	switch (field.type) {
		case 'string':
			return {
				...base,
				type: 'string',
				default: field.default ?? '',
				typeOptions: field.rows && field.rows > 1 ? { rows: field.rows } : undefined,
			};
		case 'image':
			return {
				...base,
				description: `${field.description}. ${imageCheckNote(field)}`,
				type: 'string',
				default: '',
				placeholder: 'https://example.com/photo.jpg',
			};
		case 'imageList':
			return {
				...base,
				description: `${field.description}. ${imageCheckNote(field)}`,
				type: 'string',
				default: '',
				typeOptions: { rows: field.maxItems ?? 4 },
				placeholder: 'https://example.com/a.jpg\nhttps://example.com/b.jpg',
			};
		case 'number':
			return {
				...base,
				type: 'number',
				default: field.default ?? 0,
				typeOptions: {
					minValue: field.min,
					maxValue: field.max,
					numberPrecision: field.integer ? 0 : undefined,
				},
			};
		case 'boolean':
			return { ...base, type: 'boolean', default: field.default ?? false };
		case 'options': {
			const options: INodePropertyOptions[] = field.values.map((value) => ({
				name: field.labels?.[String(value)] ?? String(value),
				value,
			}));
			return { ...base, type: 'options', options, default: field.default ?? field.values[0] };
		}
	}
}

function clean(property: INodeProperties): INodeProperties {
	const result = { ...property } as IDataObject;
	for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
	if (result.typeOptions) {
		const typeOptions = { ...(result.typeOptions as IDataObject) };
		for (const key of Object.keys(typeOptions)) if (typeOptions[key] === undefined) delete typeOptions[key];
		if (Object.keys(typeOptions).length) result.typeOptions = typeOptions;
		else delete result.typeOptions;
	}
	return result as unknown as INodeProperties;
}

/** The model's parameters, in editor order: image source, required fields, optional ones. */
export function modelProperties(model: ModelSpec): INodeProperties[] {
	const properties: INodeProperties[] = [];
	const main = mainImageField(model);
	for (const field of model.fields.filter(isTopLevel)) {
		if (field === main) {
			properties.push(
				{
					displayName: `${field.displayName} Source`,
					name: 'imageSource',
					type: 'options',
					options: [
						{ name: 'URL or Data URI', value: 'url', description: 'A public image URL or a data: URI' },
						{ name: 'Binary From Input', value: 'binary', description: 'An image in the input item, uploaded for you' },
					],
					default: 'url',
					description: 'Where the image comes from',
				},
				clean({ ...fieldProperty(field, false), displayOptions: { show: { imageSource: ['url'] } } }),
				{
					displayName: 'Input Binary Field',
					name: 'imageBinaryProperty',
					type: 'string',
					default: 'data',
					required: true,
					description: 'Name of the binary property of the input item that holds the image',
					displayOptions: { show: { imageSource: ['binary'] } },
				},
			);
		} else {
			properties.push(clean(fieldProperty(field, false)));
		}
	}
	const optional = model.fields.filter((f) => !isTopLevel(f));
	if (optional.length) {
		properties.push({
			displayName: 'Additional Fields',
			name: ADDITIONAL_FIELDS,
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			description: 'Optional model fields; a field left out is not sent, so the provider default applies',
			options: optional
				.map((f) => clean(fieldProperty(f, true)))
				.sort((a, b) => a.displayName.localeCompare(b.displayName)),
		});
	}
	return properties;
}

/** Raw values as n8n hands them over for one item. */
export interface RawModelParams {
	/** Top-level parameter values by parameter name. */
	topLevel: Record<string, unknown>;
	additionalFields: IDataObject;
	imageSource: 'url' | 'binary';
}

/** A problem with one field: which one and what is allowed. */
export interface FieldProblem {
	field: string;
	problem: string;
	allowed?: string;
}

export interface ValidatedParams {
	body: RequestBody;
	/** Wire name of the main image when it must come from the input binary. */
	binaryImageField?: string;
}

const isEmpty = (v: unknown) =>
	v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function describe(value: unknown): string {
	if (typeof value === 'string') return value.length > 60 ? `"${value.slice(0, 57)}…"` : `"${value}"`;
	if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
	try {
		const text = JSON.stringify(value);
		return text.length > 60 ? `${text.slice(0, 57)}…` : text;
	} catch {
		return String(value);
	}
}

/** Turns a number given as number or numeric string (from an expression) into a number. */
function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value.trim())) {
		return Number(value.trim());
	}
	return undefined;
}

/**
 * Text fields whose provider states no limit: a prompt of this size is a mistake (an
 * expression that pasted a whole document), and the provider would bill or refuse it anyway.
 */
export const DEFAULT_MAX_TEXT_LENGTH = 10_000;

const DEFAULT_IMAGE_FORMATS: ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'];

/** Checks one image value (URL or data: URI). Returns a problem, or null. */
export function checkImageValue(value: string, field: Field): string | null {
	const rules = field.type === 'image' || field.type === 'imageList' ? field.rules : undefined;
	const text = value.trim();
	if (/^data:/i.test(text)) {
		const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*);base64,([a-z0-9+/=\s]*)$/i.exec(text);
		if (!match) return 'is not a valid data: URI (expected data:image/<type>;base64,<data>)';
		const bytes = Buffer.from(match[3], 'base64');
		if (!bytes.length) return 'is an empty data: URI';
		const problem = checkImage(bytes, rules, DEFAULT_IMAGE_FORMATS);
		return problem ? `data: URI ${problem}` : null;
	}
	// URL parsing drops line breaks and tabs, but the provider would get them: one URL only.
	if (/[\r\n\t]/.test(text)) return 'has more than one line; give one URL';
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return `${describe(value)} is not a URL`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `uses ${url.protocol.replace(':', '')}:, which the provider cannot fetch`;
	}
	if (url.username || url.password) return 'must not contain a user name or password';
	const nonPublic = nonPublicHost(url.hostname);
	if (nonPublic) {
		return `points at ${url.hostname}, ${nonPublic}: the provider downloads the image from the internet and cannot reach it`;
	}
	return null;
}

const IMAGE_ALLOWED = 'Allowed: a public http(s) URL or a data:image/…;base64 URI';

/** Where an entry of an image list begins: a URL or a data: URI. */
const ENTRY_START = /,(?=\s*(?:https?:\/\/|data:))/i;
const BASE64_LINE = /^[a-z0-9+/=]+$/i;

/**
 * The entries of an image list. An array (from an expression) is taken as it is. Text is one
 * entry per line; on a line, a comma separates entries only where the next one begins
 * (`http://`, `https://`, `data:`), so the comma inside a URL (`w_300,h_300`) or after a
 * data: URI's `;base64` never splits it. A data: URI whose base64 is wrapped over several
 * lines (as base64 tools print it) is joined back: a line of base64 alone is never a URL.
 */
export function splitImageList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value !== 'string') return [value];
	const entries: string[] = [];
	for (const raw of value.split(/\r\n|\r|\n/)) {
		const line = raw.trim();
		if (line === '') continue;
		const last = entries.length - 1;
		if (last >= 0 && /^data:/i.test(entries[last]) && BASE64_LINE.test(line)) {
			entries[last] += line;
			continue;
		}
		for (const part of line.split(ENTRY_START)) {
			if (part.trim() !== '') entries.push(part.trim());
		}
	}
	return entries;
}

/** The value sent for a checked image: a data: URI without whitespace in its base64. */
function normaliseImage(text: string): string {
	return /^data:/i.test(text) ? `data:${text.slice(5).replace(/\s+/g, '')}` : text;
}

function checkField(field: Field, value: unknown, problems: FieldProblem[]): RequestBody[string] | undefined {
	const name = field.displayName;
	const fail = (problem: string, allowed?: string) => {
		problems.push({ field: name, problem, allowed });
		return undefined;
	};
	switch (field.type) {
		case 'string': {
			if (typeof value !== 'string' && typeof value !== 'number') return fail(`must be text (got ${describe(value)})`);
			const text = String(value);
			const maxLength = field.maxLength ?? DEFAULT_MAX_TEXT_LENGTH;
			if (text.length > maxLength) {
				return fail(`is ${text.length} characters long`, `At most ${maxLength} characters`);
			}
			return text;
		}
		case 'number': {
			const n = toNumber(value);
			const range =
				field.min !== undefined && field.max !== undefined
					? `${field.integer ? 'A whole number' : 'A number'} from ${field.min} to ${field.max}`
					: field.min !== undefined
						? `${field.integer ? 'A whole number' : 'A number'} of at least ${field.min}`
						: field.integer
							? 'A whole number'
							: 'A number';
			if (n === undefined) return fail(`must be a number (got ${describe(value)})`, range);
			if (field.integer && !Number.isInteger(n)) return fail(`must be a whole number (got ${n})`, range);
			if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
				return fail(`is out of range (got ${n})`, range);
			}
			return n;
		}
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			if (value === 'true' || value === 'false') return value === 'true';
			return fail(`must be true or false (got ${describe(value)})`);
		}
		case 'options': {
			const numeric = typeof field.values[0] === 'number';
			const candidate = numeric ? toNumber(value) : value;
			const allowed = `Allowed: ${field.values.join(', ')}`;
			if (candidate === undefined || !field.values.includes(candidate as string | number)) {
				return fail(`must be one of ${field.values.join(', ')} (got ${describe(value)})`, allowed);
			}
			return candidate as string | number;
		}
		case 'image': {
			if (typeof value !== 'string') return fail(`must be a URL or data: URI (got ${describe(value)})`, IMAGE_ALLOWED);
			const problem = checkImageValue(value, field);
			if (problem) return fail(problem, IMAGE_ALLOWED);
			return normaliseImage(value.trim());
		}
		case 'imageList': {
			const list = splitImageList(value);
			const allowed = `Between ${field.minItems ?? 1} and ${field.maxItems ?? 'any number of'} images, one URL per line`;
			if (list.length < (field.minItems ?? 1)) return fail(`needs at least ${field.minItems ?? 1} image`, allowed);
			if (field.maxItems && list.length > field.maxItems) {
				return fail(`has ${list.length} images; at most ${field.maxItems} are allowed`, allowed);
			}
			const urls: string[] = [];
			list.forEach((entry, index) => {
				if (typeof entry !== 'string') {
					fail(`entry ${index + 1} must be a URL (got ${describe(entry)})`, IMAGE_ALLOWED);
					return;
				}
				const problem = checkImageValue(entry, field);
				if (problem) fail(`entry ${index + 1} ${problem}`, IMAGE_ALLOWED);
				else urls.push(normaliseImage(entry.trim()));
			});
			return urls.length === list.length ? urls : undefined;
		}
	}
}

/**
 * Validates one item's parameters against the table and builds the request body:
 * camelCase parameter → API field, optional fields only when set. Collects every problem.
 */
export function validateParams(model: ModelSpec, raw: RawModelParams): { result?: ValidatedParams; problems: FieldProblem[] } {
	const problems: FieldProblem[] = [];
	const body: RequestBody = {};
	const main = mainImageField(model);
	let binaryImageField: string | undefined;
	const known = new Set(model.fields.filter((f) => !isTopLevel(f)).map((f) => paramName(f.wire)));
	for (const key of Object.keys(raw.additionalFields)) {
		if (!known.has(key)) {
			problems.push({
				field: 'Additional Fields',
				problem: `"${key}" is not a field of this model`,
				allowed: `Known fields: ${[...known].join(', ') || 'none'}`,
			});
		}
	}
	for (const field of model.fields) {
		if (field === main && raw.imageSource === 'binary') {
			binaryImageField = field.wire;
			continue;
		}
		const name = paramName(field.wire);
		const value = isTopLevel(field) ? raw.topLevel[name] : raw.additionalFields[name];
		if (isEmpty(value) || (Array.isArray(value) && value.length === 0)) {
			if (field.required) problems.push({ field: field.displayName, problem: 'is required' });
			continue;
		}
		const checked = checkField(field, value, problems);
		if (checked !== undefined) body[field.wire] = checked;
	}
	return problems.length ? { problems } : { result: { body, binaryImageField }, problems };
}

export function describeProblems(problems: FieldProblem[]): { message: string; description: string } {
	const [first, ...rest] = problems;
	const message = `${first.field} ${first.problem}`;
	const lines = problems.map((p) => `• ${p.field} ${p.problem}${p.allowed ? `. ${p.allowed}` : ''}`);
	return {
		message: rest.length ? `${message} (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : message,
		description: `${lines.join('\n')}\nNothing was sent to the provider.`,
	};
}

