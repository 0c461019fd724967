/**
 * The price in the editor, before anything runs, from the model table's own data (its
 * publishedPrice and videoLength, which also give the engine's table price): the node's
 * subtitle on the canvas, an n8n expression over `$parameter` that n8n evaluates as the
 * parameters change, and notices above the fields. n8n shows notices and hints as written
 * (it evaluates no `{{ }}` there, 2.40.5 and 1.123), so a price that depends on a short list of
 * values gets one notice per value, shown by displayOptions; any other gets the rule and the
 * price at the defaults.
 */
import type { INodeProperties } from 'n8n-workflow';

import { PROVIDER_NAMES } from './errors';
import type { Field, ModelSpec, NumberField, OptionsField, RequestBody } from './models/types';
import { publishedPriceOf } from './models/types';
import { ADDITIONAL_FIELDS, isTopLevel, paramName } from './paramNames';

/** $0.50, $0.064, $3.04: two decimals, three below ten cents. */
export function usd(amount: number): string {
	return `$${amount < 0.1 ? amount.toFixed(3) : amount.toFixed(2)}`;
}

function fieldOf(model: ModelSpec, wire: string): Field | undefined {
	return model.fields.find((f) => f.wire === wire);
}

/** Where a field's value is in the node's parameters: top level, or inside Additional Fields. */
function parameterPath(model: ModelSpec, wire: string): string {
	const field = fieldOf(model, wire);
	return field && isTopLevel(field) ? paramName(wire) : `${ADDITIONAL_FIELDS}.${paramName(wire)}`;
}

/** An n8n expression reading a number field, or its default when left out. */
function numberExpression(model: ModelSpec, wire: string, fallback: number): string {
	const field = fieldOf(model, wire);
	const read =
		field && isTopLevel(field)
			? `$parameter["${paramName(wire)}"]`
			: `($parameter["${ADDITIONAL_FIELDS}"] || {})["${paramName(wire)}"]`;
	return `((v) => (v === undefined || v === null || v === "" ? ${fallback} : Number(v)))(${read})`;
}

/** The job's published price as an n8n expression over the parameters (NaN when unreadable), or undefined. */
export function priceExpression(model: ModelSpec): string | undefined {
	const price = model.publishedPrice;
	if (!price) return undefined;
	if (price.per === 'video') return String(price.usd);
	const length = model.videoLength;
	if (!length) return undefined;
	if ('seconds' in length) return String(price.usd * length.seconds);
	if ('field' in length)
		return `${price.usd} * ${numberExpression(model, length.field, length.default)}`;
	return `${price.usd} * ${numberExpression(model, length.frames, length.defaultFrames)} / ${numberExpression(model, length.framesPerSecond, length.defaultFramesPerSecond)}`;
}

/**
 * The node's subtitle: what it does and, where the provider publishes one, the price of one
 * video at the node's settings ("Generate video · about $0.16").
 */
export function priceSubtitle(model: ModelSpec): string {
	const action = '($parameter["mode"] === "submitOnly" ? "Submit only" : "Generate video")';
	const price = priceExpression(model);
	if (!price) return `={{ ${action} + " · no list price" }}`;
	return `={{ ${action} + " · " + ((p) => (Number.isFinite(p) ? "about $" + (p < 0.1 ? p.toFixed(3) : p.toFixed(2)) : "price set by inputs"))(${price}) }}`;
}

/** Values of a field short enough to list (a dropdown, or a dropdown of whole numbers). */
function listedValues(field: Field | undefined): Array<string | number> | undefined {
	if (!field) return undefined;
	if (field.type === 'options') return [...(field as OptionsField).values];
	const n = field as NumberField;
	if (n.type === 'number' && n.dropdown && n.min !== undefined && n.max !== undefined) {
		return Array.from({ length: n.max - n.min + 1 }, (_, i) => (n.min as number) + i);
	}
	return undefined;
}

const withUnit = (field: Field | undefined, value: string | number) =>
	field?.unit ? `${value} ${field.unit}` : String(value);

function notice(
	name: string,
	text: string,
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: text,
		name,
		type: 'notice',
		default: '',
		...(displayOptions ? { displayOptions } : {}),
	};
}

/** The rule in words: "$0.032 per second of video". */
function rule(model: ModelSpec): string {
	const price = model.publishedPrice;
	if (!price) return '';
	return `${usd(price.usd)} per ${price.per === 'video' ? 'video' : 'second of video'}`;
}

/**
 * Notices above the model's fields saying what one video costs at the settings shown, or that
 * the provider publishes no price. The run itself asks the provider's price API first.
 */
export function priceNotices(model: ModelSpec): INodeProperties[] {
	const provider = PROVIDER_NAMES[model.provider];
	const asks = `Before buying, the node asks ${provider} for the exact price; Max Cost per Run (under Options) caps what one run may spend.`;
	const price = model.publishedPrice;
	if (!price) {
		return [
			notice(
				'priceNotice',
				`${provider} publishes no price for this model. ${asks.replace('the exact price', 'the price of each video')} Each output item shows what its video cost.`,
			),
		];
	}
	const source = `${provider}’s published price`;
	const at = (body: RequestBody) => publishedPriceOf(model, body);
	const length = model.videoLength;
	if (price.per === 'video' || !length || 'seconds' in length) {
		const each = at({});
		return [
			notice('priceNotice', `About ${usd(each ?? price.usd)} per video (${source}). ${asks}`),
		];
	}
	if ('field' in length) {
		const field = fieldOf(model, length.field);
		const values = listedValues(field);
		const path = parameterPath(model, length.field);
		const label = field?.displayName ?? length.field;
		if (values && path.includes('.')) {
			// A field inside Additional Fields cannot drive displayOptions: n8n 1.x cannot resolve
			// parameters that depend on a collection's child ("Max iterations reached") and refuses
			// to run the workflow. One notice, and the subtitle follows the value.
			return [
				notice(
					'priceNotice',
					`About ${usd(at({}) as number)} per video with the default ${label} of ${withUnit(field, length.default)} (${rule(model)}, ${source}); the subtitle under the node on the canvas shows the price at your settings. ${asks}`,
				),
			];
		}
		if (values) {
			return [
				// n8n shows every one of these when the field holds an expression: each then
				// reads as a line of the price list, still true.
				...values.map((value) =>
					notice(
						`priceNotice${String(value).replace(/[^a-z0-9]/gi, '_')}`,
						`About ${usd(at({ [length.field]: value }) as number)} per video with ${label} ${withUnit(field, value)} (${rule(model)}, ${source}). ${asks}`,
						{ show: { [path]: [value] } },
					),
				),
				notice(
					'priceNotice',
					`About ${usd(at({}) as number)} per video with the default ${label} of ${withUnit(field, length.default)} (${rule(model)}, ${source}). ${asks}`,
					{ hide: { [path]: values } },
				),
			];
		}
	}
	const atDefaults = at({});
	return [
		notice(
			'priceNotice',
			`${rule(model)[0].toUpperCase()}${rule(model).slice(1)} (${source}): about ${usd(atDefaults as number)} per video at the defaults. The subtitle under the node on the canvas shows the price at your settings. ${asks}`,
		),
	];
}

/** A hint under a field that changes the price, or undefined. */
export function priceHint(model: ModelSpec, wire: string): string | undefined {
	const length = model.videoLength;
	if (model.publishedPrice?.per !== 'second' || !length || 'seconds' in length) return undefined;
	const drives = 'field' in length ? [length.field] : [length.frames, length.framesPerSecond];
	if (!drives.includes(wire)) return undefined;
	return 'field' in length
		? `Sets the price: ${rule(model)}`
		: `Sets the length, and so the price (${rule(model)}): frames ÷ frames per second = seconds`;
}
