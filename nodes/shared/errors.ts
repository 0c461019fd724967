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
			? `${allowed}. Nothing was sent to the provider.`
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

/** Removes a secret from an error's visible texts. */
export function scrub(error: NodeApiError | NodeOperationError, secret: string): void {
	if (!secret || secret.length < 4) return;
	const clean = (text: string | null | undefined) => (text ? text.split(secret).join('***') : text);
	error.message = clean(error.message) ?? '';
	error.description = clean(error.description) ?? null;
	if (error.cause instanceof Error) error.cause.message = clean(error.cause.message) ?? '';
	if (error.stack) error.stack = clean(error.stack) ?? undefined;
}
