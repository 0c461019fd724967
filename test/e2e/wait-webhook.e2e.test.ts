/**
 * Wait Method "Webhook" in a running n8n (`n8n start`), on every version under test: the
 * node submits with the execution's resume URL, the execution pauses, the emulator's
 * completion callback resumes it, and the workflow answers the original HTTP call with the
 * video. The workflow is Webhook trigger (responseMode: responseNode) → model node →
 * Respond to Webhook, the shape shared/real-n8n.md says a waiting node needs.
 */
import { startEmulator, type Emulator } from '../emulator/emulator';
import {
	e2eVersions,
	exampleCredentials,
	freePort,
	N8n,
	packedTarball,
	timed,
	type Server,
} from './n8n';

interface Case {
	id: string;
	path: string;
	webhookId: string;
	type: string;
	provider: 'wavespeed' | 'fal';
	model: string;
	parameters: Record<string, unknown>;
	credentials: Record<string, { id: string; name: string }>;
}

const CASES: Case[] = [
	{
		id: 'aiVideoE2eWaitWs01',
		path: 'ai-video-e2e-wait-wavespeed',
		webhookId: '3d9a5c1e-0000-4000-8000-000000000001',
		type: 'waveSpeedLynx',
		provider: 'wavespeed',
		model: 'wavespeed-ai/lynx',
		parameters: {
			prompt: 'The woman smiles and waves at the camera',
			image: 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg',
			waitMethod: 'webhook',
		},
		credentials: { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } },
	},
	{
		id: 'aiVideoE2eWaitFal01',
		path: 'ai-video-e2e-wait-fal',
		webhookId: '3d9a5c1e-0000-4000-8000-000000000002',
		type: 'falLynx',
		provider: 'fal',
		model: 'fal-ai/lynx',
		parameters: {
			imageUrl: 'https://images.pexels.com/photos/1239291/pexels-photo-1239291.jpeg',
			prompt: 'The man laughs and turns toward the street',
			waitMethod: 'webhook',
		},
		credentials: { falApi: { id: 'fal-emulator', name: 'fal account' } },
	},
];

function workflow(c: Case): Record<string, unknown> {
	return {
		id: c.id,
		name: `e2e: ${c.type} waiting by webhook`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${c.id}-trigger`,
				name: 'Request',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: c.webhookId,
				parameters: { httpMethod: 'POST', path: c.path, responseMode: 'responseNode', options: {} },
			},
			{
				id: `${c.id}-model`,
				name: 'Model',
				type: `n8n-nodes-ai-video.${c.type}`,
				typeVersion: 1,
				position: [220, 0],
				parameters: c.parameters,
				credentials: c.credentials,
			},
			{
				id: `${c.id}-respond`,
				name: 'Respond',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: { respondWith: 'allIncomingItems', options: {} },
			},
		],
		connections: {
			Request: { main: [[{ node: 'Model', type: 'main', index: 0 }]] },
			Model: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		},
	};
}

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('waiting by webhook in real n8n %s', (version) => {
	let n8n: N8n | undefined;
	let server: Server | undefined;

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		await timed(
			{
				stage: 'import',
				version,
				label: `${CASES.length} webhook workflows, 2 credentials, activation`,
			},
			async () => {
				await instance.importCredentials(exampleCredentials(emulator));
				await instance.importWorkflows(CASES.map(workflow));
				for (const c of CASES) await instance.activate(c.id);
			},
		);
		server = await timed(
			{ stage: 'start', version, label: 'n8n start until the webhooks are registered' },
			async () => {
				const s = await instance.startServer({ port: await freePort(), quiet: true });
				let up = false;
				try {
					await s.ready();
					for (const c of CASES) await s.waitForWebhook(c.path, 'POST');
					up = true;
				} finally {
					if (!up) await s.stop();
				}
				return s;
			},
		);
	}, 10 * 60_000);

	afterAll(async () => {
		await server?.stop();
		await n8n?.dispose();
	});

	it.each(CASES.map((c) => [c.type, c] as const))(
		'%s pauses the execution and the provider callback resumes it with the video',
		async (_type, c) => {
			if (!server) throw new Error('n8n did not start');
			const s = server;
			emulator.reset();
			emulator.setPlan({ durationMs: 2000 });

			const response = await timed(
				{ stage: 'webhook', version, label: `${c.type} wait by webhook` },
				async () =>
					fetch(`${s.url}/webhook/${c.path}`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ from: 'e2e' }),
						signal: AbortSignal.timeout(120_000),
					}),
			);
			const text = await response.text();
			if (response.status !== 200) {
				throw new Error(
					`n8n answered ${response.status}: ${text}\n--- n8n output (tail)\n${s.output().split('\n').slice(-60).join('\n')}`,
				);
			}
			const body = JSON.parse(text) as unknown;
			const items = (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;

			const jobs = emulator.jobs();
			expect(jobs).toHaveLength(1);
			expect(emulator.count('submit')).toBe(1);
			// The provider was told to call the paused execution back on this n8n.
			expect(jobs[0].webhook).toMatch(new RegExp(`^${s.url}/webhook-waiting/`));
			expect(
				emulator.callbacks.some(
					(cb) => cb.jobId === jobs[0].id && cb.status >= 200 && cb.status < 300,
				),
			).toBe(true);

			expect(items).toHaveLength(1);
			expect(items[0]).toMatchObject({
				provider: c.provider,
				model: c.model,
				requestId: jobs[0].id,
				status: 'completed',
			});
			expect(items[0].videoUrls).toEqual([items[0].videoUrl]);
		},
	);
});
