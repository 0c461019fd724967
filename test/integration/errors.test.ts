/**
 * Failure paths: bad input never reaches the provider, provider failures carry the request
 * id, Continue On Fail keeps the other items, transient faults are survived, a paid job is
 * never submitted twice, and the API key appears nowhere.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { scaledClock } from '../../nodes/shared/clock';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { runModel } from '../../nodes/shared/runner';
import { startEmulator } from '../emulator/emulator';
import type { Emulator } from '../emulator/emulator';
import { harness, items } from './setup';

const IMG = 'https://cdn.example.com/portrait.jpg';
const FAST = { pollInterval: 0.05 };

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

/** The n8n error a run ends with; anything else (or success) fails the test. */
async function failure(run: () => Promise<unknown>): Promise<NodeApiError | NodeOperationError> {
	const outcome = await run().then(
		() => new Error('expected the node to fail'),
		(error: unknown) => error,
	);
	expect(outcome instanceof NodeApiError || outcome instanceof NodeOperationError).toBe(true);
	return outcome as NodeApiError | NodeOperationError;
}

describe('bad input is refused before any request', () => {
	it('rejects Seedance Lite I2V duration 13 naming the field and the allowed values, sending nothing', async () => {
		const h = harness(new WaveSpeedSeedanceLiteI2v720p(), emu, { image: IMG, additionalFields: { duration: '={{ 13 }}' } });
		const error = await failure(() => h.run());
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Duration must be one of 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 (got 13)');
		expect(error.description).toContain('Nothing was sent to the provider');
		expect(emu.requests).toHaveLength(0);
	});

	it('checks every item before the first submit: item 3 invalid means no job at all', async () => {
		const h = harness(new FalLynx(), emu, (i) => ({ imageUrl: IMG, prompt: i === 2 ? '={{ "" }}' : `clip ${i}` }), { items: items(4) });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/^Prompt is required/);
		expect(error.context.itemIndex).toBe(2);
		expect(emu.count('submit')).toBe(0);
	});

	it('says when an expression gave nothing, rather than that a filled-in field is required', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: '={{ $json.photo }}' }, { items: [{ json: { picture: IMG } }] });
		const error = await failure(() => h.run());
		expect(error.message).toBe('Image is empty: its expression {{ $json.photo }} gave nothing for this item');
		expect(error.description).toMatch(/the INPUT panel shows what arrives.*\.\nNothing was sent to the provider\.$/s);
		expect(emu.requests).toHaveLength(0);
	});

	it.each([
		['C:\\Users\\me\\photo.jpg', 'image', /read it with a Read\/Write Files from Disk node and set Image Source to Binary From Input$/],
		['/home/me/photo.jpg', 'image', /set Image Source to Binary From Input$/],
		['file:///home/me/end.png', 'lastImage', /give a public link \(https:\/\/…\) or a data: URI instead$/],
	])('a path on this computer (%s in %s) says the provider cannot reach it and what to do', async (path, field, advice) => {
		const parameters = field === 'image' ? { image: path } : { image: IMG, additionalFields: { [field]: path } };
		const h = harness(new WaveSpeedSeedanceLiteI2v720p(), emu, parameters);
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/is a file on this computer \(.*\), which the provider cannot reach/);
		expect(error.message).toMatch(advice);
		expect(emu.requests).toHaveLength(0);
	});

	it('names a missing input binary and lists what the item has', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', imageSource: 'binary', imageBinaryProperty: 'photo' });
		const error = await failure(() => h.run());
		expect(error.message).toBe('Input Binary Field: the input item has no binary property "photo"');
		expect(emu.requests).toHaveLength(0);
	});

	it('refuses a webhook URL that is not http(s)', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, mode: 'submitOnly', webhookUrl: 'ftp://x.example.com' });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/^Webhook URL: "ftp:\/\/x.example.com" is not an http\(s\) URL/);
		expect(emu.requests).toHaveLength(0);
	});
});

describe('provider failures carry the request id', () => {
	it('a failed WaveSpeed job is a NodeApiError with the provider message, the code hint and the id', async () => {
		emu.planNext({ outcome: 'failed', errorCode: 1402, error: 'Failed to download image from the provided URL.' });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST });
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			`WaveSpeed: the job failed: Failed to download image from the provided URL. (code 1402: the provider could not download an input image; use a public URL) (request ID: ${id})`,
		);
		expect(emu.count('submit')).toBe(1);
	});

	it('a failed fal job is a NodeApiError with the validation detail and the id', async () => {
		emu.planNext({ outcome: 'failed', error: 'image_url could not be loaded' });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain(`(request ID: ${id})`);
		expect(error.message).toMatch(/^fal: the job failed/);
	});

	it('a job that outlives the timeout fails with its id and says it may still run', async () => {
		emu.planNext({ outcome: 'never' });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: { pollInterval: 0.2, timeout: 1 } });
		const started = Date.now();
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(Date.now() - started).toBeLessThan(3000);
		expect(error.message).toBe(
			`WaveSpeed: the job did not finish within 1 s (last status: running); it keeps running: WaveSpeed offers no way to cancel a job. Raise the Timeout option for long jobs (request ID: ${id})`,
		);
		expect(error.description).toContain('may still be running');
		expect(emu.count('submit')).toBe(1);
	});

	it('fal: at the timeout the job is cancelled by default (On Timeout: Cancel), and the error says so', async () => {
		emu.planNext({ outcome: 'never' });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, options: { timeout: 1 } });
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(error.message).toBe(
			`fal: the job did not finish within 1 s (last status: running); it was cancelled at fal (On Timeout: Cancel), so it stops running and billing. Raise the Timeout option for long jobs (request ID: ${id})`,
		);
		expect(error.description ?? '').not.toContain('may still be running');
		expect(emu.count('cancel', 'fal')).toBe(1);
		expect(emu.job(id)?.cancelled).toBe(true);
	});

	it('fal: On Timeout "Keep It Running" leaves the job running and says it may still run', async () => {
		emu.planNext({ outcome: 'never' });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, options: { timeout: 1, onTimeout: 'keepRunning' } });
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(error.message).toBe(
			`fal: the job did not finish within 1 s (last status: running); it keeps running (On Timeout: Keep Running). Raise the Timeout option for long jobs (request ID: ${id})`,
		);
		expect(error.description).toContain('may still be running');
		expect(emu.count('cancel')).toBe(0);
		expect(emu.job(id)?.cancelled).toBe(false);
	});

	it('fal: a job that ends while its cancel is on the way is delivered, not failed', async () => {
		emu.planNext({ durationMs: 1500 });
		// The cancel reaches fal after the job completed: fal answers ALREADY_COMPLETED.
		emu.inject({ provider: 'fal', kind: 'cancel', hangMs: 900 });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, options: { timeout: 1 } });
		const [out] = await h.run();
		expect(out[0].json.status).toBe('completed');
		expect(out[0].json.requestId).toBe(emu.jobs()[0].id);
		expect(emu.count('cancel')).toBe(1);
	});

	it('fal: a cancel the provider refuses leaves an error that says the job may still run', async () => {
		emu.planNext({ outcome: 'never' });
		emu.inject({ provider: 'fal', kind: 'cancel', status: 500, body: { detail: 'boom' } });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, options: { timeout: 1 } });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/; cancelling it failed \(HTTP 500\), so it may still be running\. Raise the Timeout/);
		expect(error.description).toContain('may still be running');
	});

	it('a completed job without outputs is an error, not an empty item', async () => {
		emu.planNext({ emptyOutputs: true });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/completed but returned no video \(request ID: /);
	});
});

describe('the provider\'s own error codes are shown', () => {
	it('a WaveSpeed submit refusal names its error_code', async () => {
		emu.inject({ kind: 'submit', provider: 'wavespeed', status: 403, body: { code: 403, message: 'Permission denied', error_code: 'MODEL_ACCESS_DENIED' } });
		const error = await failure(() => harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG }).run());
		expect(error.message).toMatch(/^WaveSpeed: Submitting the job failed with HTTP 403: Permission denied \(error_code MODEL_ACCESS_DENIED\)/);
	});

	it('a WaveSpeed envelope refusal (HTTP 200, code 402) names its error_code', async () => {
		emu.inject({ kind: 'submit', provider: 'wavespeed', status: 200, body: { code: 402, message: 'Insufficient balance', error_code: 'BALANCE_LOW', data: null } });
		const error = await failure(() => harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG }).run());
		expect(error.message).toMatch(/the job was refused \(code 402\): Insufficient balance \(error_code BALANCE_LOW\)/);
	});

	it('a WaveSpeed status read that fails names its error_code', async () => {
		emu.inject({ kind: 'result', provider: 'wavespeed', status: 403, body: { code: 403, message: 'Forbidden', error_code: 'ROLE_VIEWER' } });
		const error = await failure(() => harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST }).run());
		expect(error.message).toMatch(/Checking the job status failed with HTTP 403: Forbidden \(error_code ROLE_VIEWER\)/);
	});

	it('a fal submit refusal names its error_type (body or X-Fal-Error-Type header)', async () => {
		emu.inject({ kind: 'submit', provider: 'fal', status: 503 });
		const error = await failure(() => harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }).run());
		expect(error.message).toMatch(/^fal: Submitting the job failed with HTTP 503: Service Unavailable \(error_type runner_scheduling_failure\)/);
	});

	it('a failed fal job names its error_type', async () => {
		emu.planNext({ outcome: 'failed', error: 'image_url could not be loaded' });
		const error = await failure(() => harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }).run());
		expect(error.message).toMatch(/image_url could not be loaded.*app_error/);
	});

	it('a fal result read refused with a typed error names the type', async () => {
		emu.inject({ kind: 'result', provider: 'fal', status: 422, body: { detail: 'Output too large', error_type: 'payload_too_large' } });
		const error = await failure(() => harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }).run());
		expect(error.message).toMatch(/the job failed: Output too large \(error_type payload_too_large\)/);
	});
});

describe('large integers in provider answers', () => {
	it('keeps a fal seed beyond 2^53 exact (17454220438242315174, as a string)', async () => {
		emu.planNext({ bigSeed: '17454220438242315174' });
		const [out] = await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }).run();
		expect(out[0].json.seed).toBe('17454220438242315174');
		expect(out[0].json.status).toBe('completed');
	});
});

describe('Continue On Fail', () => {
	it('turns failing items into error items with their request id and lets the others finish', async () => {
		emu.planNext({}, { outcome: 'failed', error: 'moderation', errorCode: 1200 }, {});
		const h = harness(
			new WaveSpeedLynx(),
			emu,
			(i) => ({ prompt: i === 3 ? '={{ "" }}' : `clip ${i}`, image: IMG, options: { ...FAST, concurrency: 1 } }),
			{ items: items(4), continueOnFail: true },
		);
		const [out] = await h.run();
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.status).toBe('completed');
		expect(out[1].json.error).toMatch(/the job failed: moderation/);
		expect(out[1].json.requestId).toBe(emu.jobs()[1].id);
		expect(out[2].json.status).toBe('completed');
		expect(out[3].json).toMatchObject({ error: 'Prompt is required', requestId: null });
		expect(emu.count('submit')).toBe(3);
	});
});

describe('the API key', () => {
	it('a wrong key gives a clear 401 error, and the key is in no message', async () => {
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG }, { keys: { wavespeed: 'wrong-key-123456' } });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/^WaveSpeed: Submitting the job failed with HTTP 401: Invalid API key. Check the API key in the WaveSpeed credential/);
		expect(JSON.stringify({ m: error.message, d: error.description, c: error.context })).not.toContain('wrong-key-123456');
	});

	it('tolerates a pasted "Bearer " / "Key " prefix and whitespace', async () => {
		await harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST }, { keys: { wavespeed: `  Bearer ${emu.wavespeed.apiKey}\n` } }).run();
		await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }, { keys: { fal: `Key ${emu.fal.apiKey} ` } }).run();
		expect(emu.jobs()).toHaveLength(2);
	});

	it('is never sent to a host other than the provider API (video downloads go without it)', async () => {
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, output: 'binary' });
		await h.run();
		const download = h.httpCalls.find((c) => c.url.includes('/files/'));
		expect(download).toBeDefined();
		expect(Object.keys(download?.headers ?? {}).map((k) => k.toLowerCase())).not.toContain('authorization');
		const [out] = await harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG }).run();
		expect(JSON.stringify(out)).not.toContain(emu.fal.apiKey);
		expect(JSON.stringify(h.logs)).not.toContain(emu.fal.apiKey);
	});
});

describe('transient faults', () => {
	it('survives 503s and a reset on status reads, with one submit', async () => {
		emu.inject({ provider: 'wavespeed', kind: 'result', status: 503, times: 2 });
		emu.inject({ provider: 'wavespeed', kind: 'result', reset: true, times: 1, after: 2 });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST });
		// Back-offs of 1 s, 2 s, 4 s run ten times faster; the rules are the shipped ones.
		const [out] = await runModel.call(h.ctx, waveSpeedLynx, { clock: scaledClock(10) });
		expect(out[0].json.status).toBe('completed');
		expect(emu.count('result')).toBeGreaterThanOrEqual(4);
		expect(emu.count('submit')).toBe(1);
	});

	it('resubmits after a 429 on submit (no job was taken), honouring Retry-After', async () => {
		emu.inject({ provider: 'fal', kind: 'submit', status: 429, retryAfter: 1 });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const started = Date.now();
		const [out] = await h.run();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(out[0].json.status).toBe('completed');
		expect(emu.count('submit')).toBe(2);
		expect(emu.jobs()).toHaveLength(1);
	});

	it('never resubmits after a 500 on submit, even when the provider had taken the job', async () => {
		emu.inject({ provider: 'wavespeed', kind: 'submit', status: 500, acceptThenFail: true });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, options: FAST });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/^WaveSpeed: Submitting the job failed with HTTP 500/);
		expect(emu.count('submit')).toBe(1);
		expect(emu.jobs()).toHaveLength(1);
	});

	it('never resubmits after a connection reset on submit, and says the job may exist', async () => {
		emu.inject({ provider: 'fal', kind: 'submit', reset: true, acceptThenFail: true });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/the connection failed while submitting the job \(ECONNRESET\)\. The provider may have created the job anyway/);
		expect(emu.count('submit')).toBe(1);
	});

	it('fails a truncated download with the request id and the URL to fetch it from', async () => {
		// Every attempt is cut short (a single truncation is retried and heals).
		emu.inject({ kind: 'download', truncate: true, times: Infinity });
		emu.setPlan({ videoBytes: 2_000_000 });
		const h = harness(new WaveSpeedLynx(), emu, { prompt: 'p', image: IMG, output: 'binary', options: FAST });
		const error = await failure(() => h.run());
		const id = emu.jobs()[0].id;
		expect(error.message).toContain('downloading the video failed');
		expect(error.message).toContain(`(request ID: ${id})`);
		expect(error.message).toContain(`/files/wavespeed/${id}.mp4`);
	});

	it('refuses a video larger than Max Download Size before reading it', async () => {
		emu.setPlan({ videoBytes: 3 * 1024 * 1024 });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, output: 'binary', options: { maxDownloadSize: 2 } });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/the video is 3 MB, above the limit of 2 MB/);
		expect(h.binaries).toHaveLength(0);
	});

	it('refuses a download that is not a video', async () => {
		emu.setPlan({ contentType: 'text/html' });
		const h = harness(new FalLynx(), emu, { prompt: 'p', imageUrl: IMG, output: 'binary' });
		const error = await failure(() => h.run());
		expect(error.message).toMatch(/the file is text\/html, not a video/);
	});
});
