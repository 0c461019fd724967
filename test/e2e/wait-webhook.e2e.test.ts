/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test, never shipped: reads N8N_E2E_KNOWN_BUGS, runs a loopback HTTP proxy */
/**
 * Wait Method "Webhook" in a running n8n (`n8n start`), on every version under test: the
 * node submits with the execution's resume URL, the execution pauses, the emulator's
 * completion callbacks resume it, and the workflow answers the original HTTP call with the
 * videos. The workflows are Webhook trigger (responseMode: responseNode) → [Split Out →]
 * model node → Respond to Webhook, the shape shared/real-n8n.md says a waiting node needs.
 *
 * - one item: the callback resumes the execution with the video;
 * - ten items from the request body: one paused execution (status `waiting` in n8n's
 *   database while the jobs run out of order), ten submits, one resume when the last job
 *   ends, ten items in input order;
 * - forged callbacks (no/wrong nonce, a forged "completed" body on the right URL, a
 *   tampered copy of the provider's signed callback before and after the end) change
 *   nothing: the execution keeps waiting and only the provider's video URLs come out;
 * - a callback arriving while another one of the execution is checking (a slow provider
 *   API) is not lost;
 * - with N8N_E2E_KNOWN_BUGS=1, the time-limit pass-through that n8n imposes (fails: n8n runs
 *   no node code when a wait expires, see the README).
 *
 * n8n's database is read with the `sqlite3` module of the cached n8n install, run by the
 * cached Node 24 (`N8n.queryDb`), and `execution_data` is unflattened with the install's own
 * `flatted` module: no SQLite client outside what n8n itself ships is needed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';

import { startEmulator, type Emulator, type JobInfo } from '../emulator/emulator';
import {
	e2eVersions,
	exampleCredentials,
	freePort,
	N8n,
	packedTarball,
	recordTiming,
	report,
	sleep,
	waitFor,
	timed,
	type ExecutionRow,
	type NodeExecutionItem,
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
	/** Node settings beside the parameters (retryOnFail, maxTries, …). */
	settings?: Record<string, unknown>;
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
		model: 'bytedance/lynx',
		parameters: {
			imageUrl: 'https://images.pexels.com/photos/1239291/pexels-photo-1239291.jpeg',
			prompt: 'The man laughs and turns toward the street',
			waitMethod: 'webhook',
		},
		credentials: { falApi: { id: 'fal-emulator', name: 'fal account' } },
	},
];

/** The same nodes fed by a Split Out of the request body's `items`: one job per item, the prompt from the item. */
const BATCH_CASES: Case[] = CASES.map((c, i) => ({
	...c,
	id: `${c.id.slice(0, -2)}B${i + 1}`,
	path: `${c.path}-batch`,
	webhookId: `3d9a5c1e-0000-4000-8000-00000000010${i + 1}`,
	parameters: { ...c.parameters, prompt: '={{ $json.prompt }}' },
}));

/**
 * Retry On Fail while waiting by webhook: items one at a time; the second item's submit is
 * refused on the first try (rate limited past every retry), so n8n runs the node again, which
 * resumes the first item's job and buys the others. That first job ends last and calls back
 * with the address it was given on the first try.
 */
const RETRY_CASE: Case = {
	...BATCH_CASES[0],
	id: 'aiVideoE2eWaitRetr1',
	path: 'ai-video-e2e-wait-retry',
	webhookId: '3d9a5c1e-0000-4000-8000-000000000301',
	parameters: { ...BATCH_CASES[0].parameters, options: { concurrency: 1, timeout: 60 } },
	settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
};

/**
 * Opt-in (N8N_E2E_KNOWN_BUGS=1): scenarios that show node bugs and fail until they are fixed.
 * They reach WaveSpeed through SLOW_PROVIDER_MS of response latency (a loopback proxy in
 * front of the emulator), as a real provider API answers in 100–500 ms, not in 1 ms.
 */
const KNOWN_BUGS = process.env.N8N_E2E_KNOWN_BUGS === '1';
const SLOW_PROVIDER_MS = 400;
const SLOW_CREDENTIAL = { id: 'wavespeed-slow', name: 'WaveSpeed (slow API)' };
const KNOWN_BUG_CASES = {
	/** Items submitted one at a time (concurrency 1), so the emulator's plans follow item order. */
	race: {
		...BATCH_CASES[0],
		id: 'aiVideoE2eWaitRace1',
		path: 'ai-video-e2e-wait-race',
		webhookId: '3d9a5c1e-0000-4000-8000-000000000201',
		parameters: { ...BATCH_CASES[0].parameters, options: { concurrency: 1 } },
		credentials: { waveSpeedApi: SLOW_CREDENTIAL },
	},
	/** A 5 s Timeout, for a job that never ends. */
	timeout: {
		...BATCH_CASES[0],
		id: 'aiVideoE2eWaitTime1',
		path: 'ai-video-e2e-wait-timeout',
		webhookId: '3d9a5c1e-0000-4000-8000-000000000202',
		parameters: { ...BATCH_CASES[0].parameters, options: { timeout: 5 } },
		credentials: { waveSpeedApi: SLOW_CREDENTIAL },
	},
} satisfies Record<string, Case>;

const WORKFLOW_IDS = new Set(
	[...CASES, ...BATCH_CASES, RETRY_CASE, ...Object.values(KNOWN_BUG_CASES)].map((c) => c.id),
);
if (WORKFLOW_IDS.size !== CASES.length * 2 + 3) throw new Error('workflow ids collide');

function workflow(c: Case, batch = false): Record<string, unknown> {
	const model = {
		id: `${c.id}-model`,
		name: 'Model',
		type: `n8n-nodes-ai-video.${c.type}`,
		typeVersion: 1,
		position: [batch ? 440 : 220, 0],
		parameters: c.parameters,
		credentials: c.credentials,
		...c.settings,
	};
	const split = {
		id: `${c.id}-split`,
		name: 'Split Out',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [220, 0],
		parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
	};
	return {
		id: c.id,
		name: `e2e: ${c.type} waiting by webhook${batch ? ' (batch)' : ''}`,
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
			...(batch ? [split] : []),
			model,
			{
				id: `${c.id}-respond`,
				name: 'Respond',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [batch ? 660 : 440, 0],
				parameters: { respondWith: 'allIncomingItems', options: {} },
			},
		],
		connections: batch
			? {
					Request: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
					'Split Out': { main: [[{ node: 'Model', type: 'main', index: 0 }]] },
					Model: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
				}
			: {
					Request: { main: [[{ node: 'Model', type: 'main', index: 0 }]] },
					Model: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
				},
	};
}

// ---------------------------------------------------------------- helpers

/**
 * Job lengths in submit order for the 10-item run: all different, so the jobs end out of
 * input order; the last one ends 3.5 s after the ninth, a window in which the database must
 * still say `waiting` although nine callbacks have been answered. (Each callback's check of
 * ten jobs takes 0.3–0.6 s inside n8n on this machine, and checks run back to back under a
 * burst of callbacks, so a 1 s window was too short to always see all nine answered.)
 */
const BATCH_DURATIONS_MS = [2600, 1500, 3000, 1900, 2300, 1700, 2800, 2100, 6500, 2450];

/** Lengths for the forged-callback run: one job ends early, the other late. */
const FORGED_DURATIONS_MS = [4000, 8000];

const ATTACKER = 'attacker.invalid';
const FORGED_VIDEO = `https://${ATTACKER}/forged.mp4`;

interface Answer {
	status: number;
	text: string;
	/** Date.now() once the whole body was read. */
	at: number;
}

/** POSTs `{items}` to a production webhook; never rejects (a network error is status 0). */
async function post(s: Server, path: string, body: unknown, timeoutMs = 120_000): Promise<Answer> {
	try {
		const r = await fetch(`${s.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await r.text();
		return { status: r.status, text, at: Date.now() };
	} catch (error) {
		return { status: 0, text: (error as Error).message, at: Date.now() };
	}
}

/** POSTs a body to any URL (a forged callback); returns status and body text. */
async function postTo(url: string, body: unknown): Promise<{ status: number; text: string }> {
	const r = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30_000),
	});
	return { status: r.status, text: await r.text() };
}

function okOrThrow(answer: Answer, s: Server): Array<Record<string, unknown>> {
	if (answer.status !== 200) {
		throw new Error(
			`n8n answered ${answer.status}: ${answer.text}\n--- n8n output (tail)\n${s.output().split('\n').slice(-60).join('\n')}`,
		);
	}
	const body = JSON.parse(answer.text) as unknown;
	return (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;
}

interface Sample {
	/** Before the query started / after it returned: the snapshot was taken in between. */
	from: number;
	to: number;
	rows: ExecutionRow[];
}

/** Reads the workflow's new execution rows from n8n's database over and over until stopped. */
function sampleExecutions(instance: N8n, workflowId: string, afterId: number) {
	const samples: Sample[] = [];
	let stopped = false;
	let failure: unknown;
	const loop = (async () => {
		while (!stopped) {
			const from = Date.now();
			try {
				const rows = await instance.executionRows(workflowId, afterId);
				samples.push({ from, to: Date.now(), rows });
			} catch (error) {
				failure = error;
				return;
			}
			await sleep(100);
		}
	})();
	return {
		samples,
		stop: async () => {
			stopped = true;
			await loop;
			if (failure) throw failure;
		},
	};
}

const promptOf = (job: JobInfo): string => String((job.input as Record<string, unknown>).prompt);

function videoUrlOf(job: JobInfo): string {
	return `${emulator.url}/files/${job.provider}/${job.id}.mp4`;
}

/** A provider-shaped callback body claiming the job completed with the attacker's video. */
function forgedCompletion(c: Case, job: JobInfo): Record<string, unknown> {
	if (c.provider === 'wavespeed') {
		return {
			id: job.id,
			model: job.model,
			status: 'completed',
			outputs: [FORGED_VIDEO],
			input: job.input,
		};
	}
	return {
		request_id: job.id,
		gateway_request_id: job.id,
		status: 'OK',
		payload: { video: { url: FORGED_VIDEO, content_type: 'video/mp4' } },
	};
}

/** Status polls the node made to the provider (WaveSpeed's poll is its `result` call). */
const statusCalls = () => emulator.count('status') + emulator.count('result');

const is2xx = (status: number) => status >= 200 && status < 300;

/** A loopback proxy that forwards to `target` and holds every answer `delayMs` (a slow provider API). */
async function slowProxy(
	target: string,
	delayMs: number,
): Promise<{ url: string; server: HttpServer }> {
	const server = createServer((req, res) => {
		void (async () => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) {
				if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
					headers[k] = v;
			}
			try {
				const r = await fetch(target + (req.url ?? ''), {
					method: req.method,
					headers,
					body: chunks.length ? Buffer.concat(chunks) : undefined,
					signal: AbortSignal.timeout(30_000),
				});
				const body = Buffer.from(await r.arrayBuffer());
				await sleep(delayMs);
				const out: Record<string, string> = {};
				r.headers.forEach((v, k) => {
					if (
						!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(k)
					)
						out[k] = v;
				});
				res.writeHead(r.status, out);
				res.end(body);
			} catch (error) {
				res.writeHead(502).end((error as Error).message);
			}
		})();
	});
	await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
	const address = server.address();
	return {
		url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
		server,
	};
}

// ---------------------------------------------------------------- the suite

let emulator: Emulator;
let slow: { url: string; server: HttpServer } | undefined;

beforeAll(async () => {
	emulator = await startEmulator();
	slow = await slowProxy(emulator.url, SLOW_PROVIDER_MS);
});

afterAll(async () => {
	slow?.server.closeAllConnections();
	await new Promise((r) => (slow ? slow.server.close(r) : r(undefined)));
	await emulator?.close();
});

describe.each(e2eVersions())('waiting by webhook in real n8n %s', (version) => {
	let n8n: N8n | undefined;
	let server: Server | undefined;
	const workflowCases: Array<[Case, boolean]> = [
		...CASES.map((c): [Case, boolean] => [c, false]),
		...BATCH_CASES.map((c): [Case, boolean] => [c, true]),
		[RETRY_CASE, true],
		[KNOWN_BUG_CASES.race, true],
		...(KNOWN_BUGS ? [[KNOWN_BUG_CASES.timeout, true] as [Case, boolean]] : []),
	];

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		await timed(
			{
				stage: 'import',
				version,
				label: `${workflowCases.length} webhook workflows, ${slow ? 3 : 2} credentials, activation`,
			},
			async () => {
				const credentials = exampleCredentials(emulator);
				if (slow) {
					credentials.push({
						...SLOW_CREDENTIAL,
						type: 'waveSpeedApi',
						data: { apiKey: emulator.wavespeed.apiKey, baseUrl: `${slow.url}/wavespeed` },
					});
				}
				await instance.importCredentials(credentials);
				await instance.importWorkflows(workflowCases.map(([c, batch]) => workflow(c, batch)));
				for (const [c] of workflowCases) await instance.activate(c.id);
			},
		);
		server = await timed(
			{ stage: 'start', version, label: 'n8n start until the webhooks are registered' },
			async () => {
				const s = await instance.startServer({ port: await freePort(), quiet: true });
				let up = false;
				try {
					await s.ready();
					for (const [c] of workflowCases) await s.waitForWebhook(c.path, 'POST');
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

			const answer = await timed(
				{ stage: 'webhook', version, label: `${c.type} wait by webhook` },
				async () => await post(s, c.path, { from: 'e2e' }),
			);
			const items = okOrThrow(answer, s);

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

	it("Retry On Fail: jobs bought by the first try resume the execution the retry parked", async () => {
		if (!server) throw new Error('n8n did not start');
		const s = server;
		emulator.reset();
		emulator.inject({ kind: 'submit', provider: 'wavespeed', status: 429, retryAfter: 0, after: 1, times: 5 });
		emulator.planNext({ durationMs: 6000 }, { durationMs: 500 }, { durationMs: 1500 });
		const prompts = ['first', 'second', 'third'].map((w) => `The ${w} subject waves`);
		const answer = await timed(
			{ stage: 'webhook', version, label: 'wait by webhook with Retry On Fail' },
			async () => await post(s, RETRY_CASE.path, { items: prompts.map((prompt) => ({ prompt })) }),
		);
		const items = okOrThrow(answer, s);
		const jobs = emulator.jobs();
		expect(jobs).toHaveLength(3);
		// 1 + 5 refused on the first try, 2 on the second.
		expect(emulator.count('submit')).toBe(8);
		// The first try's job ended last, and its callback (first try's address) was accepted.
		const first = jobs.find((j) => promptOf(j) === prompts[0]);
		expect(first?.endsAt).toBe(Math.max(...jobs.map((j) => j.endsAt ?? 0)));
		expect(emulator.callbacks.some((cb) => cb.jobId === first?.id && is2xx(cb.status))).toBe(true);
		expect(items).toHaveLength(3);
		items.forEach((item, i) => {
			const job = jobs.find((j) => promptOf(j) === prompts[i]);
			expect(item).toMatchObject({ requestId: job?.id, status: 'completed', videoUrl: job && videoUrlOf(job) });
		});
	});

	it.each(BATCH_CASES.map((c) => [c.type, c] as const))(
		'%s: 10 items wait in one paused execution, resumed once when the last job ends, in input order',
		async (_type, c) => {
			if (!server || !n8n) throw new Error('n8n did not start');
			const s = server;
			const instance = n8n;
			emulator.reset();
			emulator.planNext(...BATCH_DURATIONS_MS.map((durationMs) => ({ durationMs })));
			const prompts = BATCH_DURATIONS_MS.map(
				(_, i) => `Item ${i}: the subject turns to the camera and says ${i}`,
			);

			const afterId = await instance.lastExecutionId();
			const sampler = sampleExecutions(instance, c.id, afterId);
			let answer: Answer;
			const sentAt = Date.now();
			try {
				answer = await timed(
					{ stage: 'webhook', version, label: `${c.type} 10 items by webhook` },
					async () => await post(s, c.path, { items: prompts.map((prompt) => ({ prompt })) }),
				);
			} finally {
				await sampler.stop();
			}
			const items = okOrThrow(answer, s);

			// Ten submits, one per item, all told to call back the same paused execution.
			const jobs = emulator.jobs();
			expect(emulator.count('submit')).toBe(10);
			expect(jobs).toHaveLength(10);
			const byPrompt = new Map(jobs.map((j) => [promptOf(j), j]));
			expect([...byPrompt.keys()].sort()).toEqual([...prompts].sort());
			const resumeUrl = jobs[0].webhook ?? '';
			expect(resumeUrl).toMatch(new RegExp(`^${s.url}/webhook-waiting/\\d+\\?(.+&)?aivNonce=`));
			for (const j of jobs) expect(j.webhook).toBe(resumeUrl);

			// The jobs really ended out of input order.
			const ends = prompts.map((p) => byPrompt.get(p)?.endsAt ?? 0);
			const endOrder = ends.map((_, i) => i).sort((a, b) => ends[a] - ends[b]);
			expect(endOrder).not.toEqual(ends.map((_, i) => i));
			const lastEnd = Math.max(...ends);

			// Every automatic callback was delivered once and acknowledged with a 2xx.
			const delivered = emulator.callbacks.filter((cb) => cb.attempt > 0);
			expect(delivered.map((cb) => [cb.jobId, cb.status, cb.attempt]).sort()).toEqual(
				jobs.map((j) => [j.id, 200, 1]).sort(),
			);
			expect(delivered.every((cb) => is2xx(cb.status))).toBe(true);

			// The response: ten items in input order, item i ↔ prompt i ↔ the job made from it.
			expect(items).toHaveLength(10);
			items.forEach((item, i) => {
				const job = byPrompt.get(prompts[i]);
				expect(item).toMatchObject({
					provider: c.provider,
					model: c.model,
					requestId: job?.id,
					status: 'completed',
					videoUrl: job && videoUrlOf(job),
				});
			});

			// n8n's database: the execution waited while the jobs ran and stayed waiting through
			// the first nine callbacks.
			const { samples } = sampler;
			const firstWaiting = samples.find((x) => x.rows[0]?.status === 'waiting');
			if (!firstWaiting) {
				throw new Error(`never saw status waiting: ${JSON.stringify(samples.map((x) => x.rows))}`);
			}
			expect(firstWaiting.to).toBeLessThan(Math.min(...ends));
			const ninthAck = delivered.map((cb) => cb.at).sort((a, b) => a - b)[8];
			const whileRunning = samples.filter((x) => x.from >= firstWaiting.from && x.to < lastEnd);
			for (const x of whileRunning) {
				expect(x.rows.map((r) => r.status)).toEqual(['waiting']);
			}
			const afterNine = whileRunning.filter((x) => x.from > ninthAck);
			if (afterNine.length === 0) {
				const t0 = Math.min(...jobs.map((j) => j.createdAt));
				throw new Error(
					`no DB read between the 9th callback's answer (+${ninthAck - t0} ms) and the last job's end (+${lastEnd - t0} ms):\n` +
						`callbacks: ${JSON.stringify(delivered.map((cb) => ({ job: cb.jobId.slice(0, 6), end: (jobs.find((j) => j.id === cb.jobId)?.endsAt ?? 0) - t0, ack: cb.at - t0 })))}\n` +
						`samples: ${JSON.stringify(samples.map((x) => [x.from - t0, x.to - t0, x.rows.map((r) => r.status)]))}`,
				);
			}
			report(
				`n8n@${version} ${c.type} 10 items: ${samples.length} DB reads, 'waiting' from ${firstWaiting.to - Math.min(...jobs.map((j) => j.createdAt))} ms after the first submit until the last job ended, ${afterNine.length} of them after 9 callbacks were answered`,
			);

			// Resumed once: one execution row, finished with success; the model node's run data
			// holds the ten items, paired with input items 0..9.
			const rows = await instance.executionRows(c.id, afterId);
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ status: 'success', mode: 'webhook' });
			expect(Number(rows[0].finished)).toBe(1);
			const data = await instance.executionData(rows[0].id);
			const runData = data?.resultData.runData ?? {};
			expect(runData.Request).toHaveLength(1);
			expect(runData['Split Out']).toHaveLength(1);
			expect(runData.Respond).toHaveLength(1);
			const modelRuns = runData.Model ?? [];
			const modelItems: NodeExecutionItem[] =
				modelRuns[modelRuns.length - 1]?.data?.main?.[0] ?? [];
			expect(modelItems.map((it) => it.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
			expect(modelItems.map((it) => it.json.requestId)).toEqual(
				prompts.map((p) => byPrompt.get(p)?.id),
			);
			report(
				`n8n@${version} ${c.type} 10 items: execution ${rows[0].id} ${rows[0].status}, model node runs in execution_data: ${modelRuns.length} (${modelRuns.map((r) => r.data?.main?.[0]?.length ?? 0).join(', ')} items)`,
			);

			// Where the time after the last job's end goes: n8n loading the waiting execution, the
			// node asking the provider for every job (and fetching the results), the resumed run.
			const lastAck = Math.max(...delivered.map((cb) => cb.at));
			const providerCalls = emulator.requests
				.filter((r) => r.at >= lastEnd && r.kind !== 'callback')
				.map((r) => r.at - lastEnd);
			report(
				`n8n@${version} ${c.type} 10 items: last job ended at +${lastEnd - sentAt} ms; after it: first provider call +${Math.min(...providerCalls)} ms, ` +
					`${providerCalls.length} provider calls until +${Math.max(...providerCalls)} ms, callback answered +${lastAck - lastEnd} ms, HTTP response +${answer.at - lastEnd} ms`,
			);
			await recordTiming({
				stage: 'resume',
				version,
				label: `${c.type} 10 items: last job's end at the emulator → n8n's HTTP response`,
				ms: answer.at - lastEnd,
			});
		},
	);

	it.each(BATCH_CASES.map((c) => [c.type, c] as const))(
		'%s: forged callbacks neither resume the execution nor inject a video URL',
		async (_type, c) => {
			if (!server || !n8n) throw new Error('n8n did not start');
			const s = server;
			const instance = n8n;
			emulator.reset();
			emulator.planNext(...FORGED_DURATIONS_MS.map((durationMs) => ({ durationMs })));
			const prompts = ['Forged 0: the subject nods', 'Forged 1: the subject shrugs'];

			const afterId = await instance.lastExecutionId();
			const pending = post(s, c.path, { items: prompts.map((prompt) => ({ prompt })) });
			const waitingRows = async () => {
				const rows = await instance.executionRows(c.id, afterId);
				return rows.length === 1 && rows[0].status === 'waiting' ? rows : undefined;
			};
			const assertStillWaiting = async (when: string) => {
				const rows = await instance.executionRows(c.id, afterId);
				expect({ when, statuses: rows.map((r) => r.status) }).toEqual({
					when,
					statuses: ['waiting'],
				});
			};

			// Paused with both jobs running.
			const rows = await waitFor(
				'the execution to wait',
				async () => (emulator.jobs().length === 2 ? await waitingRows() : undefined),
				15_000,
				100,
			);
			const executionId = rows[0].id;
			const jobs = emulator.jobs();
			const [early, late] = [...jobs].sort((a, b) => (a.endsAt ?? 0) - (b.endsAt ?? 0));
			expect(Date.now()).toBeLessThan(early.endsAt ?? 0);
			const resumeUrl = new URL(early.webhook ?? '');
			expect(late.webhook).toBe(resumeUrl.toString());
			expect(resumeUrl.pathname).toBe(`/webhook-waiting/${executionId}`);

			// (a) Wrong or missing nonce: refused. 2.x's resume URL also carries n8n's own
			// `signature` token; without it n8n refuses before the node is asked.
			const variant = (edit: (url: URL) => void) => {
				const url = new URL(resumeUrl.toString());
				edit(url);
				return url.toString();
			};
			const refusals = {
				'no aivNonce': variant((u) => u.searchParams.delete('aivNonce')),
				'wrong aivNonce': variant((u) =>
					u.searchParams.set('aivNonce', randomBytes(16).toString('hex')),
				),
				'aivNonce of the wrong length': variant((u) => u.searchParams.set('aivNonce', 'x')),
				'no query at all': variant((u) => (u.search = '')),
			};
			for (const [what, url] of Object.entries(refusals)) {
				const r = await postTo(url, forgedCompletion(c, early));
				const by = r.text.includes('unknown callback')
					? 'the node'
					: r.text.includes('Invalid token')
						? "n8n's signature check"
						: 'unknown';
				report(
					`n8n@${version} ${c.type} forged callback, ${what}: ${r.status} ${r.text} (refused by ${by})`,
				);
				expect({ what, status: r.status }).toEqual({ what, status: 401 });
			}
			await assertStillWaiting('after callbacks without the right nonce');

			// (b) The right URL with a forged "completed" body: acknowledged, but the node asks the
			// provider, finds the jobs running and keeps waiting.
			const pollsBefore = statusCalls();
			const forged = await postTo(resumeUrl.toString(), forgedCompletion(c, early));
			report(
				`n8n@${version} ${c.type} forged completion on the right URL: ${forged.status} ${forged.text}`,
			);
			expect(forged.status).toBe(200);
			expect(statusCalls()).toBeGreaterThan(pollsBefore);
			await sleep(500);
			await assertStillWaiting('after a forged completion on the right URL');

			// The early job ends and its real callback is acknowledged; a tampered copy of that
			// signed callback (attacker's video URL) changes nothing either.
			await waitFor(
				'the early job callback',
				() =>
					emulator.callbacks.find((cb) => cb.jobId === early.id && is2xx(cb.status)) ?? undefined,
				15_000,
				100,
			);
			const tamperedWhileWaiting = await emulator.sendCallback(early.id, { tamper: true });
			report(
				`n8n@${version} ${c.type} tampered callback while waiting: ${tamperedWhileWaiting.status} ${tamperedWhileWaiting.body}`,
			);
			expect(is2xx(tamperedWhileWaiting.status)).toBe(true);
			expect(Date.now()).toBeLessThan(late.endsAt ?? 0);
			await assertStillWaiting('after a tampered callback of the ended job');

			// The real last callback resumes it: only the emulator's video URLs come out.
			const answer = await pending;
			const items = okOrThrow(answer, s);
			expect(answer.text).not.toContain(ATTACKER);
			const byPrompt = new Map(jobs.map((j) => [promptOf(j), j]));
			expect(items.map((it) => [it.requestId, it.videoUrl, it.videoUrls])).toEqual(
				prompts.map((p) => {
					const job = byPrompt.get(p) as JobInfo;
					return [job.id, videoUrlOf(job), [videoUrlOf(job)]];
				}),
			);
			await recordTiming({
				stage: 'resume',
				version,
				label: `${c.type} 2 items after forged callbacks: last job's end → HTTP response`,
				ms: answer.at - (late.endsAt ?? 0),
			});
			expect(
				emulator.callbacks
					.filter((cb) => cb.attempt > 0)
					.map((cb) => [cb.jobId, cb.status])
					.sort(),
			).toEqual(jobs.map((j) => [j.id, 200]).sort());

			// (c) After the end: tampered callbacks and a forged completion are refused by n8n (the
			// execution has finished) and the stored execution is unchanged.
			for (const job of jobs) {
				const r = await emulator.sendCallback(job.id, { tamper: true });
				report(`n8n@${version} ${c.type} tampered callback after the end: ${r.status} ${r.body}`);
				expect(is2xx(r.status)).toBe(false);
			}
			const late2 = await postTo(resumeUrl.toString(), forgedCompletion(c, late));
			report(
				`n8n@${version} ${c.type} forged completion after the end: ${late2.status} ${late2.text}`,
			);
			expect(is2xx(late2.status)).toBe(false);
			await sleep(500);
			const final = await instance.executionRows(c.id, afterId);
			expect(final.map((r) => [r.id, r.status])).toEqual([[executionId, 'success']]);
			expect(await instance.lastExecutionId()).toBe(executionId);
			const data = await instance.executionData(executionId);
			expect(JSON.stringify(data)).not.toContain(ATTACKER);
			const modelRuns = data?.resultData.runData.Model ?? [];
			const modelItems = modelRuns[modelRuns.length - 1]?.data?.main?.[0] ?? [];
			expect(modelItems.map((it) => it.json.videoUrl)).toEqual(
				prompts.map((p) => videoUrlOf(byPrompt.get(p) as JobInfo)),
			);
		},
	);

	// ------------------------------------------------------------ known bugs (opt-in)

	/**
	 * KNOWN BUG (nodes/shared/webhookWait.ts, `checking`): a callback that arrives while
	 * another callback of the same execution is asking the provider is answered 200 and
	 * dropped. When the dropped one is the last job's, and the other check saw that job
	 * still running, nothing resumes the execution: it waits until its deadline (30 min by
	 * default), then n8n resumes it with the input items passed through (see the next test).
	 * Two jobs end ~0.7 s apart; the first job's callback checks job 0 (400 ms), then job 1
	 * just before it ends (400 ms); job 1's callback lands in between.
	 */
	it(
		'the last callback is not lost while another callback of the execution is checking',
		async () => {
			if (!server || !n8n) throw new Error('n8n did not start');
			const s = server;
			const instance = n8n;
			const c = KNOWN_BUG_CASES.race;
			emulator.reset();
			emulator.planNext({ durationMs: 2000 }, { durationMs: 2300 });
			const afterId = await instance.lastExecutionId();
			const sentAt = Date.now();
			const answer = await post(
				s,
				c.path,
				{ items: [{ prompt: 'race 0' }, { prompt: 'race 1' }] },
				15_000,
			);

			const t = (at: number) => `+${at - sentAt} ms`;
			const jobs = emulator.jobs();
			for (const j of jobs)
				report(
					`n8n@${version} race: job ${j.id.slice(0, 8)} (${promptOf(j)}) ended ${t(j.endsAt ?? 0)}`,
				);
			for (const r of emulator.requests.filter((x) => x.kind === 'result')) {
				report(
					`n8n@${version} race: status poll of job ${r.jobId?.slice(0, 8)} reached the provider ${t(r.at)}`,
				);
			}
			for (const cb of emulator.callbacks) {
				report(
					`n8n@${version} race: callback of job ${cb.jobId.slice(0, 8)} answered ${t(cb.at)}: ${cb.status} ${cb.body}`,
				);
			}
			// Respond to Webhook answers before n8n has saved the finished execution.
			let rows = await instance.executionRows(c.id, afterId);
			for (let i = 0; i < 50 && rows.some((r) => r.status !== 'success'); i++) {
				await sleep(200);
				rows = await instance.executionRows(c.id, afterId);
			}
			report(
				`n8n@${version} race: execution ${rows.map((r) => `${r.id} ${r.status} waitTill=${r.waitTill}`).join(', ')}; HTTP ${answer.status} ${t(answer.at)}${answer.status === 200 ? '' : ` (${answer.text})`}`,
			);
			expect(jobs.every((j) => j.status === 'completed')).toBe(true);
			expect(emulator.callbacks.every((cb) => is2xx(cb.status))).toBe(true);
			expect(rows.map((r) => r.status)).toEqual(['success']);
			expect(answer.status).toBe(200);
		},
	);

	/**
	 * KNOWN LIMITATION of n8n (README, "Choosing how to wait"): when no
	 * callback resumes a webhook-waiting execution before its Timeout, n8n's wait tracker
	 * resumes it (within ~60 s of the deadline) with the waiting node disabled, so the
	 * model node outputs its input items unchanged: no video, no error, no request id, and
	 * the execution ends `success`.
	 */
	(KNOWN_BUGS ? it : it.skip)(
		'KNOWN BUG: a job that outlives the Timeout fails with its request id instead of passing the input through',
		async () => {
			if (!server || !n8n) throw new Error('n8n did not start');
			const s = server;
			const instance = n8n;
			const c = KNOWN_BUG_CASES.timeout;
			emulator.reset();
			emulator.setPlan({ outcome: 'never' });
			const afterId = await instance.lastExecutionId();
			const answer = await post(s, c.path, { items: [{ prompt: 'never ends' }] }, 150_000);
			const [job] = emulator.jobs();
			const rows = await instance.executionRows(c.id, afterId);
			const data = rows[0] ? await instance.executionData(rows[0].id) : undefined;
			const modelRuns = data?.resultData.runData.Model ?? [];
			const lastRun = modelRuns[modelRuns.length - 1];
			report(
				`n8n@${version} timeout: HTTP ${answer.status} ${answer.text.slice(0, 300)}; execution ${rows.map((r) => `${r.id} ${r.status}`).join(', ')}; model output ${JSON.stringify(lastRun?.data?.main?.[0] ?? lastRun?.error?.message)}`,
			);
			expect(job?.status).toBe('processing');
			// The job's request id must reach the user: in the node's error or in its items.
			expect(JSON.stringify([lastRun?.error, lastRun?.data?.main?.[0]])).toContain(job?.id);
		},
		5 * 60_000,
	);
});
