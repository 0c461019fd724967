/**
 * The checks every item passes before any request: one value per field of a ModelSpec (a
 * curated table or a provider's schema), each problem naming the field and what is allowed,
 * and the request body built from what passed. Pure: no I/O.
 */
import type { IDataObject } from 'n8n-workflow';

import { nonPublicHost } from './address';
import { checkImage } from './images';
import type { Field, ImageFormat, ModelSpec, RequestBody } from './models/types';

/** A problem with one field: which one and what is allowed. */
export interface FieldProblem {
	field: string;
	problem: string;
	allowed?: string;
}

/**
 * Text fields whose provider states no limit: a prompt of this size is a mistake (an
 * expression that pasted a whole document), and the provider would bill or refuse it anyway.
 */
export const DEFAULT_MAX_TEXT_LENGTH = 10_000;

const DEFAULT_IMAGE_FORMATS: ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'];

export const isEmpty = (v: unknown) =>
	v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

export function describe(value: unknown): string {
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

/** A file on this computer: C:\…, file:…, /…, ./…, ../…, ~/…, \\server\share. */
const LOCAL_PATH = /^(?:[a-z]:[\\/]|file:|\/|\.{1,2}[\\/]|~[\\/]|\\\\)/i;

/** What to say of a path on this computer: the provider downloads from the internet. */
function localFile(text: string, field: Field): string {
	const what = `is a file on this computer (${describe(text)}), which the provider cannot reach`;
	if (field.type === 'image' && field.main) {
		return `${what}: read it with a Read/Write Files from Disk node and set ${field.displayName} Source to Binary From Input`;
	}
	return `${what}: give a public link (https://…) or a data: URI instead`;
}

/**
 * Checks one URL or data: URI a provider will download. For image fields a data: URI must be
 * an image the model takes (format, size, pixels); for other files any data: URI is taken.
 * Returns a problem, or null.
 */
export function checkImageValue(value: string, field: Field): string | null {
	const rules = field.type === 'image' || field.type === 'imageList' ? field.rules : undefined;
	const text = value.trim();
	if (/^data:/i.test(text)) {
		const match = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*);base64,([a-z0-9+/=\s]*)$/i.exec(text);
		if (!match) return `is not a valid data: URI (expected data:${field.type === 'file' ? '<type>' : 'image/<type>'};base64,<data>)`;
		const bytes = Buffer.from(match[3], 'base64');
		if (!bytes.length) return 'is an empty data: URI';
		if (field.type === 'file') return null;
		const problem = checkImage(bytes, rules, DEFAULT_IMAGE_FORMATS);
		return problem ? `data: URI ${problem}` : null;
	}
	// URL parsing drops line breaks and tabs, but the provider would get them: one URL only.
	if (/[\r\n\t]/.test(text)) return 'has more than one line; give one URL';
	if (LOCAL_PATH.test(text)) return localFile(text, field);
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
		return `points at ${url.hostname}, ${nonPublic}: the provider downloads the ${field.type === 'file' ? 'file' : 'image'} from the internet and cannot reach it`;
	}
	return null;
}

const IMAGE_ALLOWED = 'Allowed: a public http(s) URL or a data:image/…;base64 URI';
const FILE_ALLOWED = 'Allowed: a public http(s) URL or a data: URI';

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
	const trimmed = value.trim();
	if (trimmed.startsWith('[')) {
		// A JSON array typed into the field (the any-model nodes' lists look like this).
		try {
			const parsed = JSON.parse(trimmed) as unknown;
			if (Array.isArray(parsed)) return parsed;
		} catch {
			// Not JSON: one entry per line, below.
		}
	}
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

/** A list given as an array, JSON text, or one value per line / comma. */
function splitList(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	if (typeof value !== 'string') return [value];
	const text = value.trim();
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed)) return parsed;
		} catch {
			// Not JSON: split below.
		}
	}
	return text.split(/\r\n|\r|\n|,/).map((s) => s.trim()).filter((s) => s !== '');
}

function numberRange(field: Extract<Field, { type: 'number' }>): string {
	const kind = field.integer ? 'A whole number' : 'A number';
	const low = field.min !== undefined ? `${field.exclusiveMin ? 'above' : 'from'} ${field.min}` : undefined;
	const high = field.max !== undefined ? `${field.exclusiveMax ? 'below' : 'to'} ${field.max}` : undefined;
	if (low && high) return `${kind} ${low} ${high}`;
	if (low) return `${kind} ${field.exclusiveMin ? 'above' : 'of at least'} ${field.min}`;
	if (high) return `${kind} ${field.exclusiveMax ? 'below' : 'of at most'} ${field.max}`;
	return kind;
}

function itemCount(field: { minItems?: number; maxItems?: number }, noun: string): string {
	const min = field.minItems ?? 1;
	return field.maxItems ? `Between ${min} and ${field.maxItems} ${noun}` : `At least ${min} ${noun.replace(/s$/, min === 1 ? '' : 's')}`;
}

type Checked = RequestBody[string];

function checkField(field: Field, value: unknown, problems: FieldProblem[]): Checked | undefined {
	const fail = (problem: string, allowed?: string) => {
		problems.push({ field: field.displayName, problem, allowed });
		return undefined;
	};
	switch (field.type) {
		case 'string': {
			if (typeof value !== 'string' && typeof value !== 'number') return fail(`must be text (got ${describe(value)})`);
			const text = String(value);
			const maxLength = field.maxLength ?? DEFAULT_MAX_TEXT_LENGTH;
			if (text.length > maxLength) return fail(`is ${text.length} characters long`, `At most ${maxLength} characters`);
			if (field.minLength && text.length < field.minLength) {
				return fail(`is ${text.length} characters long`, `At least ${field.minLength} characters`);
			}
			return text;
		}
		case 'number': {
			const n = toNumber(value);
			const range = numberRange(field);
			if (n === undefined) return fail(`must be a number (got ${describe(value)})`, range);
			if (field.integer && !Number.isInteger(n)) return fail(`must be a whole number (got ${n})`, range);
			const below = field.min !== undefined && (field.exclusiveMin ? n <= field.min : n < field.min);
			const above = field.max !== undefined && (field.exclusiveMax ? n >= field.max : n > field.max);
			if (below || above) return fail(`is out of range (got ${n})`, range);
			return n;
		}
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			if (value === 'true' || value === 'false') return value === 'true';
			return fail(`must be true or false (got ${describe(value)})`);
		}
		case 'options': {
			const numeric = field.values.every((v) => typeof v === 'number');
			const candidate = numeric ? toNumber(value) : typeof value === 'number' ? String(value) : value;
			if (candidate === undefined || !field.values.includes(candidate as string | number)) {
				// The values are in the message itself; the details add nothing but the full stop.
				return fail(`must be one of ${field.values.join(', ')} (got ${describe(value)})`);
			}
			return candidate as string | number;
		}
		case 'image':
		case 'file': {
			const allowed = field.type === 'image' ? IMAGE_ALLOWED : FILE_ALLOWED;
			if (field.type === 'file' && field.list) return checkUrlList(field, value, fail, 'files', allowed);
			if (typeof value !== 'string') return fail(`must be a URL or data: URI (got ${describe(value)})`, allowed);
			const problem = checkImageValue(value, field);
			if (problem) return fail(problem, allowed);
			return normaliseImage(value.trim());
		}
		case 'imageList':
			return checkUrlList(field, value, fail, 'images', IMAGE_ALLOWED);
		case 'list': {
			const entries = splitList(value);
			if (field.minItems !== undefined && entries.length < field.minItems) {
				return fail(`has ${entries.length} entries`, itemCount(field, 'entries'));
			}
			if (field.maxItems !== undefined && entries.length > field.maxItems) {
				return fail(`has ${entries.length} entries`, itemCount(field, 'entries'));
			}
			const out: Array<string | number | boolean> = [];
			for (const [index, entry] of entries.entries()) {
				let checked: string | number | boolean | undefined;
				if (field.items === 'boolean') checked = typeof entry === 'boolean' ? entry : entry === 'true' ? true : entry === 'false' ? false : undefined;
				else if (field.items === 'string') checked = typeof entry === 'string' || typeof entry === 'number' ? String(entry) : undefined;
				else {
					const n = toNumber(entry);
					checked = n !== undefined && (field.items !== 'integer' || Number.isInteger(n)) ? n : undefined;
				}
				if (checked === undefined) return fail(`entry ${index + 1} must be ${field.items === 'integer' ? 'a whole number' : `a ${field.items}`} (got ${describe(entry)})`);
				if (field.itemValues && !field.itemValues.includes(checked as string | number)) {
					return fail(`entry ${index + 1} must be one of ${field.itemValues.join(', ')} (got ${describe(entry)})`);
				}
				out.push(checked);
			}
			return out;
		}
		case 'json': {
			if (typeof value === 'string') {
				const text = value.trim();
				if (!/^[[{]/.test(text)) return text;
				try {
					return JSON.parse(text) as IDataObject;
				} catch {
					return fail('is not valid JSON', 'JSON text (an object or a list), or a plain value');
				}
			}
			if (typeof value === 'object' || typeof value === 'number' || typeof value === 'boolean') return value as Checked;
			return fail(`must be JSON (got ${describe(value)})`);
		}
	}
}

function checkUrlList(
	field: Field & { minItems?: number; maxItems?: number },
	value: unknown,
	fail: (problem: string, allowed?: string) => undefined,
	noun: 'images' | 'files',
	allowedValue: string,
): string[] | undefined {
	const list = splitImageList(value);
	const allowed = `${itemCount(field, noun)}, one URL per line`;
	if (list.length < (field.minItems ?? 1)) return fail(`needs at least ${field.minItems ?? 1} ${noun.replace(/s$/, '')}`, allowed);
	if (field.maxItems && list.length > field.maxItems) {
		return fail(`has ${list.length} ${noun}; at most ${field.maxItems} are allowed`, allowed);
	}
	const urls: string[] = [];
	let bad = false;
	list.forEach((entry, index) => {
		if (typeof entry !== 'string') {
			fail(`entry ${index + 1} must be a URL (got ${describe(entry)})`, allowedValue);
			bad = true;
			return;
		}
		const problem = checkImageValue(entry, field);
		if (problem) {
			fail(`entry ${index + 1} ${problem}`, allowedValue);
			bad = true;
		} else urls.push(normaliseImage(entry.trim()));
	});
	return bad ? undefined : urls;
}

/** Problems with a value per field of the model, and the request body of what passed. */
export function validateValues(
	model: ModelSpec,
	values: Record<string, unknown>,
	options: { fromBinary?: ReadonlySet<string> } = {},
): { body: RequestBody; problems: FieldProblem[] } {
	const problems: FieldProblem[] = [];
	const body: RequestBody = {};
	for (const field of model.fields) {
		const value = values[field.wire];
		if (isEmpty(value)) {
			if (field.required && !options.fromBinary?.has(field.wire)) {
				problems.push({ field: field.displayName, problem: 'is required' });
			}
			continue;
		}
		const checked = checkField(field, value, problems);
		if (checked !== undefined) body[field.wire] = checked;
	}
	return { body, problems };
}

export function describeProblems(problems: FieldProblem[]): { message: string; description: string } {
	const [first, ...rest] = problems;
	const message = `${first.field} ${first.problem}`;
	const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
	const lines = problems.map((p) => `• ${sentence(`${p.field} ${p.problem}${p.allowed ? `. ${p.allowed}` : ''}`)}`);
	return {
		message: rest.length ? `${message} (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : message,
		description: `${lines.join('\n')}\nNothing was sent to the provider.`,
	};
}
