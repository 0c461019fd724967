import type { IDataObject, INode } from 'n8n-workflow';

import type { MediaFile } from '../media';

import type { Host } from '../host';

import type { Clock } from '../clock';
import type { ModelSpec, Provider, RequestBody } from '../models/types';

export type JobPhase = 'queued' | 'running' | 'completed' | 'failed';

export interface JobStatus {
	phase: JobPhase;
	queuePosition?: number;
	/** The provider's failure message when phase is failed. */
	error?: string;
	raw: IDataObject;
	/** The job's result, when the read that gave this status already held it (fal's result read). */
	result?: IDataObject;
}

export interface JobOutput {
	videoUrls: string[];
	/** Every file of the result, any kind (any-model nodes). */
	media?: MediaFile[];
	/** The provider's own output object, unchanged (any-model nodes). */
	outputs?: unknown;
	contentType?: string;
	/** Provider extras worth keeping on the item (seed, timings, NSFW flags). */
	extra: IDataObject;
}

/** What a transport needs from the run: n8n's context, time, and when to stop. */
export interface CallContext {
	ctx: Host;
	node: INode;
	clock: Clock;
	signal?: AbortSignal;
	/** Clock time after which reads stop retrying. */
	deadline?: number;
	itemIndex: number;
	debug(message: string): void;
}

/**
 * What a cancel request achieved: the job stops (`requested`), it had already ended
 * (`alreadyEnded`: its result can still be read), or the provider did not confirm (`failed`,
 * with what it answered).
 */
export type CancelOutcome =
	| { outcome: 'requested' }
	| { outcome: 'alreadyEnded' }
	| { outcome: 'failed'; detail: string };

export interface Submitted {
	requestId: string;
	raw: IDataObject;
}

/**
 * What a provider's price API says about a job: a price for these inputs (WaveSpeed), or a
 * price per unit that the model's inputs turn into one (fal: per video, per second, …).
 */
export type ProviderPrice =
	| { kind: 'price'; usd: number }
	| { kind: 'unit'; unitPrice: number; unit: string };

export interface ProviderTransport {
	provider: Provider;
	credentialType: string;
	/** Secrets to scrub from any text that leaves the node. */
	secrets(ctx: Host): Promise<string[]>;
	submit(
		call: CallContext,
		model: ModelSpec,
		body: RequestBody,
		webhookUrl?: string,
	): Promise<Submitted>;
	status(call: CallContext, model: ModelSpec, requestId: string): Promise<JobStatus>;
	/**
	 * One read that tells whether the job ended and, when it did, holds what output() needs,
	 * where that is not the status read itself (fal: the result read). Used after a callback.
	 */
	check?(call: CallContext, model: ModelSpec, requestId: string): Promise<JobStatus>;
	/**
	 * Waits on a push channel until the job ends, when the provider has one (fal's status
	 * stream). Returns undefined when the channel is unavailable, so the caller polls instead.
	 */
	follow?(
		call: CallContext,
		model: ModelSpec,
		requestId: string,
		onStatus: (status: JobStatus) => void,
	): Promise<JobStatus | undefined>;
	output(
		call: CallContext,
		model: ModelSpec,
		requestId: string,
		status: JobStatus,
	): Promise<JobOutput>;
	/** Asks the provider to stop the job; absent when the provider has no way to. */
	cancel?(call: CallContext, model: ModelSpec, requestId: string): Promise<CancelOutcome>;
	/** Stores an image with the provider and returns the URL to send. */
	uploadImage(
		call: CallContext,
		bytes: Buffer,
		mimeType: string,
		fileName: string,
	): Promise<string>;
	/**
	 * The provider's price for a job with these inputs; undefined when it has none for this
	 * model or answers in a currency other than USD. Throws when the price API fails.
	 */
	price?(call: CallContext, model: ModelSpec, inputs: RequestBody): Promise<ProviderPrice | undefined>;
	/** The account's balance in USD. Throws when it cannot be read. */
	balance?(call: CallContext): Promise<number>;
	/** Whether a data: URI can go to the model as it is (else it is uploaded first). */
	acceptsDataUri: boolean;
	/** Largest upload the provider takes. */
	maxUploadBytes: number;
	uploadFormats: Array<'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff'>;
}
