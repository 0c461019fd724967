import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { waveSpeedLtxVideoI2v720p as MODEL } from '../shared/models/wavespeed/ltxVideoI2v720p';
import { priceNotices, priceSubtitle } from '../shared/priceText';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedLtxVideoI2v720p implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed LTX Video 0.9.7 I2V 720p',
		name: 'waveSpeedLtxVideoI2v720p',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		// What the node does and the price of one video at its settings, from the model table.
		subtitle: priceSubtitle(MODEL),
		description: 'Turn an image and a prompt into a 720p video with LTX Video 0.9.7 on WaveSpeed',
		defaults: { name: 'WaveSpeed LTX Video 0.9.7 I2V 720p' },
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
