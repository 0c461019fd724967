/**
 * An any-model node's item: the model it names (its schema from the provider's catalogue,
 * cached), the values of the Inputs resource mapper, and the input files from binaries, all
 * checked against the model's *current* schema before anything is bought. A field the provider
 * has since removed is reported by name, never dropped without a word.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CATALOGS } from '../catalog/catalogs';
import { fieldError } from '../errors';
import type { Field, ModelSpec, Provider } from '../models/types';
import type { BinaryInput, InputReader } from '../engine/plan';
import { describeProblems, isEmpty, validateValues } from '../validation';
import type { FieldProblem } from '../validation';

/** The item's model id, or an error naming the Model parameter. */
export function modelIdOfItem(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) as unknown;
	const id = typeof value === 'string' ? value.trim() : '';
	if (!id) throw fieldError(ctx.getNode(), itemIndex, 'Model', 'is required', 'Pick a model from the list, or give its ID');
	return id;
}

/** The item's model as a spec, from the provider's catalogue. */
export async function specOfItem(ctx: IExecuteFunctions, provider: Provider, itemIndex: number): Promise<ModelSpec> {
	return await CATALOGS[provider].spec(ctx, modelIdOfItem(ctx, itemIndex));
}

const isFileField = (field: Field) => field.type === 'image' || field.type === 'imageList' || field.type === 'file';
const isListField = (field: Field) => field.type === 'imageList' || (field.type === 'file' && field.list === true);

/** The resource mapper's values by API field name (unset ones left out). */
function mapperValues(ctx: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
	const inputs = ctx.getNodeParameter('inputs', itemIndex, {}) as IDataObject | null;
	const value = (inputs?.value ?? {}) as Record<string, unknown>;
	return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => !isEmpty(v)));
}

/** The Input Files From Binary entries, each checked against the model's file fields. */
function binaryInputs(ctx: IExecuteFunctions, itemIndex: number, model: ModelSpec, problems: FieldProblem[]): BinaryInput[] {
	const entries = ctx.getNodeParameter('binaryInputs.files', itemIndex, []) as Array<{ field?: string; binaryProperty?: string }>;
	const out: BinaryInput[] = [];
	const fileFields = model.fields.filter(isFileField);
	for (const [index, entry] of (entries ?? []).entries()) {
		const wire = String(entry.field ?? '').trim();
		const field = model.fields.find((f) => f.wire === wire);
		if (!field || !isFileField(field)) {
			problems.push({
				field: 'Input Files From Binary',
				problem: `file ${index + 1} names ${wire ? `"${wire}", which is not a file input of ${model.id}` : 'no input field'}`,
				allowed: fileFields.length ? `File inputs of this model: ${fileFields.map((f) => f.wire).join(', ')}` : 'This model takes no files',
			});
			continue;
		}
		out.push({ field, property: String(entry.binaryProperty ?? 'data').trim() || 'data', label: 'Input Files From Binary' });
	}
	return out;
}

export function anyModelInputs(provider: Provider): InputReader {
	return async (ctx, itemIndex) => {
		const model = await specOfItem(ctx, provider, itemIndex);
		const values = mapperValues(ctx, itemIndex);
		const problems: FieldProblem[] = [];
		const known = new Set(model.fields.map((f) => f.wire));
		for (const key of Object.keys(values)) {
			if (!known.has(key)) {
				problems.push({
					field: `Inputs: "${key}"`,
					problem: `is not an input of ${model.id} any more (the provider changed the model's schema)`,
					allowed: 'Remove it from Inputs (or open Inputs and refresh the fields) and check the model\'s current inputs',
				});
				delete values[key];
			}
		}
		const binaries = binaryInputs(ctx, itemIndex, model, problems);
		const fromBinary = new Set(binaries.map((b) => b.field.wire));
		for (const input of binaries) {
			if (!isListField(input.field) && values[input.field.wire] !== undefined) {
				problems.push({
					field: input.field.displayName,
					problem: 'is set in Inputs and comes from a binary too',
					allowed: 'Give it one way: clear it in Inputs, or remove the binary entry',
				});
			}
		}
		if (binaries.filter((b) => !isListField(b.field)).some((b, i, all) => all.findIndex((o) => o.field.wire === b.field.wire) !== i)) {
			problems.push({ field: 'Input Files From Binary', problem: 'names the same single-file input twice' });
		}
		const checked = validateValues(model, values, { fromBinary });
		problems.push(...checked.problems);
		if (problems.length) {
			const { message, description } = describeProblems(problems);
			throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
		}
		return { model, body: checked.body, binaries };
	};
}
