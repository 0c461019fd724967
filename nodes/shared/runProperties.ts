/** The run parameters every model node shares (public names: shared/interface.md). */
import type { INodeProperties } from 'n8n-workflow';

import type { Provider } from './models/types';

export const DEFAULT_TIMEOUT_SECONDS = 1800;
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_MAX_DOWNLOAD_MB = 2048;

/**
 * Output and the binary field it shows, for the model nodes (only when they wait: `show`) and
 * the Trigger nodes (always).
 */
export function outputProperties(show: { mode: string[] } | undefined): INodeProperties[] {
	return [
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Video URL',
					value: 'url',
					description: 'A link to the video; the provider deletes it after a while (WaveSpeed after 7 days)',
				},
				{
					name: 'Video File (Binary)',
					value: 'binary',
					description: 'The link plus the video file itself, for the next nodes to save or upload (e.g. Google Drive, YouTube)',
				},
			],
			default: 'url',
			description: 'What the node outputs for each video: its link, or its link and the file',
			...(show ? { displayOptions: { show } } : {}),
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			description: 'Name of the binary field that holds the video in the output (n8n’s default is data)',
			displayOptions: { show: { ...show, output: ['binary'] } },
		},
	];
}

/** Providers with an API to cancel a job (WaveSpeed documents none). */
export const CAN_CANCEL: Record<Provider, boolean> = { wavespeed: false, fal: true };

const onTimeoutOption: INodeProperties = {
	displayName: 'On Timeout',
	name: 'onTimeout',
	type: 'options',
	options: [
		{
			name: 'Cancel the Job',
			value: 'cancel',
			description: 'Stop the job at the provider so it is not billed further; the item fails with its request ID',
		},
		{
			name: 'Keep It Running',
			value: 'keepRunning',
			description: 'Leave the job running; the item fails with its request ID, and Retry On Fail or a later run can pick it up',
		},
	],
	default: 'cancel',
	description: 'What happens to a job still running when the Timeout is up',
};

/** The run parameters of a model node of this provider. */
export function runPropertiesFor(provider: Provider): INodeProperties[] {
	if (!CAN_CANCEL[provider]) return runProperties;
	return runProperties.map((property) =>
		property.name === 'options'
			? {
					...property,
					options: [...(property.options as INodeProperties[]), onTimeoutOption].sort((a, b) =>
						a.displayName.localeCompare(b.displayName),
					),
				}
			: property,
	);
}

const runProperties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Submit and Wait',
				value: 'submitAndWait',
				// The nodes panel lists the options as actions, title-casing the name unless told.
				action: 'Submit and Wait',
				description: 'Start the video and wait for it: the node outputs the finished video',
			},
			{
				name: 'Submit Only',
				value: 'submitOnly',
				action: 'Submit Only',
				description:
					'Start the video and move on at once: the node outputs the job’s request ID, and a Job Finished Trigger workflow gets the video later',
			},
		],
		default: 'submitAndWait',
		description: 'Whether the workflow waits here for the video, or goes on and gets it later with a Trigger node',
	},
	{
		displayName: 'Wait Method',
		name: 'waitMethod',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Check Until Done',
				value: 'poll',
				description: 'The node keeps asking the provider until the video is ready. Simple; works everywhere.',
			},
			{
				name: 'Pause Until Called Back',
				value: 'webhook',
				description:
					'The workflow pauses and the provider tells n8n when the video is ready: nothing runs meanwhile, but the provider must reach your n8n over the internet',
			},
		],
		default: 'poll',
		description: 'How the node waits for the video. Both give the same output.',
		displayOptions: { show: { mode: ['submitAndWait'] } },
	},
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://your-n8n.example.com/webhook/…',
		description:
			'Optional: the address the provider calls when the video is ready, e.g. the Production URL of a WaveSpeed or fal Job Finished Trigger',
		displayOptions: { show: { mode: ['submitOnly'] } },
	},
	...outputProperties({ mode: ['submitAndWait'] }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		description: 'Spending limits, time limits and other settings; each has a safe default',
		options: [
			{
				displayName: 'Allow Unknown Prices',
				name: 'allowUnknownCost',
				type: 'boolean',
				default: true,
				description:
					'Whether videos whose price is not known may be made when Max Cost per Run is set (they count as unknown). Off, they are refused.',
			},
			{
				displayName: 'Check Balance',
				name: 'checkBalance',
				type: 'boolean',
				default: true,
				description:
					'Whether to check the account’s balance first and start nothing when it is below what the run will cost',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
				default: DEFAULT_CONCURRENCY,
				description: 'How many videos are made at the same time (1 to 100); the others wait their turn',
			},
			{
				displayName: 'Max Cost per Run (USD)',
				name: 'maxCost',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 5,
				description:
					'The most one run of this node may spend, in US dollars. Every video is priced before anything is bought; a run that would cost more starts nothing (with Continue On Fail, videos are made in order while they fit).',
			},
			{
				displayName: 'Max Download Size (MB)',
				name: 'maxDownloadSize',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: DEFAULT_MAX_DOWNLOAD_MB,
				description: 'A bigger video (or a file that is not a video) is refused instead of filling the disk',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 1 },
				default: 0,
				description:
					'Seconds between checks on the job. 0 (recommended) checks when the video can be ready and follows fal’s live status.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: DEFAULT_TIMEOUT_SECONDS,
				description:
					'How long to wait for a video before the item fails with its request ID (default 1800 s = 30 minutes). On fal, On Timeout says whether the job is then stopped; WaveSpeed cannot stop a job, so it keeps running.',
			},
		],
	},
];
