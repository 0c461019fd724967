/**
 * The providers' model catalogues: the list to pick a model from, and a model's input schema
 * as a ModelSpec. WaveSpeed lists every model with its request schema in one answer
 * (`GET {baseUrl}/api/v3/models`); fal searches (`GET {apiUrl}/v1/models?q=&category=`) and
 * gives one endpoint's OpenAPI document on request (`…?endpoint_id=&expand=openapi-3.0`),
 * whose queue POST names the input schema. Answers are cached per credential (cache.ts).
 */
import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { normalizeApiKey } from '../apiKey';
import { providerError } from '../errors';
import type { Host } from '../host';
import { callOnce, jsonBody, trimSlash } from '../http';
import type { HttpResult } from '../http';
import type { ModelSpec, Provider } from '../models/types';
import { cached, keyTag } from './cache';
import { specFromSchema } from './schema';
import type { CatalogEntry, SchemaProperty } from './schema';

/** The n8n contexts that read catalogues: a run, a callback, and the editor's lists. */
export type CatalogHost = Host | ILoadOptionsFunctions;

/**
 * Lists and schemas are kept this long: a new model shows up within a quarter hour, and a run
 * and the editor see the same fields.
 */
const LIST_TTL_MS = 15 * 60_000;

const VIDEO = /video/i;

/** Video models first, then the rest, each group in the provider's order. */
function videoFirst(entries: CatalogEntry[]): CatalogEntry[] {
	const video = entries.filter((e) => VIDEO.test(e.category ?? ''));
	return [...video, ...entries.filter((e) => !VIDEO.test(e.category ?? ''))];
}

async function get(host: CatalogHost, credentialType: string, url: string, qs?: IDataObject): Promise<HttpResult> {
	return await callOnce(host as Host, credentialType, { method: 'GET', url, qs, json: true, timeout: 30_000 });
}

function unreadable(host: CatalogHost, provider: Provider, what: string, result: HttpResult) {
	const body = jsonBody(result);
	const detail = body ? String(body.message ?? body.detail ?? JSON.stringify(body).slice(0, 200)) : 'the answer was not JSON';
	return providerError(host.getNode(), {
		provider,
		message: `reading ${what} failed with HTTP ${result.statusCode}: ${detail}`,
		httpCode: result.statusCode,
	});
}

export interface Catalog {
	provider: Provider;
	/** Models matching `filter` (all when empty), video models first; `cursor` pages where the provider pages. */
	search(host: CatalogHost, filter?: string, cursor?: string): Promise<{ entries: CatalogEntry[]; cursor?: string }>;
	/** The model's input schema as a spec; throws a clear error when the provider has no such model. */
	spec(host: CatalogHost, id: string): Promise<ModelSpec>;
}

// ------------------------------------------------------------------ WaveSpeed

interface WaveSpeedModel {
	model_id?: string;
	name?: string;
	type?: string;
	description?: string;
	base_price?: number;
	api_schema?: { api_schemas?: Array<{ type?: string; request_schema?: SchemaProperty }> };
}

async function waveSpeedModels(host: CatalogHost): Promise<WaveSpeedModel[]> {
	const credentials = await host.getCredentials<{ baseUrl?: string; apiKey?: string }>('waveSpeedApi');
	const baseUrl = trimSlash(credentials.baseUrl || 'https://api.wavespeed.ai');
	return await cached(`wavespeed|${baseUrl}|${keyTag(normalizeApiKey(credentials.apiKey))}|models`, LIST_TTL_MS, async () => {
		const result = await get(host, 'waveSpeedApi', `${baseUrl}/api/v3/models`);
		const body = jsonBody(result);
		const ok = result.statusCode >= 200 && result.statusCode < 300 && (body?.code === undefined || Number(body.code) === 200);
		if (!ok || !Array.isArray(body?.data)) throw unreadable(host, 'wavespeed', "WaveSpeed's model list", result);
		return (body.data as WaveSpeedModel[]).filter((m) => typeof m?.model_id === 'string');
	});
}

function waveSpeedEntry(model: WaveSpeedModel): CatalogEntry {
	return {
		provider: 'wavespeed',
		id: model.model_id as string,
		name: model.name || (model.model_id as string),
		category: model.type,
		description: model.description,
		listPrice: typeof model.base_price === 'number' ? `from $${model.base_price}` : undefined,
	};
}

export const waveSpeedCatalog: Catalog = {
	provider: 'wavespeed',
	async search(host, filter = '') {
		const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
		const entries = (await waveSpeedModels(host)).map(waveSpeedEntry).filter((entry) => {
			const text = `${entry.id} ${entry.name} ${entry.category ?? ''}`.toLowerCase();
			return words.every((word) => text.includes(word));
		});
		return { entries: videoFirst(entries) };
	},
	async spec(host, id) {
		const model = (await waveSpeedModels(host)).find((m) => m.model_id === id);
		const schemas = model?.api_schema?.api_schemas ?? [];
		const schema = (schemas.find((s) => s.type === 'model_run') ?? schemas[0])?.request_schema;
		if (!model || !schema) {
			throw providerError(host.getNode(), {
				provider: 'wavespeed',
				message: `WaveSpeed's model list has no model "${id}"${model ? ' with an input schema' : ''}. Pick one from the list, or check the id on wavespeed.ai/models`,
			});
		}
		return specFromSchema(waveSpeedEntry(model), schema);
	},
};

// ------------------------------------------------------------------ fal

interface FalModel {
	endpoint_id?: string;
	metadata?: { display_name?: string; category?: string; description?: string; status?: string };
	openapi?: { paths?: Record<string, { post?: IDataObject }>; components?: { schemas?: Record<string, SchemaProperty> }; error?: unknown };
}

async function falSettings(host: CatalogHost) {
	const credentials = await host.getCredentials<{ apiUrl?: string; apiKey?: string }>('falApi');
	return {
		apiUrl: trimSlash(credentials.apiUrl || 'https://api.fal.ai'),
		tag: keyTag(normalizeApiKey(credentials.apiKey)),
	};
}

async function falPage(host: CatalogHost, qs: IDataObject): Promise<{ models: FalModel[]; cursor?: string }> {
	const { apiUrl, tag } = await falSettings(host);
	return await cached(`fal|${apiUrl}|${tag}|${JSON.stringify(qs)}`, LIST_TTL_MS, async () => {
		const result = await get(host, 'falApi', `${apiUrl}/v1/models`, qs);
		// Asked for endpoints fal does not have, the Platform API answers 404: none found.
		if (result.statusCode === 404 && qs.endpoint_id !== undefined) return { models: [] };
		const body = jsonBody(result);
		if (result.statusCode < 200 || result.statusCode >= 300 || !Array.isArray(body?.models)) {
			throw unreadable(host, 'fal', "fal's model list", result);
		}
		const next = body.has_more === true && typeof body.next_cursor === 'string' ? body.next_cursor : undefined;
		return { models: (body.models as FalModel[]).filter((m) => typeof m?.endpoint_id === 'string'), cursor: next };
	});
}

function falEntry(model: FalModel): CatalogEntry {
	const meta = model.metadata ?? {};
	const status = meta.status && meta.status !== 'active' ? ` (${meta.status})` : '';
	return {
		provider: 'fal',
		id: model.endpoint_id as string,
		name: `${meta.display_name || (model.endpoint_id as string)}${status}`,
		category: meta.category,
		description: meta.description,
	};
}

/** The categories listed first when nothing is searched for. */
const FAL_VIDEO_CATEGORIES = ['image-to-video', 'text-to-video', 'video-to-video'];

/** The input schema a queue POST of this endpoint takes: its requestBody's $ref, else the one `…Input`. */
function falInputSchema(model: FalModel, id: string): { schema: SchemaProperty; resolve: (ref: string) => SchemaProperty | undefined } | undefined {
	const doc = model.openapi;
	const schemas = doc?.components?.schemas ?? {};
	const resolve = (ref: string) => (ref.startsWith('#/components/schemas/') ? schemas[ref.slice('#/components/schemas/'.length)] : undefined);
	const post = doc?.paths?.[`/${id}`]?.post as { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } } | undefined;
	const ref = post?.requestBody?.content?.['application/json']?.schema?.$ref;
	const byRef = ref ? resolve(ref) : undefined;
	const inputs = Object.keys(schemas).filter((name) => name.endsWith('Input'));
	const schema = byRef ?? (inputs.length === 1 ? schemas[inputs[0]] : undefined);
	return schema ? { schema, resolve } : undefined;
}

export const falCatalog: Catalog = {
	provider: 'fal',
	async search(host, filter = '', cursor) {
		const q = filter.trim();
		if (q || cursor) {
			const page = await falPage(host, { ...(q ? { q } : {}), limit: 50, ...(cursor ? { cursor } : {}) });
			return { entries: videoFirst(page.models.map(falEntry)), cursor: page.cursor };
		}
		const pages = await Promise.all(FAL_VIDEO_CATEGORIES.map(async (category) => await falPage(host, { category, limit: 50 })));
		const seen = new Set<string>();
		const entries = pages.flatMap((page) => page.models.map(falEntry)).filter((e) => !seen.has(e.id) && !!seen.add(e.id));
		return { entries };
	},
	async spec(host, id) {
		const page = await falPage(host, { endpoint_id: id, expand: 'openapi-3.0' });
		const model = page.models.find((m) => m.endpoint_id === id);
		const input = model && falInputSchema(model, id);
		if (!model || !input) {
			throw providerError(host.getNode(), {
				provider: 'fal',
				message: model
					? `fal gives no input schema for "${id}"`
					: `fal's model list has no endpoint "${id}". Pick one from the list, or check the id on fal.ai/models`,
			});
		}
		return specFromSchema(falEntry(model), input.schema, input.resolve);
	},
};

export const CATALOGS: Record<Provider, Catalog> = { wavespeed: waveSpeedCatalog, fal: falCatalog };
