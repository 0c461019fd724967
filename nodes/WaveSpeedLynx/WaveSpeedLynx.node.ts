import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { waveSpeedLynx as MODEL } from '../shared/models/wavespeed/lynx';
import { priceNotices, priceSubtitle } from '../shared/priceText';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedLynx implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed Lynx',
		name: 'waveSpeedLynx',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		// What the node does and the price of one video at its settings, from the model table.
		subtitle: priceSubtitle(MODEL),
		description: 'Turn a photo of a person into a 5-second video that keeps their likeness, with ByteDance Lynx on WaveSpeed ($0.50 per video)',
		defaults: { name: 'WaveSpeed Lynx' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'waveSpeedApi', required: true }],
		properties: [...priceNotices(MODEL), ...modelProperties(MODEL), ...runPropertiesFor(MODEL.provider)],
	};

	webhookMethods = noRegistryWebhookMethods;

	execute = modelExecute(MODEL);

	webhook = modelWebhook(MODEL);
}
