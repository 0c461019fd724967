/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e test, never shipped */
/**
 * The WaveSpeed and fal Trigger nodes in a running n8n (`n8n start`), on every version under
 * test, paired the way users build it: a model node in Submit Only mode whose Webhook URL is
 * a Trigger's production URL. The trigger workflows are the shipped examples
 * (examples/wavespeed-trigger.json, events "both"; examples/fal-trigger.json, events
 * "completed") plus a copy of the fal one with events "both".
 *
 * - n8n serves each trigger at `/webhook/<webhookId>/webhook` (checked in `webhook_entity`);
 * - every job that ends calls its trigger once (the emulator's signed callback), and each
 *   wanted job end starts exactly one execution whose item is the package's interface shape
 *   (`provider`, `requestId` = the job id, `status`, `videoUrl` or `error`); a failed job on
 *   a "completed"-only trigger is acknowledged and starts nothing;
 * - forged callbacks (unsigned, tampered, stale, signed with a key that is not the
 *   provider's) are answered 401 and start nothing, also for a job the trigger has never
 *   heard of; the first valid delivery of that job starts one execution; redeliveries of a
 *   valid callback are answered 2xx and start nothing;
 * - every item is what the provider says when the trigger reads the job with its credential:
 *   a genuinely signed fal callback of another account's job (fal signs every account's
 *   callbacks with one key set), naming an attacker's video URL, starts nothing; a fal job
 *   submitted without our tag (other software) is refused by a trigger without the
 *   "Endpoint ID for Jobs From Other Software" option and confirmed by one with it.
 *
 * Redeliveries are checked within one running n8n. Across a restart the trigger relies on
 * the workflow's static data, which n8n does not always persist from a webhook: 1.x skips
 * it for workflow ids longer than 16 characters, and 2.40.5 keeps only the first write
 * (WorkflowRunner re-wraps the same static data object and clears its "changed" flag before
 * the webhook's save). The ids here are ≤ 16 characters.
 *
 * Executions are read from n8n's SQLite database through the driver (`N8n.queryDb`,
 * `executionRows`, `executionData`: the install's own `sqlite3` and `flatted`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator, type Emulator, type JobPlan } from '../emulator/emulator';
import {
	e2eVersions,
	exampleCredentials,
	freePort,
	N8n,
	packedTarball,
	REPO,
	report,
	sleep,
	waitFor,
	timed,
	type NodeExecutionItem,
	type Server,
} from './n8n';

// ---------------------------------------------------------------- the workflows

type Provider = 'wavespeed' | 'fal';
type TriggerKey = 'ws' | 'fal' | 'falBoth';

interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		webhookId?: string;
		parameters: Record<string, unknown>;
	}>;
	[key: string]: unknown;
}

interface Trigger {
	key: TriggerKey;
	provider: Provider;
	workflow: WorkflowJson;
	id: string;
	/** The trigger node's name (the key of its run data). */
	node: string;
	/** The node after it (a NoOp) that the item must reach. */
	next: string;
	webhookId: string;
	events: string;
}

function loadExample(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(REPO, 'examples', file), 'utf8')) as WorkflowJson;
}

function trigger(key: TriggerKey, provider: Provider, workflow: WorkflowJson): Trigger {
	const node = workflow.nodes.find((n) => n.type.endsWith('Trigger'));
	const next = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.noOp');
	if (!node?.webhookId || !next) {
		throw new Error(`${workflow.id}: expected a Trigger node with a webhookId and a NoOp after it`);
	}
	return {
		key,
		provider,
		workflow,
		id: workflow.id,
		node: node.name,
		next: next.name,
		webhookId: node.webhookId,
		events: String(node.parameters.events),
	};
}

/** The endpoint the "both" fal trigger looks untagged jobs up under (jobs from other software). */
const FAL_ENDPOINT = 'bytedance/lynx';

/** The fal example, re-keyed, set to "Completed or Failed", and given the endpoint for untagged jobs. */
function falBothWorkflow(): WorkflowJson {
	const wf = loadExample('fal-trigger.json');
	return {
		...wf,
		id: 'aiVideoFalTrgBth',
		name: `${wf.name} (e2e: completed or failed)`,
		nodes: wf.nodes.map((n) =>
			n.type.endsWith('Trigger')
				? {
						...n,
						webhookId: '7a1b0000-0003-4000-8000-0000000000e2',
						parameters: {
							...n.parameters,
							events: 'both',
							options: { ...((n.parameters.options as object | undefined) ?? {}), endpointId: FAL_ENDPOINT },
						},
					}
				: n,
		),
	};
}

const TRIGGERS: Record<TriggerKey, Trigger> = {
	ws: trigger('ws', 'wavespeed', loadExample('wavespeed-trigger.json')),
	fal: trigger('fal', 'fal', loadExample('fal-trigger.json')),
	falBoth: trigger('falBoth', 'fal', falBothWorkflow()),
};

/** One job the submit workflow starts, in submit order (the emulator's planNext order). */
interface JobCase {
	node: string;
	provider: Provider;
	outcome: 'completed' | 'failed';
	/** The trigger whose production URL the node gives the provider; none: no webhook. */
	to?: TriggerKey;
	/** Delivered to a trigger whose events exclude it: acknowledged, nothing started. */
	ignored?: boolean;
}

const JOBS: JobCase[] = [
	{ node: 'WaveSpeed completes', provider: 'wavespeed', outcome: 'completed', to: 'ws' },
	{ node: 'fal completes', provider: 'fal', outcome: 'completed', to: 'fal' },
	{ node: 'WaveSpeed fails', provider: 'wavespeed', outcome: 'failed', to: 'ws' },
	{ node: 'fal fails', provider: 'fal', outcome: 'failed', to: 'falBoth' },
	{
		node: 'fal fails, completed-only trigger',
		provider: 'fal',
		outcome: 'failed',
		to: 'fal',
		ignored: true,
	},
	// No webhook: only forged and hand-sent callbacks ever reach a trigger for these.
	{ node: 'WaveSpeed completes, no webhook', provider: 'wavespeed', outcome: 'completed' },
	{ node: 'fal completes, no webhook', provider: 'fal', outcome: 'completed' },
];
/**
 * For the hand-sent callbacks: which trigger each no-webhook job is sent to. Sent to the
 * trigger's plain URL, without the model tag our nodes add: the fal one goes to the trigger
 * that names the endpoint for such jobs.
 */
const LATE: Record<string, TriggerKey> = {
	'WaveSpeed completes, no webhook': 'ws',
	'fal completes, no webhook': 'falBoth',
};

const JOB_ERROR = 'Failed to download image';
const JOB_ERROR_CODE = 1402;
const SUBMIT_WORKFLOW_ID = 'aiVideoTrgSubmit';

/** A seed beyond 2^53, as a real fal callback carried: kept exact through n8n's own HTTP code. */
const BIG_SEED = '17454220438242315174';

function planOf(job: JobCase): JobPlan {
	return job.outcome === 'failed'
		? { durationMs: 1500, outcome: 'failed', error: JOB_ERROR, errorCode: JOB_ERROR_CODE }
		: { durationMs: 1500, outcome: 'completed', ...(job.provider === 'fal' ? { bigSeed: BIG_SEED } : {}) };
}

/** The production URL n8n gives a node webhook with path 'webhook' and a webhookId. */
function triggerUrl(base: string, t: Trigger): string {
	return `${base}/webhook/${t.webhookId}/webhook`;
}

/** Manual trigger → one Submit Only model node per job, in a chain (so submits are in order). */
function submitWorkflow(base: string): Record<string, unknown> {
	const nodes: Array<Record<string, unknown>> = [
		{
			id: `${SUBMIT_WORKFLOW_ID}-start`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	];
	const connections: Record<string, unknown> = {};
	let previous = 'Start';
	JOBS.forEach((job, i) => {
		const webhookUrl = job.to ? triggerUrl(base, TRIGGERS[job.to]) : '';
		nodes.push({
			id: `${SUBMIT_WORKFLOW_ID}-job-${i}`,
			name: job.node,
			type:
				job.provider === 'wavespeed'
					? 'n8n-nodes-ai-video.waveSpeedLynx'
					: 'n8n-nodes-ai-video.falLynx',
			typeVersion: 1,
			position: [220 * (i + 1), 0],
			parameters:
				job.provider === 'wavespeed'
					? {
							mode: 'submitOnly',
							webhookUrl,
							prompt: `e2e trigger job ${i}: the woman smiles and waves`,
							image: 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg',
						}
					: {
							mode: 'submitOnly',
							webhookUrl,
							imageUrl: 'https://images.pexels.com/photos/1239291/pexels-photo-1239291.jpeg',
							prompt: `e2e trigger job ${i}: the man laughs and turns`,
						},
			credentials:
				job.provider === 'wavespeed'
					? { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } }
					: { falApi: { id: 'fal-emulator', name: 'fal account' } },
		});
		connections[previous] = { main: [[{ node: job.node, type: 'main', index: 0 }]] };
		previous = job.node;
	});
	return {
		id: SUBMIT_WORKFLOW_ID,
		name: 'e2e: Submit Only model nodes paired with the Trigger nodes',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
	};
}

// ---------------------------------------------------------------- n8n's database

interface Execution {
	id: number;
	status: string;
	mode: string;
	finished: boolean;
}

async function executions(n8n: N8n, workflowId: string): Promise<Execution[]> {
	return (await n8n.executionRows(workflowId)).map((r) => ({
		id: r.id,
		status: r.status,
		mode: r.mode,
		finished: r.finished === 1 || r.finished === true,
	}));
}

const ENDED = new Set(['success', 'error', 'crashed', 'canceled']);

/** Output 0 of the last run of `node` in a stored execution. */
async function storedItems(
	n8n: N8n,
	executionId: number,
	node: string,
): Promise<NodeExecutionItem[]> {
	const data = await n8n.executionData(executionId);
	if (!data) throw new Error(`no execution_data for execution ${executionId}`);
	const runs = data.resultData.runData[node];
	return runs?.[runs.length - 1]?.data?.main?.[0] ?? [];
}

// ---------------------------------------------------------------- helpers

/** Nothing started by a call shows up later than this (n8n records an execution before it runs). */
const SETTLE_MS = 4000;

function tail(server: Server, lines = 60): string {
	return `\n--- n8n output (tail)\n${server.output().split('\n').slice(-lines).join('\n')}`;
}

function is2xx(status: number): boolean {
	return status >= 200 && status < 300;
}

// ---------------------------------------------------------------- the tests

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('WaveSpeed and fal Trigger nodes in real n8n %s', (version) => {
	let n8n: N8n | undefined;
	let server: Server | undefined;
	/** Job id of every JobCase, by node name (set by the submit test). */
	const jobIds = new Map<string, string>();
	const triggers = Object.values(TRIGGERS);

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		const port = await freePort();
		const base = `http://127.0.0.1:${port}`;
		await timed(
			{
				stage: 'import',
				version,
				label: `${triggers.length} trigger workflows + 1 submit workflow, 2 credentials, activation`,
			},
			async () => {
				await instance.importCredentials(exampleCredentials(emulator));
				await instance.importWorkflows([...triggers.map((t) => t.workflow), submitWorkflow(base)]);
				for (const t of triggers) await instance.activate(t.id);
			},
		);
		server = await timed(
			{ stage: 'start', version, label: 'n8n start until the trigger webhooks are registered' },
			async () => {
				const s = await instance.startServer({ port, quiet: true });
				let up = false;
				try {
					await s.ready();
					for (const t of triggers) await s.waitForWebhook(`${t.webhookId}/webhook`, 'POST');
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
	}, 60_000);

	it('serves each trigger at /webhook/<webhookId>/webhook (the production URL a user copies)', async () => {
		if (!n8n || !server) throw new Error('n8n did not start');
		const rows = await n8n.queryDb(
			'SELECT workflowId, webhookPath, method, node FROM webhook_entity ORDER BY webhookPath',
		);
		report(
			`n8n@${version} webhook_entity: ${rows.map((r) => `${String(r.method)} /webhook/${String(r.webhookPath)} (${String(r.node)})`).join(', ')}`,
		);
		for (const t of triggers) {
			expect(rows).toContainEqual(
				expect.objectContaining({
					workflowId: t.id,
					webhookPath: `${t.webhookId}/webhook`,
					method: 'POST',
					node: t.node,
				}),
			);
		}
		// The trigger answers POST only, and an empty unsigned POST is refused (401), not run.
		const empty = await fetch(triggerUrl(server.url, TRIGGERS.ws), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
			signal: AbortSignal.timeout(30_000),
		});
		expect(empty.status).toBe(401);
		expect(await executions(n8n, TRIGGERS.ws.id)).toEqual([]);
	}, 120_000);

	it(
		'a Submit Only model node with the trigger URL starts exactly one trigger execution per ended job',
		async () => {
			if (!n8n || !server) throw new Error('n8n did not start');
			const instance = n8n;
			const s = server;
			emulator.reset();
			emulator.planNext(...JOBS.map(planOf));

			const submitted = await timed(
				{ stage: 'execute', version, label: `submit workflow (${JOBS.length} Submit Only nodes)` },
				async () => await instance.execute(SUBMIT_WORKFLOW_ID),
			);
			if (!submitted.ok) throw new Error(`${submitted.error}${tail(s)}`);

			for (const job of JOBS) {
				const items = submitted.items[job.node];
				expect(items).toHaveLength(1);
				const json = items[0].json;
				const webhookUrl = job.to ? triggerUrl(s.url, TRIGGERS[job.to]) : null;
				expect(json).toMatchObject({ provider: job.provider, status: 'submitted', webhookUrl });
				const id = String(json.requestId);
				jobIds.set(job.node, id);
				const info = emulator.job(id);
				// The provider was given the trigger's production URL tagged with the model id (where
				// the trigger reads the job), and the plan matches the case.
				const model = job.provider === 'wavespeed' ? 'wavespeed-ai/lynx' : 'bytedance/lynx';
				expect(info?.webhook).toBe(webhookUrl ? `${webhookUrl}?aivModel=${encodeURIComponent(model)}` : undefined);
				expect(info?.plan.outcome).toBe(job.outcome);
			}
			expect(emulator.count('submit')).toBe(JOBS.length);

			const delivered = JOBS.filter((j) => j.to);
			await timed(
				{ stage: 'callbacks', version, label: `${delivered.length} provider callbacks` },
				async () => {
					await waitFor(
						'a 2xx answer from n8n to every automatic callback',
						() => {
							const pending = delivered.filter(
								(j) =>
									!emulator.callbacks.some(
										(cb) => cb.jobId === jobIds.get(j.node) && cb.attempt >= 1 && is2xx(cb.status),
									),
							);
							return pending.length === 0 ? true : undefined;
						},
						90_000,
						250,
					);
				},
			);
			// Every callback was answered 2xx at the first attempt: the emulator never had to retry.
			expect(emulator.callbacks.filter((cb) => cb.attempt >= 1)).toHaveLength(delivered.length);
			const ignored = JOBS.find((j) => j.ignored);
			const ignoredAnswer = emulator.callbacks.find((cb) => cb.jobId === jobIds.get(ignored!.node));
			expect(JSON.parse(ignoredAnswer!.body)).toMatchObject({ received: true, started: false });

			// The keys were fetched through the credentials: the WaveSpeed secret with the API key,
			// fal's JWKS from the credential's JWKS URL.
			const secret = emulator.requests.filter((r) => r.kind === 'secret');
			expect(secret.length).toBeGreaterThanOrEqual(1);
			expect(secret[0].headers.authorization).toBe(`Bearer ${emulator.wavespeed.apiKey}`);
			expect(emulator.count('jwks')).toBeGreaterThanOrEqual(1);

			const wanted = (t: Trigger) => delivered.filter((j) => j.to === t.key && !j.ignored);
			const runs = await timed(
				{ stage: 'executions', version, label: 'trigger executions ended' },
				async () =>
					waitFor(
						'the trigger executions to end',
						async () => {
							const out: Record<string, Execution[]> = {};
							for (const t of triggers) {
								const rows = await executions(instance, t.id);
								if (rows.length < wanted(t).length || rows.some((r) => !ENDED.has(r.status)))
									return undefined;
								out[t.key] = rows;
							}
							return out;
						},
						90_000,
						1000,
					),
			);
			await sleep(SETTLE_MS);

			for (const t of triggers) {
				const rows = await executions(instance, t.id);
				// Exactly one execution per wanted job end: no duplicates, nothing for the ignored one.
				expect(rows).toEqual(runs[t.key]);
				expect(rows).toHaveLength(wanted(t).length);
				const seen: string[] = [];
				for (const row of rows) {
					expect(row).toMatchObject({ status: 'success', mode: 'webhook', finished: true });
					const items = await storedItems(instance, row.id, t.node);
					expect(items).toHaveLength(1);
					const json = items[0].json;
					const job = wanted(t).find((j) => jobIds.get(j.node) === json.requestId);
					if (!job)
						throw new Error(
							`execution ${row.id} of ${t.id} is for an unknown job: ${JSON.stringify(json)}`,
						);
					seen.push(job.node);
					report(
						`n8n@${version} execution ${row.id} of ${t.id}: ${job.node} → ${JSON.stringify(json).slice(0, 300)}`,
					);
					expectItem(json, job, jobIds.get(job.node)!);
					// The item went on to the next node.
					expect((await storedItems(instance, row.id, t.next)).map((i) => i.json)).toEqual([json]);
				}
				expect(seen.sort()).toEqual(
					wanted(t)
						.map((j) => j.node)
						.sort(),
				);
			}
		},
		5 * 60_000,
	);

	it(
		'forged callbacks get 401 and start nothing; the first valid delivery starts one execution; redeliveries start nothing',
		async () => {
			if (!n8n || !server) throw new Error('n8n did not start');
			if (jobIds.size !== JOBS.length) throw new Error('the submit test did not run');
			const instance = n8n;
			const s = server;
			const counts = async () =>
				Object.fromEntries(
					await Promise.all(
						triggers.map(async (t) => [t.key, (await executions(instance, t.id)).length] as const),
					),
				);
			const before = await counts();

			// 1. Forgeries, first for jobs the triggers never heard of (a forged call that got
			// through would not be a duplicate), then for jobs they already ran.
			const forgeries = [
				{ unsigned: true },
				{ tamper: true },
				{ staleSeconds: 600 },
				{ wrongKey: true },
			] as const;
			const targets: Array<[JobCase, Trigger]> = [
				...Object.entries(LATE).map(
					([node, key]) =>
						[JOBS.find((j) => j.node === node)!, TRIGGERS[key]] as [JobCase, Trigger],
				),
				...JOBS.filter((j) => j.to && !j.ignored).map(
					(j) => [j, TRIGGERS[j.to!]] as [JobCase, Trigger],
				),
			];
			await timed(
				{
					stage: 'forged',
					version,
					label: `${targets.length * forgeries.length} forged callbacks`,
				},
				async () => {
					for (const [job, t] of targets) {
						for (const forgery of forgeries) {
							const answer = await emulator.sendCallback(jobIds.get(job.node)!, {
								...forgery,
								to: triggerUrl(s.url, t),
							});
							if (answer.status !== 401) {
								throw new Error(
									`${job.node} → ${t.id} with ${JSON.stringify(forgery)}: n8n answered ${answer.status} ${answer.body}${tail(s)}`,
								);
							}
							expect(JSON.parse(answer.body)).toEqual({ error: 'invalid signature' });
						}
					}
					await sleep(SETTLE_MS);
				},
			);
			expect(await counts()).toEqual(before);

			// 1b. A valid but untagged callback (a job from other software) to the fal trigger that
			// names no endpoint for such jobs: refused (400), nothing starts, and the trigger reads
			// nothing at fal.
			const untaggedJob = jobIds.get('fal completes, no webhook')!;
			const statusReads = emulator.count('status', 'fal');
			const refused = await emulator.sendCallback(untaggedJob, { to: triggerUrl(s.url, TRIGGERS.fal) });
			report(`n8n@${version} untagged fal callback → ${TRIGGERS.fal.id} (no endpoint option): ${refused.status} ${refused.body}`);
			expect(refused.status).toBe(400);
			expect(JSON.parse(refused.body)).toMatchObject({ started: false });
			expect(emulator.count('status', 'fal')).toBe(statusReads);
			await sleep(SETTLE_MS);
			expect(await counts()).toEqual(before);

			// 2. The first valid delivery of the no-webhook jobs, three copies at once (a provider
			// retrying while the first is still in flight): one execution each, the copies are
			// acknowledged as duplicates.
			const late = Object.entries(LATE).map(([node, key]) => ({
				job: JOBS.find((j) => j.node === node)!,
				t: TRIGGERS[key],
			}));
			await timed(
				{
					stage: 'callbacks',
					version,
					label: `${late.length} × 3 concurrent late valid callbacks`,
				},
				async () => {
					for (const { job, t } of late) {
						const rowsBefore = await executions(instance, t.id);
						const answers = await Promise.all(
							[1, 2, 3].map(
								async () =>
									await emulator.sendCallback(jobIds.get(job.node)!, { to: triggerUrl(s.url, t) }),
							),
						);
						report(
							`n8n@${version} ${job.node} → ${t.id}, 3 concurrent valid deliveries: ${answers.map((a) => `${a.status} ${a.body}`).join(' | ')}`,
						);
						for (const answer of answers) {
							if (!is2xx(answer.status))
								throw new Error(
									`${job.node}: n8n answered ${answer.status} ${answer.body}${tail(s)}`,
								);
						}
						expect(answers.filter((a) => a.body.includes('"duplicate":true'))).toHaveLength(2);
						const added = await waitFor(
							`the execution of ${job.node}`,
							async () => {
								const rows = (await executions(instance, t.id)).slice(rowsBefore.length);
								return rows.length > 0 && rows.every((r) => ENDED.has(r.status)) ? rows : undefined;
							},
							60_000,
							1000,
						);
						await sleep(SETTLE_MS);
						expect(await executions(instance, t.id)).toEqual([...rowsBefore, ...added]);
						expect(added).toHaveLength(1);
						expect(added[0]).toMatchObject({ status: 'success', mode: 'webhook' });
						const items = await storedItems(instance, added[0].id, t.node);
						expect(items).toHaveLength(1);
						expectItem(items[0].json, job, jobIds.get(job.node)!);
					}
				},
			);
			const afterLate = await counts();
			for (const t of triggers) {
				expect(afterLate[t.key]).toBe(before[t.key] + late.filter((l) => l.t.key === t.key).length);
			}

			// 3. Redeliveries of valid callbacks (what a provider does when it is unsure it got
			// through): acknowledged 2xx, nothing started.
			const replays: Array<[JobCase, Trigger]> = [
				...late.map(({ job, t }) => [job, t] as [JobCase, Trigger]),
				...JOBS.filter((j) => j.to).map((j) => [j, TRIGGERS[j.to!]] as [JobCase, Trigger]),
			];
			await timed(
				{ stage: 'replays', version, label: `${replays.length} redelivered callbacks` },
				async () => {
					for (const [job, t] of replays) {
						const answer = await emulator.sendCallback(jobIds.get(job.node)!, {
							to: triggerUrl(s.url, t),
						});
						if (!is2xx(answer.status)) {
							throw new Error(
								`replay of ${job.node} → ${t.id}: n8n answered ${answer.status} ${answer.body}${tail(s)}`,
							);
						}
						expect(JSON.parse(answer.body)).toMatchObject(
							job.ignored
								? { received: true, started: false }
								: { received: true, started: false, duplicate: true },
						);
					}
					await sleep(SETTLE_MS);
				},
			);
			expect(await counts()).toEqual(afterLate);

			// 4. Someone else's fal account, the trigger's URL (tagged, as our node would): fal signs
			// the callback for real, and a second one naming an attacker's video URL too. The trigger
			// reads the job with its own credential, fal does not know it there: nothing starts.
			const submit = await fetch(
				`${emulator.fal.queueUrl}/bytedance/lynx?fal_webhook=${encodeURIComponent(`${triggerUrl(s.url, TRIGGERS.falBoth)}?aivModel=bytedance%2Flynx`)}`,
				{
					method: 'POST',
					headers: { authorization: `Key ${emulator.fal.otherApiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: 'not yours', image_url: 'https://images.pexels.com/photos/1239291/pexels-photo-1239291.jpeg' }),
					signal: AbortSignal.timeout(30_000),
				},
			);
			expect(submit.status).toBe(200);
			const otherId = String(((await submit.json()) as { request_id: string }).request_id);
			await timed({ stage: 'callbacks', version, label: "another account's fal callbacks" }, async () => {
				const first = await waitFor(
					"the other account's callback answered",
					() => emulator.callbacks.find((cb) => cb.jobId === otherId && cb.attempt >= 1),
					60_000,
					250,
				);
				const forged = await emulator.sendCallback(otherId, { forgeSigned: true });
				report(`n8n@${version} another account's fal job → ${TRIGGERS.falBoth.id}: ${first.status} ${first.body} | forged URL: ${forged.status} ${forged.body}`);
				for (const answer of [first, forged]) {
					expect(answer.status).toBe(200);
					expect(JSON.parse(answer.body)).toEqual({ received: true, started: false });
				}
				expect(emulator.requests.some((r) => r.kind === 'status' && r.jobId === otherId && r.status === 404)).toBe(true);
				await sleep(SETTLE_MS);
			});
			expect(await counts()).toEqual(afterLate);
			expect(s.output()).toContain('not visible to this credential');
		},
		5 * 60_000,
	);
});

/** The package's interface item for a job end (shared/interface.md). */
function expectItem(json: Record<string, unknown>, job: JobCase, requestId: string): void {
	if (job.outcome === 'completed') {
		const videoUrl = `${emulator.url}/files/${job.provider}/${requestId}.mp4`;
		expect(json).toMatchObject({
			provider: job.provider,
			requestId,
			status: 'completed',
			videoUrl,
			videoUrls: [videoUrl],
		});
		expect(json).not.toHaveProperty('error');
		if (job.provider === 'fal') expect(json.seed).toBe(BIG_SEED);
	} else {
		expect(json).toMatchObject({
			provider: job.provider,
			requestId,
			status: 'failed',
			error: expect.stringContaining(JOB_ERROR),
		});
		expect(json).not.toHaveProperty('videoUrl');
		if (job.provider === 'wavespeed') expect(json.errorCode).toBe(JOB_ERROR_CODE);
	}
	// What the provider's read says: the model too (fal's from the endpoint the job was read at).
	expect(json.model).toBe(job.provider === 'wavespeed' ? 'wavespeed-ai/lynx' : 'bytedance/lynx');
}
