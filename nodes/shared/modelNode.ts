/**
 * The behaviour every model node class shares. Each node file keeps its description as an
 * object literal (n8n's lint rules read it there) and takes these three members from here.
 */
import type { IExecuteFunctions, IHookFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { ModelSpec } from './models/types';
import { resumeModel, runModel } from './runner';

/**
 * Providers take the callback URL with each job; there is no webhook to register when a
 * workflow is activated, so the lifecycle methods have nothing to do.
 */
export const modelWebhookMethods = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async create(this: IHookFunctions): Promise<boolean> {
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			return true;
		},
	},
};

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
