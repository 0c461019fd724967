/**
 * Keys are pasted from dashboards and docs, often with the scheme in front ("Bearer …",
 * "Key …") or a stray newline. Both providers' keys are plain tokens, so that is dropped.
 */
export function normalizeApiKey(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^(bearer|key)\s+/i, '')
		.trim();
}
