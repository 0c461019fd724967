/**
 * Step 1 of a run: every item's parameters read and checked, before the first request, into
 * a plan. Bad input costs nothing: a problem names the field and what is allowed.
 *
 * Where the values come from is the node's business (an InputReader): a curated node's own
 * parameters, or an any-model node's model and typed inputs. From the plan on, the engine does
 * not know which it was.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readInputFile, readInputImage } from '../binary';
import type { InputImage } from '../binary';
import { fieldError } from '../errors';
import type { Delivery } from '../jobOutput';
import { fingerprint } from '../ledger';
import { describeProblems, mainImageField, paramName, validateParams } from '../model';
import type { Field, ModelSpec, RequestBody } from '../models/types';
import type { FieldProblem } from '../validation';
import type { ProviderTransport } from '../providers/types';
import { readRunOptions } from './options';
import type { RunOptions } from './options';

/** An input binary that becomes a URL in a field of the request once uploaded. */
export interface BinaryInput {
	field: Field;
	/** The input item's binary property. */
	property: string;
	/** The parameter that named the property (for messages). */
	label: string;
}

/** One item's model, its checked request body, and the binaries still to upload into it. */
export interface ItemInputs {
	model: ModelSpec;
	body: RequestBody;
	binaries: BinaryInput[];
}

/** Reads and checks one item's model and values; throws a NodeOperationError naming the field. */
export type InputReader = (ctx: IExecuteFunctions, itemIndex: number) => Promise<ItemInputs>;

export interface Plan extends RunOptions, Delivery {
	itemIndex: number;
	model: ModelSpec;
	body: RequestBody;
	binaries: BinaryInput[];
	/** Identifies the job this item asks for, so a retry can find the one already bought. */
	print: string;
}

/** A curated node's values: its own parameters, the main image from a URL or an input binary. */
export function curatedInputs(model: ModelSpec): InputReader {
	return async (ctx, itemIndex) => {
		const node = ctx.getNode();
		const main = mainImageField(model);
		const imageSource = main
			? (ctx.getNodeParameter('imageSource', itemIndex, 'url') as string)
			: 'url';
		if (imageSource !== 'url' && imageSource !== 'binary') {
			throw fieldError(
				node,
				itemIndex,
				'Image Source',
				`unknown value "${imageSource}"`,
				'Allowed: url, binary',
			);
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
		explainEmptyExpressions(model, node.parameters, problems);
		if (!result) {
			const { message, description } = describeProblems(problems);
			throw new NodeOperationError(node, message, { itemIndex, description });
		}
		const binaries: BinaryInput[] =
			main && result.binaryImageField
				? [
						{
							field: main,
							property: String(ctx.getNodeParameter('imageBinaryProperty', itemIndex, 'data')),
							label: 'Input Binary Field',
						},
					]
				: [];
		return { model, body: result.body, binaries };
	};
}

/**
 * A required field left empty by an expression (`{{ $json.photo }}` on an item without
 * `photo`) says so: the user sees a filled-in field, not an empty one.
 */
function explainEmptyExpressions(
	model: ModelSpec,
	parameters: IDataObject,
	problems: FieldProblem[],
): void {
	const additional = (parameters.additionalFields ?? {}) as IDataObject;
	for (const problem of problems) {
		if (problem.problem !== 'is required') continue;
		const field = model.fields.find((f) => f.displayName === problem.field);
		if (!field) continue;
		const name = paramName(field.wire);
		const raw = name in parameters ? parameters[name] : additional[name];
		if (typeof raw !== 'string' || !raw.startsWith('=')) continue;
		const expression = raw.slice(1).trim();
		const shown = expression.length > 60 ? `${expression.slice(0, 57)}…` : expression;
		problem.problem = `is empty: its expression ${shown} gave nothing for this item`;
		problem.allowed =
			'Check that the input item has the field the expression reads (the INPUT panel shows what arrives), or type a value';
	}
}

/** An input binary read and checked for its field: images as images, other files by size. */
export async function readBinaryInput(
	ctx: IExecuteFunctions,
	transport: ProviderTransport,
	itemIndex: number,
	input: BinaryInput,
): Promise<InputImage> {
	const { field } = input;
	if (field.type === 'image' || field.type === 'imageList') {
		return await readInputImage(
			ctx,
			itemIndex,
			input.property,
			field.displayName,
			field.rules,
			transport.uploadFormats,
			transport.maxUploadBytes,
			input.label,
		);
	}
	return await readInputFile(
		ctx,
		itemIndex,
		input.property,
		field.displayName,
		transport.maxUploadBytes,
		input.label,
	);
}

/** Reads and checks one item: run options, the model's values, its input binaries. */
export async function planItem(
	ctx: IExecuteFunctions,
	readInputs: InputReader,
	transport: ProviderTransport,
	itemIndex: number,
): Promise<Plan> {
	const options = readRunOptions(ctx, itemIndex, transport);
	const { model, body, binaries } = await readInputs(ctx, itemIndex);
	// The binaries are read (and checked) now; their digests make the item's fingerprint.
	const digests: string[] = [];
	for (const input of binaries) {
		const file = await readBinaryInput(ctx, transport, itemIndex, input);
		digests.push(`${input.field.wire}:${createHash('sha256').update(file.bytes).digest('hex')}`);
	}
	const tablePrice = model.price?.(body) ?? null;
	return {
		...options,
		itemIndex,
		model,
		body,
		binaries,
		print: fingerprint([
			model.provider,
			model.id,
			body,
			digests.length ? digests : undefined,
			options.mode,
			options.webhookUrl ?? null,
		]),
		// The table's price until the run asks the provider (engine/spend.ts).
		estimatedCost: tablePrice,
		costSource: tablePrice === null ? null : 'table',
	};
}
