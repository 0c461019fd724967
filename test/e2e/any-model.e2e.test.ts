/**
 * The any-model nodes in real n8n (`n8n execute`, every version under test) beyond the
 * examples (which run Kling image-to-video with binary output on both providers): a bad value
 * typed into a schema field, and a field the provider has since removed from the model's
 * schema, both fail before any request, naming the field.
 */
import { startEmulator, type Emulator } from '../emulator/emulator';
import { e2eVersions, exampleCredentials, N8n, packedTarball } from './n8n';

const IMAGE = 'https://images.pexels.com/photos/774909/pexels-photo-774909.jpeg';

function workflow(id: string, name: string, type: 'waveSpeed' | 'fal', model: string, inputs: Record<string, unknown>): Record<string, unknown> {
	const credentials = type === 'fal' ? { falApi: { id: 'fal-emulator', name: 'fal account' } } : { waveSpeedApi: { id: 'wavespeed-emulator', name: 'WaveSpeed account' } };
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-model`,
				name: 'Model',
				type: `n8n-nodes-ai-video.${type}`,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					operation: 'generate',
					model: { __rl: true, mode: 'id', value: model },
					inputs: { mappingMode: 'defineBelow', value: inputs, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: false },
				},
				credentials,
			},
		],
		connections: { Start: { main: [[{ node: 'Model', type: 'main', index: 0 }]] } },
	};
}

const BAD_VALUE = workflow('aiVideoE2eAnyBad1', 'e2e any model: bad value', 'waveSpeed', 'kwaivgi/kling-v2.6-std/image-to-video', {
	prompt: 'p',
	image: IMAGE,
	duration: 7,
});
const GONE_FIELD = workflow('aiVideoE2eAnyOld1', 'e2e any model: removed field', 'fal', 'fal-ai/kling-video/v2.1/pro/image-to-video', {
	prompt: 'p',
	image_url: IMAGE,
	motion_brush: 'left',
});

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

describe.each(e2eVersions())('any-model nodes in real n8n %s', (version) => {
	let n8n: N8n | undefined;

	beforeAll(async () => {
		const instance = await N8n.create({ version, tarball: packedTarball() });
		n8n = instance;
		await instance.importCredentials(exampleCredentials(emulator));
		await instance.importWorkflows([BAD_VALUE, GONE_FIELD]);
	}, 10 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
	});

	it('a bad value in a schema field fails before any request, naming the field and the allowed values', async () => {
		emulator.reset();
		const result = await n8n!.execute(String(BAD_VALUE.id));
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/Duration must be one of 5, 10 \(got 7\)/);
		expect(emulator.requests.filter((r) => r.kind !== 'catalog')).toHaveLength(0);
	});

	it("a field the model's schema no longer has is named, not sent and not dropped", async () => {
		emulator.reset();
		const result = await n8n!.execute(String(GONE_FIELD.id));
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/Inputs: "motion_brush" is not an input of fal-ai\/kling-video\/v2\.1\/pro\/image-to-video any more/);
		expect(emulator.count('submit')).toBe(0);
	});
});
