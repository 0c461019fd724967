/**
 * n8n's Retry On Fail re-runs the node inside the same execution (same node static data, same
 * custom data). These tests stand for the tries with harnesses that share both, and check that
 * no try buys a job an earlier try may already have bought.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { JobLedger } from '../../nodes/shared/ledger';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
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

describe.each([
	['WaveSpeed Lynx', () => new WaveSpeedLynx(), { prompt: 'p', image: IMG }],
	['fal Lynx', () => new FalLynx(), { prompt: 'p', imageUrl: IMG }],
] as const)('%s: a submit whose answer was lost', (_name, node, params) => {
	it('is never submitted again by a retry, and the error says why and how to find the job', async () => {
		// The provider takes the job, then the connection drops before the answer is read.
		emu.inject({ kind: 'submit', acceptThenFail: true, reset: true });
		const staticData: IDataObject = {};
		const first = harness(node(), emu, { ...params, options: FAST }, { staticData });
		await expect(first.run()).rejects.toThrow(/may have created the job/);
		expect(emu.jobs()).toHaveLength(1);

		const retry = harness(node(), emu, { ...params, options: FAST }, { staticData });
		const error = await retry.run().then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		const { message, description } = error as NodeApiError;
		expect(message).toMatch(/an earlier try of this execution sent this item's job \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) and got no answer/);
		expect(message).toMatch(/ECONNRESET/);
		expect(message).toMatch(/not submitted again/);
		expect(description).toMatch(/dashboard/);
		expect(emu.count('submit')).toBe(1);
		expect(emu.jobs()).toHaveLength(1);
	});

	it('with Continue On Fail, the item is an error item saying the job may exist', async () => {
		emu.inject({ kind: 'submit', acceptThenFail: true, reset: true, after: 1 });
		const h = harness(node(), emu, (i) => ({ ...params, prompt: `clip ${i}`, options: FAST }), {
			items: items(2),
			continueOnFail: true,
		});
		const [out] = await h.run();
		expect(out[0].json.status).toBe('completed');
		expect(out[1].json.error).toMatch(/may have created the job anyway: check your dashboard/);
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(emu.count('submit')).toBe(2);
	});
});

describe('a submit the provider answered with an error', () => {
	it('a refusal (4xx) is bought by the retry: the provider said no job was made', async () => {
		emu.inject({ kind: 'submit', provider: 'wavespeed', status: 422, body: { code: 422, message: 'try later' } });
		const staticData: IDataObject = {};
		const params = { prompt: 'p', image: IMG, options: FAST };
		await expect(harness(new WaveSpeedLynx(), emu, params, { staticData }).run()).rejects.toThrow(/HTTP 422/);
		const [out] = await harness(new WaveSpeedLynx(), emu, params, { staticData }).run();
		expect(out[0].json.status).toBe('completed');
		expect(emu.jobs()).toHaveLength(1);
	});

	it.each([
		['WaveSpeed', () => new WaveSpeedLynx(), { prompt: 'p', image: IMG }, 'wavespeed'],
		['fal', () => new FalLynx(), { prompt: 'p', imageUrl: IMG }, 'fal'],
	] as const)('%s: a server error (5xx) may hide a job the provider took: the retry does not buy it', async (_name, node, params, provider) => {
		emu.inject({ kind: 'submit', provider, status: 500, acceptThenFail: true });
		const staticData: IDataObject = {};
		await expect(harness(node(), emu, { ...params, options: FAST }, { staticData }).run()).rejects.toThrow(
			/HTTP 500.*may have created the job anyway/,
		);
		await expect(harness(node(), emu, { ...params, options: FAST }, { staticData }).run()).rejects.toThrow(
			/an earlier try of this execution sent this item's job .* \(.*HTTP 500.*\)\. The job may exist and be billed, so it was not submitted again/,
		);
		expect(emu.count('submit')).toBe(1);
		expect(emu.jobs()).toHaveLength(1);
	});

	it('a WaveSpeed envelope code 5xx inside an HTTP 200 counts as a server error', async () => {
		emu.inject({ kind: 'submit', provider: 'wavespeed', envelopeCode: 500, acceptThenFail: true });
		const staticData: IDataObject = {};
		const params = { prompt: 'p', image: IMG, options: FAST };
		await expect(harness(new WaveSpeedLynx(), emu, params, { staticData }).run()).rejects.toThrow(/may have created the job anyway/);
		await expect(harness(new WaveSpeedLynx(), emu, params, { staticData }).run()).rejects.toThrow(/not submitted again/);
		expect(emu.count('submit')).toBe(1);
	});
});

describe('the Retry On Fail ledger', () => {
	it("never drops another running execution's entries (executions sharing the static data)", async () => {
		const staticData: IDataObject = {};
		const ctxFor = (executionId: string) =>
			harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG }, { staticData, executionId }).ctx;
		const a = new JobLedger(ctxFor('exec-a'));
		a.submitted(0, 'print-a', 'job-a', 1);
		// Another execution of the same workflow starts while exec-a still runs.
		const b = new JobLedger(ctxFor('exec-b'));
		b.submitted(0, 'print-b', 'job-b', 2);
		b.clear();
		const again = new JobLedger(ctxFor('exec-a'));
		expect(again.find(0, 'print-a')?.requestId).toBe('job-a');
	});

	it('drops the entries of executions untouched for a week', () => {
		const staticData: IDataObject = {};
		const ctxFor = (executionId: string) =>
			harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG }, { staticData, executionId }).ctx;
		const old = new JobLedger(ctxFor('exec-old'), Date.now() - 8 * 24 * 3_600_000);
		old.submitted(0, 'print', 'job-old', 1);
		const stored = staticData.aiVideoJobs as Record<string, { touchedAt: number }>;
		stored['exec-old'].touchedAt = Date.now() - 8 * 24 * 3_600_000;
		new JobLedger(ctxFor('exec-new'));
		expect(Object.keys(staticData.aiVideoJobs as IDataObject)).toEqual(['exec-new']);
	});
});
