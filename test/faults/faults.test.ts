/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- test code, never shipped: it prints the one summary line and reads FAULTS_STRICT */
/**
 * The fault matrix: every provider fault we know of, on every request a model node makes
 * (submit, status, result, status stream, upload, download), plus jobs that fail, never end or
 * return nothing, and a provider restart mid-poll, against both Lynx nodes with three items.
 * Whatever goes wrong: every input item comes back in order and paired (a video, or an error
 * item with the request id once a job exists), no item is paid for twice, the API keys leak
 * nowhere, and every case ends in bounded time.
 *
 * Time: the engine runs on scaledClock(20) (back-offs, Retry-After, poll intervals, the
 * Timeout option), and the request timeouts the node hands to n8n's HTTP helpers are scaled
 * by the same factor (at most 2 s; see scaleRequestTimeouts), so "a hang past the request
 * timeout" takes seconds, not the real 30–300 s. Emulator hangs and job durations are real ms.
 *
 * A row with `bug` is a finding: the case stays in the matrix, marked, and runs as
 * `test.failing` until the engine is fixed (then jest reports it and the mark comes off).
 */
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { scaledClock } from '../../nodes/shared/clock';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import type { ModelSpec } from '../../nodes/shared/models/types';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { runModel } from '../../nodes/shared/runner';
import { startEmulator } from '../emulator/emulator';
import type { Emulator, Fault, JobInfo, JobPlan, RequestKind } from '../emulator/emulator';
import { png } from '../fixtures/images';
import { binaryItem } from '../harness/context';
import type { Harness } from '../harness/context';
import { harness, items } from '../integration/setup';

/** Engine time runs this many times faster than real time. */
const CLOCK = 20;
/** Longest request timeout after scaling: every "hang past the timeout" outlasts it. */
const MAX_REQUEST_TIMEOUT_MS = 2000;
const HANG_MS = 2600;
const ITEMS = 3;
const CASE_BUDGET_MS = 15_000;
const IMG = 'https://cdn.example.com/portrait.jpg';
const IMAGE = png(64, 64);

type Provider = 'wavespeed' | 'fal';
type Point =
	| 'submit'
	| 'status'
	| 'result'
	| 'stream'
	| 'upload'
	| 'upload-put'
	| 'download'
	| 'job'
	| 'restart';
type Effect = Omit<Fault, 'kind' | 'provider'>;

/** The emulator's request kind for each injection point (WaveSpeed status polls are `result`). */
const KIND: Partial<Record<Point, Partial<Record<Provider, RequestKind>>>> = {
	submit: { wavespeed: 'submit', fal: 'submit' },
	status: { wavespeed: 'result', fal: 'status' },
	result: { fal: 'result' },
	stream: { fal: 'stream' },
	upload: { wavespeed: 'upload', fal: 'storage-initiate' },
	'upload-put': { fal: 'upload-put' },
	download: { wavespeed: 'download', fal: 'download' },
};

const PROVIDER_NAME: Record<Provider, string> = { wavespeed: 'WaveSpeed', fal: 'fal' };

const NODES: Record<Provider, { node: () => INodeType; model: ModelSpec; image: string }> = {
	wavespeed: { node: () => new WaveSpeedLynx(), model: waveSpeedLynx, image: 'image' },
	fal: { node: () => new FalLynx(), model: falLynx, image: 'imageUrl' },
};

interface Expect {
	/** error items among the three; 0 = every item gets its video */
	errors: number;
	/** every error item's message, and the error thrown with Continue On Fail OFF */
	message?: RegExp | Record<Provider, RegExp>;
	/** jobs the provider created in the end (default 3) */
	jobs?: number;
	/** the failing item's job was created but its answer never reached the node */
	idUnknown?: boolean;
	/** submit requests beyond one per item (allowed only after 429 / connection refused) */
	resubmits?: number;
	/**
	 * What n8n's Retry On Fail gets (rows with `off: 'retry'`): every video (default), or, where
	 * the failed submit may have made a job nobody can name, a refusal to send that item again.
	 */
	retry?: 'completes' | 'refuses' | Partial<Record<Provider, 'completes' | 'refuses'>>;
}

interface Row {
	point: Point;
	/** what goes wrong, as the table shows it */
	fault: string;
	only?: Provider;
	/** injected on the point's request kind for the provider */
	inject?: Effect;
	plans?: JobPlan[];
	plan?: JobPlan;
	options?: IDataObject;
	/** runs alongside the node (a restart) */
	during?: (emu: Emulator, provider: Provider) => Promise<void>;
	expect: Expect;
	/** also run with Continue On Fail OFF; 'retry' then re-runs as n8n's Retry On Fail does */
	off?: boolean | 'retry';
	/** a known engine bug (for both providers, or per provider): the case fails until it is fixed */
	bug?: string | Partial<Record<Provider, string>>;
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

/** Faults every read (status, result, upload) must survive by retrying. */
const TRANSIENT: Array<[string, Effect]> = [
	['429 + Retry-After ×2', { status: 429, retryAfter: 1, times: 2 }],
	['429, no Retry-After ×2', { status: 429, times: 2 }],
	['500 ×2', { status: 500, times: 2 }],
	['502 ×2', { status: 502, times: 2 }],
	['503 ×2', { status: 503, times: 2 }],
	['connection reset ×2', { reset: true, times: 2 }],
	['hang past the request timeout', { hangMs: HANG_MS }],
	['malformed JSON ×2', { malformed: true, times: 2 }],
];
const ENVELOPE_500: [string, Effect] = ['envelope code 500 ×2', { envelopeCode: 500, times: 2 }];

const survives = (point: Point, list: Array<[string, Effect]>, only?: Provider): Row[] =>
	list.map(([fault, inject]) => ({ point, fault, inject, only, expect: { errors: 0 } }));

const NOT_RETRIED_SUBMIT =
	/the connection failed while submitting the job \(ECONN(?:RESET|ABORTED)\)\. The provider may have created the job anyway/;
const MAY_EXIST = /may have (?:been )?created/i;
const OUTAGE_NETWORK =
	/could not learn the job's status within 30 s \(last problem: checking the job status failed: the connection to (WaveSpeed|fal) failed \(ECONN(RESET|REFUSED)\)\)/;

/** Takes the provider down for downMs while the node polls (after its first status read). */
const restartWhilePolling =
	(downMs: number) =>
	async (emu: Emulator, provider: Provider): Promise<void> => {
		const kind: RequestKind = provider === 'wavespeed' ? 'result' : 'stream';
		const until = Date.now() + 5000;
		while (emu.count(kind, provider) === 0 && Date.now() < until) await pause(10);
		await emu.restart(downMs);
	};

/** The provider is down when the node submits. */
async function downAtSubmit(emu: Emulator): Promise<void> {
	await emu.restart(600);
}

const ROWS: Row[] = [
	// submit: repeated only after 429 / refused; anything else is final and names what is known
	{
		point: 'submit',
		fault: '429 + Retry-After',
		inject: { status: 429, retryAfter: 1 },
		expect: { errors: 0, resubmits: 1 },
	},
	{
		point: 'submit',
		fault: '429, no Retry-After',
		inject: { status: 429 },
		expect: { errors: 0, resubmits: 1 },
	},
	{
		point: 'submit',
		fault: 'connection refused (down 600 ms)',
		during: downAtSubmit,
		expect: { errors: 0 },
	},
	// A server error may hide a job the provider took (next row), so the item is never sent
	// again, not even by Retry On Fail, except where the provider's own client resends: fal
	// after 502/503/504.
	...(['500', '502', '503'] as const).map(
		(code): Row => ({
			point: 'submit',
			fault: code,
			inject: { status: Number(code) },
			expect: {
				errors: 1,
				jobs: 2,
				message: new RegExp(`Submitting the job failed with HTTP ${code}`),
				retry: code === '500' ? 'refuses' : { wavespeed: 'refuses', fal: 'completes' },
			},
			off: 'retry',
		}),
	),
	{
		point: 'submit',
		fault: '500 after the job was taken',
		inject: { status: 500, acceptThenFail: true },
		expect: {
			errors: 1,
			jobs: 3,
			idUnknown: true,
			message: /Submitting the job failed with HTTP 500/,
		},
	},
	{
		point: 'submit',
		fault: 'connection reset after the job was taken',
		inject: { reset: true, acceptThenFail: true },
		expect: { errors: 1, jobs: 3, idUnknown: true, message: NOT_RETRIED_SUBMIT },
		off: true,
	},
	{
		point: 'submit',
		fault: 'hang past the request timeout',
		inject: { hangMs: HANG_MS },
		expect: { errors: 1, jobs: 2, message: NOT_RETRIED_SUBMIT },
	},
	{
		point: 'submit',
		fault: 'hang past the request timeout, job taken',
		inject: { hangMs: HANG_MS, acceptThenFail: true },
		expect: { errors: 1, jobs: 3, idUnknown: true, message: NOT_RETRIED_SUBMIT },
	},
	{
		point: 'submit',
		fault: 'malformed JSON (HTTP 200)',
		inject: { malformed: true },
		// A 200 the node cannot read may well have created a job: the user must be told.
		expect: { errors: 1, jobs: 2, message: MAY_EXIST },
	},
	{
		point: 'submit',
		only: 'wavespeed',
		fault: 'envelope code 500',
		inject: { envelopeCode: 500 },
		expect: { errors: 1, jobs: 2, message: /the job was refused \(code 500\)/ },
	},

	// status polls (WaveSpeed: kind `result`; fal: the status endpoint, Poll Interval set)
	...survives('status', TRANSIENT),
	...survives('status', [ENVELOPE_500], 'wavespeed'),
	{
		point: 'status',
		fault: 'connection reset on every read (Timeout 30 s)',
		inject: { reset: true, times: Infinity },
		options: { timeout: 30 },
		// An outage is waited out up to the Timeout, then the item fails naming the problem.
		expect: { errors: 3, message: OUTAGE_NETWORK },
	},
	{
		point: 'status',
		fault: '503 on every read (Timeout 30 s)',
		inject: { status: 503, times: Infinity },
		options: { timeout: 30 },
		expect: { errors: 3, message: /could not learn the job's status within 30 s \(last problem: Checking the job status failed with HTTP 503/ },
		off: 'retry',
	},

	// fal: the result fetch after COMPLETED (retried as fal's client does: not on 500), and the
	// status stream
	...survives(
		'result',
		TRANSIENT.filter(([fault]) => !fault.startsWith('500')),
		'fal',
	),
	{
		point: 'result',
		only: 'fal',
		fault: '500 once',
		inject: { status: 500 },
		// The job is done; Retry On Fail reads its result again instead of buying it again.
		expect: { errors: 1, message: /Fetching the result failed with HTTP 500/ },
		off: 'retry',
	},
	{
		point: 'result',
		only: 'fal',
		fault: '500 on every read',
		inject: { status: 500, times: Infinity },
		expect: { errors: 3, message: /Fetching the result failed with HTTP 500/ },
		off: true,
	},
	...survives(
		'stream',
		[
			['503 ×2', { status: 503, times: 2 }],
			['connection reset ×2', { reset: true, times: 2 }],
			['hang past the request timeout', { hangMs: HANG_MS }],
			['malformed JSON ×2', { malformed: true, times: 2 }],
		],
		'fal',
	),

	// uploads of an input binary (free, no job: retried like reads)
	...survives('upload', TRANSIENT),
	...survives('upload', [ENVELOPE_500], 'wavespeed'),
	...survives(
		'upload-put',
		[
			['500 ×2', { status: 500, times: 2 }],
			['503 ×2', { status: 503, times: 2 }],
			['connection reset ×2', { reset: true, times: 2 }],
			['hang past the request timeout', { hangMs: HANG_MS }],
		],
		'fal',
	),
	{
		point: 'upload',
		fault: '503 on every upload',
		inject: { status: 503, times: Infinity },
		expect: {
			errors: 3,
			jobs: 0,
			message: /(?:Uploading the image|Starting the image upload) failed with HTTP 503/,
		},
		off: true,
	},

	// the video download (Output: Video File)
	{
		point: 'download',
		fault: 'video URL 404',
		inject: { status: 404 },
		expect: {
			errors: 1,
			message: /downloading the video failed: HTTP 404\. The video is still at http\S+\.mp4/,
		},
		off: 'retry',
	},
	{
		point: 'download',
		fault: 'every download truncated',
		inject: { truncate: true, times: Infinity },
		plan: { videoBytes: 2_000_000 },
		expect: {
			errors: 3,
			message: /downloading the video failed: .+\. The video is still at http\S+\.mp4/,
		},
		off: 'retry',
	},
	...(
		[
			['503', { status: 503 }],
			['429 + Retry-After', { status: 429, retryAfter: 1 }],
			['connection reset', { reset: true }],
		] as Array<[string, Effect]>
	).map(
		([fault, inject]): Row => ({
			point: 'download',
			fault,
			inject,
			expect: { errors: 0 },
		}),
	),
	{
		point: 'download',
		fault: 'hang past the request timeout',
		inject: { hangMs: HANG_MS },
		expect: { errors: 0 },
	},
	{
		point: 'download',
		fault: 'body stalls mid-way once',
		inject: { stallAfterBytes: 20_000 },
		expect: { errors: 0 },
	},
	{
		point: 'download',
		fault: 'body stalls mid-way on every attempt',
		inject: { stallAfterBytes: 20_000, times: Infinity },
		expect: {
			errors: 3,
			message: /downloading the video failed: no data arrived for 30 s \(after 20 KB\)\. The video is still at http\S+\.mp4/,
		},
		off: 'retry',
	},
	{
		point: 'download',
		fault: 'chunked, no Content-Length, within Max Download Size',
		plan: { videoBytes: 1_500_000, chunked: true },
		options: { maxDownloadSize: 2 },
		expect: { errors: 0 },
	},
	{
		point: 'download',
		fault: 'chunked, no Content-Length, over Max Download Size',
		plan: { videoBytes: 3_000_000, chunked: true },
		options: { maxDownloadSize: 1 },
		expect: {
			errors: 3,
			message: /downloading the video failed: the video is larger than the limit of 1 MB \(option Max Download Size\)/,
		},
		off: true,
	},
	{
		point: 'download',
		fault: 'gzip, 1.5 MB inflated, within Max Download Size',
		plan: { videoBytes: 1_500_000, gzip: true, fill: 'zeros' },
		options: { maxDownloadSize: 2 },
		expect: { errors: 0 },
	},
	{
		point: 'download',
		fault: 'gzip bomb, 100 MB inflated, over Max Download Size',
		plan: { videoBytes: 100 * 1024 * 1024, gzip: true, fill: 'zeros' },
		options: { maxDownloadSize: 1 },
		expect: {
			errors: 3,
			message: /downloading the video failed: the video is larger than the limit of 1 MB \(option Max Download Size\)/,
		},
		off: true,
	},

	// the job itself
	{
		point: 'job',
		fault: 'job fails',
		plans: [{ outcome: 'failed', error: 'Content flagged', errorCode: 1200 }],
		expect: { errors: 1, message: /the job failed.*Content flagged/ },
		off: 'retry',
	},
	{
		point: 'job',
		fault: 'job never ends (Timeout 20 s)',
		plans: [{ outcome: 'never' }],
		options: { timeout: 20 },
		expect: { errors: 1, message: /the job did not finish within 20 s/ },
		off: true,
	},
	{
		point: 'job',
		fault: 'empty outputs',
		plans: [{ emptyOutputs: true }],
		expect: { errors: 1, message: /the job completed but returned no video/ },
		off: true,
	},
	{
		point: 'restart',
		fault: 'provider restart mid-poll (down 1.5 s)',
		plan: { durationMs: 2500 },
		during: restartWhilePolling(1500),
		expect: { errors: 0 },
	},
	{
		point: 'restart',
		fault: 'provider down 7 s (2 min 20 s engine time) mid-poll',
		plan: { durationMs: 2500 },
		during: restartWhilePolling(7000),
		// Longer than one read's retries (~91 s): the node keeps waiting up to its Timeout.
		expect: { errors: 0 },
	},
];

interface Case extends Omit<Row, 'bug'> {
	bug?: string;
	provider: Provider;
	continueOnFail: boolean;
	name: string;
}

function outcomeText(row: Row, continueOnFail: boolean): string {
	const { errors, idUnknown } = row.expect;
	if (errors === 0) return 'all 3 videos';
	const noJob = !idUnknown && (row.expect.jobs ?? ITEMS) < ITEMS;
	if (!continueOnFail) {
		return idUnknown
			? 'throws, job may exist'
			: noJob
				? 'throws, no job'
				: 'throws with the request id';
	}
	const what = idUnknown
		? 'error item, job may exist'
		: noJob
			? 'error item, no job'
			: 'error item with request id';
	return `${errors === ITEMS ? 'all' : errors} ${what}`;
}

const CASES: Case[] = ROWS.flatMap((row) =>
	(['wavespeed', 'fal'] as Provider[])
		.filter(
			(provider) =>
				(row.only ?? provider) === provider && (!row.inject || KIND[row.point]?.[provider]),
		)
		.flatMap((provider) =>
			[true, ...(row.off ? [false] : [])].map((continueOnFail) => {
				const bug = typeof row.bug === 'string' ? row.bug : row.bug?.[provider];
				return {
					...row,
					bug,
					provider,
					continueOnFail,
					name: `${provider} · ${row.point} · ${row.fault} · CoF ${continueOnFail ? 'on' : 'off'}${row.off === 'retry' && !continueOnFail ? ' + Retry On Fail' : ''} → ${outcomeText(row, continueOnFail)}${bug ? ` [BUG: ${bug}]` : ''}`,
				};
			}),
		),
);

// ---------------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------------

const summary = { cases: 0, survived: 0, lost: 0, doubleSubmits: 0 };

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => {
	await emu.close();
	console.log(
		`faults: ${summary.cases} cases, ${summary.survived} survived, ${summary.lost} lost, ${summary.doubleSubmits} double-submits`,
	);
});

const pause = async (ms: number): Promise<void> => await sleep(ms);

const prompt = (i: number) => `clip ${i}`;

/**
 * The request timeouts the node asks n8n for (30–300 s) scaled like its clock (÷20, at most
 * MAX_REQUEST_TIMEOUT_MS), so a hang past them is seconds. Everything else passes unchanged
 * to the harness's n8n HTTP helpers.
 */
function scaleRequestTimeouts(h: Harness): void {
	const helpers = h.ctx.helpers;
	const scale = (options: IHttpRequestOptions): IHttpRequestOptions =>
		options.timeout
			? { ...options, timeout: Math.min(options.timeout / CLOCK, MAX_REQUEST_TIMEOUT_MS) }
			: options;
	const plain = helpers.httpRequest;
	const withAuth = helpers.httpRequestWithAuthentication;
	helpers.httpRequest = async (options: IHttpRequestOptions) =>
		(await plain(scale(options))) as never;
	helpers.httpRequestWithAuthentication = async function (
		this: IExecuteFunctions,
		credentialType: string,
		options: IHttpRequestOptions,
		...rest: unknown[]
	) {
		return (await withAuth.call(this, credentialType, scale(options), ...(rest as []))) as never;
	} as typeof withAuth;
}

function parameters(c: Case): (i: number) => IDataObject {
	const { image } = NODES[c.provider];
	const options: IDataObject = { ...c.options };
	// WaveSpeed is polled every 1 s (50 ms real) instead of its schedule's 25 s quiet start;
	// fal status faults need the status endpoint, which a set Poll Interval uses instead of the stream.
	if (c.provider === 'wavespeed' || c.point === 'status') options.pollInterval = 1;
	const binaryImage = c.point === 'upload' || c.point === 'upload-put';
	return (i) => ({
		prompt: prompt(i),
		...(binaryImage ? { imageSource: 'binary' } : { [image]: IMG }),
		...(c.point === 'download' ? { output: 'binary' } : {}),
		options,
	});
}

function inputItems(c: Case): INodeExecutionData[] {
	if (c.point !== 'upload' && c.point !== 'upload-put') return items(ITEMS);
	return Array.from({ length: ITEMS }, (_, i) =>
		binaryItem(IMAGE, 'image/png', `face-${i}.png`, 'data', { n: i }),
	);
}

function makeHarness(c: Case, continueOnFail: boolean, staticData?: IDataObject): Harness {
	const h = harness(NODES[c.provider].node(), emu, parameters(c), {
		items: inputItems(c),
		continueOnFail,
		...(staticData ? { staticData } : {}),
	});
	scaleRequestTimeouts(h);
	return h;
}

async function execute(
	c: Case,
	h: Harness,
): Promise<{ out?: INodeExecutionData[]; thrown?: unknown }> {
	try {
		const [out] = await runModel.call(h.ctx, NODES[c.provider].model, {
			clock: scaledClock(CLOCK),
		});
		return { out };
	} catch (thrown) {
		return { thrown };
	}
}

const jobsOf = (i: number): JobInfo[] =>
	emu.jobs().filter((j) => (j.input as IDataObject | undefined)?.prompt === prompt(i));
const submitsOf = (i: number): number =>
	emu.requests.filter(
		(r) => r.kind === 'submit' && (r.body as IDataObject | undefined)?.prompt === prompt(i),
	).length;

function messageFor(c: Case): RegExp | undefined {
	const m = c.expect.message;
	return m instanceof RegExp || m === undefined ? m : m[c.provider];
}

/** Every text a user or a log reader sees; the API keys must be in none. */
function expectNoKeys(h: Harness, ...texts: unknown[]): void {
	const seen = JSON.stringify([texts, h.logs]);
	expect(seen).not.toContain(emu.wavespeed.apiKey);
	expect(seen).not.toContain(emu.fal.apiKey);
}

function errorTexts(error: unknown): IDataObject {
	const e = error as NodeApiError | NodeOperationError;
	return { message: e?.message, description: e?.description, context: e?.context };
}

/** A hang case really outlived the request timeout: the node gave up on the hung request. */
function expectTimedOut(c: Case): void {
	if (c.inject?.hangMs === undefined) return;
	const kind = KIND[c.point]?.[c.provider];
	expect(emu.requests.filter((r) => r.kind === kind && r.status === 0).length).toBeGreaterThan(0);
}

/** fal reports a failed job as COMPLETED (with an error), so ask the plan. */
const failed = (job: JobInfo | undefined): boolean => job?.plan.outcome === 'failed';

/** Items whose jobs ran more than once, not counting a new job after a failed one. */
function doubleSubmits(): number {
	let count = 0;
	for (let i = 0; i < ITEMS; i++) {
		const jobs = jobsOf(i).sort((a, b) => a.createdAt - b.createdAt);
		if (jobs.length > 1 && jobs.slice(0, -1).some((j) => !failed(j))) count++;
	}
	return count;
}

/** Prepares the emulator; returns what runs alongside the node (boxed: an async function would await it). */
async function setUp(c: Case): Promise<{ during?: Promise<void> }> {
	emu.reset();
	if (c.plan) emu.setPlan(c.plan);
	if (c.plans) emu.planNext(...c.plans);
	const kind = KIND[c.point]?.[c.provider];
	if (c.inject && kind) emu.inject({ ...c.inject, kind, provider: c.provider });
	const during = c.during?.(emu, c.provider);
	// Let a restart stop listening before the first request.
	if (during) await pause(30);
	return { during };
}

async function runWithContinueOnFail(c: Case): Promise<void> {
	const { during } = await setUp(c);
	const started = Date.now();
	const h = makeHarness(c, true);
	const { out, thrown } = await execute(c, h);
	const elapsed = Date.now() - started;
	await during;

	// Bookkeeping before any assertion, so the summary holds even for a failing case.
	const output = out ?? [];
	for (let i = 0; i < ITEMS; i++) {
		const item = output[i];
		if (!item || (item.pairedItem as { item?: number } | undefined)?.item !== i) summary.lost++;
	}
	summary.doubleSubmits += doubleSubmits();

	expect(thrown).toBeUndefined();
	expect(output).toHaveLength(ITEMS);
	expect(output.map((o) => o.pairedItem)).toEqual(
		Array.from({ length: ITEMS }, (_, i) => ({ item: i })),
	);
	expect(emu.jobs()).toHaveLength(c.expect.jobs ?? ITEMS);
	const message = messageFor(c);
	let errors = 0;
	let resubmits = 0;
	for (let i = 0; i < ITEMS; i++) {
		const json = output[i].json;
		const jobs = jobsOf(i);
		expect(jobs.length).toBeLessThanOrEqual(1);
		const submits = submitsOf(i);
		expect(submits).toBeGreaterThanOrEqual(jobs.length);
		resubmits += Math.max(0, submits - 1);
		const job = jobs[0];
		if (typeof json.error === 'string') {
			errors++;
			if (message) expect(json.error).toMatch(message);
			expect(json.error.startsWith(`${PROVIDER_NAME[c.provider]}: `)).toBe(true);
			if (job && !c.expect.idUnknown) {
				expect(json.requestId).toBe(job.id);
				expect(json.error).toContain(`(request ID: ${job.id})`);
				// The details tell what became of the job (still running / identified by the id).
				expect(String(json.errorDetails)).toContain(job.id);
			} else {
				expect(json.requestId).toBeNull();
			}
		} else {
			expect(job).toBeDefined();
			expect(json).toMatchObject({ status: 'completed', requestId: job.id });
			expect(typeof json.videoUrl).toBe('string');
			if (c.point === 'download') {
				expect(output[i].binary?.data?.mimeType).toBe('video/mp4');
				expect(output[i].binary?.data?.bytes).toBe(c.plan?.videoBytes ?? 65536);
			}
		}
	}
	expect(errors).toBe(c.expect.errors);
	expect(resubmits).toBe(c.expect.resubmits ?? 0);
	// Max Download Size: nothing over it reached n8n's binary store, stored or left partial.
	const limitMb = c.options?.maxDownloadSize;
	if (typeof limitMb === 'number') {
		for (const b of [...h.binaries, ...h.partialBinaries]) expect(b.bytes).toBeLessThanOrEqual(limitMb * 1024 * 1024);
	}
	expectTimedOut(c);
	expectNoKeys(h, output);
	expect(elapsed).toBeLessThan(CASE_BUDGET_MS);
}

/** The job ids a Retry On Fail of this execution would resume (n8n keeps node static data). */
function ledgerIds(h: Harness): string[] {
	const all = (h.staticData.aiVideoJobs ?? {}) as Record<
		string,
		{ items: Record<string, { requestId?: string }> }
	>;
	return Object.values(all).flatMap((execution) =>
		Object.values(execution.items ?? {}).flatMap((e) => (e.requestId ? [e.requestId] : [])),
	);
}

function retryExpectation(c: Case): 'completes' | 'refuses' {
	const r = c.expect.retry ?? 'completes';
	return typeof r === 'string' ? r : (r[c.provider] ?? 'completes');
}

async function runWithoutContinueOnFail(c: Case): Promise<void> {
	const { during } = await setUp(c);
	const started = Date.now();
	const h = makeHarness(c, false);
	const { out, thrown } = await execute(c, h);
	const elapsed = Date.now() - started;
	await during;

	// Nothing is lost: every job the node knows of is named in the error or kept for a retry.
	const texts = errorTexts(thrown);
	const named = `${String(texts.message)}\n${String(texts.description)}`;
	const kept = ledgerIds(h);
	const failingItem = (texts.context as IDataObject | undefined)?.itemIndex as number | undefined;
	const unaccounted = emu
		.jobs()
		.filter(
			(j) =>
				!(
					c.expect.idUnknown &&
					j.input &&
					(j.input as IDataObject).prompt === prompt(failingItem ?? -1)
				),
		)
		.filter((j) => !named.includes(j.id) && !kept.includes(j.id));
	summary.lost += unaccounted.length;
	const doubles = doubleSubmits();
	summary.doubleSubmits += doubles;

	expect(out).toBeUndefined();
	expect(thrown instanceof NodeApiError || thrown instanceof NodeOperationError).toBe(true);
	expect(unaccounted.map((j) => j.id)).toEqual([]);
	const message = messageFor(c);
	if (message) expect(texts.message).toMatch(message);
	expect(typeof failingItem).toBe('number');
	expect(String(texts.message).startsWith(`${PROVIDER_NAME[c.provider]}: `)).toBe(true);
	const job = jobsOf(failingItem as number)[0];
	if (job && !c.expect.idUnknown) {
		expect(texts.message).toContain(`(request ID: ${job.id})`);
		expect(String(texts.description)).toContain(job.id);
	}
	expectNoKeys(h, texts);
	expect(elapsed).toBeLessThan(CASE_BUDGET_MS);

	if (c.off === 'retry') {
		// n8n's Retry On Fail: the same execution (and node static data) runs the node again.
		emu.clearFaults();
		const before = new Map(
			Array.from({ length: ITEMS }, (_, i) => [i, jobsOf(i).map((j) => j.id)]),
		);
		const retry = makeHarness(c, false, h.staticData);
		const again = await execute(c, retry);
		const afterRetry = doubleSubmits();
		summary.doubleSubmits += afterRetry - doubles;
		if (retryExpectation(c) === 'refuses') {
			// The item whose submit may have made a job is not sent again: the retry says why.
			expect(afterRetry).toBe(0);
			expect(submitsOf(failingItem as number)).toBe(1);
			expect(errorTexts(again.thrown).message).toMatch(
				/an earlier try of this execution sent this item's job .* and got no answer .*not submitted again/,
			);
			expectNoKeys(retry, errorTexts(again.thrown));
			expect(doubles).toBe(0);
			return;
		}
		const output = again.out ?? [];
		if (!again.thrown)
			summary.lost += Array.from({ length: ITEMS }, (_, i) => i).filter(
				(i) => (output[i]?.pairedItem as { item?: number } | undefined)?.item !== i,
			).length;
		expect(again.thrown).toBeUndefined();
		expect(afterRetry).toBe(0);
		expect(output.map((o) => o.pairedItem)).toEqual(
			Array.from({ length: ITEMS }, (_, i) => ({ item: i })),
		);
		for (let i = 0; i < ITEMS; i++) {
			const earlier = (before.get(i) ?? []).filter((id) => !failed(emu.job(id)));
			expect(output[i].json.status).toBe('completed');
			// A job bought in the first run is resumed, not bought again.
			if (earlier.length) expect(output[i].json.requestId).toBe(earlier[0]);
		}
		expectNoKeys(retry, output);
		expect(Date.now() - started).toBeLessThan(CASE_BUDGET_MS);
	}
	expect(doubles).toBe(0);
}

describe('fault matrix (Lynx on WaveSpeed and fal, 3 items each)', () => {
	for (const c of CASES) {
		const body = async () => {
			summary.cases++;
			if (c.continueOnFail) await runWithContinueOnFail(c);
			else await runWithoutContinueOnFail(c);
			summary.survived++;
		};
		// FAULTS_STRICT=1 runs the bug cases as plain tests, to see how they fail.
		if (c.bug && !process.env.FAULTS_STRICT) test.failing(c.name, body, 20_000);
		else test(c.name, body, 20_000);
	}
});
