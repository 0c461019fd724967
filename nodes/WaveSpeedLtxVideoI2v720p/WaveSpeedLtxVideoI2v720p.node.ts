import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { modelProperties } from '../shared/model';
import { waveSpeedLtxVideoI2v720p as MODEL } from '../shared/models/wavespeed/ltxVideoI2v720p';
import { runModel } from '../shared/runner';
import { runProperties } from '../shared/runProperties';

export class WaveSpeedLtxVideoI2v720p implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WaveSpeed LTX Video 0.9.7 I2V 720p',
		name: 'waveSpeedLtxVideoI2v720p',
		icon: { light: 'file:../../icons/wavespeed.svg', dark: 'file:../../icons/wavespeed.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["mode"] === "submitOnly" ? "Submit only" : "Generate video" }}',
		description: 'Turn an image and a prompt into a 720p video with LTX Video 0.9.7 on WaveSpeed',
		defaults: { name: 'WaveSpeed LTX Video 0.9.7 I2V 720p' },
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
