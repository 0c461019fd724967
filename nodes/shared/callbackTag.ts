/**
 * The model (fal: app) id our model nodes add to the webhook URL they give the provider, so
 * a Trigger knows where to read the job: fal's status and result URLs need the app, and a
 * callback does not name it. The tag is only a hint where to look: anyone who knows the URL
 * can set it, so it is checked for form and the job is always read from the provider.
 */
export const MODEL_TAG_PARAM = 'aivModel';

/** The webhook URL with the model id added (a URL that does not parse is left as given). */
export function tagWebhookUrl(webhookUrl: string, modelId: string): string {
	try {
		const url = new URL(webhookUrl);
		url.searchParams.set(MODEL_TAG_PARAM, modelId);
		return url.toString();
	} catch {
		return webhookUrl;
	}
}

/**
 * A model or app id as the providers write them (`bytedance/lynx`,
 * `fal-ai/kling-video/v2.1/pro/image-to-video`, `bytedance/seedance-v1-lite-i2v-720p`):
 * segments of letters, digits, `_`, `.`, `-`, none starting with a dot, so it cannot step
 * out of the path it is put into.
 */
export function isModelId(value: string): boolean {
	return (
		value.length <= 200 &&
		/^[A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*){1,5}$/.test(value)
	);
}

/** A provider job id (fal: a UUID, WaveSpeed: hex): checked before it goes into a URL. */
export function isRequestId(value: unknown): value is string {
	return typeof value === 'string' && /^[A-Za-z0-9][\w-]{0,127}$/.test(value);
}
