import { defineModel } from '../types';

/** seeds/wavespeed-lynx.txt */
export const waveSpeedLynx = defineModel({
	provider: 'wavespeed',
	id: 'wavespeed-ai/lynx',
	label: 'Lynx',
	fields: [
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description: 'The positive prompt for the generation: motion, scene or style',
			required: true,
			rows: 3,
		},
		{
			wire: 'image',
			type: 'image',
			main: true,
			displayName: 'Image',
			description: 'The subject image (JPG or PNG) as a public URL or a data: URI',
			required: true,
			rules: { formats: ['jpeg', 'png'] },
		},
		{
			wire: 'aspect_ratio',
			type: 'options',
			displayName: 'Aspect Ratio',
			description: 'The aspect ratio of the generated media',
			values: ['16:9', '9:16', '1:1'],
			default: '16:9',
		},
	],
	// "~5–12 seconds of wall time per 1 second of video", each run a 5-second clip.
	expectedSeconds: () => ({ min: 25, max: 60 }),
	// "Flat rate: $0.50 per generation".
	price: () => 0.5,
});
