/**
 * The credentials' own "Test credential" requests, sent the way n8n sends them (the test
 * request's `={{$credentials.x}}` fields resolved, then the credential's authenticate applied)
 * to the emulator: a good key passes, a wrong key fails, and no job is ever created.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

function resolve(value: unknown, credentials: IDataObject): unknown {
	if (typeof value !== 'string') return value;
	const match = /^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/.exec(value);
	if (value.startsWith('=') && !match) throw new Error(`unsupported expression ${value}`);
	return match ? credentials[match[1]] : value;
}

/**
 * The message n8n's credentials tester (n8n/dist/services/credentials-tester.service.js, 2.40.5
 * and 1.123) shows for an answer: on an error status the first `responseCode` rule for it,
 * else the status text; on success a matching `responseSuccessBody` rule, else "Connection
 * successful!".
 */
function n8nMessage(
	type: ICredentialType,
	status: number,
	statusText: string,
	body: IDataObject,
): string {
	const rules = type.test?.rules ?? [];
	if (status < 200 || status > 299) {
		const rule = rules.find(
			(r) => r.type === 'responseCode' && (r.properties as IDataObject).value === status,
		);
		return rule
			? String((rule.properties as IDataObject).message)
			: statusText || `Received HTTP status code: ${status}`;
	}
	const rule = rules.find(
		(r) =>
			r.type === 'responseSuccessBody' &&
			body[(r.properties as IDataObject).key as string] === (r.properties as IDataObject).value,
	);
	return rule ? String((rule.properties as IDataObject).message) : 'Connection successful!';
}

/** Sends a credential's test request; returns the HTTP status and whether n8n's rules pass. */
async function testCredential(
	type: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ status: number; ok: boolean }> {
	const { status, ok } = await sendTest(type, credentials);
	return { status, ok };
}

async function sendTest(
	type: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ status: number; ok: boolean; message: string }> {
	const request = type.test?.request;
	if (!request || typeof type.authenticate !== 'function')
		throw new Error('credential has no test or authenticate');
	const base = String(resolve(request.baseURL, credentials)).replace(/\/+$/, '');
	const options = await type.authenticate(credentials, {
		url: `${base}${request.url}`,
		method: request.method,
		headers: {},
	} as IHttpRequestOptions);
	const qs = new URLSearchParams((request.qs ?? {}) as Record<string, string>).toString();
	const response = await fetch(`${options.url}${qs ? `?${qs}` : ''}`, {
		method: request.method ?? 'GET',
		headers: {
			...(options.headers as Record<string, string>),
			...(request.body ? { 'Content-Type': 'application/json' } : {}),
		},
		body: request.body ? JSON.stringify(request.body) : undefined,
	});
	const body = (await response.json().catch(() => ({}))) as IDataObject;
	const ruleFails = (type.test?.rules ?? []).some(
		(rule) =>
			rule.type === 'responseSuccessBody' &&
			body[(rule.properties as IDataObject).key as string] ===
				(rule.properties as IDataObject).value,
	);
	return {
		status: response.status,
		ok: response.ok && !ruleFails,
		message: n8nMessage(type, response.status, response.statusText, body),
	};
}

describe('WaveSpeed credential test', () => {
	it('passes with the right key (also pasted with "Bearer " and spaces) and fails with a wrong one', async () => {
		const cred = new WaveSpeedApi();
		expect(
			await testCredential(cred, { apiKey: emu.wavespeed.apiKey, baseUrl: emu.wavespeed.baseUrl }),
		).toEqual({ status: 200, ok: true });
		expect(
			(
				await testCredential(cred, {
					apiKey: ` Bearer ${emu.wavespeed.apiKey} `,
					baseUrl: emu.wavespeed.baseUrl,
				})
			).ok,
		).toBe(true);
		expect(await testCredential(cred, { apiKey: 'nope', baseUrl: emu.wavespeed.baseUrl })).toEqual({
			status: 401,
			ok: false,
		});
		expect(emu.requests.every((r) => r.kind === 'balance')).toBe(true);
		expect(emu.jobs()).toHaveLength(0);
	});
});

describe('fal credential test', () => {
	it('passes with the right key (also pasted with "Key ") and fails with a wrong one, uploading nothing', async () => {
		const cred = new FalApi();
		const data = {
			apiKey: emu.fal.apiKey,
			queueUrl: emu.fal.queueUrl,
			restUrl: emu.fal.restUrl,
			jwksUrl: emu.fal.jwksUrl,
		};
		expect(await testCredential(cred, data)).toEqual({ status: 200, ok: true });
		expect((await testCredential(cred, { ...data, apiKey: `Key ${emu.fal.apiKey}` })).ok).toBe(
			true,
		);
		expect(await testCredential(cred, { ...data, apiKey: 'nope' })).toEqual({
			status: 401,
			ok: false,
		});
		expect(emu.requests.map((r) => r.kind)).toEqual([
			'storage-initiate',
			'storage-initiate',
			'storage-initiate',
		]);
		expect(emu.count('upload-put')).toBe(0);
		expect(emu.jobs()).toHaveLength(0);
	});
});

describe('a rejected key: what n8n shows says so and where to get one', () => {
	it('WaveSpeed', async () => {
		const { message } = await sendTest(new WaveSpeedApi(), {
			apiKey: 'nope',
			baseUrl: emu.wavespeed.baseUrl,
		});
		expect(message).toBe(
			'WaveSpeed rejected this API key. Copy your key from wavespeed.ai/accesskey (a new key works only after the account’s first top-up).',
		);
	});

	it('fal', async () => {
		const data = {
			apiKey: 'nope',
			queueUrl: emu.fal.queueUrl,
			restUrl: emu.fal.restUrl,
			jwksUrl: emu.fal.jwksUrl,
		};
		const { message } = await sendTest(new FalApi(), data);
		expect(message).toBe(
			'fal rejected this API key. Create one at fal.ai/dashboard/keys and paste all of it (key_id:key_secret).',
		);
	});

	it('a good key: "Connection successful!"', async () => {
		expect(
			(
				await sendTest(new WaveSpeedApi(), {
					apiKey: emu.wavespeed.apiKey,
					baseUrl: emu.wavespeed.baseUrl,
				})
			).message,
		).toBe('Connection successful!');
	});
});
