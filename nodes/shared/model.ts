/**
 * Everything derived from a model table: the node's parameters, the checks that run before
 * any request, and the request body. Pure functions of data; no I/O here.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Field, ImageField, ImageListField, ModelSpec, RequestBody } from './models/types';
import { DEFAULT_MAX_TEXT_LENGTH, checkImageValue, describeProblems, validateValues } from './validation';
import type { FieldProblem } from './validation';

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
		case 'file':
			return {
				...base,
				type: 'string',
				default: '',
				typeOptions: field.list ? { rows: 3 } : undefined,
				placeholder: 'https://example.com/file.mp4',
			};
		case 'list':
			return { ...base, type: 'string', default: field.default ? JSON.stringify(field.default) : '' };
		case 'json':
			return { ...base, type: 'json', default: field.default === undefined ? '' : JSON.stringify(field.default) };
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

/** Raw values as n8n hands them over for one item of a curated node. */
export interface RawModelParams {
	/** Top-level parameter values by parameter name. */
	topLevel: Record<string, unknown>;
	additionalFields: IDataObject;
	imageSource: 'url' | 'binary';
}

export interface ValidatedParams {
	body: RequestBody;
	/** Wire name of the main image when it must come from the input binary. */
	binaryImageField?: string;
}

/**
 * A curated node's parameters checked against its table, and the request body built from
 * them: camelCase parameter → API field, optional fields only when set. Collects every problem.
 */
export function validateParams(model: ModelSpec, raw: RawModelParams): { result?: ValidatedParams; problems: FieldProblem[] } {
	const problems: FieldProblem[] = [];
	const main = mainImageField(model);
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
	const values: Record<string, unknown> = {};
	for (const field of model.fields) {
		const name = paramName(field.wire);
		values[field.wire] = isTopLevel(field) ? raw.topLevel[name] : raw.additionalFields[name];
	}
	const binaryImageField = main && raw.imageSource === 'binary' ? main.wire : undefined;
	if (binaryImageField) delete values[binaryImageField];
	const checked = validateValues(model, values, { fromBinary: new Set(binaryImageField ? [binaryImageField] : []) });
	problems.push(...checked.problems);
	return problems.length ? { problems } : { result: { body: checked.body, binaryImageField }, problems };
}

export { checkImageValue, describeProblems, DEFAULT_MAX_TEXT_LENGTH };
export type { FieldProblem };
