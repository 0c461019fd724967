/**
 * The video download (Output: Video File, and the Trigger nodes' binary output) against file
 * hosts that do not play by Content-Length: a chunked body with no length, a gzip body that
 * inflates far past what it announced, a body that stops mid-way. The limit holds while the
 * bytes flow, nothing over it reaches n8n's binary store (the harness records what a failed
 * stream left there), and a stall is abandoned and retried instead of holding the item.
 */
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { FalApi } from '../../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../../credentials/WaveSpeedApi.credentials';
import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { scaledClock } from '../../nodes/shared/clock';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import type { ModelSpec } from '../../nodes/shared/models/types';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { runModel } from '../../nodes/shared/runner';
import { clearTriggerCaches } from '../../nodes/shared/trigger';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedTrigger } from '../../nodes/WaveSpeedTrigger/WaveSpeedTrigger.node';
import { startEmulator, videoStream } from '../emulator/emulator';
import type { Emulator, RecordedRequest } from '../emulator/emulator';
import type { Harness } from '../harness/context';
import { createWebhookHarness } from '../harness/webhook';
import { credentialsFor, harness, receiveOneCallback } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const MB = 1024 * 1024;
/** Engine time runs this much faster: the 30 s stall limit is 0.5 s here. */
const CLOCK = 60;

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => {
	emu.reset();
	clearTriggerCaches();
});

const NODES = {
	wavespeed: { node: () => new WaveSpeedLynx(), model: waveSpeedLynx as ModelSpec, image: 'image' },
	fal: { node: () => new FalLynx(), model: falLynx as ModelSpec, image: 'imageUrl' },
};

function videoNode(provider: 'wavespeed' | 'fal', maxDownloadSize?: number): Harness {
	const { node, image } = NODES[provider];
	const options: IDataObject = { pollInterval: 0.05 };
	if (maxDownloadSize !== undefined) options.maxDownloadSize = maxDownloadSize;
	return harness(node(), emu, { prompt: 'p', [image]: IMG, output: 'binary', options });
}

async function run(
	provider: 'wavespeed' | 'fal',
	h: Harness,
): Promise<{ out?: IDataObject[]; error?: NodeApiError }> {
	try {
		const [out] = await runModel.call(h.ctx, NODES[provider].model, { clock: scaledClock(CLOCK) });
		return { out: out.map((o) => o.json) };
	} catch (error) {
		expect(error).toBeInstanceOf(NodeApiError);
		return { error: error as NodeApiError };
	}
}

async function sha256(stream: AsyncIterable<Buffer | string>): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of stream) hash.update(chunk);
	return hash.digest('hex');
}

const downloads = (): RecordedRequest[] => emu.requests.filter((r) => r.kind === 'download');

/** Nothing over the limit reached n8n's binary store: no stored binary, and no partial file beyond it. */
function expectNothingOver(
	h: { binaries: Harness['binaries']; partialBinaries: Harness['partialBinaries'] },
	limit: number,
): void {
	expect(h.binaries).toEqual([]);
	for (const partial of h.partialBinaries) expect(partial.bytes).toBeLessThanOrEqual(limit);
}

describe('Max Download Size holds while the bytes flow', () => {
	it.each(['wavespeed', 'fal'] as const)(
		'%s: a 20 MB video sent chunked, without Content-Length, against a 1 MB limit is stopped at the limit and not stored',
		async (provider) => {
			emu.setPlan({ videoBytes: 20 * MB, chunked: true });
			const h = videoNode(provider, 1);
			const { error } = await run(provider, h);
			const id = emu.jobs()[0].id;
			expect(error?.message).toMatch(
				new RegExp(
					`: downloading the video failed: the video is larger than the limit of 1 MB \\(option Max Download Size\\); the download was stopped there and nothing was kept\\. The video is still at http://\\S+/${id}\\.mp4 \\(request ID: ${id}\\)$`,
				),
			);
			expectNothingOver(h, MB);
			// Refused, not retried, and the host was not read to the end.
			expect(downloads()).toHaveLength(1);
			expect(downloads()[0].bytesSent).toBeLessThan(10 * MB);
		},
	);

	it('a gzip body (about 130 KB on the wire, 100 MB inflated) against a 1 MB limit is stopped at 1 MB inflated and not stored', async () => {
		emu.setPlan({ videoBytes: 100 * MB, fill: 'zeros', gzip: true });
		const h = videoNode('wavespeed', 1);
		const { error } = await run('wavespeed', h);
		expect(error?.message).toMatch(
			/the video is larger than the limit of 1 MB \(option Max Download Size\)/,
		);
		expectNothingOver(h, MB);
		expect(downloads()).toHaveLength(1);
		expect(downloads()[0].bytesSent).toBeLessThan(MB);
	});

	it('asks the file host not to compress (Accept-Encoding: identity)', async () => {
		const h = videoNode('fal');
		await run('fal', h);
		expect(downloads()[0].headers['accept-encoding']).toBe('identity');
	});

	it('stores a gzip-encoded video within the limit inflated, byte for byte', async () => {
		emu.setPlan({ videoBytes: 3 * MB + 7, fill: 'zeros', gzip: true });
		const h = videoNode('wavespeed', 4);
		const { out } = await run('wavespeed', h);
		const id = String(out?.[0].requestId);
		expect(h.binaries).toHaveLength(1);
		expect(h.binaries[0].bytes).toBe(3 * MB + 7);
		expect(h.binaries[0].sha256).toBe(
			await sha256(videoStream(id, 3 * MB + 7, 0, 3 * MB + 7, 'zeros')),
		);
	});

	it('stores a chunked video within the limit whole; exactly at the limit is allowed', async () => {
		emu.setPlan({ videoBytes: 2 * MB, chunked: true });
		const h = videoNode('fal', 2);
		const { out } = await run('fal', h);
		const id = String(out?.[0].requestId);
		expect(h.binaries.map((b) => b.bytes)).toEqual([2 * MB]);
		expect(h.binaries[0].sha256).toBe(await sha256(videoStream(id, 2 * MB)));
		expect(h.partialBinaries).toEqual([]);
	});
});

describe('a body that stalls', () => {
	it('stalls once mid-body: abandoned after 30 s without data, retried, and the item gets its whole video', async () => {
		emu.setPlan({ videoBytes: MB });
		emu.inject({ kind: 'download', stallAfterBytes: 200_000 });
		const h = videoNode('wavespeed');
		const started = Date.now();
		const { out, error } = await run('wavespeed', h);
		expect(error).toBeUndefined();
		expect(out?.[0].status).toBe('completed');
		expect(h.binaries.map((b) => b.bytes)).toEqual([MB]);
		expect(h.partialBinaries).toHaveLength(1);
		expect(h.partialBinaries[0].bytes).toBeLessThanOrEqual(200_000);
		expect(downloads()).toHaveLength(2);
		expect(Date.now() - started).toBeLessThan(8000);
	});

	it('stalls on every attempt: fails after 3 attempts with the request id, the stall and the URL', async () => {
		emu.setPlan({ videoBytes: MB });
		emu.inject({ kind: 'download', stallAfterBytes: 200_000, times: Infinity });
		const h = videoNode('fal');
		const { error } = await run('fal', h);
		const id = emu.jobs()[0].id;
		expect(error?.message).toMatch(
			new RegExp(
				`^fal: downloading the video failed: no data arrived for 30 s \\(after 195 KB\\)\\. The video is still at http://\\S+/${id}\\.mp4 \\(request ID: ${id}\\)$`,
			),
		);
		expect(downloads()).toHaveLength(3);
		expect(h.binaries).toEqual([]);
	});
});

describe('the Trigger nodes download with the same limits', () => {
	it('WaveSpeed Trigger, Output binary: a chunked 20 MB video against 1 MB is refused and not stored', async () => {
		emu.setPlan({ videoBytes: 20 * MB, chunked: true });
		const receiver = await receiveOneCallback();
		try {
			await harness(new WaveSpeedLynx(), emu, {
				prompt: 'p',
				image: IMG,
				mode: 'submitOnly',
				webhookUrl: receiver.url,
			}).run();
			const callback = await receiver.received;
			const h = createWebhookHarness({
				node: new WaveSpeedTrigger(),
				parameters: { output: 'binary', options: { maxDownloadSize: 1 } },
				credentials: credentialsFor(emu),
				credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
				request: { headers: callback.headers, rawBody: callback.rawBody },
			});
			await expect(h.run()).rejects.toThrow(
				/the video is larger than the limit of 1 MB \(option Max Download Size\)/,
			);
			expectNothingOver(h, MB);
			expect(downloads()).toHaveLength(1);
		} finally {
			await receiver.close();
		}
	});
});
