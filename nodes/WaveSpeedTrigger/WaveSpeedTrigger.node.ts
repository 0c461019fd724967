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
		displayName: 'WaveSpeed Trigger',
		name: 'waveSpeedTrigger',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"] === "completed" ? "Completed jobs" : $parameter["events"] === "failed" ? "Failed jobs" : "Completed or failed jobs" }}',
		description: 'Starts the workflow when a WaveSpeed job ends, from its signed webhook',
		defaults: { name: 'WaveSpeed Trigger' },
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
