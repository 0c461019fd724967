/**
 * The behaviour every model node class shares. Each node file keeps its description as an
 * object literal (n8n's lint rules read it there) and takes its members from here.
 */
import type { IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { ModelSpec } from './models/types';
import { resumeModel, runModel } from './runner';

export function modelExecute(model: ModelSpec) {
	return async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runModel.call(this, model);
	};
}

/** A provider calling back into an execution this node paused (Wait Method "Webhook"). */
export function modelWebhook(model: ModelSpec) {
	return async function webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeModel.call(this, model);
	};
}
