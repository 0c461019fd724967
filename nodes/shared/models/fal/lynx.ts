import { defineModel } from '../types';

/**
 * seeds/fal-lynx.txt, with what fal serves today:
 * - the app id: fal's client lists Lynx as `bytedance/lynx` since 2025-12 (fal-js
 *   libs/client/src/types/endpoints.ts); `fal-ai/lynx` is gone from it.
 * - the ranges: fal's OpenAPI schema for the app (as generated into TanStack/ai's fal types
 *   and fal's llms.txt) bounds the numbers tighter than the seed page; where they disagree the
 *   schema wins, as fal validates against it: num_frames 9–81 (the page says 9–100),
 *   num_inference_steps 1–75, ip_scale and strength 0–2, guidance_scale 1–20,
 *   guidance_scale_2 0–10.
 * - the price: "$0.6 per seconds" (https://fal.ai/models/bytedance/lynx/llms.txt, which renders
 *   fal's pricing API answer {unit_price: 0.6, unit: "seconds"}): per second of video, and the
 *   video lasts num_frames / frames_per_second seconds (81 / 16 ≈ 5 s by default).
 */
export const falLynx = defineModel({
	provider: 'fal',
	id: 'bytedance/lynx',
	label: 'Lynx',
	fields: [
		{
			wire: 'image_url',
			type: 'image',
			main: true,
			displayName: 'Image',
			description:
				'The photo of the person or subject to animate: a link (https://…) or a data: URI',
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
			description:
				'What you do not want to see in the video; fal’s default lists common flaws (blur, extra fingers, …)',
			rows: 3,
			default:
				'Bright tones, overexposed, blurred background, static, subtitles, style, works, paintings, images, overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, messy background, three legs, many people in the background, walking backwards',
		},
		{
			wire: 'num_inference_steps',
			type: 'number',
			integer: true,
			min: 1,
			max: 75,
			displayName: 'Quality Steps',
			description:
				'How many times the model refines the video, 1 to 75 (default 50): more can look better but takes longer',
			default: 50,
		},
		{
			wire: 'seed',
			type: 'number',
			integer: true,
			displayName: 'Seed',
			description:
				'A number that makes a result repeatable: the same seed and settings give the same video. Leave it out for a new one each time.',
			default: 0,
		},
		{
			wire: 'resolution',
			type: 'options',
			displayName: 'Resolution',
			description: 'Sharpness of the video: 480p, 580p or 720p (default, the sharpest)',
			values: ['480p', '580p', '720p'],
			default: '720p',
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
		{
			wire: 'ip_scale',
			min: 0,
			max: 2,
			type: 'number',
			displayName: 'Identity Strength',
			description:
				'How closely the person in the video keeps the look of the one in your image, 0 to 2 (default 1)',
			default: 1,
		},
		{
			wire: 'strength',
			min: 0,
			max: 2,
			type: 'number',
			displayName: 'Image Influence',
			description: 'How much your image shapes the whole video, 0 to 2 (default 1)',
			default: 1,
		},
		{
			wire: 'frames_per_second',
			type: 'number',
			integer: true,
			displayName: 'Frames per Second',
			description:
				'Pictures per second, 5 to 30 (default 16): more is smoother. With Number of Frames it sets the length: frames ÷ frames per second = seconds.',
			min: 5,
			max: 30,
			default: 16,
		},
		{
			wire: 'guidance_scale',
			min: 1,
			max: 20,
			type: 'number',
			displayName: 'Prompt Adherence',
			description:
				'How strictly the video follows your prompt, 1 to 20 (default 5): higher follows it more closely but can look less natural',
			default: 5,
		},
		{
			wire: 'guidance_scale_2',
			min: 0,
			max: 10,
			type: 'number',
			displayName: 'Image Adherence',
			description:
				'How strictly the video follows your image, 0 to 10 (default 2): higher follows it more closely but can look less natural',
			default: 2,
		},
		{
			wire: 'num_frames',
			type: 'number',
			integer: true,
			displayName: 'Number of Frames',
			description:
				'How many pictures the video has, 9 to 81 (default 81, about 5 seconds at 16 frames per second): more make a longer video',
			min: 9,
			max: 81,
			default: 81,
		},
	],
	videoLength: {
		frames: 'num_frames',
		framesPerSecond: 'frames_per_second',
		defaultFrames: 81,
		defaultFramesPerSecond: 16,
	},
	publishedPrice: { usd: 0.6, per: 'second' },
});
