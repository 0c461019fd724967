import { defineModel } from '../types';

/**
 * seeds/fal-lynx.txt, with what fal serves today (no duration published):
 * - the app id: fal's client lists Lynx as `bytedance/lynx` since 2025-12 (fal-js
 *   libs/client/src/types/endpoints.ts); `fal-ai/lynx` is gone from it.
 * - the ranges: fal's OpenAPI schema for the app (as generated into TanStack/ai's fal types
 *   and fal's llms.txt) bounds the numbers tighter than the seed page; where they disagree the
 *   schema wins, as fal validates against it: num_frames 9–81 (the page says 9–100),
 *   num_inference_steps 1–75, ip_scale and strength 0–2, guidance_scale 1–20,
 *   guidance_scale_2 0–10.
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
			displayName: 'Image URL',
			description: 'The subject image for video generation, as a public URL or a Base64 data: URI',
			required: true,
		},
		{
			wire: 'prompt',
			type: 'string',
			displayName: 'Prompt',
			description: 'Text prompt to guide video generation',
			required: true,
			rows: 3,
		},
		{
			wire: 'negative_prompt',
			type: 'string',
			displayName: 'Negative Prompt',
			description: 'Negative prompt to guide what should not appear in the generated video',
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
			displayName: 'Num Inference Steps',
			description: 'Number of inference steps for sampling. Higher values give better quality but take longer.',
			default: 50,
		},
		{
			wire: 'seed',
			type: 'number',
			integer: true,
			displayName: 'Seed',
			description: 'Random seed for reproducibility; leave the field out for a random seed',
			default: 0,
		},
		{
			wire: 'resolution',
			type: 'options',
			displayName: 'Resolution',
			description: 'Resolution of the generated video',
			values: ['480p', '580p', '720p'],
			default: '720p',
		},
		{
			wire: 'aspect_ratio',
			type: 'options',
			displayName: 'Aspect Ratio',
			description: 'Aspect ratio of the generated video',
			values: ['16:9', '9:16', '1:1'],
			default: '16:9',
		},
		{
			wire: 'ip_scale',
			min: 0,
			max: 2,
			type: 'number',
			displayName: 'IP Scale',
			description: "Identity preservation scale: how closely the video preserves the subject's identity",
			default: 1,
		},
		{
			wire: 'strength',
			min: 0,
			max: 2,
			type: 'number',
			displayName: 'Strength',
			description: 'Reference image scale: the influence of the reference image on the video',
			default: 1,
		},
		{
			wire: 'frames_per_second',
			type: 'number',
			integer: true,
			displayName: 'Frames Per Second',
			description: 'Frames per second of the generated video (5 to 30)',
			min: 5,
			max: 30,
			default: 16,
		},
		{
			wire: 'guidance_scale',
			min: 1,
			max: 20,
			type: 'number',
			displayName: 'Guidance Scale',
			description: 'Classifier-free guidance scale: higher follows the prompt more, may lower quality',
			default: 5,
		},
		{
			wire: 'guidance_scale_2',
			min: 0,
			max: 10,
			type: 'number',
			displayName: 'Guidance Scale 2',
			description: 'Image guidance scale: higher follows the reference image more, may lower quality',
			default: 2,
		},
		{
			wire: 'num_frames',
			type: 'number',
			integer: true,
			displayName: 'Num Frames',
			description: 'Number of frames in the generated video (9 to 81)',
			min: 9,
			max: 81,
			default: 81,
		},
	],
	// Frames over frame rate: fal prices Lynx per second of video.
	outputSeconds: (body) => Number(body.num_frames ?? 81) / Number(body.frames_per_second ?? 16),
});
