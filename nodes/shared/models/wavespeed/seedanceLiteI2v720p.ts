import { defineModel } from '../types';

const SEEDANCE_IMAGE = { formats: ['jpeg', 'png'], maxBytes: 10 * 1024 * 1024, minWidth: 300, minHeight: 300 } as const;

/** seeds/wavespeed-seedance-v1-lite-i2v-720p.txt */
export const waveSpeedSeedanceLiteI2v720p = defineModel({
	provider: 'wavespeed',
	id: 'bytedance/seedance-v1-lite-i2v-720p',
	label: 'Seedance V1 Lite I2V 720p',
	fields: [
		{
			wire: 'image',
			type: 'image',
			main: true,
			displayName: 'Image',
			description:
				'Starting image (first frame): JPG or PNG, at most 10 MB, at least 300×300 px; a public URL or a data: URI',
			required: true,
			rules: { ...SEEDANCE_IMAGE, formats: [...SEEDANCE_IMAGE.formats] },
		},
		{
			// The seed's table says optional, its prose says required: optional here, so an
			// empty prompt is left out and the provider decides.
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description: 'Motion and scene direction: subject action, camera, environment (max 2000 characters)',
			topLevel: true,
			maxLength: 2000,
			rows: 3,
		},
		{
			wire: 'last_image',
			type: 'image',
			displayName: 'Last Image',
			description: 'End frame reference, as a public URL or a data: URI',
			rules: { ...SEEDANCE_IMAGE, formats: [...SEEDANCE_IMAGE.formats] },
		},
		{
			wire: 'duration',
			type: 'options',
			displayName: 'Duration',
			description: 'The duration of the generated media in seconds',
			values: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
			default: 5,
		},
		{
			wire: 'aspect_ratio',
			type: 'options',
			displayName: 'Aspect Ratio',
			description: 'The aspect ratio of the generated media',
			values: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'],
			default: '16:9',
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
	// Pricing table: 5 s $0.16, 10 s $0.32 ($0.032 per second). The provider's default
	// duration is 5 s when the field is left out.
	price: (body) => Math.round(0.032 * Number(body.duration ?? 5) * 1000) / 1000,
});
