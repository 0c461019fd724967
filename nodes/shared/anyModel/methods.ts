/**
 * What the editor asks the any-model nodes while a workflow is built: the model list (search),
 * a model's input fields (the resource mapper), and which inputs can take a file. All from the
 * provider's catalogue, cached per credential (catalog/cache.ts), so the list opens fast.
 */
import type {
	FieldType,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { CATALOGS } from '../catalog/catalogs';
import type { Field, ModelSpec, Provider } from '../models/types';

const MODEL_PAGES: Record<Provider, string> = {
	wavespeed: 'https://wavespeed.ai/models/',
	fal: 'https://fal.ai/models/',
};

/** The model id the node's Model parameter names (either mode). */
export function modelIdOf(ctx: ILoadOptionsFunctions): string {
	const value = ctx.getNodeParameter('model', '', { extractValue: true }) as unknown;
	return typeof value === 'string' ? value.trim() : '';
}

/** The form a field takes in n8n's resource mapper. */
function mapperType(field: Field): FieldType {
	switch (field.type) {
		case 'number':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'options':
			return 'options';
		case 'imageList':
		case 'list':
			return 'array';
		case 'file':
			return field.list ? 'array' : 'string';
		default:
			return 'string';
	}
}

/**
 * "Duration (4 to 12, default 5)": the label n8n's resource mapper shows, the one place it has
 * for what a field allows (it has no description, and cuts a long label short).
 */
export function fieldLabel(field: Field): string {
	const notes: string[] = [];
	if (field.type === 'number') {
		if (field.min !== undefined && field.max !== undefined) notes.push(`${field.min} to ${field.max}`);
		else if (field.min !== undefined) notes.push(`at least ${field.min}`);
		else if (field.max !== undefined) notes.push(`at most ${field.max}`);
	}
	const isFile = field.type === 'image' || field.type === 'imageList' || field.type === 'file';
	if (isFile && !/url|link/i.test(field.displayName)) {
		notes.push(field.type === 'imageList' || (field.type === 'file' && field.list) ? 'URLs' : 'URL');
	}
	if ((field.type === 'imageList' || field.type === 'list' || field.type === 'file') && field.maxItems) {
		notes.push(`up to ${field.maxItems}`);
	}
	const fallback = 'default' in field ? field.default : undefined;
	if (fallback !== undefined && fallback !== '' && typeof fallback !== 'object' && String(fallback).length <= 20) {
		notes.push(`default ${String(fallback)}`);
	}
	return `${field.displayName}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** A spec's fields as n8n's resource mapper shows them: typed, required marked, enums as options. */
export function mapperFields(spec: ModelSpec): ResourceMapperField[] {
	return spec.fields.map((field) => ({
		id: field.wire,
		displayName: fieldLabel(field),
		required: field.required === true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: mapperType(field),
		...(field.type === 'options'
			? { options: field.values.map((value): INodePropertyOptions => ({ name: String(value), value })) }
			: {}),
	}));
}

export function anyModelMethods(provider: Provider) {
	const catalog = CATALOGS[provider];
	return {
		listSearch: {
			async searchModels(
				this: ILoadOptionsFunctions,
				filter?: string,
				paginationToken?: string,
			): Promise<INodeListSearchResult> {
				const { entries, cursor } = await catalog.search(this, filter, paginationToken);
				return {
					// Names repeat across a provider's variants ("Veo 3.1" is three endpoints on fal):
					// the id, which names the variant, goes with it.
					results: entries.map((entry) => ({
						name: entry.name === entry.id ? entry.id : `${entry.name} — ${entry.id}`,
						value: entry.id,
						url: `${MODEL_PAGES[provider]}${entry.id}`,
						description: entry.description,
					})),
					paginationToken: cursor,
				};
			},
		},
		resourceMapping: {
			async getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
				const id = modelIdOf(this);
				if (!id) return { fields: [], emptyFieldsNotice: 'Pick a model first: its inputs appear here' };
				const spec = await catalog.spec(this, id);
				return { fields: mapperFields(spec) };
			},
		},
		loadOptions: {
			async getFileFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const id = modelIdOf(this);
				if (!id) return [];
				const spec = await catalog.spec(this, id);
				return spec.fields
					.filter((field) => field.type === 'image' || field.type === 'imageList' || field.type === 'file')
					.map((field) => ({ name: `${field.displayName} (${field.wire})`, value: field.wire, description: field.description }));
			},
		},
	};
}
