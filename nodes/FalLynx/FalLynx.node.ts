import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { modelExecute, modelWebhook } from '../shared/modelNode';
import { falLynx as MODEL } from '../shared/models/fal/lynx';
import { runPropertiesFor } from '../shared/runProperties';
import { noRegistryWebhookMethods } from '../shared/webhookMethods';

export class FalLynx implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'fal Lynx',
		name: 'falLynx',
		icon: { light: 'file:../../icons/fal.svg', dark: 'file:../../icons/fal.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "submitOnly" ? "Submit only" : "Generate video" }}',
		description: 'Animate a subject image into a subject-consistent video with ByteDance Lynx on fal',
		defaults: { name: 'fal Lynx' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Wait Method "Webhook": the provider's callback resumes the paused execution here.
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true }],
		credentials: [{ name: 'falApi', required: true }],
		properties: [...modelProperties(MODEL), ...runPropertiesFor(MODEL.provider)],
	};

	webhookMethods = noRegistryWebhookMethods;

	execute = modelExecute(MODEL);

	webhook = modelWebhook(MODEL);
}
