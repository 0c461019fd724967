import type {
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { authorizationHeader } from '../nodes/shared/apiKey';

export class FalApi implements ICredentialType {
	name = 'falApi';

	displayName = 'Fal API';

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
			description: 'From fal.ai → Keys (the key_id:key_secret form works). A pasted "Key " prefix or stray spaces are ignored.',
		},
		{
			displayName: 'Queue URL',
			name: 'queueUrl',
			type: 'string',
			default: 'https://queue.fal.run',
			description: 'Where jobs are submitted and followed',
		},
		{
			displayName: 'REST URL',
			name: 'restUrl',
			type: 'string',
			default: 'https://rest.fal.ai',
			description: 'Serves storage uploads for images from binary input',
		},
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: 'https://api.fal.ai',
			description: "fal's platform API: model catalogue, prices and balance",
		},
		{
			displayName: 'JWKS URL',
			name: 'jwksUrl',
			type: 'string',
			default: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
			description: 'Public keys that sign fal webhooks, used by the fal Trigger node',
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
	};
}
