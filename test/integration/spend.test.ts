/**
 * Spend control: every item priced before anything is bought (the provider's price API, else
 * the model table, else unknown), Max Cost per Run, Check Balance, and a provider that runs
 * out of credit in the middle of a run.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLtxVideoI2v720p } from '../../nodes/WaveSpeedLtxVideoI2v720p/WaveSpeedLtxVideoI2v720p.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { harness, items } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

async function failure(run: () => Promise<unknown>): Promise<NodeApiError | NodeOperationError> {
	try {
		await run();
	} catch (error) {
		return error as NodeApiError | NodeOperationError;
	}
	throw new Error('expected the run to fail');
}

const lynx = (count: number, options: IDataObject = {}, extra: { continueOnFail?: boolean } = {}) =>
	harness(new WaveSpeedLynx(), emu, (i) => ({ prompt: `clip ${i}`, image: IMG, options: { ...FAST, ...options } }), {
		items: items(count),
		...extra,
	});

describe('the price of every item, before paying', () => {
	it("WaveSpeed: the provider's price for the item's inputs, asked once per distinct input", async () => {
		const h = harness(
			new WaveSpeedSeedanceLiteI2v720p(),
			emu,
			(i) => ({ image: IMG, additionalFields: { duration: i < 3 ? 5 : 10 }, options: FAST }),
			{ items: items(5) },
		);
		const [out] = await h.run();
		expect(out.map((o) => o.json.estimatedCost)).toEqual([0.16, 0.16, 0.16, 0.32, 0.32]);
		expect(out.every((o) => o.json.costSource === 'provider' && o.json.costCurrency === 'USD')).toBe(true);
		// Two distinct inputs (duration 5 and 10): two price requests, all before the first submit.
		const prices = emu.requests.filter((r) => r.kind === 'price');
		expect(prices).toHaveLength(2);
		const firstSubmit = emu.requests.findIndex((r) => r.kind === 'submit');
		expect(emu.requests.findIndex((r) => r.kind === 'price')).toBeLessThan(firstSubmit);
		expect(prices.map((r) => (r.body as IDataObject).model_id)).toEqual([
			'bytedance/seedance-v1-lite-i2v-720p',
			'bytedance/seedance-v1-lite-i2v-720p',
		]);
	});

	it("fal: the endpoint's unit price (per second of video) made a price per item, one request per run", async () => {
		const h = harness(new FalLynx(), emu, (i) => ({ imageUrl: IMG, prompt: `c${i}`, additionalFields: { numFrames: 32 + i * 16 } }), {
			items: items(3),
		});
		const [out] = await h.run();
		// $0.60 × frames ÷ 16 fps
		expect(out.map((o) => o.json.estimatedCost)).toEqual([1.2, 1.8, 2.4]);
		expect(out.every((o) => o.json.costSource === 'provider')).toBe(true);
		expect(emu.count('price', 'fal')).toBe(1);
	});

	it("a price API that fails never stops the run: the table's price, else null (never a guess)", async () => {
		emu.inject({ kind: 'price', status: 500, times: Infinity });
		const [lynxOut] = await lynx(1).run();
		expect(lynxOut[0].json).toMatchObject({ status: 'completed', estimatedCost: 0.5, costSource: 'table' });
		const [ltxOut] = await harness(new WaveSpeedLtxVideoI2v720p(), emu, { image: IMG, prompt: 'p', options: FAST }).run();
		expect(ltxOut[0].json).toMatchObject({ status: 'completed', estimatedCost: null, costSource: null });
	});

	it('Submit Only items carry the price too', async () => {
		const [out] = await harness(new WaveSpeedLynx(), emu, { prompt: "p", image: IMG, mode: "submitOnly" }).run();
		expect(out[0].json).toMatchObject({ status: 'submitted', estimatedCost: 0.5, costSource: 'provider', costCurrency: 'USD' });
	});
});

describe('Max Cost per Run', () => {
	it('refuses a run whose known total is above the cap before any submit, naming total, cap and items', async () => {
		const error = await failure(() => lynx(3, { maxCost: 1 }).run());
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(
			'Max Cost per Run: this run would cost $1.50 for 3 items with a known price, above the Max Cost per Run of $1.00',
		);
		expect(error.description).toMatch(/^Nothing was submitted/);
		expect(emu.count('submit')).toBe(0);
	});

	it('lets a run at the cap through', async () => {
		const [out] = await lynx(2, { maxCost: 1 }).run();
		expect(out.map((o) => o.json.status)).toEqual(['completed', 'completed']);
	});

	it('counts items without a known price as unknown and refuses them by default', async () => {
		emu.inject({ kind: 'price', status: 500, times: Infinity });
		const ltx = (options: IDataObject) =>
			harness(new WaveSpeedLtxVideoI2v720p(), emu, { image: IMG, prompt: 'p', options: { ...FAST, ...options } }, { items: items(2) });
		const error = await failure(() => ltx({ maxCost: 10 }).run());
		expect(error.message).toMatch(/2 items have no known price \(items 0, 1\)/);
		expect(error.description).toMatch(/Allow Unknown Prices/);
		expect(emu.count('submit')).toBe(0);
		const [out] = await ltx({ maxCost: 10, allowUnknownCost: true }).run();
		expect(out.map((o) => o.json.status)).toEqual(['completed', 'completed']);
	});

	it('with Continue On Fail, buys in input order what fits; every refused item says why', async () => {
		const [out] = await lynx(4, { maxCost: 1.2 }, { continueOnFail: true }).run();
		expect(out.map((o) => o.json.status ?? 'error')).toEqual(['completed', 'completed', 'error', 'error']);
		expect(out[2].json.error).toBe(
			'Not submitted: this item ($0.50) would take the run to $1.50, above the Max Cost per Run of $1.20',
		);
		expect(out[3].json.error).toBe('Not submitted: the run reached its limit before this item');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(emu.count('submit')).toBe(2);
	});
});

describe('Check Balance', () => {
	it('WaveSpeed: refuses before any submit when the balance is below the known total', async () => {
		emu.setBalance('wavespeed', 1);
		const error = await failure(() => lynx(3, { checkBalance: true }).run());
		expect(error.message).toBe(
			"WaveSpeed: the balance of $1.00 is below this run's known cost of $1.50 (3 items), so nothing was submitted (Check Balance is on). Top up your WaveSpeed account",
		);
		expect(emu.count('balance', 'wavespeed')).toBe(1);
		expect(emu.count('submit')).toBe(0);
	});

	it('fal: reads the balance with a key without billing rights through the REST API', async () => {
		emu.setBalance('fal', 0.5);
		const error = await failure(() =>
			harness(new FalLynx(), emu, { imageUrl: IMG, prompt: 'p', options: { checkBalance: true } }).run(),
		);
		expect(error.message).toMatch(/^fal: the balance of \$0.50 is below this run's known cost of \$3.04 \(1 item\)/);
		// The documented read answered 403 (not an admin key); the REST one gave the number.
		expect(emu.requests.filter((r) => r.kind === 'balance').map((r) => [r.path, r.status])).toEqual([
			['/fal-api/v1/account/billing', 403],
			['/fal-rest/billing/user_balance', 200],
		]);
		expect(emu.count('submit')).toBe(0);
	});

	it('fal: an admin key reads the documented billing endpoint', async () => {
		emu.setBalance('fal', 50);
		const [out] = await harness(new FalLynx(), emu, { imageUrl: IMG, prompt: 'p', options: { checkBalance: true } }, { keys: { fal: emu.fal.adminKey } }).run();
		expect(out[0].json.status).toBe('completed');
		expect(emu.requests.filter((r) => r.kind === 'balance').map((r) => r.status)).toEqual([200]);
	});
});

describe('running out of credit in the middle of a run', () => {
	it.each([
		['WaveSpeed', () => new WaveSpeedLynx(), { image: IMG }, 'wavespeed', 1, /HTTP 402: Insufficient balance/],
		['fal', () => new FalLynx(), { imageUrl: IMG, additionalFields: { numFrames: 16 } }, 'fal', 1.2, /User is locked\. Reason: Exhausted balance/],
	] as const)('%s: later items are not submitted, every item says why, no retries', async (_name, node, params, provider, balance, reason) => {
		// Two items' worth of credit ($0.50 / $0.60 each), four items, one at a time.
		emu.setBalance(provider, balance);
		const h = harness(node(), emu, (i) => ({ prompt: `clip ${i}`, ...params, options: { ...FAST, concurrency: 1 } }), {
			items: items(4),
			continueOnFail: true,
		});
		const [out] = await h.run();
		expect(out.map((o) => o.json.status ?? 'error')).toEqual(['completed', 'completed', 'error', 'error']);
		expect(out[2].json.error).toMatch(reason);
		expect(out[3].json.error).toMatch(/^(WaveSpeed|fal): not submitted: (WaveSpeed|fal) refused an earlier item of this run for lack of credit \(/);
		expect(out[3].json.error).toMatch(reason);
		// Item 2's submit was refused once and not repeated; item 3 was never sent.
		expect(emu.count('submit')).toBe(3);
		expect(emu.jobs()).toHaveLength(2);
	});

	it('without Continue On Fail, the node fails with the provider\'s reason and buys nothing more', async () => {
		emu.setBalance('wavespeed', 0.5);
		const error = await failure(() => lynx(3, { concurrency: 1 }).run());
		expect(error.message).toMatch(/^WaveSpeed: Submitting the job failed with HTTP 402: Insufficient balance/);
		expect(emu.count('submit')).toBe(2);
	});
});
