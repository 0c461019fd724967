/**
 * What the WaveSpeed and fal Trigger nodes share: their parameters, and the handling of one
 * callback: verify it (callbackAuth.ts), drop redeliveries, turn the body into the output
 * item (callbackEvents.ts), filter by status, and download the video when asked.
 */
import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { downloadVideo } from './binary';
import { checkCallback, clearKeyCaches } from './callbackAuth';
import { falEvent, waveSpeedEvent } from './callbackEvents';
import { toNodeError } from './errors';
import type { Provider } from './models/types';
import { DEFAULT_MAX_DOWNLOAD_MB, outputProperties } from './runProperties';

// ------------------------------------------------------------------ parameters

const NOTICES: Record<Provider, string> = {
	wavespeed:
		'Copy the Production URL above into the Webhook URL of a WaveSpeed model node set to Submit Only, then publish (activate) this workflow. Every call is checked against your account’s webhook signing secret, fetched with the credential; unsigned, altered or replayed calls are refused.',
	fal: 'Copy the Production URL above into the Webhook URL of a fal model node set to Submit Only, then publish (activate) this workflow. Every call is checked against fal’s published signing keys (JWKS URL in the credential); unsigned, altered or replayed calls are refused.',
};

/** The Trigger nodes' parameters (the description of each node spreads them). */
export function triggerProperties(provider: Provider): INodeProperties[] {
	return [
		{
			displayName: NOTICES[provider],
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Trigger On',
			name: 'events',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Completed', value: 'completed', description: 'Only jobs that produced a video' },
				{ name: 'Completed or Failed', value: 'both', description: 'Every job that ended' },
				{ name: 'Failed', value: 'failed', description: 'Only jobs that failed' },
			],
			default: 'both',
		},
		...outputProperties(undefined),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Max Download Size (MB)',
					name: 'maxDownloadSize',
					type: 'number',
					typeOptions: { minValue: 1, numberPrecision: 0 },
					default: DEFAULT_MAX_DOWNLOAD_MB,
					description: 'A larger video, or one of another content type, is refused instead of filling the disk',
				},
			],
		},
	];
}

/** Forgets fetched secrets and keys, and delivered request ids, of this process (tests). */
export function clearTriggerCaches(): void {
	clearKeyCaches();
	inFlight.clear();
}

// ------------------------------------------------------------------ redeliveries

/** fal redelivers for up to 2 h; a delivered id is remembered a little longer. */
const DEDUPE_WINDOW_MS = 3 * 3_600_000;
const DEDUPE_MAX_PER_NODE = 1000;
const IN_FLIGHT_MAX = 10_000;
const STATIC_KEY = 'deliveredCallbacks';

/**
 * Callbacks of this process being handled or just handled, so a concurrent duplicate is seen
 * before the workflow's static data (saved only after the call) has it.
 */
const inFlight = new Map<string, { at: number; done: boolean }>();

function pruneInFlight(now: number): void {
	if (inFlight.size < IN_FLIGHT_MAX) return;
	for (const [key, entry] of inFlight) if (now - entry.at > DEDUPE_WINDOW_MS) inFlight.delete(key);
	while (inFlight.size >= IN_FLIGHT_MAX) inFlight.delete(inFlight.keys().next().value as string);
}

/** Delivered keys from the node's static data, without the expired ones, newest last. */
function deliveredRecord(staticData: IDataObject, now: number): Record<string, number> {
	const stored = staticData[STATIC_KEY];
	const entries = Object.entries(stored && typeof stored === 'object' ? (stored as IDataObject) : {})
		.filter((entry): entry is [string, number] => typeof entry[1] === 'number' && now - entry[1] <= DEDUPE_WINDOW_MS)
		.sort((a, b) => a[1] - b[1]);
	return Object.fromEntries(entries.slice(-DEDUPE_MAX_PER_NODE));
}

// ------------------------------------------------------------------ the webhook

interface ResponseLike {
	status(code: number): { json(body: unknown): unknown };
}

/** Answers the call itself and starts nothing. */
function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	(ctx.getResponseObject() as ResponseLike).status(status).json(body);
	return { noWebhookResponse: true };
}

const LABEL: Record<Provider, string> = { wavespeed: 'WaveSpeed Trigger', fal: 'fal Trigger' };

/**
 * A Trigger node's webhook(): verify (fail closed), ignore what is not a wanted job end, drop
 * redeliveries, and start the workflow with one item per job.
 */
export async function receiveCallback(ctx: IWebhookFunctions, provider: Provider): Promise<IWebhookResponseData> {
	const node = ctx.getNode();
	const checked = await checkCallback(ctx, provider);
	if (!checked.ok) {
		ctx.logger.warn(`${LABEL[provider]} "${node.name}" refused a callback: ${checked.reason}`);
		return answer(ctx, 401, { error: 'invalid signature' });
	}

	const event = provider === 'wavespeed' ? waveSpeedEvent(checked.body) : falEvent(checked.body);
	if (event.kind === 'ignored') {
		ctx.logger.debug(`${LABEL[provider]} "${node.name}" ignored a callback: ${event.reason}`);
		return answer(ctx, 200, { received: true, started: false });
	}
	const wanted = ctx.getNodeParameter('events', 'both') as string;
	if (wanted !== 'both' && wanted !== event.status) {
		return answer(ctx, 200, { received: true, started: false });
	}

	// From here to the item being handed over nothing is awaited unless a download is asked
	// for, so a concurrent duplicate always finds the entry.
	const now = Date.now();
	const key = `${event.requestId}:${event.status}`;
	const scope = `${ctx.getWorkflow().id ?? ''}/${node.id ?? node.name}/${provider}/${key}`;
	const staticData = ctx.getWorkflowStaticData('node');
	const delivered = deliveredRecord(staticData, now);
	const seen = inFlight.get(scope);
	if (delivered[key] !== undefined || (seen?.done && now - seen.at <= DEDUPE_WINDOW_MS)) {
		return answer(ctx, 200, { received: true, started: false, duplicate: true });
	}
	if (seen && !seen.done) {
		// The first delivery is still downloading; if it fails, this one must come again.
		return answer(ctx, 409, { error: 'this callback is already being handled' });
	}
	pruneInFlight(now);
	inFlight.set(scope, { at: now, done: false });

	const [item]: INodeExecutionData[] = ctx.helpers.returnJsonArray(event.json);
	if (event.status === 'completed' && ctx.getNodeParameter('output', 'url') === 'binary') {
		try {
			const propertyName = String(ctx.getNodeParameter('binaryPropertyName', 'data')).trim() || 'data';
			const maxMb = Number(ctx.getNodeParameter('options.maxDownloadSize', DEFAULT_MAX_DOWNLOAD_MB)) || DEFAULT_MAX_DOWNLOAD_MB;
			const binary = await downloadVideo(ctx, node, String(event.json.videoUrl), {
				provider,
				requestId: event.requestId,
				itemIndex: 0,
				maxBytes: maxMb * 1024 * 1024,
				contentType: event.contentType,
			});
			item.binary = { [propertyName]: binary };
		} catch (error) {
			// Not recorded as delivered: the provider's next delivery tries again.
			inFlight.delete(scope);
			throw toNodeError(node, error, { requestId: event.requestId, provider });
		}
	}
	inFlight.set(scope, { at: now, done: true });
	delivered[key] = now;
	staticData[STATIC_KEY] = deliveredRecord({ [STATIC_KEY]: delivered }, now);
	return { workflowData: [[item]] };
}
