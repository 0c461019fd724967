import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { receiveCallback, triggerProperties } from '../shared/trigger';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class FalTrigger implements INodeType {
	description: INodeTypeDescription = {
		// The nodes panel drops "Trigger" from a trigger's name: "fal Job Finished" there, not
		// plain "fal" (the any-model node's name).
		displayName: 'fal Job Finished Trigger',
		name: 'falTrigger',
		icon: { light: 'file:../../icons/fal.svg', dark: 'file:../../icons/fal.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"] === "completed" ? "Completed jobs" : $parameter["events"] === "failed" ? "Failed jobs" : "Completed or failed jobs" }}',
		description: 'Starts the workflow when a fal video job finishes or fails, with its video',
		defaults: { name: 'fal Job Finished Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'falApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [...triggerProperties('fal')],
	};

	webhookMethods = noRegistryWebhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this, 'fal');
	}
}
