import { defineModel } from '../types';

/** seeds/wavespeed-ltx-video-v097-i2v-720p.txt (no price or duration published) */
export const waveSpeedLtxVideoI2v720p = defineModel({
	provider: 'wavespeed',
	id: 'wavespeed-ai/ltx-video-v097/i2v-720p',
	label: 'LTX Video 0.9.7 I2V 720p',
	fields: [
		{
			wire: 'image',
			type: 'image',
			main: true,
			displayName: 'Image',
			description: 'Image for the image-to-video task, as a public URL or a data: URI',
			required: true,
		},
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description: 'The positive prompt for the generation (English works best)',
			required: true,
			rows: 3,
		},
		{
			wire: 'negative_prompt',
			type: 'string',
			displayName: 'Negative Prompt',
			description: 'The negative prompt for the generation',
			rows: 2,
		},
		{
			wire: 'size',
			type: 'options',
			displayName: 'Size',
			description: 'The size of the generated media in pixels (width*height)',
			values: ['720*1280', '1280*720'],
			labels: { '720*1280': '720*1280 (Portrait)', '1280*720': '1280*720 (Landscape)' },
			default: '1280*720',
		},
		{
			wire: 'seed',
			type: 'number',
			integer: true,
			displayName: 'Seed',
			description: 'The random seed to use for the generation; -1 means random',
			min: -1,
			max: 2147483647,
			default: -1,
		},
	],
});
