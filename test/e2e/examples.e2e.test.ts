/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e test, never shipped */
/**
 * Every workflow in examples/ run by real n8n (each version under test) with the packed
 * package installed the way a user's n8n installs it, against the provider emulator. Checks
 * what a user sees (output items, binary video) and what the provider receives (exactly one
 * submit per item, whose body is the workflow's parameters in the provider's field names,
 * with unset optional fields left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator, type Emulator, type RecordedRequest } from '../emulator/emulator';
import {
	e2eVersions,
	exampleCredentials,
	N8n,
	packedTarball,
	REPO,
	timed,
	type NodeExecutionItem,
} from './n8n';

const EXAMPLES_DIR = join(REPO, 'examples');
const PACKAGE_PREFIX = 'n8n-nodes-ai-video.';
/** Size of every generated video: not the emulator's default, so a match proves the bytes came through. */
const VIDEO_BYTES = 300_000;

/** The provider endpoint of every node type (shared/interface.md). */
const MODELS: Record<string, { provider: 'wavespeed' | 'fal'; model: string }> = {
	waveSpeedLynx: { provider: 'wavespeed', model: 'wavespeed-ai/lynx' },
	falLynx: { provider: 'fal', model: 'bytedance/lynx' },
	waveSpeedLtxVideoI2v720p: {
		provider: 'wavespeed',
		model: 'wavespeed-ai/ltx-video-v097/i2v-720p',
	},
	waveSpeedSeedanceLiteReferenceToVideo: {
		provider: 'wavespeed',
		model: 'bytedance/seedance-v1-lite/reference-to-video',
	},
	waveSpeedSeedanceLiteI2v720p: {
		provider: 'wavespeed',
		model: 'bytedance/seedance-v1-lite-i2v-720p',
	},
	// The any-model nodes: the model is the one the example picks (see modelOf).
	waveSpeed: { provider: 'wavespeed', model: '' },
	fal: { provider: 'fal', model: '' },
};

const ANY_MODEL = new Set(['waveSpeed', 'fal']);

/** The provider model an example's node runs: its type's, or the one an any-model node picks. */
function modelOf(example: { type: string; parameters: Record<string, unknown> }): string {
	if (!ANY_MODEL.has(example.type)) return MODELS[example.type].model;
	return String((example.parameters.model as { value?: string } | undefined)?.value ?? '');
}

/**
 * What the item must say it costs: the emulator's price API answers for the model (the node
 * asks it before the submit), else the published prices of the seeds (Lynx on WaveSpeed is
 * flat, Seedance Lite I2V per second), else unknown.
 */
function expectedCost(emulator: Emulator, type: string, model: string, body: Record<string, unknown>): { usd: number | null; source: string | null } {
	const provider = MODELS[type].provider;
	const priced = provider === 'wavespeed' ? emulator.billing.waveSpeedPrice(model, body) !== undefined : emulator.billing.falUnitPrice(model) !== undefined;
	if (priced) return { usd: emulator.billing.jobPrice(provider, model, body), source: 'provider' };
	if (type === 'waveSpeedLynx') return { usd: 0.5, source: 'table' };
	if (type === 'waveSpeedSeedanceLiteI2v720p') return { usd: 0.032 * Number(body.duration ?? 5), source: 'table' };
	return { usd: null, source: null };
}

/** Parameters of every model node that steer the run rather than go to the provider. */
const RUN_PARAMETERS = new Set([
	'mode',
	'waitMethod',
	'webhookUrl',
	'output',
	'binaryPropertyName',
	'options',
	'imageSource',
	'imageBinaryProperty',
]);
const LIST_PARAMETERS = new Set(['referenceImages']);

/** `aspectRatio` → `aspect_ratio`, `guidanceScale2` → `guidance_scale_2`. */
function wireName(parameter: string): string {
	return parameter
		.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
		.replace(/([^\d_])(\d+)/g, '$1_$2');
}

/** What the provider must receive for a node's saved parameters. */
function expectedBody(type: string, parameters: Record<string, unknown>): Record<string, unknown> {
	// Any-model nodes: the Inputs mapper holds the provider's own field names already.
	if (ANY_MODEL.has(type)) {
		const value = ((parameters.inputs as { value?: Record<string, unknown> } | undefined)?.value ?? {}) as Record<string, unknown>;
		return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '' && v !== null && v !== undefined));
	}
	const body: Record<string, unknown> = {};
	const put = (name: string, value: unknown) => {
		if (value === '' || value === undefined || value === null) return;
		body[wireName(name)] = LIST_PARAMETERS.has(name)
			? String(value)
					.split(/[\n,]/)
					.map((s) => s.trim())
					.filter(Boolean)
			: value;
	};
	for (const [name, value] of Object.entries(parameters)) {
		if (RUN_PARAMETERS.has(name)) continue;
		if (name === 'additionalFields') {
			for (const [field, v] of Object.entries(value as Record<string, unknown>)) put(field, v);
		} else {
			put(name, value);
		}
	}
	return body;
}

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

interface Example {
	file: string;
	id: string;
	name: string;
	node: WorkflowNode;
	type: string;
	parameters: Record<string, unknown>;
	/** The PNG the workflow builds itself, for imageSource = binary. */
	inputPng?: Buffer;
	/** A variant made here rather than read from examples/ (imported as this object). */
	workflow?: Record<string, unknown>;
}

/**
 * Examples that need a running server (a Trigger, or waiting by webhook) are exercised by
 * triggers.e2e.test.ts and wait-webhook.e2e.test.ts; `n8n execute` runs the others.
 */
function needsServer(wf: { nodes: WorkflowNode[] }): boolean {
	return wf.nodes.some(
		(n) => n.type.startsWith(PACKAGE_PREFIX) && (n.type.endsWith('Trigger') || n.parameters.waitMethod === 'webhook'),
	);
}

function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.filter((file) => !needsServer(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as { nodes: WorkflowNode[] }))
		.map((file) => {
			const wf = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as {
				id: string;
				name: string;
				nodes: WorkflowNode[];
			};
			const models = wf.nodes.filter((n) => n.type.startsWith(PACKAGE_PREFIX));
			if (models.length !== 1)
				throw new Error(`${file}: expected one node of the package, found ${models.length}`);
			const node = models[0];
			const example: Example = {
				file,
				id: wf.id,
				name: wf.name,
				node,
				type: node.type.slice(PACKAGE_PREFIX.length),
				parameters: node.parameters,
			};
			if (node.parameters.imageSource === 'binary') {
				const set = wf.nodes.find((n) => n.type === 'n8n-nodes-base.set');
				const assignment = (
					set?.parameters.assignments as { assignments: Array<{ value: string }> } | undefined
				)?.assignments[0];
				if (!assignment)
					throw new Error(`${file}: imageSource=binary but no Set node builds the image`);
				example.inputPng = Buffer.from(assignment.value, 'base64');
			}
			return example;
		});
}

/**
 * Each example that outputs the video URL also runs with Output "Video File (Binary)", so
 * every model node proves its binary output in real n8n, not only the one binary example.
 */
function binaryVariants(list: Example[]): Example[] {
	return list
		.filter((e) => e.parameters.mode !== 'submitOnly' && e.parameters.output !== 'binary')
		.map((e) => {
			const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, e.file), 'utf8')) as Record<string, unknown> & {
				nodes: WorkflowNode[];
			};
			const node = workflow.nodes.find((n) => n.name === e.node.name) as WorkflowNode;
			node.parameters = { ...node.parameters, output: 'binary' };
			workflow.id = `${e.id.slice(0, 14)}Bn`;
			workflow.name = `${e.name} (binary output)`;
			return { ...e, file: `${e.file} (binary output)`, id: workflow.id as string, name: workflow.name as string, node, parameters: node.parameters, workflow };
		});
}

const fromFiles = loadExamples();
const examples = [...fromFiles, ...binaryVariants(fromFiles)];

async function fetchBytes(url: string): Promise<Buffer> {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

function onlySubmit(emulator: Emulator): RecordedRequest {
	const submits = emulator.requests.filter((r) => r.kind === 'submit');
	expect(submits).toHaveLength(1);
	return submits[0];
}

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator();
});

afterAll(async () => {
	await emulator?.close();
});

it('has one example per model node of the package, each with a stable id and a name', () => {
	const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[] };
	};
	const packaged = pkg.n8n.nodes.map((p) => {
		const file = p.split('/').pop() as string;
		const cls = file.replace(/\.node\.js$/, '');
		return cls.charAt(0).toLowerCase() + cls.slice(1);
	});
	const models = packaged.filter((t) => t in MODELS);
	expect(models.sort()).toEqual(Object.keys(MODELS).sort());
	const covered = new Set(examples.map((e) => e.type));
	for (const type of models) expect(covered).toContain(type);
	const ids = examples.map((e) => e.id);
	expect(new Set(ids).size).toBe(ids.length);
	for (const e of examples) {
		expect(e.id).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(e.name).toMatch(/^AI Video: /);
		const credentialType = MODELS[e.type].provider === 'fal' ? 'falApi' : 'waveSpeedApi';
		expect(e.node.credentials?.[credentialType]?.id).toBe(
			credentialType === 'falApi' ? 'fal-emulator' : 'wavespeed-emulator',
		);
	}
});

describe.each(e2eVersions())('examples in real n8n %s', (version) => {
	let n8n: N8n;
	const succeeded = new Set<string>();

	beforeAll(async () => {
		n8n = await N8n.create({ version, tarball: packedTarball() });
		await timed(
			{ stage: 'import', version, label: `${examples.length} workflows, 2 credentials` },
			async () => {
				await n8n.importCredentials(exampleCredentials(emulator));
				await n8n.importWorkflows(examples.map((e) => e.workflow ?? join(EXAMPLES_DIR, e.file)));
			},
		);
	}, 10 * 60_000);

	afterAll(async () => {
		await n8n?.dispose();
	});

	it.each(examples.map((e) => [e.file, e] as const))('runs %s', async (_file, example) => {
		const { provider } = MODELS[example.type];
		const model = modelOf(example);
		emulator.reset();
		emulator.setPlan({ durationMs: 1500, videoBytes: VIDEO_BYTES });

		const result = await timed(
			{ stage: 'execute', version, label: example.file },
			async () => await n8n.execute(example.id),
		);
		if (!result.ok) throw new Error(`${example.file} failed in n8n ${version}: ${result.error}`);

		// The provider got exactly one submit, with the workflow's parameters as its body.
		const submit = onlySubmit(emulator);
		expect(submit.provider).toBe(provider);
		expect(submit.model).toBe(model);
		const body = submit.body as Record<string, unknown>;
		const expected = expectedBody(example.type, example.parameters);
		if (example.inputPng) {
			// The input binary was uploaded to the provider's storage and the body carries its URL.
			const imageWire = provider === 'fal' ? 'image_url' : 'image';
			expect(body).toEqual({ ...expected, [imageWire]: expect.any(String) });
			expect(emulator.count('upload', provider)).toBe(1);
			expect(await fetchBytes(body[imageWire] as string)).toEqual(example.inputPng);
		} else {
			expect(body).toEqual(expected);
		}

		const jobs = emulator.jobs();
		expect(jobs).toHaveLength(1);
		const items = result.items[example.node.name] as NodeExecutionItem[];
		expect(items).toHaveLength(1);
		const json = items[0].json;
		expect(json).toMatchObject({ provider, model, requestId: jobs[0].id });

		const cost = expectedCost(emulator, example.type, model, body);
		if (cost.usd === null) expect(json.estimatedCost).toBeNull();
		else expect(json.estimatedCost).toBeCloseTo(cost.usd, 6);
		expect(json).toMatchObject({ costSource: cost.source, costCurrency: 'USD' });

		if (example.parameters.mode === 'submitOnly') {
			expect(json.status).toBe('submitted');
			expect(json.videoUrl).toBeUndefined();
			expect(emulator.count('result')).toBe(0);
			expect(emulator.count('download')).toBe(0);
			succeeded.add(example.type);
			return;
		}

		expect(json.status).toBe('completed');
		expect(typeof json.videoUrl).toBe('string');
		expect(json.videoUrl).toMatch(/^https?:\/\//);
		expect(json.videoUrls).toEqual([json.videoUrl]);
		// The job's changes of status, with their times, on the item.
		const history = json.statusHistory as Array<{ status: string; at: string }>;
		expect(history[0].status).toBe('submitted');
		expect(history[history.length - 1].status).toBe('completed');
		expect(history.every((h) => !Number.isNaN(Date.parse(h.at)))).toBe(true);

		if (example.parameters.output === 'binary') {
			const property = (example.parameters.binaryPropertyName as string | undefined) ?? 'data';
			const binary = items[0].binary?.[property];
			expect(binary).toBeDefined();
			expect(binary?.mimeType).toBe('video/mp4');
			const bytes = await n8n.binaryBytes(binary!);
			expect(bytes.length).toBe(VIDEO_BYTES);
			if (binary?.bytes !== undefined) expect(binary.bytes).toBe(VIDEO_BYTES);
			expect(bytes.equals(await fetchBytes(json.videoUrl as string))).toBe(true);
		} else {
			expect(
				items[0].binary?.[(example.parameters.binaryPropertyName as string | undefined) ?? 'data'],
			).toBeUndefined();
			expect(emulator.count('download')).toBe(0);
		}
		succeeded.add(example.type);
	});

	it('loaded every model node of the package (each ran at least once)', () => {
		expect([...succeeded].sort()).toEqual(Object.keys(MODELS).sort());
	});
});
