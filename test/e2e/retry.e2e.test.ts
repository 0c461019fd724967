/**
 * What only n8n itself can show about buying jobs: its Retry On Fail loop re-running the node
 * after a submit whose answer was lost, and its custom data limit (10 entries) meeting a
 * workflow that waits by webhook. Run with `n8n execute` on every version under test.
 */
import { startEmulator, type Emulator } from '../emulator/emulator';
import { e2eVersions, exampleCredentials, N8n, packedTarball, timed } from './n8n';

const IMAGE = 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg';
const RETRY_ID = 'aiVideoE2eRetry01';
const CUSTOM_DATA_ID = 'aiVideoE2eCData01';

function workflow(id: string, name: string, nodes: Array<Record<string, unknown>>): Record<string, unknown> {
	const all = [
		{
			id: `${id}-start`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		...nodes,
	];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[String(all[i].name)] = { main: [[{ node: String(all[i + 1].name), type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, settings: { executionOrder: 'v1' }, nodes: all, connections };
}

const lynx = (id: string, parameters: Record<string, unknown>, settings: Record<string, unknown> = {}) => ({
	id: `${id}-lynx`,
	name: 'WaveSpeed Lynx',
	type: 'n8n-nodes-ai-video.waveSpeedLynx',
	typeVersion: 1,
	position: [440, 0],
	parameters: { prompt: 'The woman smiles', image: IMAGE, ...parameters },
	credentials: { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } },
	...settings,
});

/** Retry On Fail on, up to 3 tries, no pause between them. */
const RETRY = workflow(RETRY_ID, 'e2e: Retry On Fail after a lost submit answer', [
	lynx(RETRY_ID, { options: { pollInterval: 0.2 } }, { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 }),
]);

/** A Code node takes all 10 custom data entries, then the node is asked to wait by webhook. */
const CUSTOM_DATA = workflow(CUSTOM_DATA_ID, 'e2e: custom data full, wait by webhook', [
	{
		id: `${CUSTOM_DATA_ID}-code`,
		name: 'Tag Execution',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
		parameters: {
			jsCode:
				"for (let i = 0; i < 10; i++) $execution.customData.set('tag_' + i, 'value ' + i);\nreturn [{ json: { tagged: true } }];",
		},
	},
	lynx(CUSTOM_DATA_ID, { waitMethod: 'webhook' }),
]);

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('buying jobs in real n8n %s', (version) => {
	let n8n: N8n | undefined;

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		await instance.importCredentials(exampleCredentials(emulator));
		await instance.importWorkflows([RETRY, CUSTOM_DATA]);
	}, 10 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
	});

	it("Retry On Fail after a submit whose answer was lost buys no second job", async () => {
		if (!n8n) throw new Error('n8n did not start');
		emulator.reset();
		// WaveSpeed takes the job, then the connection drops before the answer is read.
		emulator.inject({ kind: 'submit', provider: 'wavespeed', acceptThenFail: true, reset: true });
		const result = await timed({ stage: 'execute', version, label: 'Retry On Fail, lost submit answer' }, async () => await n8n!.execute(RETRY_ID));
		expect(result.ok).toBe(false);
		// n8n tried the node again (the second try's error is the one it keeps) …
		expect(result.error).toMatch(/an earlier try of this execution sent this item's job/);
		// … and the provider saw one submit, one job.
		expect(emulator.count('submit', 'wavespeed')).toBe(1);
		expect(emulator.jobs()).toHaveLength(1);
	});

	it('a workflow whose custom data is full fails before the first submit instead of waiting for ever (2.x)', async () => {
		if (!n8n) throw new Error('n8n did not start');
		emulator.reset();
		const result = await n8n.execute(CUSTOM_DATA_ID, 120_000);
		if (n8n.major < 2) {
			// n8n 1.x gives a node no custom data to write: the job list goes to the node's static
			// data, which 1.x hands the callbacks, so the user's entries are in nobody's way.
			expect(result.error ?? '').not.toMatch(/cannot be stored/);
			expect(emulator.count('submit', 'wavespeed')).toBe(1);
			return;
		}
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/the list of jobs to wait for cannot be stored: n8n keeps at most 10 custom data entries/);
		expect(result.error).toMatch(/tag_0/);
		expect(emulator.requests.filter((r) => r.provider === 'wavespeed')).toHaveLength(0);
	});
});
