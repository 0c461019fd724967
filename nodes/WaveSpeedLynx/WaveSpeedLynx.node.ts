import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { waveSpeedLynx as MODEL } from '../shared/models/wavespeed/lynx';
import { runModel } from '../shared/runner';
import { runProperties } from '../shared/runProperties';

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
		credentials: [{ name: 'waveSpeedApi', required: true }],
		properties: [...modelProperties(MODEL), ...runProperties],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runModel.call(this, MODEL);
	}
}
