/**
 * Spend control in real n8n (`n8n execute`, every version under test), for a curated node
 * (WaveSpeed Lynx, $0.50 a clip) and an any-model node (fal, Kling 2.1 Pro, $0.098 per second
 * of video): Max Cost per Run refuses a run over the cap before anything is bought, Check
 * Balance refuses a run the balance cannot pay, and an account that runs out of credit in the
 * middle of a run buys nothing more, every item saying why.
 */
import { startEmulator, type Emulator } from '../emulator/emulator';
import { e2eVersions, exampleCredentials, N8n, packedTarball, timed } from './n8n';

const IMAGE = 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg';
const KLING = 'fal-ai/kling-video/v2.1/pro/image-to-video';

interface Case {
	id: string;
	label: string;
	node: Record<string, unknown>;
	items: number;
	continueOnFail?: boolean;
}

function workflow(c: Case): Record<string, unknown> {
	const nodes = [
		{ id: `${c.id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: `${c.id}-items`,
			name: 'Items',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, 0],
			parameters: { jsCode: `return Array.from({ length: ${c.items} }, (_, i) => ({ json: { n: i } }));` },
		},
		{
			id: `${c.id}-model`,
			name: 'Model',
			typeVersion: 1,
			position: [440, 0],
			...c.node,
			...(c.continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		},
	];
	return {
		id: c.id,
		name: `e2e spend: ${c.label}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Model', type: 'main', index: 0 }]] },
		},
	};
}

const lynx = (options: Record<string, unknown>) => ({
	type: 'n8n-nodes-ai-video.waveSpeedLynx',
	parameters: { prompt: '={{ "clip " + $json.n }}', image: IMAGE, options: { pollInterval: 0.2, concurrency: 1, ...options } },
	credentials: { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } },
});

const kling = (options: Record<string, unknown>) => ({
	type: 'n8n-nodes-ai-video.fal',
	parameters: {
		operation: 'generate',
		model: { __rl: true, mode: 'id', value: KLING },
		inputs: {
			mappingMode: 'defineBelow',
			value: { prompt: '={{ "clip " + $json.n }}', image_url: IMAGE, duration: '5' },
			matchingColumns: [],
			schema: [],
			attemptToConvertTypes: false,
			convertFieldsToString: false,
		},
		options: { concurrency: 1, ...options },
	},
	credentials: { falApi: { id: 'fal-emulator', name: 'fal account' } },
});

const CASES = {
	lynxCap: { id: 'aiVideoE2eSpend1', label: 'Lynx over Max Cost', node: lynx({ maxCost: 1 }), items: 3 },
	lynxBalance: { id: 'aiVideoE2eSpend2', label: 'Lynx over the balance', node: lynx({ checkBalance: true }), items: 3 },
	lynxCredit: { id: 'aiVideoE2eSpend3', label: 'Lynx runs out of credit', node: lynx({}), items: 4, continueOnFail: true },
	klingCap: { id: 'aiVideoE2eSpend4', label: 'fal Kling over Max Cost', node: kling({ maxCost: 1 }), items: 3 },
	klingCapCof: { id: 'aiVideoE2eSpend5', label: 'fal Kling over Max Cost, Continue', node: kling({ maxCost: 1 }), items: 3, continueOnFail: true },
	klingCredit: { id: 'aiVideoE2eSpend6', label: 'fal Kling runs out of credit', node: kling({}), items: 3, continueOnFail: true },
} satisfies Record<string, Case>;

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('spend control in real n8n %s', (version) => {
	let n8n: N8n | undefined;

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		await instance.importCredentials(exampleCredentials(emulator));
		await instance.importWorkflows(Object.values(CASES).map(workflow));
	}, 10 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
	});

	const execute = async (c: Case) => {
		if (!n8n) throw new Error('n8n did not start');
		return await timed({ stage: 'execute', version, label: c.label }, async () => await n8n!.execute(c.id));
	};

	it('curated: a run above Max Cost per Run buys nothing and says total, cap and items', async () => {
		emulator.reset();
		const result = await execute(CASES.lynxCap);
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/Max Cost per Run: this run would cost \$1\.50 for 3 items with a known price, above the Max Cost per Run of \$1\.00/);
		expect(emulator.count('submit')).toBe(0);
	});

	it('curated: Check Balance refuses a run the balance cannot pay', async () => {
		emulator.reset();
		emulator.setBalance('wavespeed', 1);
		const result = await execute(CASES.lynxBalance);
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/the balance of \$1\.00 is below this run's known cost of \$1\.50/);
		expect(emulator.count('submit')).toBe(0);
	});

	it('curated: out of credit mid-run, later items are not bought and each says why', async () => {
		emulator.reset();
		emulator.setBalance('wavespeed', 1);
		const result = await execute(CASES.lynxCredit);
		expect(result.ok).toBe(true);
		const items = result.items.Model ?? [];
		expect(items.map((i) => i.json.status ?? 'error')).toEqual(['completed', 'completed', 'error', 'error']);
		expect(String(items[3].json.error)).toMatch(/not submitted: WaveSpeed refused an earlier item of this run for lack of credit/);
		expect(emulator.count('submit')).toBe(3);
		expect(emulator.jobs()).toHaveLength(2);
	});

	it('any model: a run above Max Cost per Run buys nothing; with Continue, what fits is bought', async () => {
		emulator.reset();
		const refused = await execute(CASES.klingCap);
		expect(refused.ok).toBe(false);
		expect(refused.error).toMatch(/Max Cost per Run: this run would cost \$1\.47 for 3 items/);
		expect(emulator.count('submit')).toBe(0);

		emulator.reset();
		const partly = await execute(CASES.klingCapCof);
		expect(partly.ok).toBe(true);
		const items = partly.items.Model ?? [];
		expect(items.map((i) => i.json.status ?? 'error')).toEqual(['completed', 'completed', 'error']);
		expect(items[0].json).toMatchObject({ estimatedCost: 0.49, costSource: 'provider', costCurrency: 'USD' });
		expect(String(items[2].json.error)).toMatch(/^Not submitted: this item \(\$0\.49\) would take the run to \$1\.47, above the Max Cost per Run of \$1\.00/);
		expect(emulator.count('submit')).toBe(2);
	});

	it('any model: out of credit mid-run (fal locks the account), later items are not bought', async () => {
		emulator.reset();
		emulator.setBalance('fal', 0.6);
		const result = await execute(CASES.klingCredit);
		expect(result.ok).toBe(true);
		const items = result.items.Model ?? [];
		expect(items.map((i) => i.json.status ?? 'error')).toEqual(['completed', 'error', 'error']);
		expect(String(items[1].json.error)).toMatch(/User is locked\. Reason: Exhausted balance/);
		expect(String(items[2].json.error)).toMatch(/lack of credit/);
		expect(emulator.count('submit')).toBe(2);
	});
});
