/**
 * Between checking the items and buying them: every item priced (pricing.ts), then the run's
 * spend held to what the user allowed: the Max Cost of one execution of the node, and, when
 * asked, the account's balance. A run over either limit buys nothing (or, with Continue On
 * Fail, buys in input order only what fits, and every refused item says why).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorMessage, fieldError, providerError } from '../errors';
import { PriceList, formatUsd, roundUsd } from '../pricing';
import type { CallContext } from '../providers/types';
import type { Plan } from './plan';
import type { RunContext } from './submit';

export interface SpendOptions {
	/** USD one execution of the node may spend; undefined = no cap. */
	maxCost?: number;
	/** Whether items without a known price may go under a cap. */
	allowUnknownCost: boolean;
	checkBalance: boolean;
}

/** The spend options of the run (read from the first item: they are per execution). */
export function readSpendOptions(ctx: IExecuteFunctions): SpendOptions {
	const node = ctx.getNode();
	const options = (ctx.getNodeParameter('options', 0, {}) ?? {}) as Record<string, unknown>;
	let maxCost: number | undefined;
	if (options.maxCost !== undefined && options.maxCost !== null && options.maxCost !== '') {
		maxCost = Number(options.maxCost);
		if (!Number.isFinite(maxCost) || maxCost < 0) {
			throw fieldError(node, 0, 'Max Cost per Run', `must be an amount in USD of 0 or more (got ${JSON.stringify(options.maxCost)})`);
		}
	}
	return {
		maxCost,
		allowUnknownCost: options.allowUnknownCost === true,
		checkBalance: options.checkBalance === true,
	};
}

/** Why an item is not bought; becomes its error (or the node's, without Continue On Fail). */
export interface Refusal {
	itemIndex: number;
	error: NodeOperationError | ReturnType<typeof providerError>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Sets every plan's price (provider, table or unknown). */
export async function pricePlans(run: RunContext, plans: Plan[], call: CallContext): Promise<void> {
	// One list per model (an any-model node's items may name different models).
	const lists = new Map<string, PriceList>();
	const listFor = (plan: Plan) => {
		let list = lists.get(plan.model.id);
		if (!list) {
			list = new PriceList(plan.model, run.transport, call);
			lists.set(plan.model.id, list);
		}
		return list;
	};
	// A few at a time: identical inputs share one request, distinct ones are asked in parallel.
	const queue = [...plans];
	await Promise.all(
		Array.from({ length: Math.min(5, queue.length) }, async () => {
			while (queue.length) {
				const plan = queue.shift() as Plan;
				const price = await listFor(plan).priceOf(plan.body);
				plan.estimatedCost = price.usd;
				plan.costSource = price.source;
			}
		}),
	);
}

/**
 * The items to refuse under the run's limits, in input order. Items an earlier try of this
 * execution already bought count against the cap but are never refused: they are paid for.
 */
export async function checkSpend(
	run: RunContext,
	plans: Plan[],
	options: SpendOptions,
	continueOnFail: boolean,
	call: CallContext,
): Promise<Refusal[]> {
	const { node, providerName } = run;
	if (options.maxCost === undefined && !options.checkBalance) return [];
	const bought = (plan: Plan) => {
		const entry = run.ledger.find(plan.itemIndex, plan.print);
		return entry?.state === 'submitted' || entry?.state === 'done';
	};
	const toBuy = plans.filter((plan) => !bought(plan));
	const spent = roundUsd(plans.filter(bought).reduce((sum, plan) => sum + (plan.estimatedCost ?? 0), 0));
	const known = toBuy.filter((plan) => plan.estimatedCost !== null);
	const unknown = toBuy.filter((plan) => plan.estimatedCost === null);
	const total = roundUsd(known.reduce((sum, plan) => sum + (plan.estimatedCost as number), 0));

	let balance: number | undefined;
	if (options.checkBalance) {
		if (!run.transport.balance) {
			throw fieldError(node, 0, 'Check Balance', `${providerName} offers no way to read the balance`, 'Remove the option');
		}
		try {
			balance = await run.transport.balance(call);
		} catch (error) {
			throw providerError(node, {
				provider: run.provider,
				message: `the balance could not be read, so nothing was submitted (Check Balance is on): ${errorMessage(error).replace(/^(WaveSpeed|fal): /, '')}`,
			});
		}
		call.debug(`balance ${formatUsd(balance)}, this run's known cost ${formatUsd(total)}`);
	}

	const unknownNote = unknown.length
		? ` ${plural(unknown.length, 'item')} ${unknown.length === 1 ? 'has' : 'have'} no known price (items ${unknown.map((p) => p.itemIndex).join(', ')}).`
		: '';
	const capRefusesUnknown = options.maxCost !== undefined && unknown.length > 0 && !options.allowUnknownCost;
	const overCap = options.maxCost !== undefined && roundUsd(spent + total) > options.maxCost;
	const overBalance = balance !== undefined && total > balance;

	if (!continueOnFail) {
		if (overCap || capRefusesUnknown) {
			const cap = formatUsd(options.maxCost as number);
			const what = overCap
				? `this run would cost ${formatUsd(roundUsd(spent + total))} for ${plural(known.length + plans.length - toBuy.length, 'item')} with a known price, above the Max Cost per Run of ${cap}.${unknownNote}`
				: `the Max Cost per Run of ${cap} cannot be kept:${unknownNote}`;
			throw new NodeOperationError(node, `Max Cost per Run: ${what.replace(/\.$/, '')}`, {
				description: `Nothing was submitted. Raise Max Cost per Run, run fewer items${unknown.length ? ', or add the option "Allow Unknown Prices" to let items without a known price through' : ''}.`,
			});
		}
		if (overBalance) {
			throw providerError(node, {
				provider: run.provider,
				message: `the balance of ${formatUsd(balance as number)} is below this run's known cost of ${formatUsd(total)} (${plural(known.length, 'item')}), so nothing was submitted (Check Balance is on). Top up your ${providerName} account`,
			});
		}
		return [];
	}

	// Continue On Fail: buy in input order what fits; refuse the rest, each with its reason.
	const refusals: Refusal[] = [];
	let running = spent;
	let newSpend = 0;
	let full = false;
	for (const plan of toBuy) {
		const price = plan.estimatedCost;
		let reason: string | undefined;
		if (full) {
			reason = 'the run reached its limit before this item';
		} else if (price === null && options.maxCost !== undefined && !options.allowUnknownCost) {
			reason = `this item has no known price, and Max Cost per Run (${formatUsd(options.maxCost)}) lets only priced items through (option "Allow Unknown Prices")`;
		} else if (price !== null && options.maxCost !== undefined && roundUsd(running + price) > options.maxCost) {
			reason = `this item (${formatUsd(price)}) would take the run to ${formatUsd(roundUsd(running + price))}, above the Max Cost per Run of ${formatUsd(options.maxCost)}`;
			full = true;
		} else if (price !== null && balance !== undefined && roundUsd(newSpend + price) > balance) {
			reason = `this item (${formatUsd(price)}) would take the run's spend to ${formatUsd(roundUsd(newSpend + price))}, above the balance of ${formatUsd(balance)} (Check Balance)`;
			full = true;
		}
		if (reason) {
			refusals.push({
				itemIndex: plan.itemIndex,
				error: new NodeOperationError(node, `Not submitted: ${reason}`, {
					itemIndex: plan.itemIndex,
					description: 'Nothing was sent to the provider for this item.',
				}),
			});
			continue;
		}
		running = roundUsd(running + (price ?? 0));
		newSpend = roundUsd(newSpend + (price ?? 0));
	}
	return refusals;
}
