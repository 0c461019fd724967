/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test harness, never shipped */
/**
 * A faithful fake of n8n's execution context (`IExecuteFunctions`) for running the package's
 * real node classes against a local emulator. See ./README.md for what is n8n's own code, what
 * is a port of it (with the n8n source file it comes from), and what is simplified.
 *
 * Sections: 1. binary data · 2. HTTP · 3. parameter post-processing · 4. the context.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { parse as parsePath } from 'node:path';
import { Readable, Stream } from 'node:stream';

import {
	binaryToBuffer,
	binaryToString,
	configureGlobalAxiosDefaults,
	isFormDataInstance,
	markHttpRequestError,
	removeEmptyBody,
} from '@n8n/backend-network';
import { httpRequest as n8nHttpRequest } from '@n8n/backend-network/testing';
import { createDeferredPromise } from '@n8n/utils/promise/deferred-promise';
import axios from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import type {
	ContextType,
	EnsureTypeOptions,
	FieldType,
	FilterValue,
	IAdditionalCredentialOptions,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IGetNodeParameterOptions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodePropertyCollection,
	INodePropertyOptions,
	INodeType,
	INodeTypes,
	IPairedItemData,
	ITaskDataConnections,
	ITaskMetadata,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecutionCustomData,
	Logger,
	LogMetadata,
	NodeExecutionHint,
	NodeExecutionWithMetadata,
	NodeParameterValueType,
	ResourceMapperValue,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ApplicationError,
	BINARY_ENCODING,
	createRunExecutionData,
	deepCopy,
	executeFilter,
	ExpressionError,
	fileTypeFromMimeType,
	isExpression,
	isFilterValue,
	isResourceMapperValue,
	LoggerProxy,
	NodeApiError,
	NodeConnectionTypes,
	NodeHelpers,
	NodeOperationError,
	UserError,
	validateFieldType,
	Workflow,
	WorkflowDataProxy,
	WorkflowOperationError,
} from 'n8n-workflow';

/**
 * `mime-types` 2.1.35 — the lookup table n8n-core's prepareBinaryData uses (here a dependency
 * of form-data ← n8n-workflow). It ships no typings, so it is loaded untyped.
 */
const mimeTypes = createRequire(__filename)('mime-types') as {
	lookup(filenameOrExt: string): string | false;
	extension(typeString: string): string | false;
};

// =====================================================================================
// 1. Binary data, the way n8n-core stores it
//
// - `prepareBinaryMetadata` ports the metadata half of n8n-core `prepareBinaryData`
//   (utils/binary-helper-functions.ts): IncomingMessage file name / content type, mime lookup
//   from the file name, magic-number sniffing for Buffers, the `text/plain` fallback,
//   `path.parse` for fileName / fileExtension / directory.
// - `storeBinary` plays `BinaryDataService.store`: in `default` mode the base64 `data`; in
//   `filesystem-v2` mode an `id` (`filesystem-v2:workflows/<wf>/executions/<exec>/binary_data/
//   <uuid>`) with `data: 'filesystem-v2'`. `fileSize` is pretty-bytes, `bytes` the byte count.
// - Streams are consumed chunk by chunk; at most 1 MiB of one is ever held.
// =====================================================================================

/** Bytes kept in memory per binary at most (records, `data`, the id store). */
const KEEP_LIMIT = 1024 * 1024;

export type BinaryDataMode = 'default' | 'filesystem-v2';

export interface BinaryRecord {
	fileName?: string;
	mimeType: string;
	bytes: number;
	sha256: string;
	/** kept only when ≤ 1 MiB */
	data?: Buffer;
}

/** pretty-bytes 5.x with default options (what n8n's BinaryDataService uses for `fileSize`). */
export function prettyBytes(input: number): string {
	const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
	if (!Number.isFinite(input)) {
		throw new TypeError(`Expected a finite number, got ${typeof input}: ${input}`);
	}
	let number = input;
	const isNegative = number < 0;
	const prefix = isNegative ? '-' : '';
	if (isNegative) number = -number;
	if (number < 1) return `${prefix}${number} ${UNITS[0]}`;
	const exponent = Math.min(Math.floor(Math.log10(number) / 3), UNITS.length - 1);
	number /= Math.pow(1000, exponent);
	const rounded = Number(number.toPrecision(3));
	return `${prefix}${rounded} ${UNITS[exponent]}`;
}

/**
 * Magic-number sniffing for the formats this package meets (n8n uses `file-type` 16, which
 * knows many more; an unknown buffer falls back to `text/plain` here as it does in n8n when
 * file-type gives up). Returns file-type's `{ mime, ext }` values.
 */
function sniffFileType(buf: Buffer): { mime: string; ext: string } | undefined {
	const at = (offset: number, bytes: number[]) =>
		buf.length >= offset + bytes.length && bytes.every((b, i) => buf[offset + i] === b);
	const ascii = (offset: number, text: string) =>
		buf.length >= offset + text.length &&
		buf.toString('latin1', offset, offset + text.length) === text;
	if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
		return { mime: 'image/png', ext: 'png' };
	if (at(0, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
	if (ascii(0, 'GIF8')) return { mime: 'image/gif', ext: 'gif' };
	if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return { mime: 'image/webp', ext: 'webp' };
	if (ascii(0, '%PDF')) return { mime: 'application/pdf', ext: 'pdf' };
	if (at(0, [0x1a, 0x45, 0xdf, 0xa3])) return { mime: 'video/webm', ext: 'webm' };
	if (ascii(4, 'ftyp')) {
		const brand = buf.toString('latin1', 8, 12).replace(/\0/g, ' ').trim();
		if (brand === 'qt') return { mime: 'video/quicktime', ext: 'mov' };
		if (brand.startsWith('M4A')) return { mime: 'audio/x-m4a', ext: 'm4a' };
		if (brand.startsWith('3g2')) return { mime: 'video/3gpp2', ext: '3g2' };
		if (brand.startsWith('3g')) return { mime: 'video/3gpp', ext: '3gp' };
		return { mime: 'video/mp4', ext: 'mp4' };
	}
	return undefined;
}

interface IncomingMessageExtras {
	contentDisposition?: { filename?: string };
	contentType?: string;
	responseUrl?: string;
	req?: { path?: string };
}

/** The metadata half of n8n-core `prepareBinaryData` (everything before `setBinaryDataBuffer`). */
function prepareBinaryMetadata(
	binaryData: Buffer | Readable,
	filePath?: string,
	mimeType?: string,
): IBinaryData {
	let fileExtension: string | undefined;
	if (binaryData instanceof IncomingMessage) {
		const message = binaryData as IncomingMessage & IncomingMessageExtras;
		if (!filePath) {
			try {
				const { responseUrl } = message;
				filePath =
					message.contentDisposition?.filename ??
					((responseUrl && new URL(responseUrl).pathname) ?? message.req?.path)?.slice(1);
			} catch {
				// n8n ignores a malformed responseUrl here
			}
		}
		if (!mimeType) mimeType = message.contentType;
	}

	if (!mimeType) {
		if (filePath) {
			const mimeTypeLookup = mimeTypes.lookup(filePath);
			if (mimeTypeLookup) mimeType = mimeTypeLookup;
		}
		if (!mimeType) {
			if (Buffer.isBuffer(binaryData)) {
				const fileTypeData = sniffFileType(binaryData);
				if (fileTypeData) {
					mimeType = fileTypeData.mime;
					fileExtension = fileTypeData.ext;
				}
			} else if (binaryData instanceof IncomingMessage) {
				mimeType = binaryData.headers['content-type'];
			}
		}
	}

	if (!fileExtension && mimeType) fileExtension = mimeTypes.extension(mimeType) || undefined;
	if (!mimeType) mimeType = 'text/plain';

	const returnData: IBinaryData = {
		mimeType,
		fileType: fileTypeFromMimeType(mimeType),
		fileExtension,
		data: '',
	};

	if (filePath) {
		const filePathParts = parsePath(filePath);
		if (filePathParts.dir !== '') returnData.directory = filePathParts.dir;
		returnData.fileName = filePathParts.base;
		fileExtension = filePathParts.ext.slice(1);
		if (fileExtension) returnData.fileExtension = fileExtension;
	}
	return returnData;
}

/** Bytes of binary data files the harness knows by id (`filesystem-v2:…`), ≤ 1 MiB each. */
interface StoredFile {
	data?: Buffer;
	bytes: number;
	fileName?: string;
	mimeType?: string;
}
const binaryFileStore = new Map<string, StoredFile>();

interface ConsumedBinary {
	bytes: number;
	sha256: string;
	kept?: Buffer;
}

/**
 * What reached the binary store from a stream that then failed. n8n 1.x (filesystem mode)
 * writes a stream straight to its final file and leaves that partial file behind until the
 * execution's binary data is pruned; n8n 2.x writes to a temporary file and deletes it; the
 * in-memory mode drops it. prepareBinaryData throws in every case.
 */
export interface PartialBinaryRecord {
	fileName?: string;
	mimeType: string;
	/** bytes read from the stream before it failed */
	bytes: number;
	error: string;
}

/** Reads a Buffer or a stream chunk by chunk, hashing everything and keeping at most 1 MiB. */
async function consumeBinary(
	body: Buffer | Readable,
	progress: { bytes: number } = { bytes: 0 },
): Promise<ConsumedBinary> {
	const hash = createHash('sha256');
	if (Buffer.isBuffer(body)) {
		hash.update(body);
		return {
			bytes: body.length,
			sha256: hash.digest('hex'),
			kept: body.length <= KEEP_LIMIT ? body : undefined,
		};
	}
	let bytes = 0;
	let chunks: Buffer[] | undefined = [];
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		hash.update(buf);
		bytes += buf.length;
		progress.bytes = bytes;
		if (chunks) {
			if (bytes <= KEEP_LIMIT) chunks.push(buf);
			else chunks = undefined; // over the limit: drop what was kept, keep only counting
		}
	}
	return { bytes, sha256: hash.digest('hex'), kept: chunks ? Buffer.concat(chunks) : undefined };
}

/** `BinaryDataService.store` for the two modes the harness models. */
function storeBinary(
	binaryData: IBinaryData,
	consumed: ConsumedBinary,
	mode: BinaryDataMode,
	location: { workflowId: string; executionId: string },
): IBinaryData {
	binaryData.fileSize = prettyBytes(consumed.bytes);
	binaryData.bytes = consumed.bytes;
	if (mode === 'default' && consumed.kept) {
		binaryData.data = consumed.kept.toString(BINARY_ENCODING);
		return binaryData;
	}
	const fileId = `workflows/${location.workflowId}/executions/${location.executionId || 'temp'}/binary_data/${randomUUID()}`;
	binaryData.id = `filesystem-v2:${fileId}`;
	binaryData.data = 'filesystem-v2';
	binaryFileStore.set(binaryData.id, {
		data: consumed.kept,
		bytes: consumed.bytes,
		fileName: binaryData.fileName,
		mimeType: binaryData.mimeType,
	});
	return binaryData;
}

/** Bytes behind an IBinaryData (`BinaryDataService.getAsBuffer`). */
function binaryBuffer(binaryData: IBinaryData): Buffer {
	if (binaryData.id) {
		const stored = binaryFileStore.get(binaryData.id);
		if (!stored) {
			throw new Error(`harness: unknown binary data id "${binaryData.id}"`);
		}
		if (!stored.data) {
			throw new Error(
				`harness: binary "${binaryData.id}" (${stored.bytes} bytes) was larger than 1 MiB and not kept; ` +
					'assert on `harness.binaries` (bytes, sha256) instead of reading it back',
			);
		}
		return stored.data;
	}
	return Buffer.from(binaryData.data, BINARY_ENCODING);
}

// =====================================================================================
// 2. HTTP
//
// Requests are not re-implemented: they go through n8n's own `httpRequest` from
// `@n8n/backend-network` (what `OutboundHttp.requests().request()` runs in n8n-core 2.x:
// `convertN8nRequestToAxios` + axios with n8n's global axios defaults). The harness only adds
// observation: inside `n8nRequest()` a recording adapter (delegating to axios' http adapter)
// records method, final URL and the headers handed to Node's http layer, redirect hops included.
// `applyAuthenticate` ports `CredentialsHelper.authenticate` (packages/cli/src/credentials-helper.ts).
// =====================================================================================

export interface HttpCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	credentialType?: string;
	/** set on a redirect hop: the URL that answered with the redirect */
	redirectFrom?: string;
}

interface Recorder {
	calls: HttpCall[];
	credentialType?: string;
}

const recorderStorage = new AsyncLocalStorage<Recorder>();
let installed = false;

function flattenHeaders(headers: unknown): Record<string, string> {
	const source =
		headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function'
			? (headers as { toJSON: () => Record<string, unknown> }).toJSON()
			: ((headers ?? {}) as Record<string, unknown>);
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(source)) {
		if (value === undefined || value === null || value === false) continue;
		out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}

interface RedirectOptions {
	method?: string;
	href?: string;
	headers?: Record<string, unknown>;
}
type BeforeRedirect = (
	options: RedirectOptions,
	responseDetails: unknown,
	requestDetails?: unknown,
) => void;

/** Installs n8n's global axios defaults and the (inactive unless recording) recording hook. */
function installHttp(): void {
	if (installed) return;
	installed = true;
	configureGlobalAxiosDefaults();
	axios.interceptors.request.use((config) => {
		const recorder = recorderStorage.getStore();
		if (!recorder) return config;
		const inner = axios.getAdapter(config.adapter ?? axios.defaults.adapter);
		const recordingAdapter: AxiosAdapter = async (cfg: InternalAxiosRequestConfig) => {
			const url = axios.getUri(cfg);
			const credentialType = recorder.credentialType;
			recorder.calls.push({
				method: (cfg.method ?? 'get').toUpperCase(),
				url,
				headers: flattenHeaders(cfg.headers),
				...(credentialType ? { credentialType } : {}),
			});
			const original = (cfg as { beforeRedirect?: BeforeRedirect }).beforeRedirect;
			let previousUrl = url;
			(cfg as { beforeRedirect?: BeforeRedirect }).beforeRedirect = (
				options,
				responseDetails,
				requestDetails,
			) => {
				original?.(options, responseDetails, requestDetails);
				const hopUrl = options.href ?? '';
				recorder.calls.push({
					method: (options.method ?? 'GET').toUpperCase(),
					url: hopUrl,
					headers: flattenHeaders(options.headers),
					...(credentialType ? { credentialType } : {}),
					redirectFrom: previousUrl,
				});
				previousUrl = hopUrl;
			};
			return await inner(cfg);
		};
		config.adapter = recordingAdapter;
		return config;
	});
}

/**
 * `helpers.httpRequest` as n8n 2.x runs it (`OutboundHttp.requests().request`): n8n's
 * `httpRequest`, errors marked with n8n's http-request-error marker and otherwise untouched
 * (an axios error: `code`, `response.status`, `response.headers`, `response.data`).
 */
async function n8nRequest(
	calls: HttpCall[],
	requestOptions: IHttpRequestOptions,
	credentialType?: string,
): Promise<unknown> {
	installHttp();
	return await recorderStorage.run({ calls, credentialType }, async () => {
		try {
			return await n8nHttpRequest(requestOptions as Parameters<typeof n8nHttpRequest>[0]);
		} catch (error) {
			throw markHttpRequestError(error);
		}
	});
}

/** `CredentialsHelper.authenticate`: the credential class's own `authenticate`, in place. */
async function applyAuthenticate(
	credentials: ICredentialDataDecryptedObject,
	credentialType: ICredentialType,
	requestOptions: IHttpRequestOptions,
	workflow: Workflow,
	node: INode,
): Promise<IHttpRequestOptions> {
	const { authenticate } = credentialType;
	if (!authenticate) return requestOptions;
	if (typeof authenticate === 'function') {
		return await authenticate(credentials, requestOptions);
	}
	if (typeof authenticate === 'object') {
		const resolveValue = (parameterValue: unknown): unknown => {
			if (!isExpression(parameterValue)) return parameterValue;
			const returnValue = workflow.expression.getSimpleParameterValue(
				node,
				parameterValue,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			if (!returnValue) return '';
			return returnValue.toString();
		};
		if (requestOptions.headers === undefined) requestOptions.headers = {};
		if (authenticate.type === 'generic') {
			const target = requestOptions as unknown as Record<string, IDataObject | undefined>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as IDataObject)) {
					const keyResolved = resolveValue(key) as string;
					const valueResolved = resolveValue(value);
					if (!target[outerKey]) target[outerKey] = {};
					(target[outerKey] as IDataObject)[keyResolved] = valueResolved as IDataObject[string];
				}
			}
		}
	}
	return requestOptions;
}

/** n8n-core oauth.ts `hasSingleUseBody` for IHttpRequestOptions: form-data or a stream. */
function hasSingleUseBody(requestOptions: IHttpRequestOptions): boolean {
	const { body } = requestOptions;
	return isFormDataInstance(body) || body instanceof Stream;
}

// =====================================================================================
// 3. Parameter post-processing (n8n-core NodeExecutionContext._getNodeParameter helpers)
//
// lodashGet (lodash/get), cleanupParameterData, extractValue, ensureType,
// validateValueAgainstSchema — ports of n8n-core utils/*.ts with n8n's messages and classes.
// =====================================================================================

type Value = NodeParameterValueType | object;

/** lodash `stringToPath` for the forms n8n parameter names use: `a.b`, `a[0].b`, `a["b"]`. */
function toPath(path: string): string[] {
	const out: string[] = [];
	const re =
		/[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g;
	if (path.charCodeAt(0) === 46 /* . */) out.push('');
	path.replace(re, (match: string, num?: string, quote?: string, subString?: string) => {
		out.push(quote ? (subString ?? '').replace(/\\(\\)?/g, '$1') : (num ?? match));
		return match;
	});
	return out;
}

/** `lodash/get(object, path, defaultValue)`: the default only replaces a resolved `undefined`. */
function lodashGet(object: unknown, path: string, defaultValue?: unknown): unknown {
	let current: unknown = object;
	for (const key of toPath(path)) {
		if (current === null || current === undefined) {
			current = undefined;
			break;
		}
		current = (current as Record<string, unknown>)[key];
	}
	return current === undefined ? defaultValue : current;
}

function isLuxonDateTime(value: unknown): value is { toString(): string } {
	return (
		typeof value === 'object' &&
		value !== null &&
		(value as { isLuxonDateTime?: unknown }).isLuxonDateTime === true
	);
}

/** n8n-core `cleanupParameterData`: converts Luxon DateTimes nested in objects/arrays to strings. */
function cleanupParameterData(inputData: unknown): void {
	if (typeof inputData !== 'object' || inputData === null) return;
	if (Array.isArray(inputData)) {
		inputData.forEach((value) => cleanupParameterData(value));
		return;
	}
	const record = inputData as Record<string, unknown>;
	for (const key of Object.keys(record)) {
		const value = record[key];
		if (typeof value === 'object') {
			if (isLuxonDateTime(value)) record[key] = value.toString();
			else cleanupParameterData(value);
		}
	}
}

// ---------------------------------------------------------------- extractValue

function typeNameOf(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'undefined';
	return (value as object).constructor?.name ?? typeof value;
}

function executeRegexExtractValue(
	value: string,
	regex: RegExp,
	parameterName: string,
	parameterDisplayName: string,
): Value {
	const extracted = regex.exec(value);
	if (!extracted) {
		throw new WorkflowOperationError(
			`ERROR: ${parameterDisplayName} parameter's value is invalid. This is likely because the URL entered is incorrect`,
		);
	}
	if (extracted.length < 2 || extracted.length > 2) {
		throw new WorkflowOperationError(
			`Property "${parameterName}" has an invalid extractValue regex "${regex.source}". extractValue expects exactly one group to be returned.`,
		);
	}
	return extracted[1];
}

function extractValueRLC(value: Value, property: INodeProperties, parameterName: string): Value {
	if (typeof value !== 'object' || !value || !('mode' in value) || !('value' in value)) {
		return value;
	}
	const rlc = value as { mode: unknown; value: unknown };
	const modeProp = (property.modes ?? []).find((i) => i.name === rlc.mode);
	if (!modeProp) return rlc.value as Value;
	if (!('extractValue' in modeProp) || !modeProp.extractValue) return rlc.value as Value;
	if (typeof rlc.value !== 'string') {
		LoggerProxy.error(
			`Only strings can be passed to extractValue. Parameter "${parameterName}" passed "${typeNameOf(rlc.value)}"`,
		);
		throw new ApplicationError(
			"ERROR: This parameter's value is invalid. Please enter a valid mode.",
			{ extra: { parameter: property.displayName, modeProp: modeProp.displayName } },
		);
	}
	if (modeProp.extractValue.type !== 'regex') {
		throw new ApplicationError('Property with unknown `extractValue`', {
			extra: { parameter: parameterName, extractValueType: modeProp.extractValue.type },
		});
	}
	const regex = new RegExp(modeProp.extractValue.regex);
	return executeRegexExtractValue(rlc.value, regex, parameterName, property.displayName);
}

function extractValueFilter(
	value: Value,
	property: INodeProperties,
	parameterName: string,
	itemIndex: number,
): Value {
	if (!isFilterValue(value)) return value;
	if (property.extractValue?.type) {
		throw new ApplicationError(
			`Property "${parameterName}" has an invalid extractValue type. Filter parameters only support extractValue: true`,
			{ extra: { parameter: parameterName } },
		);
	}
	return executeFilter(value as FilterValue, { itemIndex });
}

function extractValueOther(
	value: Value,
	property: INodeProperties | INodePropertyCollection,
	parameterName: string,
): Value {
	if (!('extractValue' in property) || !property.extractValue) return value;
	if (typeof value !== 'string') {
		LoggerProxy.error(
			`Only strings can be passed to extractValue. Parameter "${parameterName}" passed "${typeNameOf(value)}"`,
		);
		throw new ApplicationError("This parameter's value is invalid", {
			extra: { parameter: property.displayName },
		});
	}
	if (property.extractValue.type !== 'regex') {
		throw new ApplicationError('Property with unknown `extractValue`', {
			extra: { parameter: parameterName, extractValueType: property.extractValue.type },
		});
	}
	const regex = new RegExp(property.extractValue.regex);
	return executeRegexExtractValue(value, regex, parameterName, property.displayName);
}

/** n8n-core `extractValue` (resource locator modes, `extractValue` regexes, filters). */
function extractValue(
	value: Value,
	parameterName: string,
	node: INode,
	nodeType: INodeType,
	itemIndex = 0,
): Value {
	let property: INodePropertyOptions | INodeProperties | INodePropertyCollection | undefined;
	try {
		property = NodeHelpers.findDisplayedProperty(
			parameterName,
			nodeType.description.properties,
			node.parameters,
			node,
			nodeType.description,
		);
		if (!property) {
			throw new ApplicationError('Could not find property', { extra: { parameterName } });
		}
		if (!('type' in property)) return value;
		if (property.type === 'resourceLocator') {
			return extractValueRLC(value, property, parameterName);
		} else if (property.type === 'filter') {
			return extractValueFilter(value, property, parameterName, itemIndex);
		}
		return extractValueOther(value, property, parameterName);
	} catch (error) {
		const description = (error as { description?: string }).description;
		throw new NodeOperationError(node, error as Error, { description });
	}
}

// ---------------------------------------------------------------- ensureType

/** n8n-core `ensureType`. */
function ensureType(
	toType: EnsureTypeOptions,
	parameterValue: unknown,
	parameterName: string,
	errorOptions?: { itemIndex?: number; runIndex?: number; nodeCause?: string },
): string | number | boolean | object {
	let returnData: unknown = parameterValue;
	if (returnData === null) {
		throw new ExpressionError(`Parameter '${parameterName}' must not be null`, errorOptions);
	}
	if (returnData === undefined) {
		throw new ExpressionError(
			`Parameter '${parameterName}' could not be 'undefined'`,
			errorOptions,
		);
	}
	if (['object', 'array', 'json'].includes(toType)) {
		if (typeof returnData !== 'object') {
			if (typeof returnData === 'string' && returnData.length) {
				try {
					returnData = JSON.parse(returnData) as unknown;
				} catch (error) {
					// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n-core throws exactly this
					throw new ExpressionError(`Parameter '${parameterName}' could not be parsed`, {
						...errorOptions,
						description: (error as Error).message,
					});
				}
			} else {
				throw new ExpressionError(
					`Parameter '${parameterName}' must be an ${toType}, but we got '${String(parameterValue)}'`,
					errorOptions,
				);
			}
		} else if (toType === 'json') {
			try {
				JSON.stringify(returnData);
			} catch (error) {
				// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n-core throws exactly this
				throw new ExpressionError(`Parameter '${parameterName}' is not valid JSON`, {
					...errorOptions,
					description: (error as Error).message,
				});
			}
		}
		if (toType === 'array' && !Array.isArray(returnData)) {
			throw new ExpressionError(
				`Parameter '${parameterName}' must be an array, but we got object`,
				errorOptions,
			);
		}
	}
	try {
		if (toType === 'string') {
			returnData = typeof returnData === 'object' ? JSON.stringify(returnData) : String(returnData);
		}
		if (toType === 'number') {
			returnData = Number(returnData);
			if (Number.isNaN(returnData)) {
				throw new ExpressionError(
					`Parameter '${parameterName}' must be a number, but we got '${String(parameterValue)}'`,
					errorOptions,
				);
			}
		}
		if (toType === 'boolean') {
			returnData = Boolean(returnData);
		}
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n-core throws exactly this
		if (error instanceof ExpressionError) throw error;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n-core throws exactly this
		throw new ExpressionError(`Parameter '${parameterName}' could not be converted to ${toType}`, {
			...errorOptions,
			description: (error as Error).message,
		});
	}
	return returnData as string | number | boolean | object;
}

// ---------------------------------------------------------------- validateValueAgainstSchema

type ExtendedValidationResult =
	| { valid: true; newValue?: unknown; fieldName?: string }
	| { valid: false; errorMessage: string; fieldName?: string };

function validateResourceMapperValue(
	parameterName: string,
	paramValues: Record<string, unknown>,
	node: INode,
	skipRequiredCheck = false,
): ExtendedValidationResult {
	const result: ExtendedValidationResult = { valid: true, newValue: paramValues };
	const paramNameParts = parameterName.split('.');
	if (paramNameParts.length !== 2) return result;
	const resourceMapperField = node.parameters[paramNameParts[0]];
	if (!resourceMapperField || !isResourceMapperValue(resourceMapperField)) return result;
	const schema = (resourceMapperField as ResourceMapperValue).schema;
	for (const key of Object.keys(paramValues)) {
		const resolvedValue = paramValues[key];
		const schemaEntry = schema.find((s) => s.id === key);
		if (
			!skipRequiredCheck &&
			schemaEntry?.required === true &&
			schemaEntry.type !== 'boolean' &&
			(resolvedValue === undefined || resolvedValue === null)
		) {
			return {
				valid: false,
				errorMessage: `The value "${String(key)}" is required but not set`,
				fieldName: key,
			};
		}
		if (schemaEntry?.type) {
			const validationResult = validateFieldType(key, resolvedValue, schemaEntry.type, {
				valueOptions: schemaEntry.options,
				strict: (resourceMapperField as ResourceMapperValue).attemptToConvertTypes === false,
				parseStrings: Boolean((resourceMapperField as ResourceMapperValue).convertFieldsToString),
			});
			if (!validationResult.valid) return { ...validationResult, fieldName: key };
			paramValues[key] = validationResult.newValue;
		}
	}
	return result;
}

function validateCollection(
	node: INode,
	runIndex: number,
	itemIndex: number,
	propertyDescription: INodeProperties,
	parameterPath: string[],
	validationResult: ExtendedValidationResult,
): ExtendedValidationResult {
	let nestedDescriptions: INodeProperties[] | undefined;
	if (propertyDescription.type === 'fixedCollection') {
		nestedDescriptions = (propertyDescription.options as INodePropertyCollection[]).find(
			(entry) => entry.name === parameterPath[1],
		)?.values;
	}
	if (propertyDescription.type === 'collection') {
		nestedDescriptions = propertyDescription.options as INodeProperties[];
	}
	if (!nestedDescriptions) return validationResult;
	const validationMap: Record<
		string,
		{ type: FieldType; displayName: string; options?: INodePropertyOptions[] }
	> = {};
	for (const prop of nestedDescriptions) {
		if (!prop.validateType || prop.ignoreValidationDuringExecution) continue;
		validationMap[prop.name] = {
			type: prop.validateType,
			displayName: prop.displayName,
			options:
				prop.validateType === 'options' ? (prop.options as INodePropertyOptions[]) : undefined,
		};
	}
	if (!Object.keys(validationMap).length) return validationResult;
	if (validationResult.valid) {
		const values = Array.isArray(validationResult.newValue)
			? (validationResult.newValue as IDataObject[])
			: [validationResult.newValue as IDataObject];
		for (const value of values) {
			for (const key of Object.keys(value)) {
				if (!validationMap[key]) continue;
				const fieldValidationResult = validateFieldType(key, value[key], validationMap[key].type, {
					valueOptions: validationMap[key].options,
				});
				if (!fieldValidationResult.valid) {
					throw new ExpressionError(
						`Invalid input for field '${validationMap[key].displayName}' inside '${propertyDescription.displayName}' in [item ${itemIndex}]`,
						{
							description: fieldValidationResult.errorMessage,
							runIndex,
							itemIndex,
							nodeCause: node.name,
						},
					);
				}
				value[key] = fieldValidationResult.newValue as IDataObject[string];
			}
		}
	}
	return validationResult;
}

/** n8n-core `validateValueAgainstSchema` (`validateType`, resource mappers, collections). */
function validateValueAgainstSchema(
	node: INode,
	nodeType: INodeType,
	parameterValue: unknown,
	parameterName: string,
	runIndex: number,
	itemIndex: number,
): unknown {
	const parameterPath = parameterName.split('.');
	const propertyDescription = nodeType.description.properties.find(
		(prop) =>
			parameterPath[0] === prop.name &&
			NodeHelpers.displayParameter(node.parameters, prop, node, null),
	);
	if (!propertyDescription) return parameterValue;

	let validationResult: ExtendedValidationResult = { valid: true, newValue: parameterValue };
	if (
		parameterPath.length === 1 &&
		propertyDescription.validateType &&
		!propertyDescription.ignoreValidationDuringExecution
	) {
		validationResult = validateFieldType(
			parameterName,
			parameterValue,
			propertyDescription.validateType,
		);
	} else if (
		propertyDescription.type === 'resourceMapper' &&
		parameterPath[1] === 'value' &&
		typeof parameterValue === 'object'
	) {
		validationResult = validateResourceMapperValue(
			parameterName,
			parameterValue as Record<string, unknown>,
			node,
			propertyDescription.typeOptions?.resourceMapper?.mode !== 'add',
		);
	} else if (['fixedCollection', 'collection'].includes(propertyDescription.type)) {
		validationResult = validateCollection(
			node,
			runIndex,
			itemIndex,
			propertyDescription,
			parameterPath,
			validationResult,
		);
	}
	if (!validationResult.valid) {
		throw new ExpressionError(
			`Invalid input for '${
				validationResult.fieldName
					? String(validationResult.fieldName)
					: propertyDescription.displayName
			}' [item ${itemIndex}]`,
			{
				description: validationResult.errorMessage,
				runIndex,
				itemIndex,
				nodeCause: node.name,
			},
		);
	}
	return validationResult.newValue;
}

// =====================================================================================
// 4. The context
// =====================================================================================

export interface HarnessOptions {
	/** instance of the node class under test */
	node: INodeType;
	/** input items; default [{ json: {} }] */
	items?: INodeExecutionData[];
	/** the node's parameters as a user set them (missing ones fall back to the description defaults, like n8n) */
	parameters: Record<string, unknown> | ((itemIndex: number) => Record<string, unknown>);
	/** decrypted credential data by credential type name, e.g. { waveSpeedApi: { apiKey, baseUrl } } */
	credentials?: Record<string, IDataObject>;
	/** credential classes by name; their `authenticate` is applied by httpRequestWithAuthentication exactly as n8n does */
	credentialTypes?: Record<string, ICredentialType>;
	continueOnFail?: boolean;
	/** default 'exec-1' */
	executionId?: string;
	/** the object getWorkflowStaticData('node') returns; share it between two harnesses to model Retry On Fail */
	staticData?: IDataObject;
	/** default 'Node under test' */
	nodeName?: string;
	/** default 'n8n-nodes-ai-video.test' */
	nodeTypeName?: string;
	/** default 'manual' (an editor run: sendMessageToUI delivers, $execution.mode is 'test') */
	mode?: 'manual' | 'trigger' | 'webhook' | 'internal';
	/** $execution.resumeUrl; getSignedResumeUrl appends `/<nodeId>?…&signature=…`. Default http://localhost:5678/webhook-waiting/<executionId> */
	resumeUrl?: string;
	/**
	 * The execution's custom data, to share between harnesses that stand for tries of one
	 * execution (Retry On Fail re-runs the node in the same execution). Default: a new one.
	 */
	customData?: IWorkflowExecutionCustomData;

	// ---- additions
	/** node id; default a fixed UUID */
	nodeId?: string;
	/** default: description.defaultVersion, else the highest of description.version */
	typeVersion?: number;
	/** n8n's node setting "On Error"; `continueOnFail: true` means 'continueRegularOutput' */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** the object getWorkflowStaticData('global') returns */
	globalStaticData?: IDataObject;
	/** default 'workflow-1' */
	workflowId?: string;
	/** HMAC secret of getSignedResumeUrl; default 'harness-signing-secret' */
	signingSecret?: string;
	/**
	 * How prepareBinaryData stores data. 'default' (default): base64 `data` when ≤ 1 MiB, else a
	 * `filesystem-v2:` id. 'filesystem-v2': always an id, as n8n 2.x does out of the box.
	 */
	binaryDataMode?: BinaryDataMode;
	/**
	 * run() refuses to execute when the parameters have issues (e.g. a required parameter left
	 * empty), as n8n's WorkflowExecute does. Default true.
	 */
	checkParameterIssues?: boolean;
}

export interface Harness {
	/** pass as `this`: node.execute!.call(h.ctx) */
	ctx: IExecuteFunctions;
	/** = node.execute.call(ctx), after n8n's parameter-issues check, then runs onExecutionFinish handlers */
	run(): Promise<INodeExecutionData[][]>;
	/** aborts getExecutionCancelSignal(); onExecutionCancellation handlers run as its abort listeners, like in n8n */
	cancel(reason?: string): void;
	/** every request made through the helpers (headers after authentication), redirect hops included */
	httpCalls: HttpCall[];
	logs: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; message: string; meta?: unknown }>;
	/** sendMessageToUI (delivered only in manual mode, as in n8n) */
	uiMessages: unknown[];
	/** every prepareBinaryData / setBinaryDataBuffer call */
	binaries: BinaryRecord[];
	/** every prepareBinaryData call whose stream failed: what reached the store (see PartialBinaryRecord) */
	partialBinaries: PartialBinaryRecord[];
	/** set by putExecutionToWait */
	waitTill?: Date;
	staticData: IDataObject;

	// ---- additions
	/** the getWorkflowStaticData('global') object */
	globalStaticData: IDataObject;
	/** like cancel(), then awaits whatever the cancellation handlers returned */
	cancelAndWait(reason?: string): Promise<void>;
	/** errors thrown/rejected by onExecutionCancellation handlers (n8n would report them as uncaught) */
	cancellationErrors: unknown[];
	/** addExecutionHints */
	hints: NodeExecutionHint[];
	/** setMetadata */
	metadata: ITaskMetadata;
	/** the node as n8n sees it (parameters with defaults applied for item 0) */
	node: INode;
	/** the HMAC secret behind getSignedResumeUrl */
	signingSecret: string;
	/** resolved parameters for an item, as getNodeParameter reads them */
	parametersFor(itemIndex: number): INodeParameters;
}

const DEFAULT_NODE_ID = '5a1d0b0e-7c6f-4e8b-9a57-3c2d1e0f9a11';
const WAITING_TOKEN_QUERY_PARAM = 'signature';

class HarnessNotSupportedError extends Error {
	constructor(what: string) {
		super(`harness: ${what} is not supported by the test harness`);
		this.name = 'HarnessNotSupportedError';
	}
}

function notSupported(what: string) {
	return (): never => {
		throw new HarnessNotSupportedError(what);
	};
}

function latestVersion(nodeType: INodeType): number {
	const { version, defaultVersion } = nodeType.description;
	if (defaultVersion !== undefined) return defaultVersion;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** n8n-core `returnJsonArray` */
function returnJsonArray(jsonData: IDataObject | IDataObject[]): INodeExecutionData[] {
	const returnData: INodeExecutionData[] = [];
	const list = Array.isArray(jsonData) ? jsonData : [jsonData];
	list.forEach((data: IDataObject & { json?: IDataObject }) => {
		if (data?.json) returnData.push({ ...data, json: data.json });
		else returnData.push({ json: data });
	});
	return returnData;
}

/** n8n-core `constructExecutionMetaData` */
function constructExecutionMetaData(
	inputData: INodeExecutionData[],
	options: { itemData: IPairedItemData | IPairedItemData[] },
): NodeExecutionWithMetadata[] {
	const { itemData } = options;
	return inputData.map((data) => {
		const { json, ...rest } = data;
		return { json, pairedItem: itemData, ...rest } as NodeExecutionWithMetadata;
	});
}

/** n8n-core `copyInputItems` */
function copyInputItems(items: INodeExecutionData[], properties: string[]): IDataObject[] {
	return items.map((item) => {
		const newItem: IDataObject = Object.create(null) as IDataObject;
		for (const property of properties) {
			newItem[property] =
				item.json[property] === undefined
					? null
					: (deepCopy(item.json[property]) as IDataObject[string]);
		}
		return newItem;
	});
}

/** n8n-core `normalizeItems` */
function normalizeItems(
	executionData: INodeExecutionData | INodeExecutionData[],
): INodeExecutionData[] {
	let list: INodeExecutionData[];
	if (typeof executionData === 'object' && !Array.isArray(executionData)) {
		list = executionData.json
			? [executionData]
			: [{ json: executionData as unknown as IDataObject }];
	} else {
		list = executionData;
	}
	if (list.every((item) => typeof item === 'object' && 'json' in item)) return list;
	if (list.some((item) => typeof item === 'object' && 'json' in item)) {
		throw new UserError('Inconsistent item format');
	}
	if (list.every((item) => typeof item === 'object' && 'binary' in item)) {
		return list.map((item) => {
			const json = Object.keys(item).reduce<IDataObject>((acc, key) => {
				if (key === 'binary') return acc;
				return { ...acc, [key]: item[key] as IDataObject[string] };
			}, {});
			return { json, binary: item.binary };
		});
	}
	if (list.some((item) => typeof item === 'object' && 'binary' in item)) {
		throw new UserError('Inconsistent item format');
	}
	return list.map((item) => ({ json: item as unknown as IDataObject }));
}

/** n8n-core `createExecutionCustomData` (in-memory) */
/**
 * Port of n8n-core 2.40.5 `utils/custom-data.ts` + `utils/execution-metadata.ts`: at most 10
 * keys (a new key past that is ignored without a word), keys of letters, digits and
 * underscores, values strings or numbers cut to 512 characters; in manual mode a bad key or
 * value throws, otherwise it is dropped.
 */
export const CUSTOM_DATA_KV_LIMIT = 10;

export function createCustomData(mode: WorkflowExecuteMode = 'manual'): IWorkflowExecutionCustomData {
	const data: Record<string, string> = {};
	const setOne = (key: string, value: unknown) => {
		if (!(key in data) && Object.keys(data).length >= CUSTOM_DATA_KV_LIMIT) return;
		if (typeof key !== 'string') throw new Error(`Custom data keys must be a string (key "${String(key)}")`);
		if (key.replace(/[\p{L}\p{N}\p{M}_]/gu, '').length !== 0) {
			throw new Error(`Custom data key can only contain letters, numbers, and underscores (key "${key}")`);
		}
		if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
			throw new Error(`Custom data values must be a string (key "${key}")`);
		}
		data[key.slice(0, 50)] = String(value).slice(0, 512);
	};
	const guarded = (action: () => void) => {
		try {
			action();
		} catch (error) {
			// n8n's own code re-throws here; the harness mirrors it.
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			if (mode === 'manual') throw error;
		}
	};
	return {
		set(key: string, value: string) {
			guarded(() => setOne(key, value));
		},
		setAll(obj: Record<string, string>) {
			guarded(() => {
				const errors: unknown[] = [];
				for (const [key, value] of Object.entries(obj)) {
					try {
						setOne(key, value);
					} catch (error) {
						errors.push(error);
					}
				}
				if (errors.length) throw errors[0];
			});
		},
		get(key: string) {
			return { ...data }[String(key).slice(0, 50)];
		},
		getAll() {
			return { ...data };
		},
	};
}

function isBinaryDataObject(obj: unknown): obj is IBinaryData {
	return typeof obj === 'object' && obj !== null && 'data' in obj && 'mimeType' in obj;
}

function isTokenExpiredStatusCode(status: unknown, codes: number | number[]): boolean {
	if (typeof status !== 'number') return false;
	return Array.isArray(codes) ? codes.includes(status) : status === codes;
}

export function createHarness(opts: HarnessOptions): Harness {
	const nodeType = opts.node;
	const description = nodeType.description;
	const executionId = opts.executionId ?? 'exec-1';
	const workflowId = opts.workflowId ?? 'workflow-1';
	const nodeName = opts.nodeName ?? 'Node under test';
	const mode: WorkflowExecuteMode = opts.mode ?? 'manual';
	const typeVersion = opts.typeVersion ?? latestVersion(nodeType);
	const items: INodeExecutionData[] = opts.items ?? [{ json: {} }];
	const credentialTypes = opts.credentialTypes ?? {};
	const signingSecret = opts.signingSecret ?? 'harness-signing-secret';
	const binaryDataMode: BinaryDataMode = opts.binaryDataMode ?? 'default';
	const resumeUrl = opts.resumeUrl ?? `http://localhost:5678/webhook-waiting/${executionId}`;
	const resumeFormUrl = `http://localhost:5678/form-waiting/${executionId}`;
	const staticData: IDataObject = opts.staticData ?? {};
	const globalStaticData: IDataObject = opts.globalStaticData ?? {};

	const httpCalls: HttpCall[] = [];
	const logs: Harness['logs'] = [];
	const uiMessages: unknown[] = [];
	const binaries: BinaryRecord[] = [];
	const partialBinaries: PartialBinaryRecord[] = [];
	const hints: NodeExecutionHint[] = [];
	const metadata: ITaskMetadata = {};
	const cancellationErrors: unknown[] = [];
	const cancellationResults: Array<Promise<unknown>> = [];
	const finishHandlers: Array<() => unknown> = [];
	const abortController = new AbortController();
	const customData = opts.customData ?? createCustomData(mode);

	const rawParameters = (itemIndex: number): INodeParameters =>
		deepCopy(
			(typeof opts.parameters === 'function'
				? opts.parameters(itemIndex)
				: opts.parameters) as INodeParameters,
		);
	const withDefaults = (values: INodeParameters): INodeParameters =>
		NodeHelpers.getNodeParameters(
			description.properties,
			values,
			true,
			false,
			{ typeVersion },
			description,
		) ?? {};

	const node: INode = {
		id: opts.nodeId ?? DEFAULT_NODE_ID,
		name: nodeName,
		type: opts.nodeTypeName ?? 'n8n-nodes-ai-video.test',
		typeVersion,
		position: [0, 0],
		parameters: rawParameters(0),
	};
	if (opts.credentials && Object.keys(opts.credentials).length > 0) {
		node.credentials = {};
		for (const type of Object.keys(opts.credentials)) {
			node.credentials[type] = { id: `cred-${type}`, name: `${type} account` };
		}
	}
	const onError = opts.onError ?? (opts.continueOnFail ? 'continueRegularOutput' : undefined);
	if (onError) node.onError = onError;
	if (description.webhooks?.length) node.webhookId = randomUUID();

	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	// The Workflow constructor applies the description defaults to node.parameters, exactly as
	// n8n does when it loads a workflow (NodeHelpers.getNodeParameters, returnDefaults = true).
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		staticData: { global: globalStaticData, [`node:${nodeName}`]: staticData },
		settings: {},
	});

	const parameterCache = new Map<number, INodeParameters>([[0, node.parameters]]);
	const parametersFor = (itemIndex: number): INodeParameters => {
		let cached = parameterCache.get(itemIndex);
		if (!cached) {
			cached =
				typeof opts.parameters === 'function'
					? withDefaults(rawParameters(itemIndex))
					: node.parameters;
			parameterCache.set(itemIndex, cached);
		}
		return cached;
	};
	const nodeForItem = (itemIndex: number): INode =>
		itemIndex === 0 || typeof opts.parameters !== 'function'
			? node
			: { ...node, parameters: parametersFor(itemIndex) };

	const runExecutionData = createRunExecutionData();
	const inputData: ITaskDataConnections = { main: [items] };
	const connectionInputData = items;
	const executeData: IExecuteData = {
		data: inputData,
		node,
		source: { main: [{ previousNode: 'Harness input' }] },
	};
	const additionalKeys: IWorkflowDataProxyAdditionalKeys = {
		$execution: {
			id: executionId,
			mode: mode === 'manual' ? 'test' : 'production',
			resumeUrl,
			resumeFormUrl,
			customData,
		},
		$vars: {},
		$secrets: undefined,
		$executionId: executionId,
		$resumeWebhookUrl: resumeUrl,
	};

	const log =
		(level: 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: LogMetadata) => {
			logs.push(meta === undefined ? { level, message } : { level, message, meta });
		};
	const logger: Logger = {
		debug: log('debug'),
		info: log('info'),
		warn: log('warn'),
		error: log('error'),
	};

	const harness = {} as Harness;
	const recordBinary = async (
		body: Buffer | Readable,
		returnData: IBinaryData,
	): Promise<IBinaryData> => {
		const progress = { bytes: 0 };
		let consumed: ConsumedBinary;
		try {
			consumed = await consumeBinary(body, progress);
		} catch (error) {
			partialBinaries.push({
				...(returnData.fileName !== undefined ? { fileName: returnData.fileName } : {}),
				mimeType: returnData.mimeType,
				bytes: progress.bytes,
				error: error instanceof Error ? error.message : String(error),
			});
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n's prepareBinaryData rethrows the stream's own error
			throw error;
		}
		binaries.push({
			...(returnData.fileName !== undefined ? { fileName: returnData.fileName } : {}),
			mimeType: returnData.mimeType,
			bytes: consumed.bytes,
			sha256: consumed.sha256,
			...(consumed.kept ? { data: consumed.kept } : {}),
		});
		return storeBinary(returnData, consumed, binaryDataMode, { workflowId, executionId });
	};

	// ------------------------------------------------------------ getNodeParameter

	function getNodeParameter(
		parameterName: string,
		itemIndex: number,
		fallbackValue?: unknown,
		options?: IGetNodeParameterOptions,
	): NodeParameterValueType | object {
		const itemNode = nodeForItem(itemIndex);
		const value = lodashGet(itemNode.parameters, parameterName, fallbackValue);
		if (value === undefined) {
			throw new ApplicationError('Could not get parameter', { extra: { parameterName } });
		}
		if (options?.rawExpressions) return value as NodeParameterValueType;

		let returnData: unknown;
		try {
			returnData = workflow.expression.getParameterValue(
				value as NodeParameterValueType,
				runExecutionData,
				0,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				additionalKeys,
				executeData,
				false,
				{},
				options?.contextNode?.name,
			);
			cleanupParameterData(returnData);
		} catch (e) {
			const error = e as { context?: IDataObject; cause?: unknown };
			if (error.context) error.context.parameter = parameterName;
			error.cause = value;
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- n8n-core throws exactly this
			throw e;
		}
		if (options?.extractValue) {
			returnData = extractValue(
				returnData as NodeParameterValueType,
				parameterName,
				itemNode,
				nodeType,
				itemIndex,
			);
		}
		if (options?.ensureType) {
			returnData = ensureType(options.ensureType as EnsureTypeOptions, returnData, parameterName, {
				itemIndex,
				runIndex: 0,
				nodeCause: node.name,
			});
		}
		if (options?.skipValidation) return returnData as NodeParameterValueType;
		return validateValueAgainstSchema(
			itemNode,
			nodeType,
			returnData,
			parameterName,
			0,
			itemIndex,
		) as NodeParameterValueType;
	}

	// ------------------------------------------------------------ credentials

	async function getCredentials<T extends object = ICredentialDataDecryptedObject>(
		type: string,
		itemIndex?: number,
	): Promise<T> {
		// NodeExecutionContext._getCredentials
		if (description.credentials === undefined) {
			throw new NodeOperationError(
				node,
				`Node type "${node.type}" does not have any credentials defined`,
				{ level: 'warning' },
			);
		}
		const nodeCredentialDescription = description.credentials.find((c) => c.name === type);
		if (nodeCredentialDescription === undefined) {
			throw new NodeOperationError(
				node,
				`Node type "${node.type}" does not have any credentials of type "${type}" defined`,
				{ level: 'warning' },
			);
		}
		if (
			!NodeHelpers.displayParameter(
				node.parameters,
				nodeCredentialDescription,
				node,
				description,
				node.parameters,
			)
		) {
			throw new NodeOperationError(node, 'Credentials not found');
		}
		if (!node.credentials?.[type]) {
			if (nodeCredentialDescription.required === true) {
				if (!node.credentials) {
					throw new NodeOperationError(node, 'Node does not have any credentials set', {
						level: 'warning',
					});
				}
				throw new NodeOperationError(node, `Node does not have any credentials set for "${type}"`, {
					level: 'warning',
				});
			}
			throw new NodeOperationError(node, 'Node does not require credentials');
		}

		// CredentialsHelper.getDecrypted → applyDefaultsAndOverwrites
		const stored = deepCopy((opts.credentials ?? {})[type]) as ICredentialDataDecryptedObject;
		const credentialType = credentialTypes[type];
		let decrypted: ICredentialDataDecryptedObject = stored;
		if (credentialType) {
			decrypted = (NodeHelpers.getNodeParameters(
				credentialType.properties,
				stored as INodeParameters,
				true,
				false,
				null,
				null,
			) ?? {}) as ICredentialDataDecryptedObject;
			if (stored.oauthTokenData !== undefined) decrypted.oauthTokenData = stored.oauthTokenData;
		}
		const credentialKeys: IWorkflowDataProxyAdditionalKeys = {
			...additionalKeys,
			$secrets: {},
		};
		decrypted = workflow.expression.getParameterValue(
			decrypted as INodeParameters,
			runExecutionData,
			0,
			itemIndex || 0,
			node.name,
			connectionInputData,
			mode,
			credentialKeys,
			executeData,
			false,
			decrypted,
		) as ICredentialDataDecryptedObject;
		return decrypted as T;
	}

	async function preAuthentication(
		credentials: ICredentialDataDecryptedObject,
		credentialType: ICredentialType,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		// CredentialsHelper.preAuthentication (without persisting the refreshed token)
		const expirableProperty = credentialType.properties.find(
			(property) => property.type === 'hidden' && property?.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		if (credentials[expirableProperty.name] === '' || credentialsExpired) {
			const output = await credentialType.preAuthentication.call(
				{ helpers: { httpRequest: async (o: IHttpRequestOptions) => await httpRequest(o) } },
				credentials,
			);
			if (output[expirableProperty.name] === undefined) return undefined;
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	// ------------------------------------------------------------ HTTP

	async function httpRequest(requestOptions: IHttpRequestOptions): Promise<unknown> {
		return await n8nRequest(httpCalls, requestOptions);
	}

	/**
	 * n8n-core request-helpers/authentication.ts `httpRequestWithAuthentication`. `self` is the
	 * helper's `this`, as in n8n: called as `this.helpers.httpRequestWithAuthentication(...)`
	 * without `.call(this, …)` it is the helpers object, which has no cancel signal,
	 * `getCredentials` or `getNode` — and fails the way n8n fails.
	 */
	async function httpRequestWithAuthentication(
		self: IExecuteFunctions,
		credentialsType: string,
		requestOptions: IHttpRequestOptions,
		additionalCredentialOptions?: IAdditionalCredentialOptions,
	): Promise<unknown> {
		removeEmptyBody(requestOptions as Parameters<typeof removeEmptyBody>[0]);
		// Cancel this request on execution cancellation
		if ('getExecutionCancelSignal' in self) {
			requestOptions.abortSignal = self.getExecutionCancelSignal();
		}

		const credentialType = credentialTypes[credentialsType];
		if (!credentialType) {
			throw new Error(
				`harness: httpRequestWithAuthentication("${credentialsType}") needs credentialTypes.${credentialsType} ` +
					'(the credential class) to apply its `authenticate` the way n8n does',
			);
		}
		const parentTypes = credentialType.extends ?? [];
		if (parentTypes.includes('oAuth1Api') || parentTypes.includes('oAuth2Api')) {
			throw new HarnessNotSupportedError(`OAuth credential type "${credentialsType}"`);
		}

		let credentialsDecrypted: ICredentialDataDecryptedObject | undefined;
		let requestSent = false;
		try {
			if (additionalCredentialOptions?.credentialsDecrypted) {
				credentialsDecrypted = additionalCredentialOptions.credentialsDecrypted.data;
			} else {
				credentialsDecrypted =
					await self.getCredentials<ICredentialDataDecryptedObject>(credentialsType);
			}
			if (credentialsDecrypted === undefined) {
				throw new NodeOperationError(
					node,
					`Node "${node.name}" does not have any credentials of type "${credentialsType}" set`,
					{ level: 'warning' },
				);
			}
			const data = await preAuthentication(credentialsDecrypted, credentialType, false);
			if (data) Object.assign(credentialsDecrypted, data);
			requestOptions = await applyAuthenticate(
				credentialsDecrypted,
				credentialType,
				requestOptions,
				workflow,
				node,
			);
			requestSent = true;
			return await n8nRequest(httpCalls, requestOptions, credentialsType);
		} catch (error) {
			const status = (error as { response?: { status?: unknown } })?.response?.status;
			if (
				isTokenExpiredStatusCode(
					status,
					additionalCredentialOptions?.preAuthenticationRetryStatusCode ?? 401,
				) &&
				credentialsDecrypted !== undefined
			) {
				// n8n refreshes (preAuthentication) and re-sends the request once on a 401,
				// whether or not the credential has anything to refresh.
				try {
					const data = await preAuthentication(credentialsDecrypted, credentialType, true);
					if (data) Object.assign(credentialsDecrypted, data);
					if (requestSent && hasSingleUseBody(requestOptions)) {
						self.logger.warn(
							`Request for credential type "${credentialsType}" was not retried after refreshing the credential: its multipart/stream body was consumed by the first attempt and cannot be sent again. Surfacing the original error instead.`,
						);
						throw new NodeApiError(self.getNode(), error as never);
					}
					requestOptions = await applyAuthenticate(
						credentialsDecrypted,
						credentialType,
						requestOptions,
						workflow,
						node,
					);
					return await n8nRequest(httpCalls, requestOptions, credentialsType);
				} catch (retryError) {
					throw new NodeApiError(self.getNode(), retryError as never);
				}
			}
			throw new NodeApiError(self.getNode(), error as never);
		}
	}

	// ------------------------------------------------------------ binary

	async function prepareBinaryData(
		binaryData: Buffer | Readable,
		filePath?: string,
		mimeType?: string,
	): Promise<IBinaryData> {
		const returnData = prepareBinaryMetadata(binaryData, filePath, mimeType);
		return await recordBinary(binaryData, returnData);
	}

	function assertBinaryData(itemIndex: number, parameterData: string | IBinaryData): IBinaryData {
		// n8n-core binary-helper-functions.ts assertBinaryData (inputIndex 0)
		if (isBinaryDataObject(parameterData)) return parameterData;
		if (typeof parameterData !== 'string') {
			throw new NodeOperationError(
				node,
				'Provided parameter is not a string or binary data object.',
				{
					itemIndex,
					description:
						'Specify the property name of the binary data in input item or use an expression to access the binary data in previous nodes, e.g. "{{ $(_target_node_).item.binary[_binary_property_name_] }}"',
				},
			);
		}
		const binaryKeyData = items[itemIndex].binary;
		if (binaryKeyData === undefined) {
			throw new NodeOperationError(
				node,
				`This operation expects the node's input data to contain a binary file '${parameterData}', but none was found [item ${itemIndex}]`,
				{ itemIndex, description: 'Make sure that the previous node outputs a binary file' },
			);
		}
		const binaryPropertyData = binaryKeyData[parameterData];
		if (binaryPropertyData === undefined) {
			throw new NodeOperationError(
				node,
				`The item has no binary field '${parameterData}' [item ${itemIndex}]`,
				{
					itemIndex,
					description:
						'Check that the parameter where you specified the input binary field name is correct, and that it matches a field in the binary input',
				},
			);
		}
		return binaryPropertyData;
	}

	async function getBinaryDataBuffer(
		itemIndex: number,
		parameterData: string | IBinaryData,
	): Promise<Buffer> {
		let binaryData: IBinaryData;
		if (isBinaryDataObject(parameterData)) {
			binaryData = parameterData;
		} else if (typeof parameterData === 'string') {
			// as in n8n: no assertion here, a missing item/property is a TypeError
			binaryData = items[itemIndex].binary![parameterData];
		} else {
			throw new ApplicationError('Provided parameter is not a string or binary data object.');
		}
		return binaryBuffer(binaryData);
	}

	async function getBinaryStream(binaryDataId: string, chunkSize?: number): Promise<Readable> {
		const buffer = binaryBuffer({ id: binaryDataId, data: '', mimeType: '' });
		const size = chunkSize && chunkSize > 0 ? chunkSize : 64 * 1024;
		const chunks: Buffer[] = [];
		for (let offset = 0; offset < buffer.length; offset += size) {
			chunks.push(buffer.subarray(offset, offset + size));
		}
		return Readable.from(chunks);
	}

	async function getBinaryMetadata(binaryDataId: string) {
		const stored = binaryFileStore.get(binaryDataId);
		if (!stored) throw new Error(`harness: unknown binary data id "${binaryDataId}"`);
		return { fileName: stored.fileName, mimeType: stored.mimeType, fileSize: stored.bytes };
	}

	// ------------------------------------------------------------ cancellation

	function onExecutionCancellation(handler: () => unknown): void {
		// BaseExecuteContext.onExecutionCancellation: an abort listener that removes itself
		const signal = abortController.signal;
		const fn = () => {
			signal.removeEventListener('abort', fn);
			try {
				const result = handler();
				if (result && typeof (result as Promise<unknown>).then === 'function') {
					cancellationResults.push(
						(result as Promise<unknown>).catch((error: unknown) => {
							cancellationErrors.push(error);
							logger.error('onExecutionCancellation handler rejected', { error });
						}),
					);
				}
			} catch (error) {
				cancellationErrors.push(error);
				logger.error('onExecutionCancellation handler threw', { error });
			}
		};
		signal.addEventListener('abort', fn);
	}

	function cancel(reason?: string): void {
		if (reason === undefined) abortController.abort();
		else abortController.abort(reason);
	}

	// ------------------------------------------------------------ the context

	const ctx = {
		logger,
		customData,

		getInputData(inputIndex = 0, connectionType: string = NodeConnectionTypes.Main) {
			if (!Object.prototype.hasOwnProperty.call(inputData, connectionType)) return [];
			const connection = inputData[connectionType];
			if (connection.length < inputIndex) {
				throw new ApplicationError('Could not get input with given index', {
					extra: { inputIndex, connectionType },
				});
			}
			const allItems = connection[inputIndex];
			if (allItems === null) {
				throw new ApplicationError('Input index was not set', {
					extra: { inputIndex, connectionType },
				});
			}
			return allItems ?? [];
		},
		getNodeParameter,
		getNode: () => deepCopy(node),
		getWorkflow: () => ({ id: workflow.id, name: workflow.name, active: workflow.active }),
		getWorkflowSettings: () => workflow.settings,
		getMode: () => mode,
		getExecutionId: () => executionId,
		getWorkflowStaticData: (type: string) => workflow.getStaticData(type, node),
		getTimezone: () => workflow.timezone,
		getRestApiUrl: () => 'http://localhost:5678/rest',
		getInstanceBaseUrl: () => 'http://localhost:5678/',
		getInstanceId: () => 'harness-instance-id',
		getCredentials,
		getCredentialsProperties: (type: string) => credentialTypes[type]?.properties ?? [],
		getChildNodes: () => [],
		getParentNodes: () => [],
		getKnownNodeTypes: () => ({}),
		getChatTrigger: () => null,
		isNodeFeatureEnabled: () => false,
		getExecutionContext: () => runExecutionData.executionData?.runtimeData,
		getNodeInputs: () =>
			(Array.isArray(description.inputs) ? description.inputs : []).map((input) =>
				typeof input === 'string' ? { type: input } : input,
			),
		getNodeOutputs: () =>
			(Array.isArray(description.outputs) ? description.outputs : []).map((output) =>
				typeof output === 'string' ? { type: output } : output,
			),
		async prepareOutputData(outputData: INodeExecutionData[]) {
			return [outputData];
		},

		continueOnFail(): boolean {
			if (node.onError === undefined) return node.continueOnFail === true;
			return ['continueRegularOutput', 'continueErrorOutput'].includes(node.onError);
		},
		evaluateExpression(expression: string, itemIndex = 0) {
			return workflow.expression.resolveSimpleParameterValue(
				`=${expression}`,
				{},
				runExecutionData,
				0,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				additionalKeys,
				executeData,
			);
		},
		getContext: (type: ContextType) => NodeHelpers.getContext(runExecutionData, type, node),
		getExecuteData: () => executeData,
		getInputSourceData(inputIndex = 0, connectionType: string = NodeConnectionTypes.Main) {
			return executeData.source![connectionType][inputIndex]!;
		},
		getWorkflowDataProxy: (itemIndex: number) =>
			new WorkflowDataProxy(
				workflow,
				runExecutionData,
				0,
				itemIndex,
				node.name,
				connectionInputData,
				{},
				mode,
				additionalKeys,
				executeData,
			).getDataProxy(),
		getExecutionCancelSignal: () => abortController.signal,
		onExecutionCancellation,
		onExecutionFinish(handler: () => unknown) {
			finishHandlers.push(handler);
		},
		setMetadata(data: ITaskMetadata) {
			Object.assign(metadata, deepCopy(data));
		},
		addExecutionHints(...newHints: NodeExecutionHint[]) {
			hints.push(...newHints);
		},
		logAiEvent(eventName: string, msg?: string) {
			logger.debug(`AI event ${eventName}`, { msg });
		},

		async putExecutionToWait(waitTill: Date): Promise<void> {
			runExecutionData.waitTill = waitTill;
			harness.waitTill = waitTill;
		},
		sendMessageToUI(...args: unknown[]): void {
			if (mode !== 'manual') return;
			const mapped = args.map((arg) => (arg instanceof Date ? arg.toString() : arg));
			uiMessages.push(mapped.length === 1 ? mapped[0] : mapped);
		},
		isConsoleOutputRedacted: () => false,
		isStreaming: () => false,
		isToolExecution: () => false,
		getParentCallbackManager: () => undefined,
		getSignedResumeUrl(parameters: Record<string, string> = {}): string {
			// n8n-core signature-helpers generateResumeUrl: HMAC-SHA256 of host+path+query
			const url = new URL(`${resumeUrl}/${node.id}`);
			for (const [key, value] of Object.entries(parameters)) url.searchParams.set(key, value);
			const urlToSign = `${url.host}${url.pathname}${url.search}`;
			const signature = createHmac('sha256', signingSecret).update(urlToSign).digest('hex');
			url.searchParams.set(WAITING_TOKEN_QUERY_PARAM, signature);
			return url.toString();
		},

		executeWorkflow: notSupported('executeWorkflow'),
		executeAgent: notSupported('executeAgent'),
		getExecutionDataById: notSupported('getExecutionDataById'),
		getInputConnectionData: notSupported('getInputConnectionData'),
		getRuntimeCredential: notSupported('getRuntimeCredential'),
		sendResponse: notSupported('sendResponse'),
		sendChunk: notSupported('sendChunk'),
		addInputData: notSupported('addInputData'),
		addOutputData: notSupported('addOutputData'),
		startJob: notSupported('startJob'),
		getRunnerStatus: notSupported('getRunnerStatus'),

		nodeHelpers: {
			copyBinaryFile: notSupported('nodeHelpers.copyBinaryFile'),
		},

		helpers: {
			createDeferredPromise,
			returnJsonArray,
			copyInputItems,
			normalizeItems,
			constructExecutionMetaData,

			httpRequest,
			async httpRequestWithAuthentication(
				this: IExecuteFunctions,
				credentialsType: string,
				requestOptions: IHttpRequestOptions,
				additionalCredentialOptions?: IAdditionalCredentialOptions,
			) {
				return await httpRequestWithAuthentication(
					this,
					credentialsType,
					requestOptions,
					additionalCredentialOptions,
				);
			},
			request: notSupported('helpers.request (deprecated; use httpRequest)'),
			requestWithAuthentication: notSupported(
				'helpers.requestWithAuthentication (deprecated; use httpRequestWithAuthentication)',
			),
			requestWithAuthenticationPaginated: notSupported(
				'helpers.requestWithAuthenticationPaginated',
			),
			requestOAuth1: notSupported('helpers.requestOAuth1'),
			requestOAuth2: notSupported('helpers.requestOAuth2'),
			refreshOAuth2Token: notSupported('helpers.refreshOAuth2Token'),
			getSecureEgressFilter: notSupported('helpers.getSecureEgressFilter'),

			prepareBinaryData,
			async setBinaryDataBuffer(data: IBinaryData, binaryData: Buffer) {
				return await recordBinary(binaryData, data);
			},
			copyBinaryFile: notSupported('helpers.copyBinaryFile'),
			binaryToBuffer: async (body: Buffer | Readable) => await binaryToBuffer(body),
			binaryToString: async (body: Buffer | Readable, encoding?: BufferEncoding) =>
				await binaryToString(body, encoding),
			getBinaryPath: notSupported('helpers.getBinaryPath'),
			getBinaryStream,
			getBinaryMetadata,
			createBinarySignedUrl: notSupported('helpers.createBinarySignedUrl'),
			assertBinaryData,
			getBinaryDataBuffer,
			detectBinaryEncoding: notSupported('helpers.detectBinaryEncoding'),

			checkProcessedAndRecord: notSupported('helpers.checkProcessedAndRecord'),
			checkProcessedItemsAndRecord: notSupported('helpers.checkProcessedItemsAndRecord'),
			removeProcessed: notSupported('helpers.removeProcessed'),
			clearAllProcessedItems: notSupported('helpers.clearAllProcessedItems'),
			getProcessedDataCount: notSupported('helpers.getProcessedDataCount'),
			getSSHClient: notSupported('helpers.getSSHClient'),
			updateLastUsed: notSupported('helpers.updateLastUsed'),
			resolvePath: notSupported('helpers.resolvePath'),
			isFilePathBlocked: notSupported('helpers.isFilePathBlocked'),
			createReadStream: notSupported('helpers.createReadStream'),
			getStoragePath: notSupported('helpers.getStoragePath'),
			writeContentToFile: notSupported('helpers.writeContentToFile'),
		},
	} as unknown as IExecuteFunctions;

	async function runFinishHandlers(): Promise<void> {
		if (harness.waitTill !== undefined) return; // 'waiting' executions do not finish
		for (const handler of finishHandlers.splice(0)) {
			try {
				await handler();
			} catch (error) {
				logger.warn(`Execution-finish handler of node "${node.name}" failed`, { error });
			}
		}
	}

	async function run(): Promise<INodeExecutionData[][]> {
		if (opts.checkParameterIssues !== false) {
			// WorkflowExecute.checkReadyForExecution → WorkflowHasIssuesError
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, node, description);
			if (issues !== null) {
				const messages = NodeHelpers.nodeIssuesToString(issues, node);
				throw new WorkflowOperationError(
					`The workflow has issues and cannot be executed for that reason. Please fix them first. Issues: '${node.name}': ${messages.join(' ')}`,
				);
			}
		}
		if (typeof nodeType.execute !== 'function') {
			throw new Error('harness: the node has no execute() method');
		}
		try {
			const output = await nodeType.execute.call(ctx);
			return (output ?? []) as INodeExecutionData[][];
		} finally {
			await runFinishHandlers();
		}
	}

	Object.assign(harness, {
		ctx,
		run,
		cancel,
		async cancelAndWait(reason?: string) {
			cancel(reason);
			await Promise.all(cancellationResults.splice(0));
		},
		httpCalls,
		logs,
		uiMessages,
		binaries,
		partialBinaries,
		waitTill: undefined,
		staticData,
		globalStaticData,
		cancellationErrors,
		hints,
		metadata,
		node,
		signingSecret,
		parametersFor,
	});
	return harness;
}

export interface BinaryItemOptions {
	/** 'default' (base64 `data`, the default) or 'filesystem-v2' (an id, as n8n 2.x stores binaries) */
	mode?: BinaryDataMode;
}

/**
 * An input item carrying binary `propertyName` (default 'data') with these bytes, shaped the way
 * n8n stores it: base64 `data` (or a `filesystem-v2:` id), mimeType, fileType, fileName,
 * fileExtension, fileSize (pretty-bytes), bytes.
 */
export function binaryItem(
	bytes: Buffer,
	mimeType: string,
	fileName: string,
	propertyName = 'data',
	json: IDataObject = {},
	options: BinaryItemOptions = {},
): INodeExecutionData {
	const extension = fileName.includes('.')
		? fileName.slice(fileName.lastIndexOf('.') + 1)
		: undefined;
	const binary: IBinaryData = {
		mimeType,
		fileType: fileTypeFromMimeType(mimeType),
		fileExtension: extension,
		data: bytes.toString(BINARY_ENCODING),
		fileName,
		fileSize: prettyBytes(bytes.length),
		bytes: bytes.length,
	};
	if (options.mode === 'filesystem-v2') {
		if (bytes.length > 1024 * 1024) {
			throw new Error('harness: binaryItem keeps at most 1 MiB');
		}
		const id = `filesystem-v2:workflows/workflow-1/executions/input/binary_data/${randomUUID()}`;
		binaryFileStore.set(id, { data: bytes, bytes: bytes.length, fileName, mimeType });
		binary.id = id;
		binary.data = 'filesystem-v2';
	}
	return { json, binary: { [propertyName]: binary } };
}

export { ExpressionError, NodeApiError, NodeOperationError };
