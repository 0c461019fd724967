import type { IHookFunctions } from 'n8n-workflow';

/**
 * WaveSpeed and fal take the callback URL with each job; there is no webhook to register or
 * remove when a workflow is (de)activated, so the lifecycle methods have nothing to do. Used
 * by the model nodes (resume webhook) and the Trigger nodes.
 */
export const noRegistryWebhookMethods = {
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

