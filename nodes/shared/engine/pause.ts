/**
 * Step 3 of a run, by webhook: every job was submitted with this execution's resume URL. Finish
 * at once if they all ended already, else store the job list and park the execution until the
 * callbacks come (webhookWait.ts takes it from there).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fieldError } from '../errors';
import type { Delivery } from '../jobOutput';
import { MAX_WAITING_JOBS, reserveRecord, saveRecord } from '../waitRecord';
import type { WaitRecord } from '../waitRecord';
import { callbackUrl, checkJobs, itemsForEndedJobs } from '../webhookWait';
import type { Plan } from './plan';
import type { RunContext } from './submit';

/**
 * Before the first submit: the callback URL every job gets, and the room for the job list.
 * Throws, with nothing bought, when this execution could not be resumed.
 */
export function prepareWebhookWait(run: RunContext, plans: Plan[], itemCount: number): string {
	const { ctx, node, ledger } = run;
	if (itemCount > MAX_WAITING_JOBS) {
		throw fieldError(
			node,
			0,
			'Wait Method',
			`waiting by webhook handles at most ${MAX_WAITING_JOBS} items per run (got ${itemCount})`,
			'Use Wait Method "Check Until Done", or split the items with a Loop Over Items node',
		);
	}
	const resumeUrl = String(ctx.getWorkflowDataProxy(0).$execution.resumeUrl ?? '');
	if (!/^https?:\/\//.test(resumeUrl)) {
		throw fieldError(node, 0, 'Wait Method', 'n8n gave no resume URL for this execution', 'Use Wait Method "Check Until Done"');
	}
	const room = reserveRecord(ctx, itemCount);
	if (!room.ok) {
		throw fieldError(
			node,
			0,
			'Wait Method',
			`the list of jobs to wait for cannot be stored: ${room.problem}`,
			'Use Wait Method "Check Until Done", split the items with a Loop Over Items node, or set fewer custom data entries (Execution Data node, $execution.customData) in this workflow',
		);
	}
	// The same nonce on every try of this execution (Retry On Fail): jobs bought by an earlier
	// try call back with it and must still be able to resume the execution.
	const url = callbackUrl(resumeUrl, ledger.nonce());
	for (const plan of plans) plan.webhookUrl = url;
	return ledger.nonce();
}

export async function pauseUntilCallbacks(
	run: RunContext,
	ctx: IExecuteFunctions,
	plans: Plan[],
	results: INodeExecutionData[],
	submittedIds: Array<string | null>,
	nonce: string,
): Promise<INodeExecutionData[][]> {
	const { node, transport, ledger, providerName } = run;
	const first = plans[0];
	const errors: Record<number, string> = {};
	results.forEach((item, index) => {
		if (item && typeof item.json.error === 'string') errors[index] = item.json.error;
	});
	const byItem = new Map(plans.map((p) => [p.itemIndex, p]));
	const delivery = (itemIndex: number): Delivery => byItem.get(itemIndex) ?? first;
	const modelOf = (itemIndex: number) => (byItem.get(itemIndex) ?? first).model;
	const timeoutSeconds = Math.round(first.timeoutMs / 1000);
	const checked = await checkJobs(ctx, modelOf, transport, submittedIds, true);
	if (checked.allEnded) {
		const jobs = submittedIds.map((requestId, itemIndex) => ({
			itemIndex,
			requestId,
			status: checked.statuses[itemIndex],
			error: errors[itemIndex],
		}));
		const output = await itemsForEndedJobs(ctx, modelOf, transport, jobs, delivery, ctx.continueOnFail(), timeoutSeconds);
		ledger.clear();
		return [output];
	}
	const submittedAt = Date.now();
	const record: WaitRecord = {
		nonce,
		deadline: submittedAt + first.timeoutMs,
		submittedAt,
		output: first.output,
		binaryPropertyName: first.binaryPropertyName,
		maxDownloadBytes: first.maxDownloadBytes,
		jobs: submittedIds,
		errors,
		costs: submittedIds.map((_, index) => byItem.get(index)?.estimatedCost ?? null),
		costSources: submittedIds.map((_, index) => byItem.get(index)?.costSource ?? null),
		// Any-model nodes: the callbacks must know each job's model (fal reads a job under it).
		models: first.model.fromSchema ? submittedIds.map((id, index) => (id ? modelOf(index).id : null)) : undefined,
		cancelOnTimeout: first.onTimeout === 'cancel' && transport.cancel !== undefined,
	};
	if (!saveRecord(ctx, record)) {
		throw new NodeOperationError(
			node,
			`Could not store the list of jobs to wait for; the jobs are submitted: ${submittedIds.filter(Boolean).join(', ')}`,
			{ description: 'Use Wait Method "Check Until Done", or free some of the execution custom data keys.' },
		);
	}
	ctx.logger.info(
		`[${node.name}] waiting for ${providerName} callbacks: ${submittedIds.filter(Boolean).join(', ')}`,
	);
	ledger.clear();
	await ctx.putExecutionToWait(new Date(record.deadline));
	return [ctx.getInputData().map((item, index) => ({ json: item.json, pairedItem: { item: index } }))];
}
