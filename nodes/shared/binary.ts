/**
 * Binary in (an image from the input item) and out (the video, streamed into n8n's binary
 * store without holding it in memory).
 */
import type { IBinaryData, IExecuteFunctions, INode, NodeApiError } from 'n8n-workflow';

import type { Host } from './host';

import { fieldError, providerError } from './errors';
import { realClock } from './clock';
import type { Clock } from './clock';
import { backoffMs, header, isRetryableStatus, networkCode } from './http';
import { IMAGE_MIME, checkImage, formatBytes, sniffImage } from './images';
import type { ImageFormat, ImageRules, Provider } from './models/types';
import { openStream } from './public';

export interface InputImage {
	bytes: Buffer;
	mimeType: string;
	fileName: string;
}

/** The input item's binary property, or an error naming what the item has instead. */
function inputBinary(ctx: IExecuteFunctions, itemIndex: number, propertyName: string, fieldName: string) {
	const item = ctx.getInputData()[itemIndex];
	const name = propertyName.trim();
	if (!name || !item?.binary?.[name]) {
		const available = Object.keys(item?.binary ?? {});
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			fieldName,
			`the input item has no binary property "${name}"`,
			available.length
				? `Binary properties on this item: ${available.join(', ')}`
				: 'This item has no binary data: add a node before this one that reads or downloads the file',
		);
	}
	return { name, binary: ctx.helpers.assertBinaryData(itemIndex, name) };
}

/** Reads and checks the input image before anything is sent. */
export async function readInputImage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	fieldName: string,
	rules: ImageRules | undefined,
	uploadFormats: ImageFormat[],
	maxUploadBytes: number,
	binaryFieldName = 'Input Binary Field',
): Promise<InputImage> {
	const { name, binary } = inputBinary(ctx, itemIndex, propertyName, binaryFieldName);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
	const effective: ImageRules = {
		...rules,
		formats: rules?.formats ?? uploadFormats,
		maxBytes: Math.min(rules?.maxBytes ?? Infinity, maxUploadBytes),
	};
	const problem = checkImage(bytes, effective, uploadFormats);
	if (problem) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			fieldName,
			`the binary "${name}" (${binary.fileName ?? 'unnamed'}) ${problem}`,
		);
	}
	const format = sniffImage(bytes).format as ImageFormat;
	const mimeType = IMAGE_MIME[format];
	const extension = format === 'jpeg' ? 'jpg' : format;
	const fileName = (binary.fileName ?? `image.${extension}`).replace(/[^\w.-]+/g, '_');
	return { bytes, mimeType, fileName };
}

/** Reads an input file of any kind (a video, an audio track) to upload; only its size is checked. */
export async function readInputFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	fieldName: string,
	maxUploadBytes: number,
	binaryFieldName = 'Input Binary Field',
): Promise<InputImage> {
	const { name, binary } = inputBinary(ctx, itemIndex, propertyName, binaryFieldName);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
	if (!bytes.length) throw fieldError(ctx.getNode(), itemIndex, fieldName, `the binary "${name}" is empty`);
	if (bytes.length > maxUploadBytes) {
		throw fieldError(
			ctx.getNode(),
			itemIndex,
			fieldName,
			`the binary "${name}" (${binary.fileName ?? 'unnamed'}) is ${formatBytes(bytes.length)}; the provider takes uploads up to ${formatBytes(maxUploadBytes)}`,
		);
	}
	const mimeType = binary.mimeType || 'application/octet-stream';
	const fileName = (binary.fileName ?? 'file.bin').replace(/[^\w.-]+/g, '_');
	return { bytes, mimeType, fileName };
}

/** Decodes a data: URI that already passed validation (an image, or any file it declares). */
export function decodeDataUri(value: string): InputImage {
	const comma = value.indexOf(',');
	const bytes = Buffer.from(value.slice(comma + 1), 'base64');
	const format = sniffImage(bytes).format;
	const declared = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)/i.exec(value)?.[1];
	if (!format && declared) {
		return { bytes, mimeType: declared, fileName: `file.${declared.split('/')[1].replace(/[^a-z0-9]/gi, '') || 'bin'}` };
	}
	return {
		bytes,
		mimeType: IMAGE_MIME[format ?? 'png'],
		fileName: `image.${format === 'jpeg' ? 'jpg' : (format ?? 'png')}`,
	};
}

const VIDEO_TYPES = /^(video\/|application\/octet-stream|binary\/octet-stream|application\/mp4)/i;
/** Any-model results: videos, images, audio, and files a host does not type. */
const MEDIA_TYPES = /^(video\/|image\/|audio\/|application\/octet-stream|binary\/octet-stream|application\/mp4|application\/zip|model\/)/i;

function extensionFor(mimeType: string, url: string): string {
	const fromUrl = /\.([a-z0-9]{2,4})(?:$|\?)/i.exec(new URL(url).pathname)?.[1];
	if (fromUrl) return fromUrl.toLowerCase();
	const map: Record<string, string> = {
		'video/mp4': 'mp4',
		'video/webm': 'webm',
		'video/quicktime': 'mov',
		'image/png': 'png',
		'image/jpeg': 'jpg',
		'image/webp': 'webp',
		'audio/mpeg': 'mp3',
		'audio/wav': 'wav',
	};
	return map[mimeType] ?? (mimeType.startsWith('video/') || mimeType.includes('octet-stream') ? 'mp4' : 'bin');
}

/** The stream n8n's prepareBinaryData accepts (typed without importing Node's stream module). */
type BinarySource = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/**
 * The download body, a Node Readable, as far as it is used here. Node's stream module is off
 * limits to community nodes, so bytes are counted with the Readable's own `map()`, which
 * returns a new Readable that pulls one chunk at a time (no buffering beyond a chunk).
 */
interface DownloadBody {
	map?: (fn: (chunk: Buffer | string) => Buffer) => BinarySource;
	destroy?: (error?: Error) => void;
	on?: (event: 'error', listener: (error: Error) => void) => unknown;
}

/** No byte for this long and the download is abandoned (and retried). */
export const STALL_MS = 30_000;

export interface DownloadOptions {
	provider: Provider;
	requestId: string;
	itemIndex: number;
	maxBytes: number;
	contentType?: string;
	signal?: AbortSignal;
	clock?: Clock;
	/**
	 * Any kind of media (the any-model nodes: images, audio, several files), not only a video;
	 * `index` > 0 names the nth file of a job (`<requestId>_1.png`).
	 */
	anyMedia?: boolean;
	index?: number;
}

/** Downloads a finished video into n8n's binary store, streaming; transient failures are retried. */
export async function downloadVideo(
	ctx: Host,
	node: INode,
	url: string,
	options: DownloadOptions,
): Promise<IBinaryData> {
	const clock = options.clock ?? realClock;
	for (let attempt = 1; ; attempt++) {
		const outcome = await downloadOnce(ctx, node, url, options, clock);
		if (!('retry' in outcome)) return outcome.binary;
		if (attempt >= DOWNLOAD_ATTEMPTS || options.signal?.aborted) throw outcome.error;
		await clock.sleep(backoffMs(attempt), options.signal);
	}
}

const DOWNLOAD_ATTEMPTS = 3;

const noun = (options: DownloadOptions) => (options.anyMedia ? 'file' : 'video');

type Attempt = { binary: IBinaryData } | { retry: true; error: NodeApiError };

async function downloadOnce(
	ctx: Host,
	node: INode,
	url: string,
	options: DownloadOptions,
	clock: Clock,
): Promise<Attempt> {
	const fail = (message: string, httpCode?: number) =>
		providerError(node, {
			provider: options.provider,
			message: `downloading the ${noun(options)} failed: ${message}. The ${noun(options)} is still at ${url}`,
			requestId: options.requestId,
			itemIndex: options.itemIndex,
			httpCode,
		});
	const again = (message: string, httpCode?: number): Attempt => ({
		retry: true,
		error: fail(message, httpCode),
	});
	// One abort per attempt, tied to the item's: aborting the request is the one way to end a
	// stalled body. n8n 2.x hands over a wrapper around the response whose destroy() waits for
	// the next chunk, which a stalled host never sends; an aborted request fails it at once.
	const request = new AbortController();
	const cancel = () => request.abort();
	if (options.signal?.aborted) request.abort();
	options.signal?.addEventListener('abort', cancel, { once: true });
	try {
		return await readOnce(ctx, url, options, clock, request, fail, again);
	} finally {
		options.signal?.removeEventListener('abort', cancel);
	}
}

async function readOnce(
	ctx: Host,
	url: string,
	options: DownloadOptions,
	clock: Clock,
	request: AbortController,
	fail: (message: string, httpCode?: number) => NodeApiError,
	again: (message: string, httpCode?: number) => Attempt,
): Promise<Attempt> {
	let response;
	try {
		response = await openStream(ctx, url, request.signal);
	} catch (error) {
		return again(networkCode(error) ?? (error instanceof Error ? error.message : String(error)));
	}
	const body = response.body as DownloadBody;
	// Aborting the request makes axios emit 'error' on the body; a listener must exist at that
	// moment or Node throws it as uncaught. The failure itself reaches us through the reader.
	body?.on?.('error', () => undefined);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		body?.destroy?.();
		if (isRetryableStatus(response.statusCode))
			return again(`HTTP ${response.statusCode}`, response.statusCode);
		throw fail(`HTTP ${response.statusCode}`, response.statusCode);
	}
	const contentType = (header(response, 'content-type') ?? options.contentType ?? 'video/mp4')
		.split(';')[0]
		.trim();
	if (!(options.anyMedia ? MEDIA_TYPES : VIDEO_TYPES).test(contentType)) {
		body?.destroy?.();
		throw fail(`the file is ${contentType}, not ${options.anyMedia ? 'a media file' : 'a video'}`);
	}
	const lengthHeader = Number(header(response, 'content-length'));
	const length = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
	if (length !== undefined && length > options.maxBytes) {
		body?.destroy?.();
		throw fail(
			`the ${noun(options)} is ${formatBytes(length)}, above the limit of ${formatBytes(options.maxBytes)} (option Max Download Size)`,
		);
	}
	const mimeType = /octet-stream/i.test(contentType)
		? (options.contentType ?? 'video/mp4')
		: contentType;
	const suffix = options.index ? `_${options.index}` : '';
	const fileName = `${options.requestId.replace(/[^\w.-]+/g, '_')}${suffix}.${extensionFor(mimeType, url)}`;
	const limit = formatBytes(options.maxBytes);
	// Content-Length cannot be trusted (absent when chunked; the compressed size when the host
	// gzips, which n8n inflates), so the bytes that reach n8n's binary store are counted as they
	// flow. The chunk that would pass the limit is not handed on: the stream fails there, the
	// store gets at most the limit (n8n 2.x deletes its partial file, 1.x keeps it until the
	// execution's binary data is pruned), and no binary is returned.
	let received = 0;
	let lastByteAt = clock.now();
	let overLimit = false;
	let stalled = false;
	if (typeof body?.map !== 'function') {
		body?.destroy?.();
		return again('the download did not arrive as a stream');
	}
	const counted = body.map((chunk) => {
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		lastByteAt = clock.now();
		if (received + bytes.length > options.maxBytes) {
			overLimit = true;
			throw new Error(`the ${noun(options)} is larger than the limit of ${limit}`);
		}
		received += bytes.length;
		return bytes;
	});
	const stopWatching = watchForStall(
		clock,
		() => lastByteAt,
		() => {
			stalled = true;
			request.abort();
		},
	);
	let binary: IBinaryData;
	try {
		// The stream goes to n8n's binary store as it arrives (to disk in filesystem mode).
		binary = await ctx.helpers.prepareBinaryData(counted, fileName, mimeType);
	} catch (error) {
		// Closes the connection too: nothing more is read from the host.
		request.abort();
		if (overLimit) {
			throw fail(
				`the ${noun(options)} is larger than the limit of ${limit} (option Max Download Size); the download was stopped there and nothing was kept`,
			);
		}
		if (stalled) {
			return again(`no data arrived for ${STALL_MS / 1000} s (after ${formatBytes(received)})`);
		}
		return again(networkCode(error) ?? (error instanceof Error ? error.message : String(error)));
	} finally {
		stopWatching();
	}
	const stored = typeof binary.bytes === 'number' ? binary.bytes : received;
	if (length !== undefined && stored < length) {
		return again(`the download ended after ${formatBytes(stored)} of ${formatBytes(length)}`);
	}
	return { binary };
}

/**
 * Calls onStall once no byte has arrived for STALL_MS (by the clock, so tests run it fast).
 * Returns the function that stops watching.
 */
function watchForStall(clock: Clock, lastByteAt: () => number, onStall: () => void): () => void {
	const stop = new AbortController();
	const watch = async () => {
		for (;;) {
			const quietFor = clock.now() - lastByteAt();
			if (quietFor >= STALL_MS) {
				onStall();
				return;
			}
			await clock.sleep(STALL_MS - quietFor, stop.signal);
		}
	};
	// The sleep rejects when watching stops; nothing else can fail here.
	watch().catch(() => undefined);
	return () => stop.abort();
}
