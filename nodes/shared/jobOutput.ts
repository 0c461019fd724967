/**
 * Turning an ended job into the node's output item: the same for polling and for a
 * webhook-resumed execution, so both modes give identical items.
 */
import type { IBinaryData, IDataObject, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { downloadVideo } from './binary';
import { providerError } from './errors';
import type { ModelSpec } from './models/types';
import type { CostSource } from './pricing';
import type { CallContext, JobStatus, ProviderTransport } from './providers/types';

/** What the user asked for the video, fixed per item when the job was planned. */
export interface Delivery {
	output: 'url' | 'binary';
	binaryPropertyName: string;
	maxDownloadBytes: number;
	estimatedCost: number | null;
	/** Where estimatedCost came from: the provider's price API, the model table, or unknown. */
	costSource: CostSource;
}

/**
 * The cost fields every item of a job carries (shared/interface.md, "Spend control"). An
 * unknown price stays `estimatedCost: null` (expressions compare it), and `costNote` says why
 * in words, for the people reading the item.
 */
export function costFields(estimatedCost: number | null, costSource: CostSource): IDataObject {
	if (estimatedCost === null) return { estimatedCost, costSource: null, costCurrency: 'USD', costNote: 'price not published' };
	return { estimatedCost, costSource, costCurrency: 'USD' };
}

/** The JSON of a job that ended; throws the provider's failure (with the request id) otherwise. */
export async function endedJobJson(
	call: CallContext,
	model: ModelSpec,
	transport: ProviderTransport,
	requestId: string,
	status: JobStatus,
	estimatedCost: number | null,
	costSource: CostSource = null,
): Promise<IDataObject> {
	if (status.phase === 'failed') {
		throw providerError(call.node, {
			provider: model.provider,
			message: status.error ?? 'the job failed',
			requestId,
			itemIndex: call.itemIndex,
			response: status.raw,
		});
	}
	const output = await transport.output(call, model, requestId, status);
	const json: IDataObject = {
		provider: model.provider,
		model: model.id,
		requestId,
		status: 'completed',
	};
	// Any model: videoUrl(s) only where there are videos; every file in mediaUrls, and the
	// provider's own output object as it came.
	if (!model.fromSchema || output.videoUrls.length) {
		json.videoUrl = output.videoUrls[0];
		json.videoUrls = output.videoUrls;
	}
	if (model.fromSchema) {
		json.mediaUrls = (output.media ?? []).map((m) => m.url);
		json.media = (output.media ?? []).map((m) => ({ url: m.url, kind: m.kind, ...(m.contentType ? { contentType: m.contentType } : {}) }));
		json.outputs = (output.outputs ?? null) as IDataObject;
	}
	Object.assign(json, costFields(estimatedCost, costSource), output.extra);
	if (output.contentType) json.contentType = output.contentType;
	return json;
}

/**
 * Downloads the video of a completed item when the user asked for the file; for any-model
 * items every file of the result: the first into the binary field, the next into
 * `<field>_1`, `<field>_2`, …, one at a time.
 */
export async function videoBinary(
	call: CallContext,
	model: ModelSpec,
	json: IDataObject,
	delivery: Delivery,
): Promise<Record<string, IBinaryData> | undefined> {
	if (delivery.output !== 'binary') return undefined;
	const files: Array<{ url: string; contentType?: string }> = model.fromSchema
		? ((json.media ?? []) as Array<{ url: string; contentType?: string }>)
		: [{ url: String(json.videoUrl), contentType: typeof json.contentType === 'string' ? json.contentType : undefined }];
	const binaries: Record<string, IBinaryData> = {};
	for (const [index, file] of files.entries()) {
		binaries[index ? `${delivery.binaryPropertyName}_${index}` : delivery.binaryPropertyName] = await downloadVideo(
			call.ctx,
			call.node,
			file.url,
			{
				provider: model.provider,
				requestId: String(json.requestId ?? ''),
				itemIndex: call.itemIndex,
				maxBytes: delivery.maxDownloadBytes,
				contentType: file.contentType,
				signal: call.signal,
				clock: call.clock,
				anyMedia: model.fromSchema,
				index,
			},
		);
	}
	return Object.keys(binaries).length ? binaries : undefined;
}

/** The Continue On Fail item of a failed item: the same in polling and webhook-resumed runs. */
export function errorItemJson(
	model: Pick<ModelSpec, 'provider'> & { id: string | null },
	nodeError: NodeApiError | NodeOperationError,
	requestId: string | null | undefined,
): IDataObject {
	const json: IDataObject = {
		error: nodeError.message,
		requestId: requestId ?? null,
		provider: model.provider,
		model: model.id,
	};
	if (nodeError.description) json.errorDetails = nodeError.description;
	return json;
}
