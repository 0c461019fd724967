import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { falLynx as MODEL } from '../shared/models/fal/lynx';
import { runModel } from '../shared/runner';
import { runProperties } from '../shared/runProperties';

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
		credentials: [{ name: 'falApi', required: true }],
		properties: [...modelProperties(MODEL), ...runProperties],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runModel.call(this, MODEL);
	}
}
