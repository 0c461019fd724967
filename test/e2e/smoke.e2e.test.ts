/**
 * The mechanics of the e2e suite, with n8n's own nodes only (no package needed): a fresh
 * user folder, `import:credentials`, `import:workflow`, `execute`, and parsing what the CLI
 * prints, on every n8n version under test. If this fails, the examples suite cannot work.
 */
import { startEmulator, type Emulator } from '../emulator/emulator';
import { e2eVersions, freePort, N8n, timed } from './n8n';

const WORKFLOW_ID = 'aiVideoE2eSmoke01';
const WEBHOOK_WORKFLOW_ID = 'aiVideoE2eSmokeHook';
const WEBHOOK_PATH = 'ai-video-e2e-smoke';

function smokeWorkflow(baseUrl: string): Record<string, unknown> {
	return {
		id: WORKFLOW_ID,
		name: 'e2e smoke: WaveSpeed balance with n8n built-in nodes',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '0b7d1f7e-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: '0b7d1f7e-0000-4000-8000-000000000002',
				name: 'Balance',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					url: `${baseUrl}/api/v3/balance`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpHeaderAuth',
					options: {},
				},
				credentials: {
					httpHeaderAuth: { id: 'smoke-wavespeed-header', name: 'WaveSpeed key header' },
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Balance', type: 'main', index: 0 }]] } },
	};
}

/** The same call behind a Webhook trigger: needs an activated workflow and `n8n start`. */
function webhookWorkflow(baseUrl: string): Record<string, unknown> {
	const wf = smokeWorkflow(baseUrl) as { nodes: Array<Record<string, unknown>> };
	return {
		...wf,
		id: WEBHOOK_WORKFLOW_ID,
		name: 'e2e smoke: WaveSpeed balance behind a webhook',
		nodes: [
			{
				id: '0b7d1f7e-0000-4000-8000-000000000003',
				name: 'Start',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '0b7d1f7e-0000-4000-8000-0000000000aa',
				parameters: {
					httpMethod: 'GET',
					path: WEBHOOK_PATH,
					responseMode: 'lastNode',
					options: {},
				},
			},
			wf.nodes[1],
		],
	};
}

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('real n8n %s, built-in nodes only', (version) => {
	let n8n: N8n | undefined;

	afterAll(async () => {
		await n8n?.dispose();
	});

	it('imports a credential and a workflow, executes it and returns its output as JSON', async () => {
		n8n = await N8n.create({ version });
		const instance = n8n;
		await timed(
			{ stage: 'import', version, label: 'smoke (1 credential, 1 workflow)' },
			async () => {
				await instance.importCredentials([
					{
						id: 'smoke-wavespeed-header',
						name: 'WaveSpeed key header',
						type: 'httpHeaderAuth',
						data: { name: 'Authorization', value: `Bearer ${emulator.wavespeed.apiKey}` },
					},
				]);
				await instance.importWorkflows([smokeWorkflow(emulator.wavespeed.baseUrl)]);
			},
		);

		emulator.reset();
		const result = await timed(
			{ stage: 'execute', version, label: 'smoke' },
			async () => await instance.execute(WORKFLOW_ID),
		);

		expect(result.error).toBeUndefined();
		expect(result.ok).toBe(true);
		expect(result.items.Start).toHaveLength(1);
		expect(result.items.Balance).toEqual([
			expect.objectContaining({ json: { code: 200, message: 'success', data: { balance: 100 } } }),
		]);
		// The credential was decrypted and applied: the emulator saw the key.
		const balance = emulator.requests.filter((r) => r.kind === 'balance');
		expect(balance).toHaveLength(1);
		expect(balance[0].status).toBe(200);
		expect(balance[0].headers.authorization).toBe(`Bearer ${emulator.wavespeed.apiKey}`);
	});

	it('activates a webhook workflow (2.x publish:workflow, 1.x update:workflow --active) and serves it from n8n start', async () => {
		if (!n8n) throw new Error('the first test did not create the instance');
		const instance = n8n;
		await instance.importWorkflows([webhookWorkflow(emulator.wavespeed.baseUrl)]);
		await instance.activate(WEBHOOK_WORKFLOW_ID);
		emulator.reset();
		const server = await timed(
			{ stage: 'start', version, label: 'n8n start until the webhook is registered' },
			async () => {
				const s = await instance.startServer({ port: await freePort(), quiet: true });
				let up = false;
				try {
					await s.ready();
					await s.waitForWebhook(WEBHOOK_PATH, 'GET');
					up = true;
				} finally {
					if (!up) await s.stop();
				}
				return s;
			},
		);
		try {
			const response = await fetch(`${server.url}/webhook/${WEBHOOK_PATH}`);
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({
				code: 200,
				message: 'success',
				data: { balance: 100 },
			});
			expect(emulator.count('balance')).toBe(1);
		} finally {
			await server.stop();
		}
	});

	it('reports a failing workflow with its error instead of throwing', async () => {
		if (!n8n) throw new Error('the first test did not create the instance');
		emulator.inject({
			provider: 'wavespeed',
			kind: 'balance',
			status: 503,
			body: { code: 503, message: 'maintenance' },
		});
		const result = await n8n.execute(WORKFLOW_ID);
		expect(result.ok).toBe(false);
		expect(result.exitCode).not.toBe(0);
		expect(result.run?.data.resultData.error).toBeDefined();
		expect(result.error).toMatch(/503|maintenance|unavailable/i);
	});
});
