import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authorizationHeader } from '../nodes/shared/apiKey';

export class FalApi implements ICredentialType {
	name = 'falApi';

	// n8n's lint wants a title-cased name ("Fal API"); fal's own site name passes as it is.
	displayName = 'fal.ai API';

	icon: Icon = { light: 'file:../icons/fal.svg', dark: 'file:../icons/fal.dark.svg' };

	documentationUrl = 'https://docs.fal.ai/model-apis/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Your fal key, from fal.ai/dashboard/keys (it looks like key_id:key_secret). A pasted "Key " prefix or stray spaces are ignored.',
		},
		{
			displayName: 'Queue URL',
			name: 'queueUrl',
			type: 'string',
			default: 'https://queue.fal.run',
			description:
				'Leave as it is, unless you go through a gateway or proxy: where jobs are started and followed',
		},
		{
			displayName: 'REST URL',
			name: 'restUrl',
			type: 'string',
			default: 'https://rest.fal.ai',
			description:
				'Leave as it is, unless you go through a gateway or proxy: where image files are uploaded',
		},
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://api.fal.ai',
			description:
				'Leave as it is, unless you go through a gateway or proxy: model list, prices and balance',
		},
		{
			displayName: 'JWKS URL',
			name: 'jwksUrl',
			type: 'string',
			default: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
			description:
				'Leave as it is: the public keys that prove a call really comes from fal (for the fal Job Finished Trigger)',
		},
	];

	authenticate = authorizationHeader('Key');

	// Starting a storage upload needs a valid key, creates no job and costs nothing; nothing
	// is uploaded. (fal's model catalogue answers without a key, so it cannot test one.)
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.restUrl}}',
			url: '/storage/upload/initiate',
			qs: { storage_type: 'fal-cdn-v3' },
			method: 'POST',
			body: { content_type: 'text/plain', file_name: 'n8n-credential-test.txt' },
			// n8n would send the key along a redirect to another host; a redirect fails the test.
			disableFollowRedirect: true,
		},
		// n8n shows a rule's message instead of a bare "Unauthorized".
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'fal rejected this API key. Create one at fal.ai/dashboard/keys and paste all of it (key_id:key_secret).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'fal refused this API key: the account may be locked (no credit left: top up in fal’s dashboard) or the key may lack the API scope',
				},
			},
		],
	};
}
