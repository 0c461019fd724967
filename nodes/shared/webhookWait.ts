/**
 * Waiting by webhook: the node submits every item's job with the execution's resume URL as
 * the provider callback, parks the execution (no worker held) and is woken by callbacks.
 *
 * n8n's rules shape this (checked in n8n 2.40.5 and 1.123.x):
 * - webhook() that returns no workflowData leaves the execution waiting, so every callback
 *   but the last is acknowledged and changes nothing; the one that finds all jobs ended
 *   resumes the execution once with one item per input item.
 * - A callback is only a wake-up: the job states are fetched from the provider with the
 *   credential, so a forged request can neither inject a video URL nor end the wait with
 *   made-up data. The URL also carries a random nonce that must match the stored record.
 * - execute() is not called again after the pause. If no callback comes before the time
 *   limit, n8n resumes the execution itself and the node passes its input items through.
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { realClock } from './clock';
import { PROVIDER_NAMES, providerError, toNodeError } from './errors';
import type { Host } from './host';
import { endedJobJson, videoBinary } from './jobOutput';
import type { Delivery } from './jobOutput';
import type { ModelSpec } from './models/types';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';
import { forgetRecord, loadRecord } from './waitRecord';
import type { WaitRecord } from './waitRecord';

export const NONCE_PARAM = 'aivNonce';

export function newNonce(): string {
	return randomBytes(16).toString('hex');
}

/** The resume URL with our nonce added (2.x URLs already carry n8n's `signature` token). */
export function callbackUrl(resumeUrl: string, nonce: string): string {
	const url = new URL(resumeUrl);
	url.searchParams.set(NONCE_PARAM, nonce);
	return url.toString();
}

export interface EndedJob {
	itemIndex: number;
	requestId: string | null;
	/** The job's last status; undefined when it did not end in time. */
	status?: JobStatus;
	/** Why the item has no job (failed before submit). */
	error?: string;
}

function callFor(host: Host, itemIndex: number): CallContext {
	const node = host.getNode();
	return {
		ctx: host,
		node,
		clock: realClock,
		itemIndex,
		debug: (message) => host.logger.debug(`[${node.name}] item ${itemIndex}: ${message}`),
	};
}

/**
 * The output items of ended jobs, in input order. Failures become error items with the
 * request id when Continue On Fail is on; otherwise the first one is thrown.
 */
export async function itemsForEndedJobs(
	host: Host,
	model: ModelSpec,
	transport: ProviderTransport,
	jobs: EndedJob[],
	delivery: (itemIndex: number) => Delivery,
	continueOnFail: boolean,
	timeoutSeconds: number,
): Promise<INodeExecutionData[]> {
	const node = host.getNode();
	const secrets = await transport.secrets(host);
	const items: INodeExecutionData[] = [];
	for (const job of jobs) {
		const call = callFor(host, job.itemIndex);
		try {
			if (job.error !== undefined || !job.requestId) {
				throw providerError(node, { provider: model.provider, message: job.error ?? 'the item was not submitted', itemIndex: job.itemIndex });
			}
			if (!job.status) {
				throw providerError(node, {
					provider: model.provider,
					message: `the job did not finish within ${timeoutSeconds} s; raise the Timeout option for long jobs`,
					requestId: job.requestId,
					itemIndex: job.itemIndex,
					mayStillRun: true,
				});
			}
			const wanted = delivery(job.itemIndex);
			const json = await endedJobJson(call, model, transport, job.requestId, job.status, wanted.estimatedCost);
			const item: INodeExecutionData = { json, pairedItem: { item: job.itemIndex } };
			const binary = await videoBinary(call, model, json, wanted);
			if (binary) item.binary = binary;
			items.push(item);
		} catch (error) {
			const nodeError = toNodeError(node, error, { itemIndex: job.itemIndex, requestId: job.requestId ?? undefined, provider: model.provider, secrets });
			if (!continueOnFail) throw nodeError;
			const json: IDataObject = { error: nodeError.message, requestId: job.requestId, provider: model.provider, model: model.id };
			if (nodeError.description) json.errorDetails = nodeError.description;
			items.push({ json, pairedItem: { item: job.itemIndex } });
		}
	}
	return items;
}

const isEnded = (status: JobStatus) => status.phase === 'completed' || status.phase === 'failed';

/**
 * Asks the provider for every job in order, stopping at the first that has not ended
 * (unless `all`). Returns undefined for a job not asked about or not ended.
 */
export async function checkJobs(
	host: Host,
	model: ModelSpec,
	transport: ProviderTransport,
	requestIds: Array<string | null>,
	stopAtFirstRunning: boolean,
): Promise<{ statuses: Array<JobStatus | undefined>; allEnded: boolean }> {
	const statuses: Array<JobStatus | undefined> = [];
	let allEnded = true;
	for (const [itemIndex, requestId] of requestIds.entries()) {
		if (!requestId) {
			statuses.push(undefined);
			continue;
		}
		if (!allEnded && stopAtFirstRunning) {
			statuses.push(undefined);
			continue;
		}
		const call = { ...callFor(host, itemIndex), deadline: Date.now() + 10_000 };
		const status = await transport.status(call, model, requestId);
		call.debug(`job ${requestId}: ${status.phase}`);
		if (isEnded(status)) statuses.push(status);
		else {
			statuses.push(undefined);
			allEnded = false;
		}
	}
	return { statuses, allEnded };
}

function sameNonce(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Executions this process already resumed. n8n 2.x refuses a second resume itself; 1.x
 * does not, so two callbacks racing to the end must not both resume (per process; the
 * README notes the cross-process gap of 1.x queue mode).
 */
const resumed = new Set<string>();
const checking = new Set<string>();

function rememberResumed(nonce: string) {
	resumed.add(nonce);
	if (resumed.size > 1000) resumed.delete(resumed.values().next().value as string);
}

function continueOnFailOf(host: Host): boolean {
	const node = host.getNode();
	return node.continueOnFail === true || node.onError === 'continueRegularOutput' || node.onError === 'continueErrorOutput';
}

/** The model nodes' webhook(): a provider callback for a paused execution. */
export async function resumeFromWebhook(
	this: IWebhookFunctions,
	model: ModelSpec,
	transport: ProviderTransport,
): Promise<IWebhookResponseData> {
	const request = this.getRequestObject();
	const response = this.getResponseObject();
	const nonce = String((request.query as IDataObject | undefined)?.[NONCE_PARAM] ?? '');
	const record = nonce ? loadRecord(this, nonce) : undefined;
	if (!record || !sameNonce(record.nonce, nonce)) {
		response.status(401).json({ error: 'unknown callback' });
		return { noWebhookResponse: true };
	}
	if (resumed.has(nonce) || checking.has(nonce)) {
		// Another callback of this execution is already checking or has resumed it.
		response.status(200).json({ received: true });
		return { noWebhookResponse: true };
	}
	checking.add(nonce);
	try {
		const timedOut = Date.now() >= record.deadline;
		let checked: Awaited<ReturnType<typeof checkJobs>>;
		try {
			checked = await checkJobs(this, model, transport, record.jobs, !timedOut);
		} catch (error) {
			// The provider could not be asked: let it deliver again later rather than lose the wake-up.
			this.logger.warn(`[${this.getNode().name}] could not check the ${PROVIDER_NAMES[model.provider]} jobs: ${toNodeError(this.getNode(), error).message}`);
			response.status(503).json({ error: 'try again later' });
			return { noWebhookResponse: true };
		}
		response.status(200).json({ received: true });
		if (!checked.allEnded && !timedOut) return { noWebhookResponse: true };
		const delivery = (itemIndex: number): Delivery => ({
			output: record.output,
			binaryPropertyName: record.binaryPropertyName,
			maxDownloadBytes: record.maxDownloadBytes,
			estimatedCost: record.costs[itemIndex] ?? null,
		});
		const jobs: EndedJob[] = record.jobs.map((requestId, itemIndex) => ({
			itemIndex,
			requestId,
			status: checked.statuses[itemIndex],
			error: record.errors[itemIndex],
		}));
		rememberResumed(nonce);
		forgetRecord(this, nonce);
		const timeoutSeconds = Math.round((record.deadline - record.submittedAt) / 1000);
		const items = await itemsForEndedJobs(this, model, transport, jobs, delivery, continueOnFailOf(this), timeoutSeconds);
		return { noWebhookResponse: true, workflowData: [items] };
	} finally {
		checking.delete(nonce);
	}
}

export type { WaitRecord };
