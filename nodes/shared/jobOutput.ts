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

/** The cost fields every item of a job carries (shared/interface.md, "Spend control"). */
export function costFields(estimatedCost: number | null, costSource: CostSource): IDataObject {
	return { estimatedCost, costSource: estimatedCost === null ? null : costSource, costCurrency: 'USD' };
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
		videoUrl: output.videoUrls[0],
		videoUrls: output.videoUrls,
		...costFields(estimatedCost, costSource),
		...output.extra,
	};
	if (output.contentType) json.contentType = output.contentType;
	return json;
}

/** Downloads the video of a completed item when the user asked for the file. */
export async function videoBinary(
	call: CallContext,
	model: ModelSpec,
	json: IDataObject,
	delivery: Delivery,
): Promise<Record<string, IBinaryData> | undefined> {
	if (delivery.output !== 'binary') return undefined;
	const binary = await downloadVideo(call.ctx, call.node, String(json.videoUrl), {
		provider: model.provider,
		requestId: String(json.requestId ?? ''),
		itemIndex: call.itemIndex,
		maxBytes: delivery.maxDownloadBytes,
		contentType: typeof json.contentType === 'string' ? json.contentType : undefined,
		signal: call.signal,
		clock: call.clock,
	});
	return { [delivery.binaryPropertyName]: binary };
}

/** The Continue On Fail item of a failed item: the same in polling and webhook-resumed runs. */
export function errorItemJson(
	model: ModelSpec,
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
