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
		// On the canvas and in executions: what it waits for, and not to be taken for the
		// any-model node "fal".
		displayName: 'fal Job Finished Trigger',
		name: 'falTrigger',
		icon: { light: 'file:../../icons/fal.svg', dark: 'file:../../icons/fal.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"] === "completed" ? "Completed jobs" : $parameter["events"] === "failed" ? "Failed jobs" : "Completed or failed jobs" }}',
		// n8n's nodes panel lists this trigger under the any-model node "fal" (type fal: this
		// type without "Trigger") and shows this text as that entry's description: it speaks for both.
		description: 'Run any fal model, or start a workflow when a fal video job finishes or fails',
		defaults: { name: 'fal Job Finished Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'falApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [...triggerProperties('fal')],
	};

	webhookMethods = noRegistryWebhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this, 'fal');
	}
}
