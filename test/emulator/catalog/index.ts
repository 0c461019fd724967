/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test fixture, never shipped */
/**
 * Catalogue fixtures for the provider emulator: transcriptions of WaveSpeed's and fal's
 * model catalogue, schema and pricing documents (see README.md in this folder for the
 * layouts, the sources and what is seen vs assumed).
 *
 * Every fixture names its sources in `_source` and what had to be assumed in `_assumed`;
 * the loaders below strip both (`stripNotes`) so what they return is what the provider
 * serves. `...WithNotes()` variants keep them, for the checker.
 *
 * Node's fs/path only: this is test code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// ---------------------------------------------------------------------------------------
// Shared
// ---------------------------------------------------------------------------------------

/** The two fields every fixture (and every price entry) carries and the emulator never serves. */
export interface FixtureNotes {
	_source: string | string[];
	_assumed: string[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CATALOG_DIR = __dirname;
const WAVESPEED_DIR = path.join(CATALOG_DIR, 'wavespeed');
const FAL_DIR = path.join(CATALOG_DIR, 'fal');
const WAVESPEED_PRICES = path.join(WAVESPEED_DIR, 'prices.json');
const FAL_PRICING = path.join(FAL_DIR, 'pricing.json');

function readJson<T>(file: string): T {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** The model files of a provider folder (every *.json except the price file), sorted by name. */
function modelFiles(dir: string, priceFile: string): string[] {
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.json') && path.join(dir, name) !== priceFile)
		.sort()
		.map((name) => path.join(dir, name));
}

/** A copy without the top-level `_source` / `_assumed` (nested values are left as they are). */
export function stripNotes<T extends object>(fixture: T & Partial<FixtureNotes>): T {
	const { _source, _assumed, ...rest } = fixture as T & FixtureNotes;
	void _source;
	void _assumed;
	return rest as unknown as T;
}

// ---------------------------------------------------------------------------------------
// WaveSpeed: GET {baseUrl}/api/v3/models -> {code: 200, message: 'success', data: WaveSpeedModel[]}
// ---------------------------------------------------------------------------------------

/** One property of a WaveSpeed request schema (the subset the fixtures use). */
export interface WaveSpeedSchemaProperty {
	type: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
	description?: string;
	default?: Json;
	enum?: Json[];
	minimum?: number;
	maximum?: number;
	maxLength?: number;
	items?: { type: string };
	minItems?: number;
	maxItems?: number;
}

export interface WaveSpeedRequestSchema {
	type: 'object';
	properties: Record<string, WaveSpeedSchemaProperty>;
	required: string[];
	'x-order-properties': string[];
}

export interface WaveSpeedApiSchemaEntry {
	/** `model_run` is the entry a client submits with; real lists may hold other entry types. */
	type: 'model_run' | string;
	request_schema: WaveSpeedRequestSchema;
}

/** One element of `data` in the `/api/v3/models` answer. */
export interface WaveSpeedModel {
	model_id: string;
	name: string;
	description?: string;
	/** e.g. `image-to-video`, `text-to-video` */
	type: string;
	base_price?: number;
	api_schema: { api_schemas: WaveSpeedApiSchemaEntry[] };
}

export interface WaveSpeedModelsEnvelope {
	code: 200;
	message: 'success';
	data: WaveSpeedModel[];
}

/** The fixture's own notation for a price rule (not WaveSpeed's; WaveSpeed evaluates JSONata). */
export type WaveSpeedPriceRule =
	| { kind: 'flat'; usd: number }
	| { kind: 'perSecond'; usd: number; field: string; default: number }
	| {
			kind: 'table';
			fields: string[];
			defaults: Record<string, Json>;
			rows: Array<{ when: Record<string, Json>; usd: number }>;
	  }
	| { kind: 'unknown' };

export interface WaveSpeedPriceEntry extends FixtureNotes {
	rule: WaveSpeedPriceRule;
}

interface WaveSpeedPricesFile extends FixtureNotes {
	prices: Record<string, WaveSpeedPriceEntry>;
}

/** `data` of the `POST /api/v3/model/price` answer (mcp-server `ModelPrice`). */
export interface WaveSpeedPrice {
	model_id: string;
	price: number;
	discounted_price: number;
	currency: 'USD';
}

export function waveSpeedModelsWithNotes(): Array<WaveSpeedModel & FixtureNotes> {
	return modelFiles(WAVESPEED_DIR, WAVESPEED_PRICES).map((file) =>
		readJson<WaveSpeedModel & FixtureNotes>(file),
	);
}

/** The models as `GET /api/v3/models` lists them (in `data`). */
export function waveSpeedModels(): WaveSpeedModel[] {
	return waveSpeedModelsWithNotes().map((model) => stripNotes(model));
}

/** The whole `GET /api/v3/models` answer. */
export function waveSpeedModelsEnvelope(): WaveSpeedModelsEnvelope {
	return { code: 200, message: 'success', data: waveSpeedModels() };
}

export function waveSpeedModel(modelId: string): WaveSpeedModel | undefined {
	return waveSpeedModels().find((model) => model.model_id === modelId);
}

/** The `model_run` request schema of a model (falls back to the first entry, as clients do). */
export function waveSpeedRequestSchema(model: WaveSpeedModel): WaveSpeedRequestSchema | undefined {
	const entries = model.api_schema.api_schemas;
	return (entries.find((entry) => entry.type === 'model_run') ?? entries[0])?.request_schema;
}

export function waveSpeedPriceEntries(): Record<string, WaveSpeedPriceEntry> {
	return readJson<WaveSpeedPricesFile>(WAVESPEED_PRICES).prices;
}

export function waveSpeedPriceRule(modelId: string): WaveSpeedPriceRule | undefined {
	return waveSpeedPriceEntries()[modelId]?.rule;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** Evaluates a rule; `undefined` when the rule has no price for these inputs. */
export function evaluatePriceRule(
	rule: WaveSpeedPriceRule,
	inputs: Record<string, unknown>,
): number | undefined {
	switch (rule.kind) {
		case 'flat':
			return rule.usd;
		case 'perSecond': {
			const raw = inputs[rule.field];
			const seconds = raw === undefined || raw === null || raw === '' ? rule.default : Number(raw);
			return Number.isFinite(seconds) ? round(rule.usd * seconds) : undefined;
		}
		case 'table': {
			const value = (field: string) => {
				const raw = inputs[field];
				return raw === undefined || raw === null || raw === '' ? rule.defaults[field] : raw;
			};
			// Inputs arrive as JSON; '5' and 5 name the same duration.
			const same = (a: unknown, b: Json) => a === b || String(a) === String(b);
			const hit = rule.rows.find((row) =>
				rule.fields.every((field) => same(value(field), row.when[field])),
			);
			return hit?.usd;
		}
		case 'unknown':
			return undefined;
	}
}

/**
 * The `data` of `POST /api/v3/model/price {model_id, inputs}`, or `undefined` when the
 * model is unknown or has no price for these inputs.
 */
export function waveSpeedPrice(
	modelId: string,
	inputs: Record<string, unknown> = {},
): WaveSpeedPrice | undefined {
	const rule = waveSpeedPriceRule(modelId);
	if (!rule) return undefined;
	const price = evaluatePriceRule(rule, inputs);
	if (price === undefined) return undefined;
	return { model_id: modelId, price, discounted_price: price, currency: 'USD' };
}

// ---------------------------------------------------------------------------------------
// fal: GET {apiUrl}/v1/models[?expand=openapi-3.0] -> {models: FalModel[], next_cursor, has_more}
// ---------------------------------------------------------------------------------------

export interface FalModelMetadata {
	display_name: string;
	category: string;
	description: string;
	status: 'active' | 'deprecated';
	tags: string[];
	updated_at: string;
	is_favorited: boolean | null;
	thumbnail_url: string;
	thumbnail_animated_url?: string;
	model_url: string;
	license_type?: 'commercial' | 'research' | 'private';
	date: string;
	group?: { key: string; label: string };
	highlighted: boolean;
	kind?: 'inference' | 'training';
	duration_estimate?: number;
	pinned: boolean;
	training_endpoint_ids?: string[];
	inference_endpoint_ids?: string[];
}

/** A JSON Schema node of fal's OpenAPI documents (the keywords the fixtures use). */
export interface FalSchema {
	type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';
	title?: string;
	description?: string;
	default?: Json;
	enum?: Json[];
	examples?: Json[];
	minimum?: number;
	maximum?: number;
	minLength?: number;
	maxLength?: number;
	minItems?: number;
	maxItems?: number;
	format?: string;
	items?: FalSchema;
	properties?: Record<string, FalSchema>;
	required?: string[];
	additionalProperties?: boolean | FalSchema;
	anyOf?: FalSchema[];
	allOf?: FalSchema[];
	$ref?: string;
	'x-fal-order-properties'?: string[];
	[extension: `x-${string}`]: Json | undefined;
}

export interface FalOpenApi {
	openapi: string;
	info: {
		title: string;
		version: string;
		description?: string;
		'x-fal-metadata'?: {
			endpointId: string;
			category: string;
			thumbnailUrl?: string;
			playgroundUrl?: string;
			documentationUrl?: string;
		};
	};
	components: {
		securitySchemes?: Record<string, Json>;
		schemas: Record<string, FalSchema>;
	};
	paths: Record<string, Record<string, Json>>;
	servers?: Json[];
	security?: Json[];
}

/** One element of `models`; `openapi` is there only with `expand=openapi-3.0`. */
export interface FalModel {
	endpoint_id: string;
	metadata?: FalModelMetadata;
	openapi?: FalOpenApi | { error: { code: string; message: string } };
}

export interface FalModelsPage {
	models: FalModel[];
	next_cursor: string | null;
	has_more: boolean;
}

/** One item of `prices` in `GET /v1/models/pricing?endpoint_id=...`. */
export interface FalPrice {
	endpoint_id: string;
	unit_price: number;
	unit: string;
	currency: string;
}

interface FalPricingFile {
	_source: string | string[];
	prices: Record<string, FalPrice & FixtureNotes>;
}

export function falModelsWithNotes(): Array<FalModel & FixtureNotes> {
	return modelFiles(FAL_DIR, FAL_PRICING).map((file) => readJson<FalModel & FixtureNotes>(file));
}

/** The models with their OpenAPI documents, as `GET /v1/models?expand=openapi-3.0` lists them. */
export function falModels(): FalModel[] {
	return falModelsWithNotes().map((model) => stripNotes(model));
}

export function falModel(endpointId: string): FalModel | undefined {
	return falModels().find((model) => model.endpoint_id === endpointId);
}

/** One page of `GET /v1/models`: without `expand=openapi-3.0` the entries carry no `openapi`. */
export function falModelsPage(options: { expandOpenApi?: boolean } = {}): FalModelsPage {
	const models = falModels().map((model) => {
		if (options.expandOpenApi) return model;
		const { openapi, ...rest } = model;
		void openapi;
		return rest;
	});
	return { models, next_cursor: null, has_more: false };
}

/** The OpenAPI document of a model, unless the fixture holds an expansion error. */
export function falOpenApi(model: FalModel): FalOpenApi | undefined {
	const doc = model.openapi;
	return doc && 'openapi' in doc ? doc : undefined;
}

/** Resolves a local `#/components/schemas/<Name>` reference. */
export function falResolveRef(doc: FalOpenApi, ref: string): FalSchema | undefined {
	const prefix = '#/components/schemas/';
	return ref.startsWith(prefix) ? doc.components.schemas[ref.slice(prefix.length)] : undefined;
}

/** The schema the queue POST's request body points to (fal's `<Name>Input`). */
export function falInputSchema(doc: FalOpenApi, endpointId: string): FalSchema | undefined {
	const ref = falBodyRef(doc, endpointId);
	return ref ? falResolveRef(doc, ref) : undefined;
}

/** The `$ref` of the queue POST's request body, e.g. `#/components/schemas/LynxInput`. */
export function falBodyRef(doc: FalOpenApi, endpointId: string): string | undefined {
	const post = doc.paths[`/${endpointId}`]?.post as
		| { requestBody?: { content?: { 'application/json'?: { schema?: { $ref?: string } } } } }
		| undefined;
	return post?.requestBody?.content?.['application/json']?.schema?.$ref;
}

/** The schema the result GET (`/requests/{request_id}`) answers with (fal's `<Name>Output`). */
export function falOutputSchema(doc: FalOpenApi, endpointId: string): FalSchema | undefined {
	const owner = endpointId.split('/').slice(0, 2).join('/');
	const candidates = Object.entries(doc.paths).filter(
		([p]) => p.endsWith('/requests/{request_id}') && p.startsWith(`/${owner}`),
	);
	for (const [, item] of candidates) {
		const get = item.get as
			| {
					responses?: Record<
						string,
						{ content?: { 'application/json'?: { schema?: { $ref?: string } } } }
					>;
			  }
			| undefined;
		const ref = get?.responses?.['200']?.content?.['application/json']?.schema?.$ref;
		if (ref) return falResolveRef(doc, ref);
	}
	return undefined;
}

export function falPricingEntries(): Record<string, FalPrice & FixtureNotes> {
	return readJson<FalPricingFile>(FAL_PRICING).prices;
}

/** One `prices[]` item of the pricing API, or `undefined` when no price is known. */
export function falPricing(endpointId: string): FalPrice | undefined {
	const entry = falPricingEntries()[endpointId];
	return entry ? stripNotes(entry) : undefined;
}
