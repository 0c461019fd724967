/**
 * What the model nodes call: execute() runs the item loop (engine/run.ts) and webhook() takes
 * a provider callback into an execution paused by the node (webhookWait.ts).
 */
import type { IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { curatedInputs } from './engine/plan';
import { runItems } from './engine/run';
import type { RunEnvironment } from './engine/run';
import type { ModelSpec } from './models/types';
import { fal } from './providers/fal';
import type { ProviderTransport } from './providers/types';
import { waveSpeed } from './providers/wavespeed';
import { resumeFromWebhook } from './webhookWait';

export type { RunEnvironment };

export const TRANSPORTS: Record<ModelSpec['provider'], ProviderTransport> = {
	wavespeed: waveSpeed,
	fal,
};

/** The node's execute(): `return await runModel.call(this, MODEL)`. */
export async function runModel(
	this: IExecuteFunctions,
	model: ModelSpec,
	env: RunEnvironment = {},
): Promise<INodeExecutionData[][]> {
	return await runItems(this, curatedInputs(model), env.transport ?? TRANSPORTS[model.provider], env);
}

/** The node's webhook(): a provider calling back into an execution paused by this node. */
export async function resumeModel(this: IWebhookFunctions, model: ModelSpec): Promise<IWebhookResponseData> {
	return await resumeFromWebhook.call(this, model, TRANSPORTS[model.provider]);
}
