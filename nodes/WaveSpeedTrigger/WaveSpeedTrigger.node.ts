import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { receiveCallback, triggerProperties } from '../shared/trigger';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedTrigger implements INodeType {
	description: INodeTypeDescription = {
		// The nodes panel drops "Trigger" from a trigger's name: "WaveSpeed Job Finished" there, not
		// plain "WaveSpeed" (the any-model node's name).
		displayName: 'WaveSpeed Job Finished Trigger',
		name: 'waveSpeedTrigger',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"] === "completed" ? "Completed jobs" : $parameter["events"] === "failed" ? "Failed jobs" : "Completed or failed jobs" }}',
		description: 'Starts the workflow when a WaveSpeed video job finishes or fails, with its video',
		defaults: { name: 'WaveSpeed Job Finished Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'waveSpeedApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [...triggerProperties('wavespeed')],
	};

	webhookMethods = noRegistryWebhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this, 'wavespeed');
	}
}
