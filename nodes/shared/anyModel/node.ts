/**
 * What the any-model node classes (`waveSpeed`, `fal`) share: execute() by operation (Generate
 * on the same engine as the curated nodes), webhook() for Wait by webhook, and the editor's
 * methods. Each node file keeps its description as an object literal (lint reads it there).
 */
import type { IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { runItems } from '../engine/run';
import type { RunEnvironment } from '../engine/run';
import type { Provider } from '../models/types';
import { TRANSPORTS } from '../runner';
import { resumeFromWebhook } from '../webhookWait';
import { anyModelInputs } from './inputs';
import { runOperation } from './operations';

export function anyModelExecute(provider: Provider, env: RunEnvironment = {}) {
	return async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const transport = env.transport ?? TRANSPORTS[provider];
		const operation = this.getNodeParameter('operation', 0, 'generate') as string;
		if (operation === 'generate') return await runItems(this, anyModelInputs(provider), transport, env);
		return await runOperation(this, transport, operation);
	};
}

/** A provider calling back into an execution this node paused (Wait Method "Webhook"). */
export function anyModelWebhook(provider: Provider) {
	return async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		// The wait record names each job's model.
		return await resumeFromWebhook.call(this, undefined, TRANSPORTS[provider]);
	};
}

export { anyModelMethods } from './methods';
export { anyModelProperties } from './properties';
