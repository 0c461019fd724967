import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

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

type Authenticate = (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

/**
 * The credentials' `authenticate`: a function rather than a header template, so the pasted
 * scheme or newline is cleaned before the key goes out as `Authorization: <scheme> <key>`.
 */
export function authorizationHeader(scheme: 'Bearer' | 'Key'): Authenticate {
	return async (credentials, requestOptions) => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			Authorization: `${scheme} ${normalizeApiKey(credentials.apiKey)}`,
		},
	});
}
