/**
 * The parameters of the any-model nodes (`waveSpeed`, `fal`; names fixed in
 * shared/interface.md, "Any-model nodes"): an operation, a model picked from the provider's
 * catalogue, its inputs typed from the provider's schema, input files from binaries, and the
 * run parameters every model node has.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { Provider } from '../models/types';
import { CAN_CANCEL, outputProperties, runPropertiesFor } from '../runProperties';

/** Which operations each provider has (fal alone can cancel a job). */
export function operationOptions(provider: Provider) {
	return [
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate with a model',
			description: 'Run the model on your inputs and output its result: videos, images or audio',
		},
		{
			name: 'Get Job',
			value: 'getJob',
			action: 'Get a job',
			description: 'Look up a job by its request ID (after a timeout, or from another workflow) and output its result',
		},
		...(CAN_CANCEL[provider]
			? [{ name: 'Cancel Job', value: 'cancelJob', action: 'Cancel a job', description: 'Stop a queued or running job' }]
			: []),
		{
			name: 'Get Price',
			value: 'getPrice',
			action: 'Get the price of a job',
			description: 'What a job with these inputs would cost, without running it',
		},
		{
			name: 'Get Balance',
			value: 'getBalance',
			action: 'Get the account balance',
			description: 'The credit left on the account',
		},
	];
}

const MODEL_PLACEHOLDER: Record<Provider, string> = {
	wavespeed: 'e.g. kwaivgi/kling-v2.6-std/image-to-video',
	fal: 'e.g. fal-ai/kling-video/v2.1/pro/image-to-video',
};

/** Shows a property for these operations only, keeping its other display conditions. */
function forOperations(property: INodeProperties, operations: string[]): INodeProperties {
	const show = { ...(property.displayOptions?.show ?? {}), operation: operations };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

export function anyModelProperties(provider: Provider): INodeProperties[] {
	const run = runPropertiesFor(provider);
	const runFor = (name: string, operations: string[]) =>
		run.filter((p) => p.name === name).map((p) => forOperations(p, operations));
	// Get Job outputs like Generate, but has no Mode: its Output shows for it on its own.
	const jobOutput = outputProperties(undefined).map((p) => forOperations(p, ['getJob']));
	const modelOperations = ['generate', 'getJob', 'cancelJob', 'getPrice'];
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			options: operationOptions(provider),
			default: 'generate',
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			required: true,
			description:
				provider === 'fal'
					? 'The fal model (endpoint). Video models are listed first; search by name for any other.'
					: 'The WaveSpeed model. Video models are listed first; search by name for any other.',
			modes: [
				{
					displayName: 'From List',
					name: 'list',
					type: 'list',
					typeOptions: { searchListMethod: 'searchModels', searchable: true },
				},
				{
					displayName: 'By ID',
					name: 'id',
					type: 'string',
					placeholder: MODEL_PLACEHOLDER[provider],
				},
			],
			// WaveSpeed finds a job by its id alone; fal needs the job's model to find it.
			displayOptions: {
				show: { operation: provider === 'fal' ? modelOperations : ['generate', 'getPrice'] },
			},
		},
		{
			displayName: 'Inputs',
			name: 'inputs',
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			required: true,
			description:
				"The model's input fields, from the provider's own schema; a field left empty is not sent, so the model's default applies",
			typeOptions: {
				loadOptionsDependsOn: ['model.value'],
				resourceMapper: {
					resourceMapperMethod: 'getInputFields',
					mode: 'add',
					fieldWords: { singular: 'input', plural: 'inputs' },
					addAllFields: true,
					multiKeyMatch: false,
					supportAutoMap: false,
				},
			},
			displayOptions: { show: { operation: ['generate', 'getPrice'] } },
		},
		{
			displayName: 'Input Files From Binary',
			name: 'binaryInputs',
			type: 'fixedCollection',
			placeholder: 'Add Input File',
			typeOptions: { multipleValues: true },
			default: {},
			description:
				"Files in the input item (an image, a video, an audio track) uploaded to the provider's storage; the URL goes into the chosen input field (a list field collects several)",
			options: [
				{
					name: 'files',
					displayName: 'File',
					values: [
						{
							displayName: 'Input Field Name or ID',
							name: 'field',
							type: 'options',
							typeOptions: { loadOptionsMethod: 'getFileFields', loadOptionsDependsOn: ['model.value'] },
							default: '',
							description:
								'The model input that takes the file. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						},
						{
							displayName: 'Input Binary Field',
							name: 'binaryProperty',
							type: 'string',
							default: 'data',
							description: 'Name of the binary property of the input item that holds the file',
						},
					],
				},
			],
			displayOptions: { show: { operation: ['generate'] } },
		},
		{
			displayName: 'Request ID',
			name: 'requestId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 764cabcf-b745-4b3e-ae38-1200304cf45b',
			description: 'The request ID of the job, as every item and error of these nodes gives it',
			displayOptions: { show: { operation: ['getJob', 'cancelJob'] } },
		},
		{
			displayName: 'Wait Until Done',
			name: 'waitUntilDone',
			type: 'boolean',
			default: true,
			description: 'Whether to wait for the job to end and output its result (as Generate does), or output its current state at once',
			displayOptions: { show: { operation: ['getJob'] } },
		},
		...runFor('mode', ['generate']),
		...runFor('waitMethod', ['generate']),
		...runFor('webhookUrl', ['generate']),
		...runFor('output', ['generate']),
		...runFor('binaryPropertyName', ['generate']),
		...jobOutput,
		...runFor('options', ['generate', 'getJob']),
	];
}
