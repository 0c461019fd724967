/**
 * A faithful fake of n8n's webhook context (`IWebhookFunctions`, n8n-core `WebhookContext`) for
 * calling a node's real `webhook()` with a request as n8n would hand it over.
 *
 * Built on ./context.ts: parameters, expressions, credentials (with the credential class's own
 * `authenticate`), `helpers.httpRequest*` (n8n's request code), binary storage and static data
 * are the very functions the execute harness uses. What is webhook-specific:
 *
 * - the request as n8n's body parser leaves it (`packages/cli/src/middlewares/body-parser.ts`):
 *   header names lower-cased, `rawBody` a Buffer of the bytes received, `body` parsed from them
 *   for `application/json` (a body that does not parse is answered 422 before the node runs,
 *   as n8n does), `contentType` without parameters, `encoding` from the charset;
 * - `getNodeParameter(name, fallback, options)` without an item index (item 0), evaluated
 *   against `{ body, headers, params, query }` as the input item, like `WebhookContext`;
 * - `helpers` limited to what `WebhookContext` offers (request + binary helpers,
 *   `returnJsonArray`, `createDeferredPromise`): no `assertBinaryData`, `getInputData`,
 *   `getExecutionCancelSignal`, so `httpRequestWithAuthentication` sets no abort signal;
 * - an express-like response recorder, and the answer n8n sends after `webhook()` returns
 *   (`handleImmediateWebhookResponse`, `extractWebhookOnReceivedResponse` in
 *   packages/cli/src/webhooks/webhook-helpers.ts): the node's own answer with
 *   `noWebhookResponse`, else `webhookResponse` or `{ message: 'Webhook call received' }` when
 *   no workflow starts, else `{ message: 'Workflow was started' }` (response mode onReceived);
 *   a `webhook()` that throws is answered 500.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IAdditionalCredentialOptions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { createHarness } from './context';
import type { BinaryRecord, Harness, HarnessOptions, HttpCall, PartialBinaryRecord } from './context';

export interface WebhookRequest {
	method?: string;
	/** as received; names are lower-cased the way Node's http server does */
	headers?: Record<string, string | string[] | undefined>;
	/** the bytes received; omit to model a request n8n read no raw body for (multipart) */
	rawBody?: Buffer | string;
	/** parsed body; default: parsed from rawBody for application/json, else {} */
	body?: unknown;
	query?: Record<string, unknown>;
	params?: Record<string, unknown>;
	/** path after the host; default /webhook/<webhookId>/<path> */
	url?: string;
}

export interface WebhookHarnessOptions extends Omit<HarnessOptions, 'mode' | 'items'> {
	request: WebhookRequest;
	/** 'webhook' (production URL, default) or 'manual' (test URL, editor listening) */
	mode?: 'webhook' | 'manual';
	/** which of the node's webhooks is called; default 'default' */
	webhookName?: string;
	/** n8n's webhook base URL; default http://localhost:5678/webhook */
	webhookBaseUrl?: string;
	/** connection input data (a resumed execution's waiting items); default the request as one item */
	items?: INodeExecutionData[];
}

export interface RecordedResponse {
	status?: number;
	body?: unknown;
	headers: Record<string, string>;
	/** true once the node (or n8n on its behalf) answered */
	sent: boolean;
}

export interface WebhookHarness {
	/** pass as `this`: node.webhook!.call(h.ctx) */
	ctx: IWebhookFunctions;
	/** n8n's body parsing, then webhook(), then n8n's answer (see `response`) */
	run(): Promise<IWebhookResponseData>;
	/** what the caller of the webhook received */
	response: RecordedResponse;
	httpCalls: HttpCall[];
	binaries: BinaryRecord[];
	/** prepareBinaryData calls whose stream failed (see the execute harness) */
	partialBinaries: PartialBinaryRecord[];
	logs: Harness['logs'];
	staticData: IDataObject;
	/** the production (or test) URL of the called webhook */
	webhookUrl: string;
	/** the execute harness underneath (node, parameters, credentials) */
	base: Harness;
}

class HarnessNotSupportedError extends Error {
	constructor(what: string) {
		super(`harness: ${what} is not supported by the webhook harness`);
		this.name = 'HarnessNotSupportedError';
	}
}

function notSupported(what: string) {
	return (): never => {
		throw new HarnessNotSupportedError(what);
	};
}

function lowerCaseHeaders(headers: WebhookRequest['headers'] = {}): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) out[name.toLowerCase()] = value;
	}
	return out;
}

/** n8n's parseIncomingMessage: the MIME type without parameters, and the charset. */
function contentTypeOf(headers: Record<string, string | string[]>): { contentType?: string; encoding: BufferEncoding } {
	const raw = headers['content-type'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (!value) return { encoding: 'utf-8' };
	const [type, ...params] = value.split(';');
	const charset = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('charset='));
	return {
		contentType: type.trim().toLowerCase(),
		encoding: (charset ? charset.slice('charset='.length).toLowerCase() : 'utf-8') as BufferEncoding,
	};
}

class ParseFailure extends Error {}

export function createWebhookHarness(opts: WebhookHarnessOptions): WebhookHarness {
	const { request, webhookName = 'default', webhookBaseUrl = 'http://localhost:5678/webhook', ...rest } = opts;
	const mode = opts.mode ?? 'webhook';
	const headers = lowerCaseHeaders(request.headers);
	const rawBody =
		request.rawBody === undefined
			? undefined
			: Buffer.isBuffer(request.rawBody)
				? request.rawBody
				: Buffer.from(request.rawBody, 'utf8');
	const { contentType, encoding } = contentTypeOf(headers);
	const query = request.query ?? {};
	const params = request.params ?? {};

	let body: unknown = request.body;
	let parseError: Error | undefined;
	if (body === undefined && rawBody?.length && contentType === 'application/json') {
		try {
			body = JSON.parse(rawBody.toString(encoding).replace(/^\uFEFF/, ''));
		} catch (error) {
			parseError = new ParseFailure(`Failed to parse request body: ${(error as Error).message}`);
		}
	}
	body ??= {};

	const base = createHarness({
		...rest,
		mode,
		items: opts.items ?? [{ json: { body: body as IDataObject, headers, params, query } as IDataObject }],
		executionId: opts.executionId,
	});
	const exec = base.ctx;
	const node = base.node;
	const description = opts.node.description;

	const webhookDescription: IWebhookDescription | undefined = description.webhooks?.find(
		(w) => w.name === webhookName,
	);
	if (!webhookDescription) {
		throw new Error(`harness: the node describes no webhook named "${webhookName}"`);
	}
	const webhookUrlFor = (name: string): string | undefined => {
		const hook = description.webhooks?.find((w) => w.name === name);
		if (!hook) return undefined;
		const path = typeof hook.path === 'string' ? hook.path : '';
		return NodeHelpers.getNodeWebhookUrl(
			webhookBaseUrl,
			exec.getWorkflow().id ?? 'workflow-1',
			node,
			path,
			hook.isFullPath === true,
		);
	};
	const webhookUrl = webhookUrlFor(webhookName) as string;

	// ---------------------------------------------------------------- request / response

	const req = {
		method: request.method ?? webhookDescription.httpMethod ?? 'POST',
		url: request.url ?? new URL(webhookUrl).pathname,
		headers,
		body,
		query,
		params,
		contentType,
		encoding,
		cookies: {},
		...(rawBody !== undefined ? { rawBody } : {}),
		header(name: string) {
			return headers[name.toLowerCase()];
		},
		get(name: string) {
			return headers[name.toLowerCase()];
		},
		async readRawBody() {},
	};

	const response: RecordedResponse = { headers: {}, sent: false };
	const send = (payload: unknown) => {
		if (response.sent) {
			// express: ERR_HTTP_HEADERS_SENT
			throw new Error('Cannot set headers after they are sent to the client');
		}
		response.status ??= 200;
		response.body = payload;
		response.sent = true;
		return res;
	};
	const res = {
		get headersSent() {
			return response.sent;
		},
		get statusCode() {
			return response.status ?? 200;
		},
		status(code: number) {
			response.status = code;
			return res;
		},
		sendStatus(code: number) {
			response.status = code;
			return send(String(code));
		},
		setHeader(name: string, value: string) {
			response.headers[name.toLowerCase()] = String(value);
			return res;
		},
		header(name: string, value: string) {
			return res.setHeader(name, value);
		},
		set(name: string, value: string) {
			return res.setHeader(name, value);
		},
		json(payload: unknown) {
			response.headers['content-type'] ??= 'application/json; charset=utf-8';
			return send(payload);
		},
		send(payload?: unknown) {
			return send(payload);
		},
		end(payload?: unknown) {
			if (response.sent) return res;
			return send(payload);
		},
	};

	// ---------------------------------------------------------------- the context

	const execHelpers = exec.helpers as unknown as Record<string, unknown>;
	const ctx = {
		logger: exec.logger,
		customData: exec.customData,
		getCredentials: exec.getCredentials,
		getCredentialsProperties: exec.getCredentialsProperties,
		getExecutionId: () => opts.executionId as string,
		getNode: exec.getNode,
		getWorkflow: exec.getWorkflow,
		getWorkflowSettings: exec.getWorkflowSettings,
		getWorkflowStaticData: exec.getWorkflowStaticData,
		getTimezone: exec.getTimezone,
		getRestApiUrl: exec.getRestApiUrl,
		getInstanceBaseUrl: exec.getInstanceBaseUrl,
		getInstanceId: exec.getInstanceId,
		getSignedResumeUrl: exec.getSignedResumeUrl,
		getChildNodes: exec.getChildNodes,
		getParentNodes: exec.getParentNodes,
		getKnownNodeTypes: exec.getKnownNodeTypes,
		getMode: exec.getMode,
		getChatTrigger: exec.getChatTrigger,
		isNodeFeatureEnabled: exec.isNodeFeatureEnabled,
		getExecutionContext: exec.getExecutionContext,
		prepareOutputData: exec.prepareOutputData,
		getContext: exec.getContext,
		evaluateExpression: (expression: string, itemIndex = 0) => exec.evaluateExpression(expression, itemIndex),
		getNodeParameter: (parameterName: string, fallbackValue?: unknown, options?: unknown) =>
			(exec.getNodeParameter as (...args: unknown[]) => unknown)(parameterName, 0, fallbackValue, options),

		getBodyData: () => req.body as IDataObject,
		getHeaderData: () => req.headers,
		getParamsData: () => req.params,
		getQueryData: () => req.query,
		getRequestObject: () => req,
		getResponseObject: () => res,
		getWebhookName: () => webhookName,
		getNodeWebhookUrl: webhookUrlFor,
		getWebhookResourceUrl: webhookUrlFor,
		isChatSessionTest: () => false,
		logHitlResponse: () => {},
		validateCookieAuth: notSupported('validateCookieAuth'),
		beginN8nOAuth2Flow: notSupported('beginN8nOAuth2Flow'),
		completeN8nOAuth2Flow: notSupported('completeN8nOAuth2Flow'),
		refreshN8nOAuth2Flow: notSupported('refreshN8nOAuth2Flow'),
		validateN8nOAuth2Token: notSupported('validateN8nOAuth2Token'),
		establishTriggerIdentity: notSupported('establishTriggerIdentity'),
		checkTriggerCredentialStatus: async () => undefined,
		getInputConnectionData: notSupported('getInputConnectionData'),

		nodeHelpers: { copyBinaryFile: notSupported('nodeHelpers.copyBinaryFile') },

		// WebhookContext: createDeferredPromise, returnJsonArray, request helpers, binary helpers
		helpers: {
			createDeferredPromise: execHelpers.createDeferredPromise,
			returnJsonArray: execHelpers.returnJsonArray,
			httpRequest: execHelpers.httpRequest,
			async httpRequestWithAuthentication(
				this: IWebhookFunctions,
				credentialsType: string,
				requestOptions: IHttpRequestOptions,
				additionalCredentialOptions?: IAdditionalCredentialOptions,
			) {
				// the execute harness's port of n8n's helper, with this context as its `this`
				return await exec.helpers.httpRequestWithAuthentication.call(
					this as unknown as IExecuteFunctions,
					credentialsType,
					requestOptions,
					additionalCredentialOptions,
				);
			},
			request: execHelpers.request,
			requestWithAuthentication: execHelpers.requestWithAuthentication,
			requestWithAuthenticationPaginated: execHelpers.requestWithAuthenticationPaginated,
			requestOAuth1: execHelpers.requestOAuth1,
			requestOAuth2: execHelpers.requestOAuth2,
			refreshOAuth2Token: execHelpers.refreshOAuth2Token,
			prepareBinaryData: execHelpers.prepareBinaryData,
			setBinaryDataBuffer: execHelpers.setBinaryDataBuffer,
			copyBinaryFile: execHelpers.copyBinaryFile,
			binaryToBuffer: execHelpers.binaryToBuffer,
			binaryToString: execHelpers.binaryToString,
			getBinaryPath: execHelpers.getBinaryPath,
			getBinaryStream: execHelpers.getBinaryStream,
			getBinaryMetadata: execHelpers.getBinaryMetadata,
			createBinarySignedUrl: execHelpers.createBinarySignedUrl,
			detectBinaryEncoding: execHelpers.detectBinaryEncoding,
		},
	} as unknown as IWebhookFunctions;

	// ---------------------------------------------------------------- n8n's side of the call

	async function run(): Promise<IWebhookResponseData> {
		if (parseError) {
			// parseRequestBody throws UnprocessableRequestError before the node is invoked
			response.status = 422;
			response.body = { code: 422, message: parseError.message };
			response.sent = true;
			return {};
		}
		if (typeof opts.node.webhook !== 'function') throw new Error('harness: the node has no webhook() method');
		let result: IWebhookResponseData;
		try {
			result = await opts.node.webhook.call(ctx);
		} catch (error) {
			if (!response.sent) {
				response.status = 500;
				response.body = { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' };
				response.sent = true;
			}
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the node's own error, unchanged, for the test to inspect
			throw error;
		}
		for (const output of result.workflowData ?? []) {
			for (const item of output ?? []) {
				if (!item || typeof item.json !== 'object' || item.json === null) {
					throw new Error('harness: webhook() returned an item without a json object');
				}
			}
		}
		if (result.noWebhookResponse === true) return result;
		if (response.sent) return result;
		if (result.workflowData === undefined) {
			response.status = webhookDescription!.responseCode ? Number(webhookDescription!.responseCode) : 200;
			response.body = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
			response.sent = true;
			return result;
		}
		const responseMode = webhookDescription!.responseMode ?? 'onReceived';
		if (responseMode === 'onReceived') {
			response.status = 200;
			response.body =
				webhookDescription!.responseData === 'noData'
					? undefined
					: result.webhookResponse !== undefined
						? result.webhookResponse
						: { message: 'Workflow was started' };
			response.sent = true;
		}
		return result;
	}

	return {
		ctx,
		run,
		response,
		httpCalls: base.httpCalls,
		binaries: base.binaries,
		partialBinaries: base.partialBinaries,
		logs: base.logs,
		staticData: base.staticData,
		webhookUrl,
		base,
	};
}
