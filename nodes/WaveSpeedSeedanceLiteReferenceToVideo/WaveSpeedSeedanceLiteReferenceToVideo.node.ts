import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { waveSpeedSeedanceLiteReferenceToVideo as MODEL } from '../shared/models/wavespeed/seedanceLiteReferenceToVideo';
import { priceNotices, priceSubtitle } from '../shared/priceText';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedSeedanceLiteReferenceToVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed Seedance V1 Lite Reference to Video',
		name: 'waveSpeedSeedanceLiteReferenceToVideo',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		// What the node does and the price of one video at its settings, from the model table.
		subtitle: priceSubtitle(MODEL),
		description: 'Make a video with the people or things of 1 to 4 reference images, with ByteDance Seedance V1 Lite on WaveSpeed',
		defaults: { name: 'WaveSpeed Seedance V1 Lite Reference to Video' },
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
