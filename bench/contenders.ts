/**
 * The contenders, measured in the same run against the same emulator: this package's nodes
 * (polling, waiting by webhook; WaveSpeed and fal), the hand-built HTTP Request + Wait + IF
 * loop with a 5 s and a 2 s Wait, and the official WaveSpeed and fal nodes built from their
 * sources (bench/official.ts; skipped when they cannot be built). Each has a workflow for the latency and items phases
 * (video URL output) and, where measured, one that produces the video as binary data.
 */
import type { WorkflowSpec } from './workflows';

export type ContenderKind = 'poll' | 'webhook' | 'loop';

export interface Targets {
	latencyP95Ms?: number;
	/** status/result requests for the longest job the seeds allow (60 s for Lynx) */
	requestsPerJob?: number;
	/** wall time of 50 items ÷ wall time of 1 item */
	items50Ratio?: number;
	rss400MiB?: number;
	rss1GiB?: number;
}

export interface Contender {
	id: string;
	label: string;
	provider: 'wavespeed' | 'fal';
	kind: ContenderKind;
	workflow: WorkflowSpec;
	binary?: WorkflowSpec;
	targets: Targets;
	/**
	 * Largest item count of the items phase. The official nodes run a node's items one after
	 * another, so 50 items of 30 s would hold the execution 25 min (past the bench's 15 min
	 * call timeout); 10 already shows the shape.
	 */
	maxItems?: number;
}

const OURS_COMMON: Targets = { items50Ratio: 1.2, rss400MiB: 40, rss1GiB: 64 };

export const CONTENDERS: Contender[] = [
	{
		id: 'ws-poll',
		label: 'ours WaveSpeed, poll',
		provider: 'wavespeed',
		kind: 'poll',
		workflow: {
			kind: 'ours',
			id: 'benchWsPoll00001',
			path: 'bench-ws-poll',
			provider: 'wavespeed',
			waitMethod: 'poll',
			output: 'url',
		},
		// A fixed 1 s interval: the RSS phase is about the download, not the schedule.
		binary: {
			kind: 'ours',
			id: 'benchWsPollBin01',
			path: 'bench-ws-poll-bin',
			provider: 'wavespeed',
			waitMethod: 'poll',
			output: 'binary',
			pollInterval: 1,
		},
		targets: { latencyP95Ms: 2000, requestsPerJob: 20, ...OURS_COMMON },
	},
	{
		id: 'fal-poll',
		label: 'ours fal, poll (status stream)',
		provider: 'fal',
		kind: 'poll',
		workflow: {
			kind: 'ours',
			id: 'benchFalPoll0001',
			path: 'bench-fal-poll',
			provider: 'fal',
			waitMethod: 'poll',
			output: 'url',
		},
		binary: {
			kind: 'ours',
			id: 'benchFalPollBin1',
			path: 'bench-fal-poll-bin',
			provider: 'fal',
			waitMethod: 'poll',
			output: 'binary',
		},
		targets: { latencyP95Ms: 500, requestsPerJob: 3, ...OURS_COMMON },
	},
	{
		id: 'ws-webhook',
		label: 'ours WaveSpeed, webhook',
		provider: 'wavespeed',
		kind: 'webhook',
		workflow: {
			kind: 'ours',
			id: 'benchWsHook00001',
			path: 'bench-ws-webhook',
			provider: 'wavespeed',
			waitMethod: 'webhook',
			output: 'url',
		},
		binary: {
			kind: 'ours',
			id: 'benchWsHookBin01',
			path: 'bench-ws-webhook-bin',
			provider: 'wavespeed',
			waitMethod: 'webhook',
			output: 'binary',
		},
		targets: { latencyP95Ms: 250, ...OURS_COMMON },
	},
	{
		id: 'fal-webhook',
		label: 'ours fal, webhook',
		provider: 'fal',
		kind: 'webhook',
		workflow: {
			kind: 'ours',
			id: 'benchFalHook0001',
			path: 'bench-fal-webhook',
			provider: 'fal',
			waitMethod: 'webhook',
			output: 'url',
		},
		targets: { latencyP95Ms: 250, items50Ratio: 1.2 },
	},
	{
		// n8n's own pause-until-called-back: the floor of webhook latency, what n8n's resume
		// path costs before any node runs (ours adds its webhook() check and one result read).
		id: 'n8n-wait-webhook',
		label: "n8n's Wait node, resumed by the provider's callback (WaveSpeed)",
		provider: 'wavespeed',
		kind: 'webhook',
		workflow: {
			kind: 'loop',
			id: 'benchWaitHook001',
			path: 'bench-wait-webhook',
			waitSeconds: 0,
			resumeOnWebhook: true,
			download: false,
		},
		targets: {},
	},
	{
		id: 'loop-5s',
		label: 'HTTP loop, Wait 5 s (WaveSpeed)',
		provider: 'wavespeed',
		kind: 'loop',
		workflow: {
			kind: 'loop',
			id: 'benchLoop5s00001',
			path: 'bench-loop-5s',
			waitSeconds: 5,
			download: false,
		},
		targets: {},
	},
	{
		id: 'loop-2s',
		label: 'HTTP loop, Wait 2 s (WaveSpeed)',
		provider: 'wavespeed',
		kind: 'loop',
		workflow: {
			kind: 'loop',
			id: 'benchLoop2s00001',
			path: 'bench-loop-2s',
			waitSeconds: 2,
			download: false,
		},
		binary: {
			kind: 'loop',
			id: 'benchLoop2sBin01',
			path: 'bench-loop-2s-bin',
			waitSeconds: 2,
			download: true,
		},
		targets: {},
	},
	{
		id: 'ws-official',
		label: "WaveSpeed's official node (Run Model, polls every 2 s)",
		provider: 'wavespeed',
		kind: 'poll',
		workflow: {
			kind: 'official',
			id: 'benchWsOfficial1',
			path: 'bench-ws-official',
			provider: 'wavespeed',
		},
		binary: {
			kind: 'official',
			id: 'benchWsOffiBin01',
			path: 'bench-ws-official-bin',
			provider: 'wavespeed',
			download: true,
		},
		targets: {},
		maxItems: 10,
	},
	{
		id: 'fal-official',
		label: "fal's official node (Generate Media, polls every 5 s)",
		provider: 'fal',
		kind: 'poll',
		// No binary workflow: the node has no download option (its result holds the video URL).
		workflow: {
			kind: 'official',
			id: 'benchFalOfficia1',
			path: 'bench-fal-official',
			provider: 'fal',
		},
		targets: {},
		maxItems: 10,
	},
];
