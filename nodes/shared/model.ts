/**
 * Everything derived from a model table: the node's parameters, the checks that run before
 * any request, and the request body. Pure functions of data; no I/O here.
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Field, ImageField, ImageListField, ModelSpec, RequestBody } from './models/types';
import { DEFAULT_MAX_TEXT_LENGTH, checkImageValue, describeProblems, validateValues } from './validation';
import type { FieldProblem } from './validation';
import { priceHint } from './priceText';
import { ADDITIONAL_FIELDS, isTopLevel, paramName } from './paramNames';

export { ADDITIONAL_FIELDS, paramName };

export function mainImageField(model: ModelSpec): Field | undefined {
	return model.fields.find((f) => f.type === 'image' && f.main);
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
	const files = field.type === 'image' && field.main ? 'an image file or data: URI' : `${each}data: URI`;
	return `Checked before anything is paid for: ${files} for ${list}, ${each}link for pointing at a public address (the file behind a link is checked by the provider)`;
}

/** "5 seconds" for a field with a unit, else the value as it is. */
function withUnit(field: Field, value: string | number): string {
	return field.unit ? `${value} ${field.unit}` : String(value);
}

function baseFieldProperty(field: Field, forCollection: boolean): INodeProperties {
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
			if (field.dropdown && field.integer && field.min !== undefined && field.max !== undefined) {
				// A short range offered as a choice; the value stays the number (checked as a range).
				const values = Array.from({ length: field.max - field.min + 1 }, (_, i) => (field.min as number) + i);
				return {
					...base,
					type: 'options',
					options: values.map((value) => ({ name: withUnit(field, value), value })),
					default: field.default ?? values[0],
				};
			}
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
				name: field.labels?.[String(value)] ?? withUnit(field, value),
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
	// A field that changes the price says so under it.
	const fieldProperty = (field: Field, forCollection: boolean): INodeProperties => {
		const property = baseFieldProperty(field, forCollection);
		const hint = priceHint(model, field.wire);
		return hint ? { ...property, hint } : property;
	};
	for (const field of model.fields.filter(isTopLevel)) {
		if (field === main) {
			properties.push(
				{
					displayName: `${field.displayName} Source`,
					name: 'imageSource',
					type: 'options',
					options: [
						{ name: 'URL or Data URI', value: 'url', description: 'A link to the image (https://…), or a data: URI' },
						{
							name: 'Binary From Input',
							value: 'binary',
							description: 'An image file the previous node outputs (e.g. Read Files From Disk, HTTP Request, Google Drive), uploaded for you',
						},
					],
					default: 'url',
					description: 'Where the image comes from: a link, or a file from the previous node',
				},
				clean({ ...fieldProperty(field, false), displayOptions: { show: { imageSource: ['url'] } } }),
				{
					displayName: 'Input Binary Field',
					name: 'imageBinaryProperty',
					type: 'string',
					default: 'data',
					required: true,
					description: 'Name of the binary field of the input item that holds the image (n8n’s default is data)',
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
			description: 'More settings of the model; a setting you do not add is left to the provider’s default',
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
