import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import type { Provider } from './models/types';

export const PROVIDER_NAMES: Record<Provider, string> = { wavespeed: 'WaveSpeed', fal: 'fal' };

/** A parameter problem found before any request: names the field and what is allowed. */
export function fieldError(
	node: INode,
	itemIndex: number,
	fieldName: string,
	problem: string,
	allowed?: string,
): NodeOperationError {
	return new NodeOperationError(node, `${fieldName}: ${problem}`, {
		itemIndex,
		description: allowed
			? `${/[.!?]$/.test(allowed) ? allowed : `${allowed}.`} Nothing was sent to the provider.`
			: 'Nothing was sent to the provider.',
	});
}

export interface ProviderErrorDetails {
	provider: Provider;
	message: string;
	httpCode?: number;
	requestId?: string;
	itemIndex?: number;
	/** The provider's own answer, kept for the error's details panel. */
	response?: unknown;
	/** Whether the job may still be running (timeouts, lost connections, cancellations). */
	mayStillRun?: boolean;
}

/** What each provider failure was made from, for callers that must tell them apart. */
const DETAILS = new WeakMap<object, ProviderErrorDetails>();

/** The details a provider error was made from (undefined for any other error). */
export function providerDetails(error: unknown): ProviderErrorDetails | undefined {
	return error && typeof error === 'object' ? DETAILS.get(error) : undefined;
}

/**
 * A provider failure. After a submit every message carries the request id, so a paid job
 * can always be found and is never submitted a second time by guesswork.
 */
export function providerError(node: INode, details: ProviderErrorDetails): NodeApiError {
	const name = PROVIDER_NAMES[details.provider];
	const idPart = details.requestId ? ` (request ID: ${details.requestId})` : '';
	const message = `${name}: ${details.message}${idPart}`;
	let description: string | undefined;
	if (details.requestId && details.mayStillRun) {
		description = `The job ${details.requestId} may still be running at ${name}. It was not submitted again; look it up with this request ID before retrying, or you may pay twice.`;
	} else if (details.requestId) {
		description = `Request ID ${details.requestId} identifies the job at ${name}.`;
	}
	const errorResponse: JsonObject = {
		message,
		provider: details.provider,
		requestId: details.requestId ?? null,
		httpCode: details.httpCode ?? null,
		response: (toJson(details.response) ?? null) as JsonObject,
	};
	const error = new NodeApiError(node, errorResponse, {
		message,
		description,
		httpCode: details.httpCode ? String(details.httpCode) : undefined,
		itemIndex: details.itemIndex,
	});
	// NodeApiError may swap the message for a stock text per status code; ours names the job.
	error.message = message;
	DETAILS.set(error, details);
	return error;
}

function toJson(value: unknown): unknown {
	if (value === undefined) return undefined;
	try {
		return JSON.parse(JSON.stringify(value)) as unknown;
	} catch {
		return String(value);
	}
}

export function isNodeError(error: unknown): error is NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError;
}

export function errorMessage(error: unknown): string {
	if (error instanceof Error) return error.message;
	return String(error);
}

/**
 * The one funnel from anything thrown to what n8n gets: an n8n error enriched with the item
 * index and the request id, with the API key scrubbed from every text it carries.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	context: { itemIndex?: number; requestId?: string; provider?: Provider; secrets?: string[] } = {},
): NodeApiError | NodeOperationError {
	let result: NodeApiError | NodeOperationError;
	if (isNodeError(error)) {
		result = error;
	} else if (context.provider) {
		result = providerError(node, {
			provider: context.provider,
			message: errorMessage(error),
			requestId: context.requestId,
			itemIndex: context.itemIndex,
			mayStillRun: true,
		});
	} else {
		result = new NodeOperationError(node, errorMessage(error), { itemIndex: context.itemIndex });
	}
	if (context.requestId && !result.message.includes(context.requestId)) {
		result.message = `${result.message} (request ID: ${context.requestId})`;
	}
	if (context.itemIndex !== undefined) {
		result.context = { ...result.context, itemIndex: context.itemIndex };
	}
	for (const secret of context.secrets ?? []) scrub(result, secret);
	return result;
}

/**
 * The texts to remove for one secret: the secret, and for fal's `key_id:key_secret` form each
 * long part too (a provider may echo only the part it parsed).
 */
export function secretTexts(secret: string | undefined): string[] {
	const value = String(secret ?? '').trim();
	if (value.length < 4) return [];
	const parts = value.split(':').filter((part) => part.length >= 8 && part !== value);
	return [value, ...parts];
}

/** The text with every secret replaced by `***`. */
export function scrubText(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) if (secret && out.includes(secret)) out = out.split(secret).join('***');
	return out;
}

const MAX_SCRUB_DEPTH = 20;

function isPlainObject(value: object): boolean {
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null;
}

/**
 * A copy of a value with every secret removed from every string in it. Plain data is copied;
 * an Error becomes a plain {name, message, code} (an HTTP library's error carries the request
 * headers, Authorization included); other objects (streams, sockets) become their type name.
 */
export function scrubValue(value: unknown, secrets: string[], depth = 0): unknown {
	if (typeof value === 'string') return scrubText(value, secrets);
	if (value === null || typeof value !== 'object') return value;
	if (depth > MAX_SCRUB_DEPTH) return '[nested too deep]';
	if (Buffer.isBuffer(value)) {
		const text = value.toString('utf8');
		return secrets.some((secret) => text.includes(secret)) ? scrubText(text, secrets) : value;
	}
	if (value instanceof Date) return value;
	if (Array.isArray(value)) return value.map((entry) => scrubValue(entry, secrets, depth + 1));
	if (value instanceof Error) {
		const { code } = value as Error & { code?: unknown };
		return {
			name: value.name,
			message: scrubText(value.message, secrets),
			...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
		};
	}
	if (!isPlainObject(value)) return `[${value.constructor?.name ?? 'object'}]`;
	return Object.fromEntries(
		Object.entries(value).map(([key, entry]) => [key, scrubValue(entry, secrets, depth + 1)]),
	);
}

/**
 * Removes secrets from everything an n8n error carries and n8n shows, logs or stores in the
 * execution: message, description, stack, `messages`, `errorResponse`, `context`, `extra`,
 * `tags`, and `cause` (reduced to plain data: an HTTP error's request headers hold the key).
 */
export function scrub(error: NodeApiError | NodeOperationError, secret: string): void {
	const secrets = secretTexts(secret);
	if (!secrets.length) return;
	const clean = (text: string | null | undefined) => (text ? scrubText(text, secrets) : text);
	error.message = clean(error.message) ?? '';
	error.description = clean(error.description) ?? null;
	if (error.stack) error.stack = clean(error.stack) ?? undefined;
	if (Array.isArray(error.messages)) error.messages = error.messages.map((m) => clean(m) ?? '');
	const fields = error as unknown as Record<string, unknown>;
	for (const field of ['errorResponse', 'context', 'extra', 'tags']) {
		if (fields[field] !== undefined && fields[field] !== null) {
			fields[field] = scrubValue(fields[field], secrets);
		}
	}
	// `cause` is non-enumerable when n8n-workflow passes it to Error, an own field on 1.x.
	const cause = Object.getOwnPropertyDescriptor(error, 'cause');
	if (cause && 'value' in cause && cause.value !== undefined) {
		Object.defineProperty(error, 'cause', { ...cause, value: scrubValue(cause.value, secrets) });
	}
}
