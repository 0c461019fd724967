import { defineModel } from '../types';

const SEEDANCE_IMAGE = {
	formats: ['jpeg', 'png'],
	maxBytes: 10 * 1024 * 1024,
	minWidth: 300,
	minHeight: 300,
} as const;

const ASPECT_LABELS = {
	'21:9': '21:9 (Cinema)',
	'16:9': '16:9 (Landscape)',
	'4:3': '4:3',
	'1:1': '1:1 (Square)',
	'3:4': '3:4',
	'9:16': '9:16 (Portrait)',
};

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
				'The first frame of the video: JPG or PNG, at most 10 MB, at least 300×300 pixels; a link (https://…) or a data: URI',
			required: true,
			rules: { ...SEEDANCE_IMAGE, formats: [...SEEDANCE_IMAGE.formats] },
		},
		{
			// The seed's table says optional, its prose says required: optional here, so an
			// empty prompt is left out and the provider decides.
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description:
				'What should happen in the video: what the subject does, the camera, the surroundings (at most 2000 characters)',
			topLevel: true,
			maxLength: 2000,
			rows: 3,
		},
		{
			wire: 'last_image',
			type: 'image',
			displayName: 'Last Frame',
			description:
				'Optional picture the video should end on (same rules as Image): a link (https://…) or a data: URI',
			rules: { ...SEEDANCE_IMAGE, formats: [...SEEDANCE_IMAGE.formats] },
		},
		{
			// An enumeration in the seed (2, 3, … 12); the Reference to Video sibling has a range.
			wire: 'duration',
			type: 'options',
			displayName: 'Duration',
			description: 'Length of the video, 2 to 12 seconds (default 5)',
			values: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
			unit: 'seconds',
			default: 5,
		},
		{
			wire: 'aspect_ratio',
			type: 'options',
			displayName: 'Aspect Ratio',
			description:
				'Shape of the video, from 21:9 wide to 9:16 portrait for phones; left out, WaveSpeed decides',
			values: ['21:9', '16:9', '4:3', '1:1', '3:4', '9:16'],
			labels: ASPECT_LABELS,
			default: '16:9',
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
	// Pricing table: 5 s $0.16, 10 s $0.32, 15 s $0.48, 20 s $0.64 ($0.032 per second). The
	// provider's default duration is 5 s when the field is left out.
	videoLength: { field: 'duration', default: 5 },
	publishedPrice: { usd: 0.032, per: 'second' },
});
