import { defineModel } from '../types';

/**
 * seeds/wavespeed-seedance-v1-lite-reference-to-video.txt. No price published: not on the seed,
 * WaveSpeed's docs page for the model (three captures), nor anywhere else searched (2026-12);
 * WaveSpeed's price API prices each job before it is bought.
 */
export const waveSpeedSeedanceLiteReferenceToVideo = defineModel({
	provider: 'wavespeed',
	id: 'bytedance/seedance-v1-lite/reference-to-video',
	label: 'Seedance V1 Lite Reference to Video',
	fields: [
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description:
				'What should happen in the video, and how the people or things in the reference images meet',
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
				'1 to 4 pictures of the people, animals or things to put in the video: one link (https://…) or data: URI per line, or an expression that returns a list',
			required: true,
			minItems: 1,
			maxItems: 4,
		},
		{
			// A range in the seed (5 ~ 10), an enumeration on the I2V sibling: both are offered
			// as a dropdown of seconds; the value is the same number either way.
			wire: 'duration',
			type: 'number',
			integer: true,
			dropdown: true,
			unit: 'seconds',
			displayName: 'Duration',
			description: 'Length of the video, 5 to 10 seconds (default 5)',
			min: 5,
			max: 10,
			default: 5,
		},
		{
			wire: 'camera_fixed',
			type: 'boolean',
			displayName: 'Keep Camera Still',
			description: 'Whether the camera stays in place (on) or may move (off, the default)',
			default: false,
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
	videoLength: { field: 'duration', default: 5 },
});
