import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { falLynx as MODEL } from '../shared/models/fal/lynx';
import { priceNotices, priceSubtitle } from '../shared/priceText';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class FalLynx implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'fal Lynx',
		name: 'falLynx',
		icon: { light: 'file:../../icons/fal.svg', dark: 'file:../../icons/fal.dark.svg' },
		group: ['transform'],
		version: 1,
		// What the node does and the price of one video at its settings, from the model table.
		subtitle: priceSubtitle(MODEL),
		description: 'Turn a photo of a person into a video that keeps their likeness, with ByteDance Lynx on fal ($0.60 per second of video)',
		defaults: { name: 'fal Lynx' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'falApi', required: true }],
		properties: [...priceNotices(MODEL), ...modelProperties(MODEL), ...runPropertiesFor(MODEL.provider)],
	};

	webhookMethods = noRegistryWebhookMethods;

	execute = modelExecute(MODEL);

	webhook = modelWebhook(MODEL);
}
