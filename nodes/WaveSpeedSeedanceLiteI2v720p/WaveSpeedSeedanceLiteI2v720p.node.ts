import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { waveSpeedSeedanceLiteI2v720p as MODEL } from '../shared/models/wavespeed/seedanceLiteI2v720p';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedSeedanceLiteI2v720p implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed Seedance V1 Lite I2V 720p',
		name: 'waveSpeedSeedanceLiteI2v720p',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "submitOnly" ? "Submit only" : "Generate video" }}',
		description: 'Animate a starting image into a 720p video with ByteDance Seedance V1 Lite on WaveSpeed ($0.032 per second)',
		defaults: { name: 'WaveSpeed Seedance V1 Lite I2V 720p' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'waveSpeedApi', required: true }],
		properties: [...modelProperties(MODEL), ...runPropertiesFor(MODEL.provider)],
	};

	webhookMethods = noRegistryWebhookMethods;

	execute = modelExecute(MODEL);

	webhook = modelWebhook(MODEL);
}
