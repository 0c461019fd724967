/**
 * Runs the real node classes against the loopback provider emulator through the faithful
 * n8n context of test/harness: credentials as a user saves them, authentication applied by
 * the credential classes themselves.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code, never shipped */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import type { Emulator } from '../emulator/emulator';
import { createHarness } from '../harness/context';
import type { Harness, HarnessOptions } from '../harness/context';

export function credentialsFor(emu: Emulator, keys: { wavespeed?: string; fal?: string } = {}) {
	return {
		waveSpeedApi: { apiKey: keys.wavespeed ?? emu.wavespeed.apiKey, baseUrl: emu.wavespeed.baseUrl },
		falApi: {
			apiKey: keys.fal ?? emu.fal.apiKey,
			queueUrl: emu.fal.queueUrl,
			restUrl: emu.fal.restUrl,
			jwksUrl: emu.fal.jwksUrl,
			apiUrl: emu.fal.apiUrl,
		},
	};
}

export function harness(
	node: INodeType,
	emu: Emulator,
	parameters: HarnessOptions['parameters'],
	extra: Partial<HarnessOptions> & { keys?: { wavespeed?: string; fal?: string } } = {},
): Harness {
	const { keys, ...rest } = extra;
	return createHarness({
		node,
		parameters,
		credentials: credentialsFor(emu, keys),
		credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
		...rest,
	});
}

export function items(count: number, json: (i: number) => IDataObject = (i) => ({ n: i })): INodeExecutionData[] {
	return Array.from({ length: count }, (_, i) => ({ json: json(i) }));
}

/** Bodies the emulator received for submits, in arrival order. */
export function submittedBodies(emu: Emulator): unknown[] {
	return emu.requests.filter((r) => r.kind === 'submit').map((r) => r.body);
}

/** A provider callback as n8n's webhook receives it. */
export interface CapturedCallback {
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
}

/** A loopback URL that takes one provider callback (answering 200), for a Trigger to check. */
export async function receiveOneCallback(): Promise<{
	url: string;
	received: Promise<CapturedCallback>;
	close: () => Promise<void>;
}> {
	let deliver: (value: CapturedCallback) => void = () => undefined;
	const received = new Promise<CapturedCallback>((resolve) => (deliver = resolve));
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			deliver({ headers: req.headers, rawBody: Buffer.concat(chunks) });
			res.writeHead(200).end('{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
		received,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
