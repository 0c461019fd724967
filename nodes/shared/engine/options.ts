/**
 * The run parameters of one item (shared/interface.md "Run parameters"): read, checked, and
 * turned into what the engine needs. Problems name the field and what is allowed, before any
 * request.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { fieldError } from '../errors';
import type { Delivery } from '../jobOutput';
import type { ProviderTransport } from '../providers/types';
import {
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_DOWNLOAD_MB,
	DEFAULT_TIMEOUT_SECONDS,
} from '../runProperties';

export type Mode = 'submitAndWait' | 'submitOnly';
export type WaitMethod = 'poll' | 'webhook';
/** What happens to a job still running when the Timeout passes. */
export type OnTimeout = 'cancel' | 'keepRunning';

export interface RunOptions extends Omit<Delivery, 'estimatedCost' | 'costSource'> {
	mode: Mode;
	waitMethod: WaitMethod;
	webhookUrl?: string;
	timeoutMs: number;
	fixedIntervalMs?: number;
	concurrency: number;
	onTimeout: OnTimeout;
}

function choice<T extends string>(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	allowed: readonly T[],
	fallback: T,
): T {
	const value = ctx.getNodeParameter(name, itemIndex, fallback) as unknown;
	if (typeof value !== 'string' || !allowed.includes(value as T)) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			label,
			`unknown value "${String(value)}"`,
			`Allowed: ${allowed.join(', ')}`,
		);
	}
	return value as T;
}

function numberOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	fallback: number,
	min: number,
): number {
	const raw = ctx.getNodeParameter(`options.${name}`, itemIndex, fallback) as unknown;
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			label,
			`must be a number of at least ${min} (got ${JSON.stringify(raw)})`,
		);
	}
	return value;
}

function checkWebhookUrl(ctx: IExecuteFunctions, itemIndex: number, value: string): string | undefined {
	const text = value.trim();
	if (!text) return undefined;
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			'Webhook URL',
			`"${text}" is not an http(s) URL`,
			'Use the Production URL of a WaveSpeed or fal Job Finished Trigger, or leave it empty',
		);
	}
	return text;
}

/** Reads and checks the run parameters of one item. */
export function readRunOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	transport: ProviderTransport,
): RunOptions {
	const node = ctx.getNode();
	const mode = choice<Mode>(ctx, itemIndex, 'mode', 'Mode', ['submitAndWait', 'submitOnly'], 'submitAndWait');
	const waiting = mode === 'submitAndWait';
	const waitMethod = waiting
		? choice<WaitMethod>(ctx, itemIndex, 'waitMethod', 'Wait Method', ['poll', 'webhook'], 'poll')
		: 'poll';
	const output = waiting
		? choice<Delivery['output']>(ctx, itemIndex, 'output', 'Output', ['url', 'binary'], 'url')
		: 'url';
	const binaryPropertyName =
		output === 'binary'
			? String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim()
			: 'data';
	if (!binaryPropertyName) throw fieldError(node, itemIndex, 'Put Output File in Field', 'is required');
	const webhookUrl = waiting
		? undefined
		: checkWebhookUrl(ctx, itemIndex, String(ctx.getNodeParameter('webhookUrl', itemIndex, '')));

	const timeoutSeconds = numberOption(ctx, itemIndex, 'timeout', 'Timeout', DEFAULT_TIMEOUT_SECONDS, 1);
	const interval = numberOption(ctx, itemIndex, 'pollInterval', 'Poll Interval', 0, 0);
	const concurrency = numberOption(ctx, itemIndex, 'concurrency', 'Concurrency', DEFAULT_CONCURRENCY, 1);
	const maxDownloadMb = numberOption(
		ctx,
		itemIndex,
		'maxDownloadSize',
		'Max Download Size',
		DEFAULT_MAX_DOWNLOAD_MB,
		1,
	);
	// Cancelling is the default where the provider can cancel: a job past its time limit
	// would otherwise keep running, and billing, with nobody waiting for it.
	const canCancel = transport.cancel !== undefined;
	const onTimeout = choice<OnTimeout>(
		ctx,
		itemIndex,
		'options.onTimeout',
		'On Timeout',
		canCancel ? ['cancel', 'keepRunning'] : ['keepRunning'],
		canCancel ? 'cancel' : 'keepRunning',
	);
	return {
		mode,
		waitMethod,
		output,
		binaryPropertyName,
		webhookUrl,
		timeoutMs: timeoutSeconds * 1000,
		fixedIntervalMs: interval > 0 ? interval * 1000 : undefined,
		concurrency: Math.floor(concurrency),
		maxDownloadBytes: maxDownloadMb * 1024 * 1024,
		onTimeout,
	};
}
