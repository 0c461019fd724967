import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { anyModelExecute, anyModelMethods, anyModelProperties, anyModelWebhook } from '../shared/anyModel/node';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class Fal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'fal',
		name: 'fal',
		icon: { light: 'file:../../icons/fal.svg', dark: 'file:../../icons/fal.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "generate" ? ($parameter["model"]?.cachedResultName || $parameter["model"]?.value || "Generate") : $parameter["operation"] }}',
		description: 'Run any fal model (Kling, Veo, Seedance, Hailuo, Wan, LTX, …) with typed fields checked before you pay',
		defaults: { name: 'fal' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'falApi', required: true }],
		properties: anyModelProperties('fal'),
	};

	methods = anyModelMethods('fal');

	webhookMethods = noRegistryWebhookMethods;

	execute = anyModelExecute('fal');

	webhook = anyModelWebhook('fal');
}
