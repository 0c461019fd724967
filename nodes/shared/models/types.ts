/**
 * The shape of a model table. A model lives in exactly one such table; node properties,
 * validation and the request body are all derived from it (see ../model.ts).
 */

import type { IDataObject } from 'n8n-workflow';

export type Provider = 'wavespeed' | 'fal';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff';

/** What the provider documents about an image input; checked before any request. */
export interface ImageRules {
	formats?: ImageFormat[];
	maxBytes?: number;
	minWidth?: number;
	minHeight?: number;
}

interface FieldBase {
	/** The API field name, exactly as the provider spells it (snake_case). */
	wire: string;
	/** Label in the editor. */
	displayName: string;
	description: string;
	required?: boolean;
	/**
	 * Optional fields go into the "Additional Fields" collection unless this is set; a
	 * top-level optional field is sent only when it is not empty.
	 */
	topLevel?: boolean;
	/** Unit of a number, for the editor's labels: "seconds" makes a choice read "5 seconds". */
	unit?: string;
}

export interface StringField extends FieldBase {
	type: 'string';
	default?: string;
	minLength?: number;
	maxLength?: number;
	/** Rows of the editor's text box. */
	rows?: number;
}

export interface NumberField extends FieldBase {
	type: 'number';
	integer?: boolean;
	default?: number;
	min?: number;
	max?: number;
	/** The bounds themselves are not allowed (JSON Schema's exclusiveMinimum/Maximum). */
	exclusiveMin?: boolean;
	exclusiveMax?: boolean;
	/**
	 * The editor offers the whole numbers from min to max as a dropdown (a short range, like a
	 * duration); the value is still a number checked against the range.
	 */
	dropdown?: boolean;
}

export interface OptionsField extends FieldBase {
	type: 'options';
	values: ReadonlyArray<string | number>;
	default?: string | number;
	/** Label per value where the raw value would read badly. */
	labels?: Record<string, string>;
}

export interface BooleanField extends FieldBase {
	type: 'boolean';
	default?: boolean;
}

/** One image: an http(s) URL or a data: URI. `main` marks the field that can come from a binary. */
export interface ImageField extends FieldBase {
	type: 'image';
	main?: boolean;
	rules?: ImageRules;
}

/**
 * A list of images: one URL or data: URI per line (a comma followed by the next URL also
 * separates), or an expression giving an array. See splitImageList in ../model.ts.
 */
export interface ImageListField extends FieldBase {
	type: 'imageList';
	minItems?: number;
	maxItems?: number;
	rules?: ImageRules;
}

/**
 * A file the provider downloads that is not (only) an image: a video, an audio track, any
 * file. A public http(s) URL or a data: URI; `list` takes several (an array field).
 */
export interface FileField extends FieldBase {
	type: 'file';
	list?: boolean;
	minItems?: number;
	maxItems?: number;
}

/** A list of plain values (a JSON array of strings, numbers or booleans). */
export interface ListField extends FieldBase {
	type: 'list';
	items: 'string' | 'number' | 'integer' | 'boolean';
	/** Allowed values of each entry, when the schema enumerates them. */
	itemValues?: ReadonlyArray<string | number>;
	minItems?: number;
	maxItems?: number;
	default?: Array<string | number | boolean>;
}

/**
 * Anything the schema says in a shape a form cannot hold (objects, lists of objects, a choice
 * between a preset and an object): JSON text, or a plain string sent as it is.
 */
export interface JsonField extends FieldBase {
	type: 'json';
	default?: unknown;
}

export type Field =
	| StringField
	| NumberField
	| OptionsField
	| BooleanField
	| ImageField
	| ImageListField
	| FileField
	| ListField
	| JsonField;

export type RequestBody = Record<
	string,
	| string
	| number
	| boolean
	| string[]
	| Array<string | number | boolean>
	| IDataObject
	| IDataObject[]
>;

/**
 * How long the video a job makes is, from its inputs: always the same, a field in seconds, or
 * a number of frames over a frame rate (each with the provider's default when left out).
 */
export type VideoLength =
	| { seconds: number }
	| { field: string; default: number }
	| {
			frames: string;
			framesPerSecond: string;
			defaultFrames: number;
			defaultFramesPerSecond: number;
	  };

/** A price the provider publishes for the model, in USD; the table cites where. */
export interface PublishedPrice {
	usd: number;
	per: 'video' | 'second';
}

export interface ModelSpec {
	provider: Provider;
	/** Provider model id: WaveSpeed path after /api/v3/, fal queue app id. */
	id: string;
	/** Short name for the node subtitle. */
	label: string;
	fields: readonly Field[];
	/** Seconds of wall time the seeds say a job takes, for the poll schedule; null when unknown. */
	expectedSeconds?: (body: RequestBody) => { min: number; max: number } | null;
	/** USD per job from the seeds' pricing, null where no price is published. */
	price?: (body: RequestBody) => number | null;
	/**
	 * Seconds of video a job makes with these inputs, where the model says (prices per second
	 * become a price per job); null when the inputs do not tell.
	 */
	outputSeconds?: (body: RequestBody) => number | null;
	/**
	 * Curated tables: the length of the video and the published price, as data. defineModel
	 * makes `outputSeconds` and `price` of them, and the editor's price (the node subtitle and
	 * the notice above the fields, see ../priceText.ts) comes from the same data.
	 */
	videoLength?: VideoLength;
	publishedPrice?: PublishedPrice;
	/**
	 * Made from the provider's schema (any-model nodes): fields are keyed by their API names,
	 * and any output (videos, images, audio, several files) is a result.
	 */
	fromSchema?: boolean;
}

/** Seconds of video for these inputs, or null when an input is not a usable number. */
export function videoSeconds(length: VideoLength, body: RequestBody): number | null {
	const read = (field: string, fallback: number) => {
		const value = body[field];
		return value === undefined || value === null || value === '' ? fallback : Number(value);
	};
	let seconds: number;
	if ('seconds' in length) seconds = length.seconds;
	else if ('field' in length) seconds = read(length.field, length.default);
	else
		seconds =
			read(length.frames, length.defaultFrames) /
			read(length.framesPerSecond, length.defaultFramesPerSecond);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/** The published price of a job with these inputs (micro-dollar exact), or null. */
export function publishedPriceOf(
	model: Pick<ModelSpec, 'publishedPrice' | 'videoLength'>,
	body: RequestBody,
): number | null {
	const { publishedPrice: price, videoLength: length } = model;
	if (!price) return null;
	if (price.per === 'video') return price.usd;
	const seconds = length ? videoSeconds(length, body) : null;
	return seconds === null ? null : Math.round(price.usd * seconds * 1e6) / 1e6;
}

/** A table, with `outputSeconds` and `price` made from its videoLength and publishedPrice. */
export function defineModel<T extends ModelSpec>(
	model: T,
): T & Pick<ModelSpec, 'price' | 'outputSeconds'> {
	const { videoLength } = model;
	return {
		...model,
		...(videoLength && !model.outputSeconds
			? { outputSeconds: (body: RequestBody) => videoSeconds(videoLength, body) }
			: {}),
		...(model.publishedPrice && !model.price
			? { price: (body: RequestBody) => publishedPriceOf(model, body) }
			: {}),
	};
}
