import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { anyModelExecute, anyModelMethods, anyModelProperties, anyModelWebhook } from '../shared/anyModel/node';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeed implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed',
		name: 'waveSpeed',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "generate" ? ($parameter["model"]?.cachedResultName || $parameter["model"]?.value || "Generate") : $parameter["operation"] }}',
		description: 'Run any WaveSpeed model (Kling, Veo, Seedance, Hailuo, Wan, …) with typed fields checked before you pay',
		defaults: { name: 'WaveSpeed' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'waveSpeedApi', required: true }],
		properties: anyModelProperties('wavespeed'),
	};

	methods = anyModelMethods('wavespeed');

	webhookMethods = noRegistryWebhookMethods;

	execute = anyModelExecute('wavespeed');

	webhook = anyModelWebhook('wavespeed');
}
