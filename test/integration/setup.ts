/**
 * Runs the real node classes against the loopback provider emulator through the faithful
 * n8n context of test/harness: credentials as a user saves them, authentication applied by
 * the credential classes themselves.
 */
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
