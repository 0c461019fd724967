import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { waveSpeedLynx as MODEL } from '../shared/models/wavespeed/lynx';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class WaveSpeedLynx implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed Lynx',
		name: 'waveSpeedLynx',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "submitOnly" ? "Submit only" : "Generate video" }}',
		description: 'Animate a subject image into a 5-second, subject-consistent video with ByteDance Lynx on WaveSpeed ($0.50 a clip)',
		defaults: { name: 'WaveSpeed Lynx' },
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
