import type {
	IAuthenticateRuleResponseCode,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { authorizationHeader } from '../nodes/shared/apiKey';

const REJECTED =
	'WaveSpeed rejected this API key. Copy your key from wavespeed.ai/accesskey (a new key works only after the account’s first top-up).';

export class WaveSpeedApi implements ICredentialType {
	name = 'waveSpeedApi';

	displayName = 'WaveSpeed API';

	icon: Icon = { light: 'file:../icons/wavespeed.svg', dark: 'file:../icons/wavespeed.dark.svg' };

	documentationUrl = 'https://wavespeed.ai/docs/docs-authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Your WaveSpeed key, from wavespeed.ai/accesskey. A pasted "Bearer " prefix or stray spaces are ignored.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.wavespeed.ai',
			description: 'Leave as it is, unless you go through a gateway or proxy',
		},
	];

	authenticate = authorizationHeader('Bearer');

	// Reading the balance needs a valid key and costs nothing.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/api/v3/balance',
			method: 'GET',
			// n8n would send the key along a redirect to another host; a redirect fails the test.
			disableFollowRedirect: true,
		},
		// n8n shows a rule's message instead of a bare "Unauthorized": for an HTTP 401/403, and
		// for a 200 whose body says code 401. n8n's tester reads each rule by its type (2.40.5
		// and 1.123); the type only lets one array hold one kind.
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: REJECTED } },
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'WaveSpeed refused this API key: the account may be suspended (support@wavespeed.ai)',
				},
			},
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 401, message: REJECTED } },
		] as unknown as IAuthenticateRuleResponseCode[],
	};
}
