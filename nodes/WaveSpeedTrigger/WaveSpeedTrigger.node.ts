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
		// On the canvas and in executions: what it waits for, and not to be taken for the
		// any-model node "WaveSpeed".
		displayName: 'WaveSpeed Job Finished Trigger',
		name: 'waveSpeedTrigger',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["events"] === "completed" ? "Completed jobs" : $parameter["events"] === "failed" ? "Failed jobs" : "Completed or failed jobs" }}',
		// n8n's nodes panel lists this trigger under the any-model node "WaveSpeed" (type waveSpeed: this
		// type without "Trigger") and shows this text as that entry's description: it speaks for both.
		description:
			'Run any WaveSpeed model, or start a workflow when a WaveSpeed video job finishes or fails',
		defaults: { name: 'WaveSpeed Job Finished Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'waveSpeedApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [...triggerProperties('wavespeed')],
	};

	webhookMethods = noRegistryWebhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback(this, 'wavespeed');
	}
}
