/**
 * The contenders, measured in the same run against the same emulator: this package's nodes
 * (polling, waiting by webhook; WaveSpeed and fal) and the hand-built HTTP Request + Wait + IF
 * loop with a 5 s and a 2 s Wait. Each has a workflow for the latency and items phases
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
];
