/**
 * Signs of life while a job runs: every change of status (never every check) goes to n8n's
 * log at info and to the browser console of a manual run (sendMessageToUI), and the output
 * item lists the changes with their times (`statusHistory`).
 */
import type { INodeType } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { harness } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

const cases: Array<[string, INodeType, Record<string, unknown>, Record<string, unknown>]> = [
	[
		'WaveSpeed Lynx, polled',
		new WaveSpeedLynx(),
		{ prompt: 'p', image: IMG },
		{ pollInterval: 0.05 },
	],
	['fal Lynx, on its status stream', new FalLynx(), { prompt: 'p', imageUrl: IMG }, {}],
];

describe.each(cases)('%s', (_name, node, parameters, options) => {
	it('lists queued, running and completed with their times on the item, and logs each change once', async () => {
		emu.setPlan({ durationMs: 900, queueMs: 300 });
		const h = harness(node, emu, { ...parameters, options });
		const [[item]] = await h.run();

		const history = item.json.statusHistory as Array<{ status: string; at: string }>;
		expect(history.map((h) => h.status)).toEqual(['submitted', 'queued', 'running', 'completed']);
		const times = history.map((h) => Date.parse(h.at));
		expect(times.every((t) => Number.isFinite(t))).toBe(true);
		expect([...times].sort((a, b) => a - b)).toEqual(times);
		expect(history.every((h) => new Date(h.at).toISOString() === h.at)).toBe(true);

		const changes = h.logs.filter(
			(l) => l.level === 'info' && / job .* is (queued|running|completed)/.test(l.message),
		);
		expect(changes.map((l) => /is (\w+)/.exec(l.message)?.[1])).toEqual([
			'queued',
			'running',
			'completed',
		]);
		expect(changes[0].message).toContain(String(item.json.requestId));
		// The same three lines reach a manual run's browser console, and nothing more.
		expect(h.uiMessages).toHaveLength(3);
		expect(String(h.uiMessages[1])).toMatch(/^item 0: (WaveSpeed|fal) job \S+ is running/);
	});
});

it('logs status changes, not status checks', async () => {
	emu.setPlan({ durationMs: 1200, queueMs: 100 });
	const h = harness(new WaveSpeedLynx(), emu, {
		prompt: 'p',
		image: IMG,
		options: { pollInterval: 0.05 },
	});
	await h.run();
	expect(emu.count('result', 'wavespeed')).toBeGreaterThan(5);
	expect(h.logs.filter((l) => l.level === 'info' && / is running/.test(l.message))).toHaveLength(1);
});
