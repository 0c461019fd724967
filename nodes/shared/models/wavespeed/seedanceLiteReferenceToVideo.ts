import { defineModel } from '../types';

/** seeds/wavespeed-seedance-v1-lite-reference-to-video.txt (no price or duration published) */
export const waveSpeedSeedanceLiteReferenceToVideo = defineModel({
	provider: 'wavespeed',
	id: 'bytedance/seedance-v1-lite/reference-to-video',
	label: 'Seedance V1 Lite Reference to Video',
	fields: [
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description: 'The positive prompt for the generation',
			required: true,
			// WaveSpeed's page for this model (one version of it) and its I2V sibling: 2000 characters.
			maxLength: 2000,
			rows: 3,
		},
		{
			wire: 'reference_images',
			type: 'imageList',
			displayName: 'Reference Images',
			description:
				'1 to 4 images to use as style references: one URL or data: URI per line (on a line, a comma followed by the next URL also separates), or an expression returning an array',
			required: true,
			minItems: 1,
			maxItems: 4,
		},
		{
			wire: 'duration',
			type: 'number',
			integer: true,
			displayName: 'Duration',
			description: 'The duration of the generated media in seconds (5 to 10)',
			min: 5,
			max: 10,
			default: 5,
		},
		{
			wire: 'camera_fixed',
			type: 'boolean',
			displayName: 'Camera Fixed',
			description: 'Whether to fix the camera position',
			default: false,
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
