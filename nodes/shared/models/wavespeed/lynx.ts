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
			description:
				'What should happen in the video: the motion, the scene, the style (English works best)',
			required: true,
			rows: 3,
		},
		{
			wire: 'image',
			type: 'image',
			main: true,
			displayName: 'Image',
			description:
				'The photo of the person or subject to animate, JPG or PNG: a link (https://…) or a data: URI',
			required: true,
			rules: { formats: ['jpeg', 'png'] },
		},
		{
			wire: 'aspect_ratio',
			type: 'options',
			displayName: 'Aspect Ratio',
			description:
				'Shape of the video: 16:9 landscape (default), 9:16 portrait for phones, or 1:1 square',
			values: ['16:9', '9:16', '1:1'],
			labels: { '16:9': '16:9 (Landscape)', '9:16': '9:16 (Portrait)', '1:1': '1:1 (Square)' },
			default: '16:9',
		},
	],
	// "~5–12 seconds of wall time per 1 second of video", each run a 5-second clip.
	expectedSeconds: () => ({ min: 25, max: 60 }),
	// "Each run produces a 5-second clip"; "Flat rate: $0.50 per generation".
	videoLength: { seconds: 5 },
	publishedPrice: { usd: 0.5, per: 'video' },
});
