import { defineModel } from '../types';

/**
 * seeds/wavespeed-ltx-video-v097-i2v-720p.txt. No price or duration published: not on the seed,
 * WaveSpeed's docs page for the model, nor anywhere else searched (2026-12); WaveSpeed's price
 * API prices each job before it is bought.
 */
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
			description: 'The picture to bring to life: a link (https://…) or a data: URI',
			required: true,
		},
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description:
				'What should happen in the video: the motion, the scene, the camera (English works best)',
			required: true,
			rows: 3,
		},
		{
			wire: 'negative_prompt',
			type: 'string',
			displayName: 'Negative Prompt',
			description: 'What you do not want to see in the video, e.g. blur, text, watermarks',
			rows: 2,
		},
		{
			wire: 'size',
			type: 'options',
			displayName: 'Size',
			description:
				'Width × height of the video in pixels: 1280×720 landscape (default) or 720×1280 portrait',
			values: ['720*1280', '1280*720'],
			labels: { '720*1280': '720×1280 (Portrait)', '1280*720': '1280×720 (Landscape)' },
			default: '1280*720',
		},
		{
			wire: 'seed',
			type: 'number',
			integer: true,
			displayName: 'Seed',
			description:
				'A number that makes a result repeatable: the same seed and settings give the same video. -1 (default) picks a new one each time; 0 to 2147483647 otherwise.',
			min: -1,
			max: 2147483647,
			default: -1,
		},
	],
});
