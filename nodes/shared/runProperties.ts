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
				{ name: 'Video URL', value: 'url', description: 'JSON with the video URL(s)' },
				{
					name: 'Video File (Binary)',
					value: 'binary',
					description: 'JSON plus the downloaded video as binary data (provider URLs expire)',
				},
			],
			default: 'url',
			...(show ? { displayOptions: { show } } : {}),
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			required: true,
			description: 'Name of the binary property the video is written to',
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
	description: 'What happens to a job still running when the Timeout passes',
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
				description: 'Start the job and output the finished video',
			},
			{
				name: 'Submit Only',
				value: 'submitOnly',
				description: 'Start the job and output its request ID at once (pair with a Trigger node)',
			},
		],
		default: 'submitAndWait',
	},
	{
		displayName: 'Wait Method',
		name: 'waitMethod',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Poll',
				value: 'poll',
				description: 'Ask the provider until the job ends (fal: follow its status stream)',
			},
			{
				name: 'Webhook',
				value: 'webhook',
				description: 'Pause the execution, holding no worker, until the provider calls n8n back',
			},
		],
		default: 'poll',
		displayOptions: { show: { mode: ['submitAndWait'] } },
	},
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://your-n8n.example.com/webhook/…',
		description:
			'Optional URL the provider calls when the job ends, e.g. the production URL of a WaveSpeed or fal Trigger node',
		displayOptions: { show: { mode: ['submitOnly'] } },
	},
	...outputProperties({ mode: ['submitAndWait'] }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Unknown Prices',
				name: 'allowUnknownCost',
				type: 'boolean',
				default: true,
				description:
					'Whether items whose price neither the provider nor this node knows may run under Max Cost per Run (they are counted as unknown). Off, such items are refused.',
			},
			{
				displayName: 'Check Balance',
				name: 'checkBalance',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the account balance first and submit nothing when it is below the known cost of the run (fal shows balances to keys with billing rights, or through its REST API)',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
				default: DEFAULT_CONCURRENCY,
				description: 'How many items run at the same time; the rest wait for a free slot',
			},
			{
				displayName: 'Max Cost per Run (USD)',
				name: 'maxCost',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 5,
				description:
					"The most one run of this node may spend, priced before anything is bought (the provider's price, else the published one). A run above it submits nothing; with Continue On Fail, items are bought in order while they fit.",
			},
			{
				displayName: 'Max Download Size (MB)',
				name: 'maxDownloadSize',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: DEFAULT_MAX_DOWNLOAD_MB,
				description: 'A larger video, or one of another content type, is refused instead of filling the disk',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 1 },
				default: 0,
				description:
					'Fixed time between status checks. 0 (recommended) follows the model’s expected duration and fal’s status stream.',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: DEFAULT_TIMEOUT_SECONDS,
				description:
					'How long to wait for a job before the item fails with its request ID. On fal, On Timeout says whether the job is then cancelled; WaveSpeed jobs keep running (WaveSpeed cannot cancel one).',
			},
		],
	},
];
