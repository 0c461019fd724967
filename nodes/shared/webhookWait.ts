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
import { timingSafeEqual } from 'crypto';
import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { realClock } from './clock';
import { PROVIDER_NAMES, providerError, toNodeError } from './errors';
import type { Host } from './host';
import { endedJobJson, errorItemJson, videoBinary } from './jobOutput';
import type { Delivery } from './jobOutput';
import type { ModelSpec } from './models/types';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';
import { forgetRecord, loadRecord } from './waitRecord';
import type { WaitRecord } from './waitRecord';

export const NONCE_PARAM = 'aivNonce';

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
	/** For a job that did not end in time: what became of it (cancelled, or still running). */
	afterTimeout?: string;
	/** Epoch ms of the submit, for the item's statusHistory. */
	submittedAt?: number;
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
	modelOf: (itemIndex: number) => ModelSpec,
	transport: ProviderTransport,
	jobs: EndedJob[],
	delivery: (itemIndex: number) => Delivery,
	continueOnFail: boolean,
	timeoutSeconds: number,
): Promise<INodeExecutionData[]> {
	const node = host.getNode();
	const secrets = await transport.secrets(host);
	const finish = async (job: EndedJob): Promise<INodeExecutionData> => {
		const call = callFor(host, job.itemIndex);
		const model = modelOf(job.itemIndex);
		try {
			if (job.error !== undefined || !job.requestId) {
				throw providerError(node, {
					provider: model.provider,
					message: job.error ?? 'the item was not submitted',
					itemIndex: job.itemIndex,
				});
			}
			if (!job.status) {
				const cancelled = job.afterTimeout?.startsWith('it was cancelled') === true;
				throw providerError(node, {
					provider: model.provider,
					message: `the job did not finish within ${timeoutSeconds} s; ${job.afterTimeout ?? 'it keeps running'}. Raise the Timeout option for long jobs`,
					requestId: job.requestId,
					itemIndex: job.itemIndex,
					mayStillRun: !cancelled,
				});
			}
			const wanted = delivery(job.itemIndex);
			const json = await endedJobJson(
				call,
				model,
				transport,
				job.requestId,
				job.status,
				wanted.estimatedCost,
				wanted.costSource,
			);
			// What a polled item lists as it happens; a resumed execution saw the submit and the end.
			if (job.submittedAt !== undefined) {
				json.statusHistory = [
					{ status: 'submitted', at: new Date(job.submittedAt).toISOString() },
					{ status: 'completed', at: new Date().toISOString() },
				];
			}
			const item: INodeExecutionData = { json, pairedItem: { item: job.itemIndex } };
			const binary = await videoBinary(call, model, json, wanted);
			if (binary) item.binary = binary;
			return item;
		} catch (error) {
			const nodeError = toNodeError(node, error, {
				itemIndex: job.itemIndex,
				requestId: job.requestId ?? undefined,
				provider: model.provider,
				secrets,
			});
			if (!continueOnFail)
				return { json: {}, error: nodeError, pairedItem: { item: job.itemIndex } };
			const json = errorItemJson(model, nodeError, job.requestId);
			return { json, pairedItem: { item: job.itemIndex } };
		}
	};
	// Ten at a time, as many as the polling path runs by default: fal needs one result request
	// per job, and binaries are (streamed) downloads.
	const items: INodeExecutionData[] = new Array(jobs.length);
	for (let start = 0; start < jobs.length; start += FINISH_GROUP) {
		const group = jobs.slice(start, start + FINISH_GROUP);
		(await Promise.all(group.map(finish))).forEach(
			(item, offset) => (items[start + offset] = item),
		);
	}
	const failed = items.find((item) => item.error);
	if (failed?.error) throw toNodeError(node, failed.error);
	return items;
}

const FINISH_GROUP = 10;

const isEnded = (status: JobStatus) => status.phase === 'completed' || status.phase === 'failed';

/**
 * Asks the provider about the jobs, ten at a time, stopping after the first group that has
 * one still running (unless told to ask about all). A job not asked about, or not ended,
 * has no status.
 */
export async function checkJobs(
	host: Host,
	modelOf: (itemIndex: number) => ModelSpec,
	transport: ProviderTransport,
	requestIds: Array<string | null>,
	stopAtFirstRunning: boolean,
): Promise<{ statuses: Array<JobStatus | undefined>; allEnded: boolean }> {
	const statuses: Array<JobStatus | undefined> = new Array(requestIds.length).fill(undefined);
	let allEnded = true;
	for (let start = 0; start < requestIds.length; start += CHECK_GROUP) {
		if (!allEnded && stopAtFirstRunning) break;
		await Promise.all(
			requestIds.slice(start, start + CHECK_GROUP).map(async (requestId, offset) => {
				if (!requestId) return;
				const itemIndex = start + offset;
				const call = { ...callFor(host, itemIndex), deadline: Date.now() + 10_000 };
				// One request per job: where the status read does not hold the output (fal), the
				// result read stands in for it (it says "not yet" for a running job).
				const read = transport.check ?? transport.status;
				const status = await read.call(transport, call, modelOf(itemIndex), requestId);
				call.debug(`job ${requestId}: ${status.phase}`);
				if (isEnded(status)) statuses[itemIndex] = status;
				else allEnded = false;
			}),
		);
	}
	return { statuses, allEnded };
}

const CHECK_GROUP = 10;

function sameNonce(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Executions this process already resumed. n8n 2.x refuses a second resume itself; 1.x
 * does not, so two callbacks racing to the end must not both resume. Per process is enough:
 * 1.x runs wait by webhook in a single process only (in 1.x queue mode the job list cannot
 * reach the webhook processor; see the README's Compatibility section).
 */
const resumed = new Set<string>();

/**
 * Callbacks of one execution share checks in a process. A callback that arrives while a check
 * runs must not be dropped (its job may have ended after that check asked about it), but it
 * need not queue a check of its own either: every callback arriving meanwhile joins one
 * follow-up check that starts when the running one ends. So n callbacks in a burst cost two
 * checks, and the last job's wake-up is always seen.
 */
interface Checks {
	running: Promise<CheckOutcome>;
	followUp?: Promise<CheckOutcome>;
}

/** What a check found: the items to resume with, or that the execution keeps waiting. */
type CheckOutcome = { resume: INodeExecutionData[] } | { wait: true } | { retryLater: true };

const checks = new Map<string, Checks>();

/** Runs `check` now, or after the running one, sharing it with other callbacks. */
function sharedCheck(
	nonce: string,
	check: () => Promise<CheckOutcome>,
): { outcome: Promise<CheckOutcome>; owner: boolean } {
	const settle = (promise: Promise<CheckOutcome>) => {
		const clear = () => {
			const now = checks.get(nonce);
			if (now?.running !== promise) return;
			if (now.followUp) checks.set(nonce, { running: now.followUp });
			else checks.delete(nonce);
		};
		promise.then(clear, clear);
		return promise;
	};
	const state = checks.get(nonce);
	if (!state) {
		const running = settle(check());
		checks.set(nonce, { running });
		return { outcome: running, owner: true };
	}
	if (state.followUp) return { outcome: state.followUp, owner: false };
	const followUp = settle(state.running.then(check, check));
	state.followUp = followUp;
	return { outcome: followUp, owner: true };
}

function rememberResumed(nonce: string) {
	resumed.add(nonce);
	if (resumed.size > 1000) resumed.delete(resumed.values().next().value as string);
}

function continueOnFailOf(host: Host): boolean {
	const node = host.getNode();
	return (
		node.continueOnFail === true ||
		node.onError === 'continueRegularOutput' ||
		node.onError === 'continueErrorOutput'
	);
}

/**
 * The model each job of a record was bought for: the node's own (curated nodes), or the one
 * the record names (any-model nodes), as much of it as reading a job needs.
 */
function modelsOf(record: WaitRecord, model: ModelSpec | undefined, provider: ModelSpec['provider']) {
	const cache = new Map<string, ModelSpec>();
	return (itemIndex: number): ModelSpec => {
		const id = record.models?.[itemIndex];
		if (!id) return model ?? { provider, id: '', label: '', fields: [], fromSchema: true };
		if (model?.id === id) return model;
		let spec = cache.get(id);
		if (!spec) {
			spec = { provider, id, label: id, fields: [], fromSchema: true };
			cache.set(id, spec);
		}
		return spec;
	};
}

/** The model nodes' webhook(): a provider callback for a paused execution. */
export async function resumeFromWebhook(
	this: IWebhookFunctions,
	model: ModelSpec | undefined,
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
	const shared = sharedCheck(nonce, async () => {
		if (resumed.has(nonce)) return { wait: true };
		return await checkAndResume(this, modelsOf(record, model, transport.provider), transport, record);
	});
	if (!shared.owner) {
		// Joined a follow-up check that another callback owns (and answers for): nothing here
		// depends on its outcome, so the provider gets its answer now instead of after a check
		// of every job (with 50 fal jobs, longer than fal waits for an answer).
		response.status(200).json({ received: true });
		return { noWebhookResponse: true };
	}
	let outcome: CheckOutcome;
	try {
		outcome = await shared.outcome;
	} catch (error) {
		// A failed job without Continue On Fail fails the resumed node; the callbacks the check
		// stood in for only acknowledged, so the execution fails once.
		throw toNodeError(this.getNode(), error);
	}
	if ('retryLater' in outcome) {
		response.status(503).json({ error: 'try again later' });
		return { noWebhookResponse: true };
	}
	response.status(200).json({ received: true });
	// Only the callback that ran the check resumes; the others it stood in for just acknowledged.
	if ('resume' in outcome) return { noWebhookResponse: true, workflowData: [outcome.resume] };
	return { noWebhookResponse: true };
}

async function checkAndResume(
	host: IWebhookFunctions,
	modelOf: (itemIndex: number) => ModelSpec,
	transport: ProviderTransport,
	record: WaitRecord,
): Promise<CheckOutcome> {
	const timedOut = Date.now() >= record.deadline;
	let checked: Awaited<ReturnType<typeof checkJobs>>;
	try {
		checked = await checkJobs(host, modelOf, transport, record.jobs, !timedOut);
	} catch (error) {
		// The provider could not be asked: let it deliver again later rather than lose the wake-up.
		const secrets = await transport.secrets(host).catch(() => []);
		host.logger.warn(
			`[${host.getNode().name}] could not check the ${PROVIDER_NAMES[transport.provider]} jobs: ${toNodeError(host.getNode(), error, { secrets }).message}`,
		);
		return { retryLater: true };
	}
	if (!checked.allEnded && !timedOut) return { wait: true };
	const delivery = (itemIndex: number): Delivery => ({
		output: record.output,
		binaryPropertyName: record.binaryPropertyName,
		maxDownloadBytes: record.maxDownloadBytes,
		estimatedCost: record.costs[itemIndex] ?? null,
		costSource: record.costSources?.[itemIndex] ?? null,
	});
	const jobs: EndedJob[] = record.jobs.map((requestId, itemIndex) => ({
		itemIndex,
		requestId,
		status: checked.statuses[itemIndex],
		error: record.errors[itemIndex],
		submittedAt: record.submittedAt,
	}));
	if (timedOut) await settleTimedOut(host, modelOf, transport, jobs, record.cancelOnTimeout === true);
	rememberResumed(record.nonce);
	forgetRecord(host, record.nonce);
	const timeoutSeconds = Math.round((record.deadline - record.submittedAt) / 1000);
	return {
		resume: await itemsForEndedJobs(
			host,
			modelOf,
			transport,
			jobs,
			delivery,
			continueOnFailOf(host),
			timeoutSeconds,
		),
	};
}

/**
 * A callback after the deadline: the jobs still running are cancelled where the user chose so
 * (On Timeout) and the provider can; a job that turns out to have ended meanwhile is delivered.
 */
async function settleTimedOut(
	host: IWebhookFunctions,
	modelOf: (itemIndex: number) => ModelSpec,
	transport: ProviderTransport,
	jobs: EndedJob[],
	cancel: boolean,
): Promise<void> {
	const name = PROVIDER_NAMES[transport.provider];
	await Promise.all(
		jobs.map(async (job) => {
			if (job.status || !job.requestId || job.error !== undefined) return;
			if (!cancel || !transport.cancel) {
				job.afterTimeout = transport.cancel
					? 'it keeps running (On Timeout: Keep Running)'
					: `it keeps running: ${name} offers no way to cancel a job`;
				return;
			}
			const call = callFor(host, job.itemIndex);
			const model = modelOf(job.itemIndex);
			try {
				const cancelled = await transport.cancel(call, model, job.requestId);
				if (cancelled.outcome === 'alreadyEnded') {
					const status = await transport.status(call, model, job.requestId);
					if (isEnded(status)) job.status = status;
				}
				job.afterTimeout =
					cancelled.outcome === 'requested'
						? `it was cancelled at ${name} (On Timeout: Cancel), so it stops running and billing`
						: `cancelling it failed${cancelled.outcome === 'failed' ? ` (${cancelled.detail})` : ''}, so it may still be running`;
			} catch {
				job.afterTimeout = 'cancelling it failed, so it may still be running';
			}
		}),
	);
}

export type { WaitRecord };
