/**
 * Step 1 of a run: every item's parameters read and checked, before the first request, into
 * a plan. Bad input costs nothing: a problem names the field and what is allowed.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readInputImage } from '../binary';
import { fieldError } from '../errors';
import type { InputImage } from '../binary';
import type { Delivery } from '../jobOutput';
import { fingerprint } from '../ledger';
import { describeProblems, mainImageField, paramName, validateParams } from '../model';
import type { ModelSpec, RequestBody } from '../models/types';
import type { ProviderTransport } from '../providers/types';
import { readRunOptions } from './options';
import type { RunOptions } from './options';

export interface Plan extends RunOptions, Delivery {
	itemIndex: number;
	body: RequestBody;
	/** The main image comes from this input binary property. */
	binaryImage?: { wire: string; property: string };
	/** Identifies the job this item asks for, so a retry can find the one already bought. */
	print: string;
}

/** Reads and checks one item's parameters. Throws a NodeOperationError naming the field. */
export async function planItem(
	ctx: IExecuteFunctions,
	model: ModelSpec,
	transport: ProviderTransport,
	itemIndex: number,
): Promise<Plan> {
	const node = ctx.getNode();
	const options = readRunOptions(ctx, itemIndex, transport);

	const main = mainImageField(model);
	const imageSource = main ? (ctx.getNodeParameter('imageSource', itemIndex, 'url') as string) : 'url';
	if (imageSource !== 'url' && imageSource !== 'binary') {
		throw fieldError(node, itemIndex, 'Image Source', `unknown value "${imageSource}"`, 'Allowed: url, binary');
	}
	const topLevel: Record<string, unknown> = {};
	for (const field of model.fields) {
		if (!field.required && !field.topLevel) continue;
		if (field === main && imageSource === 'binary') continue;
		topLevel[paramName(field.wire)] = ctx.getNodeParameter(paramName(field.wire), itemIndex, '');
	}
	const additionalFields = ctx.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const { result, problems } = validateParams(model, {
		topLevel,
		additionalFields: additionalFields ?? {},
		imageSource,
	});
	if (!result) {
		const { message, description } = describeProblems(problems);
		throw new NodeOperationError(node, message, { itemIndex, description });
	}

	let binaryImage: Plan['binaryImage'];
	let imageDigest: string | undefined;
	if (main && result.binaryImageField) {
		const property = String(ctx.getNodeParameter('imageBinaryProperty', itemIndex, 'data'));
		const image = await readPlanImage(ctx, transport, model, itemIndex, property);
		binaryImage = { wire: main.wire, property };
		imageDigest = createHash('sha256').update(image.bytes).digest('hex');
	}

	const tablePrice = model.price?.(result.body) ?? null;
	return {
		...options,
		itemIndex,
		body: result.body,
		binaryImage,
		print: fingerprint([
			model.provider,
			model.id,
			result.body,
			imageDigest,
			options.mode,
			options.webhookUrl ?? null,
		]),
		// The table's price until the run asks the provider (engine/spend.ts).
		estimatedCost: tablePrice,
		costSource: tablePrice === null ? null : 'table',
	};
}

/** The main image from the input binary, checked against the model's and provider's rules. */
export async function readPlanImage(
	ctx: IExecuteFunctions,
	transport: ProviderTransport,
	model: ModelSpec,
	itemIndex: number,
	property: string,
): Promise<InputImage> {
	const main = mainImageField(model);
	const rules = main && (main.type === 'image' || main.type === 'imageList') ? main.rules : undefined;
	return await readInputImage(
		ctx,
		itemIndex,
		property,
		main?.displayName ?? 'Image',
		rules,
		transport.uploadFormats,
		transport.maxUploadBytes,
	);
}
