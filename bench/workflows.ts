/**
 * The workflows the benchmark imports into n8n. Every one starts with a Webhook trigger
 * whose body is `{ tag, items: [{ prompt }] }`, splits `body.items` into one item per job
 * and ends in a node the bench reads from n8n's execution data:
 *
 * - ours: Request → Split Out → Model (this package's node) → Respond to Webhook
 *   (`responseMode: responseNode`, the shape a waiting node needs);
 * - the hand-built loop most users run today, from n8n's own nodes, against WaveSpeed's API:
 *   Request → Split Out → Submit (HTTP Request POST) → Wait (N s) → Status (HTTP Request GET
 *   …/predictions/{id}/result) → IF status = completed → Done, else back to Wait. Its Wait is
 *   under 65 s, so n8n sleeps in the process rather than parking the execution; the Webhook
 *   answers when the execution ends (`responseMode: lastNode`). With `download`, Done is an
 *   HTTP Request that fetches the video as a file (what the templates do next);
 * - the official WaveSpeed and fal nodes (bench/official.ts), shaped like ours: Request →
 *   Split Out → Model (their node, the same Lynx job ours submit) → Respond to Webhook.
 */
import { OFFICIAL, type OfficialId } from './official';

export const IMAGE_URL = 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg';

export type WaitMethod = 'poll' | 'webhook';

export interface OursSpec {
	kind: 'ours';
	id: string;
	path: string;
	provider: 'wavespeed' | 'fal';
	waitMethod: WaitMethod;
	output: 'url' | 'binary';
	/** Fixed poll interval in seconds (0: the node's own schedule / fal's status stream). */
	pollInterval?: number;
}

export interface LoopSpec {
	kind: 'loop';
	id: string;
	path: string;
	waitSeconds: number;
	/**
	 * No loop: the submit names the Wait node's resume URL as the provider's webhook and the Wait
	 * node waits for that call (n8n's own pause-until-called-back, with nothing of ours in it).
	 */
	resumeOnWebhook?: boolean;
	/** Fetch the finished video as a binary file after the loop. */
	download: boolean;
}

/** One of the official nodes with the settings a user would leave as they come. */
export interface OfficialSpec {
	kind: 'official';
	id: string;
	path: string;
	provider: OfficialId;
	/** WaveSpeed's Download Output option: the video as binary data (fal's node has none) */
	download?: boolean;
}

export type WorkflowSpec = OursSpec | LoopSpec | OfficialSpec;

/** n8n 2.x wants a UUID-shaped webhookId per Webhook node. */
function webhookId(id: string): string {
	let h = 0;
	for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
	return `b3c4a5e6-0000-4000-8000-${h.toString(16).padStart(12, '0').slice(-12)}`;
}

function trigger(spec: WorkflowSpec): Record<string, unknown> {
	return {
		id: `${spec.id}-trigger`,
		name: 'Request',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: webhookId(spec.id),
		parameters: {
			httpMethod: 'POST',
			path: spec.path,
			responseMode: spec.kind === 'loop' ? 'lastNode' : 'responseNode',
			...(spec.kind === 'loop' ? { responseData: 'noData' } : {}),
			options: {},
		},
	};
}

const splitOut = (spec: WorkflowSpec) => ({
	id: `${spec.id}-split`,
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [220, 0],
	parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
});

const main = (node: string) => [{ node, type: 'main', index: 0 }];

const respond = (spec: WorkflowSpec) => ({
	id: `${spec.id}-respond`,
	name: 'Respond',
	type: 'n8n-nodes-base.respondToWebhook',
	typeVersion: 1.1,
	position: [660, 0],
	// The video itself is not sent back: the bench reads the execution data.
	parameters: { respondWith: 'noData', options: {} },
});

/** Request → Split Out → Model → Respond, the shape ours and the official nodes share. */
function modelWorkflow(spec: OursSpec | OfficialSpec, model: Record<string, unknown>) {
	return {
		id: spec.id,
		name: `bench: ${spec.id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(spec),
			splitOut(spec),
			{ id: `${spec.id}-model`, name: 'Model', position: [440, 0], ...model },
			respond(spec),
		],
		connections: {
			Request: { main: [main('Split Out')] },
			'Split Out': { main: [main('Model')] },
			Model: { main: [main('Respond')] },
		},
	};
}

function oursWorkflow(spec: OursSpec): Record<string, unknown> {
	const options: Record<string, unknown> = { concurrency: 50 };
	if (spec.pollInterval) options.pollInterval = spec.pollInterval;
	const parameters: Record<string, unknown> =
		spec.provider === 'wavespeed'
			? { prompt: '={{ $json.prompt }}', image: IMAGE_URL }
			: { imageUrl: IMAGE_URL, prompt: '={{ $json.prompt }}' };
	Object.assign(parameters, { waitMethod: spec.waitMethod, output: spec.output, options });
	return modelWorkflow(spec, {
		type: `n8n-nodes-ai-video.${spec.provider === 'wavespeed' ? 'waveSpeedLynx' : 'falLynx'}`,
		typeVersion: 1,
		parameters,
		credentials:
			spec.provider === 'wavespeed'
				? { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } }
				: { falApi: { id: 'fal-emulator', name: 'fal account' } },
	});
}

/**
 * The official nodes on the same Lynx job as ours and the loop: WaveSpeed's Run Model with
 * `wavespeed-ai/lynx` and the loop's body; fal's Generate Media with `bytedance/lynx` (our fal
 * node's endpoint) and the two fields ours sends. Poll settings are the nodes' defaults
 * (WaveSpeed every 2 s; fal every 5 s, Wait for Completion on), as a user would leave them.
 */
function officialWorkflow(spec: OfficialSpec): Record<string, unknown> {
	const p = OFFICIAL[spec.provider];
	const parameters =
		spec.provider === 'wavespeed'
			? {
					resource: 'media',
					operation: 'runModel',
					model: 'wavespeed-ai/lynx',
					inputs: `={{ JSON.stringify({ prompt: $json.prompt, image: '${IMAGE_URL}', aspect_ratio: '16:9' }) }}`,
					options: spec.download ? { downloadOutput: true } : {},
				}
			: {
					resource: 'model',
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: 'bytedance/lynx' },
					modelParameters: {
						parameters: [
							{ parameter: 'image_url', value: IMAGE_URL },
							{ parameter: 'prompt', value: '={{ $json.prompt }}' },
						],
					},
					options: { waitForCompletion: true, pollInterval: 5, maxWaitTime: 600 },
				};
	return modelWorkflow(spec, {
		type: `${p.packageName}.${p.nodeName}`,
		typeVersion: 1,
		parameters,
		credentials: { [p.credential.type]: { id: p.credential.id, name: p.credential.name } },
	});
}

function loopWorkflow(
	spec: LoopSpec,
	ws: { baseUrl: string; apiKey: string },
): Record<string, unknown> {
	const auth = {
		sendHeaders: true,
		specifyHeaders: 'keypair',
		headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${ws.apiKey}` }] },
	};
	const done = spec.download
		? {
				id: `${spec.id}-done`,
				name: 'Done',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [1320, -100],
				parameters: {
					url: '={{ $json.data.outputs[0] }}',
					options: { response: { response: { responseFormat: 'file' } } },
				},
			}
		: {
				id: `${spec.id}-done`,
				name: 'Done',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [1320, -100],
				parameters: {},
			};
	return {
		id: spec.id,
		name: `bench: ${spec.id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(spec),
			splitOut(spec),
			{
				id: `${spec.id}-submit`,
				name: 'Submit',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [440, 0],
				parameters: {
					method: 'POST',
					url: spec.resumeOnWebhook
						? `=${ws.baseUrl}/api/v3/wavespeed-ai/lynx?webhook={{ encodeURIComponent($execution.resumeUrl) }}`
						: `${ws.baseUrl}/api/v3/wavespeed-ai/lynx`,
					...auth,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: `={{ JSON.stringify({ prompt: $json.prompt, image: '${IMAGE_URL}', aspect_ratio: '16:9' }) }}`,
					options: {},
				},
			},
			{
				id: `${spec.id}-wait`,
				name: 'Wait',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				position: [660, 0],
				webhookId: webhookId(`${spec.id}-wait`),
				parameters: spec.resumeOnWebhook
					? { resume: 'webhook', httpMethod: 'POST', options: {} }
					: { resume: 'timeInterval', amount: spec.waitSeconds, unit: 'seconds' },
			},
			{
				id: `${spec.id}-status`,
				name: 'Status',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [880, 0],
				parameters: {
					url: `=${ws.baseUrl}/api/v3/predictions/{{ $json.data.id }}/result`,
					...auth,
					options: {},
				},
			},
			{
				id: `${spec.id}-if`,
				name: 'Completed?',
				type: 'n8n-nodes-base.if',
				typeVersion: 2.2,
				position: [1100, 0],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							{
								id: `${spec.id}-cond`,
								leftValue: '={{ $json.data.status }}',
								rightValue: 'completed',
								operator: { type: 'string', operation: 'equals' },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
			},
			done,
		],
		connections: {
			Request: { main: [main('Split Out')] },
			'Split Out': { main: [main('Submit')] },
			Submit: { main: [main('Wait')] },
			// Resumed by the callback, the job has ended: no loop (Status and Completed? stay unwired).
			...(spec.resumeOnWebhook
				? { Wait: { main: [main('Done')] } }
				: {
						Wait: { main: [main('Status')] },
						Status: { main: [main('Completed?')] },
						'Completed?': { main: [main('Done'), main('Wait')] },
					}),
		},
	};
}

export function buildWorkflow(
	spec: WorkflowSpec,
	ws: { baseUrl: string; apiKey: string },
): Record<string, unknown> {
	if (spec.kind === 'ours') return oursWorkflow(spec);
	if (spec.kind === 'official') return officialWorkflow(spec);
	return loopWorkflow(spec, ws);
}
