/**
 * The any-model nodes' operations beside Generate: Get Job (re-attach to a job by its request
 * id, now or once it ends, with the same output as Generate), Cancel Job (fal), Get Price and
 * Get Balance. One output item per input item, paired; Continue On Fail gives error items.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { realClock } from '../clock';
import { PROVIDER_NAMES, fieldError, providerError, toNodeError } from '../errors';
import { costFields, endedJobJson, errorItemJson, videoBinary } from '../jobOutput';
import type { ModelSpec, Provider, RequestBody } from '../models/types';
import { waitForJob } from '../polling';
import { PriceList, priceFromUnit, roundUsd } from '../pricing';
import type { CallContext, ProviderTransport } from '../providers/types';
import { readRunOptions } from '../engine/options';
import { describeProblems, validateValues } from '../validation';
import { modelIdOfItem, specOfItem } from './inputs';

type Operation = (ctx: IExecuteFunctions, transport: ProviderTransport, itemIndex: number, call: CallContext) => Promise<INodeExecutionData>;

/** A model known only by its id: enough to read, cancel and output its jobs. */
function bareModel(provider: Provider, id: string): ModelSpec {
	return { provider, id, label: id, fields: [], fromSchema: true };
}

function requestIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = String(ctx.getNodeParameter('requestId', itemIndex, '')).trim();
	if (!id) throw fieldError(ctx.getNode(), itemIndex, 'Request ID', 'is required', 'The request ID of a job, as the node that started it output it');
	if (!/^[\w.:-]{1,200}$/.test(id)) throw fieldError(ctx.getNode(), itemIndex, 'Request ID', `"${id.slice(0, 60)}" is not a request ID`, 'Letters, digits, dashes');
	return id;
}

/** Get Job: the job's current state, or (Wait Until Done) its result once it ends. */
const getJob: Operation = async (ctx, transport, itemIndex, call) => {
	const provider = transport.provider;
	const requestId = requestIdOf(ctx, itemIndex);
	// fal reads a job under its model; WaveSpeed by id alone (its answer names the model).
	const id = provider === 'fal' ? modelIdOfItem(ctx, itemIndex) : '';
	let model = bareModel(provider, id);
	const options = readRunOptions(ctx, itemIndex, transport);
	const wait = ctx.getNodeParameter('waitUntilDone', itemIndex, true) as boolean;
	let status = await transport.status(call, model, requestId);
	if (typeof status.raw.model === 'string' && status.raw.model) model = bareModel(provider, status.raw.model);
	const ended = status.phase === 'completed' || status.phase === 'failed';
	if (!ended && wait) {
		const outcome = await waitForJob(call, transport, model, {}, requestId, {
			submittedAt: call.clock.now(),
			timeoutMs: options.timeoutMs,
			fixedIntervalMs: options.fixedIntervalMs,
			onStatus: (s) => call.debug(`job ${requestId}: ${s.phase}`),
		});
		if ('timedOut' in outcome) {
			throw providerError(call.node, {
				provider,
				message: `${outcome.detail}; it keeps running (Get Job does not cancel it). Raise the Timeout option, or look again later`,
				requestId,
				itemIndex,
				mayStillRun: true,
			});
		}
		status = outcome.status;
	}
	if (status.phase === 'queued' || status.phase === 'running') {
		const json: IDataObject = { provider, model: model.id || null, requestId, status: status.phase };
		if (status.queuePosition !== undefined) json.queuePosition = status.queuePosition;
		return { json, pairedItem: { item: itemIndex } };
	}
	const input = status.raw.input;
	const prices = new PriceList(model, transport, call);
	const price =
		input && typeof input === 'object' && !Array.isArray(input)
			? await prices.priceOf(input as RequestBody)
			: await prices.priceWithoutInputs();
	const json = await endedJobJson(call, model, transport, requestId, status, price.usd, price.source);
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	const binary = await videoBinary(call, model, json, { ...options, estimatedCost: price.usd, costSource: price.source });
	if (binary) item.binary = binary;
	return item;
};

/** Cancel Job (fal): asks fal to stop the job and says what it answered. */
const cancelJob: Operation = async (ctx, transport, itemIndex, call) => {
	const requestId = requestIdOf(ctx, itemIndex);
	const model = bareModel(transport.provider, modelIdOfItem(ctx, itemIndex));
	if (!transport.cancel) {
		throw fieldError(ctx.getNode(), itemIndex, 'Operation', `${PROVIDER_NAMES[transport.provider]} offers no way to cancel a job`);
	}
	const outcome = await transport.cancel({ ...call, signal: undefined }, model, requestId);
	if (outcome.outcome === 'failed') {
		throw providerError(call.node, {
			provider: transport.provider,
			message: `cancelling the job failed (${outcome.detail}); it may still be running`,
			requestId,
			itemIndex,
			mayStillRun: true,
		});
	}
	return {
		json: {
			provider: transport.provider,
			model: model.id,
			requestId,
			status: outcome.outcome === 'requested' ? 'cancellationRequested' : 'alreadyEnded',
		},
		pairedItem: { item: itemIndex },
	};
};

/** Get Price: the provider's price for a job with these inputs, without running it. */
const getPrice: Operation = async (ctx, transport, itemIndex, call) => {
	const model = await specOfItem(ctx, transport.provider, itemIndex);
	const inputs = ctx.getNodeParameter('inputs', itemIndex, {}) as IDataObject | null;
	const values = (inputs?.value ?? {}) as Record<string, unknown>;
	// Prices do not depend on prompts or images: required fields may be left out here.
	const loose: ModelSpec = { ...model, fields: model.fields.map((f) => ({ ...f, required: false })) };
	const checked = validateValues(loose, values);
	if (checked.problems.length) {
		const { message, description } = describeProblems(checked.problems);
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
	}
	const json: IDataObject = { provider: transport.provider, model: model.id };
	const answer = transport.price ? await transport.price(call, model, checked.body) : undefined;
	if (answer?.kind === 'price') {
		Object.assign(json, costFields(roundUsd(answer.usd), 'provider'));
	} else if (answer?.kind === 'unit') {
		const usd = priceFromUnit(model, checked.body, answer.unitPrice, answer.unit);
		Object.assign(json, costFields(usd, 'provider'), { unitPrice: answer.unitPrice, unit: answer.unit });
	} else {
		Object.assign(json, costFields(null, null));
	}
	return { json, pairedItem: { item: itemIndex } };
};

/** Get Balance: the account's credit. */
const getBalance: Operation = async (ctx, transport, itemIndex, call) => {
	if (!transport.balance) {
		throw fieldError(ctx.getNode(), itemIndex, 'Operation', `${PROVIDER_NAMES[transport.provider]} offers no way to read the balance`);
	}
	const balance = await transport.balance(call);
	return { json: { provider: transport.provider, balance, currency: 'USD' }, pairedItem: { item: itemIndex } };
};

export const OPERATIONS: Record<string, Operation> = { getJob, cancelJob, getPrice, getBalance };

/** Runs one of the operations above on every item. */
export async function runOperation(ctx: IExecuteFunctions, transport: ProviderTransport, name: string): Promise<INodeExecutionData[][]> {
	const operation = OPERATIONS[name];
	const node = ctx.getNode();
	if (!operation) throw fieldError(node, 0, 'Operation', `unknown operation "${name}"`, `Allowed: generate, ${Object.keys(OPERATIONS).join(', ')}`);
	const secrets = await transport.secrets(ctx);
	const out: INodeExecutionData[] = [];
	const items = ctx.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const call: CallContext = {
			ctx,
			node,
			clock: realClock,
			signal: ctx.getExecutionCancelSignal?.(),
			itemIndex,
			debug: (message) => ctx.logger.debug(`[${node.name}] item ${itemIndex}: ${message}`),
		};
		try {
			out.push(await operation(ctx, transport, itemIndex, call));
		} catch (error) {
			const requestId = name === 'getJob' || name === 'cancelJob' ? String(ctx.getNodeParameter('requestId', itemIndex, '') || '') || undefined : undefined;
			const nodeError = toNodeError(node, error, { itemIndex, requestId, secrets });
			if (!ctx.continueOnFail()) throw nodeError;
			out.push({ json: errorItemJson({ provider: transport.provider, id: null }, nodeError, requestId), pairedItem: { item: itemIndex } });
		}
	}
	return [out];
}
