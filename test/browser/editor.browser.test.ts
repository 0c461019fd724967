/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- browser test, never shipped */
/**
 * The package in n8n's editor, in a real browser: the packed tarball installed into a real
 * n8n (`n8n start`), its editor opened in Debian's Chromium. Each of the seven nodes is
 * found in the nodes panel by searching "video", "WaveSpeed" and "fal", added to one canvas,
 * and its details view checked: icon loaded from the package, parameters shown with the
 * documented defaults (shared/interface.md, README), and fields shown and hidden by `mode`,
 * `output` and `imageSource` as the contract says. Screenshots of every step go to
 * .browser-artifacts/ (git-ignored); BROWSER_UPDATE_DOCS=1 also copies the canvas with all
 * seven nodes to docs/editor.png (the README's picture).
 *
 * `npm run test:browser`; N8N_BROWSER_VERSIONS=2.40.5,1.123.81 picks n8n versions
 * (default 2.40.5), CHROMIUM_PATH another Chromium.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../emulator/emulator';
import { exampleCredentials, freePort, N8n, packedTarball, REPO, timed, type Server } from '../e2e/n8n';
import {
	addFromSearch,
	addToCollection,
	ARTIFACTS,
	canvasNode,
	choose,
	closeNdv,
	collectionChoices,
	iconState,
	isShown,
	ndv,
	ndvTitleArea,
	openEditor,
	param,
	paramLabel,
	paramValue,
	screenshot,
	search,
	setUpOwner,
	waitHidden,
	waitForEditor,
	waitShown,
	type SearchHit,
} from './editor';

const PKG = 'n8n-nodes-ai-video';
const QUERIES = ['video', 'WaveSpeed', 'fal'] as const;
type Query = (typeof QUERIES)[number];

interface NodeCase {
	type: string;
	displayName: string;
	provider: 'wavespeed' | 'fal';
	/** The searches that must list the node. */
	foundBy: Query[];
	/** The search used to add it to the canvas. */
	addWith: Query;
	trigger?: boolean;
	/**
	 * The nodes-panel entry that lists it, when not its own: n8n merges a trigger into the node
	 * whose type is the trigger's without "Trigger" (waveSpeedTrigger into waveSpeed, the
	 * any-model node), listing the trigger's events under that entry's Triggers.
	 */
	entry?: { type: string; name: string };
	/** The main image field (with `imageSource`), if the model has one. */
	image?: string;
	/** Required (or top-level) model fields: shown, empty. */
	topLevel?: string[];
	/** What Additional Fields offers, by label (the model table's optional fields). */
	additional?: string[];
	/** One optional field added from Additional Fields, with the table default it must show. */
	optional?: { label: string; name: string; shows: string };
	/** The price notice above the fields, and the node's subtitle on the canvas, as first added. */
	price?: { notice: RegExp; subtitle: string };
	/** A choice that changes the price, and what the notice and the subtitle then say. */
	repriced?: { name: string; choose: string; notice: RegExp; subtitle: string };
}

/** The seven nodes and what the documented contract says about them. */
const NODES: NodeCase[] = [
	{
		type: 'waveSpeedTrigger',
		displayName: 'WaveSpeed Job Finished Trigger',
		entry: { type: 'waveSpeed', name: 'WaveSpeed' },
		provider: 'wavespeed',
		foundBy: ['video', 'WaveSpeed'],
		addWith: 'WaveSpeed',
		trigger: true,
	},
	{
		type: 'falTrigger',
		displayName: 'fal Job Finished Trigger',
		entry: { type: 'fal', name: 'fal' },
		provider: 'fal',
		foundBy: ['video', 'fal'],
		addWith: 'fal',
		trigger: true,
	},
	{
		type: 'waveSpeedLynx',
		displayName: 'WaveSpeed Lynx',
		provider: 'wavespeed',
		foundBy: ['video', 'WaveSpeed'],
		addWith: 'video',
		image: 'image',
		topLevel: ['prompt'],
		additional: ['Aspect Ratio'],
		optional: { label: 'Aspect Ratio', name: 'aspectRatio', shows: '16:9 (Landscape)' },
		price: { notice: /^About \$0\.50 per video \(WaveSpeed’s published price\)/, subtitle: 'Generate video · about $0.50' },
	},
	{
		type: 'falLynx',
		displayName: 'fal Lynx',
		provider: 'fal',
		foundBy: ['video', 'fal'],
		addWith: 'fal',
		image: 'imageUrl',
		topLevel: ['prompt'],
		// fal's raw names (Num Frames, IP Scale, Guidance Scale 2, …) said in plain words.
		additional: [
			'Aspect Ratio',
			'Frames per Second',
			'Identity Strength',
			'Image Adherence',
			'Image Influence',
			'Negative Prompt',
			'Number of Frames',
			'Prompt Adherence',
			'Quality Steps',
			'Resolution',
			'Seed',
		],
		optional: { label: 'Resolution', name: 'resolution', shows: '720p' },
		price: {
			notice: /^\$0\.60 per second of video \(fal’s published price\): about \$3\.04 per video at the defaults/,
			subtitle: 'Generate video · about $3.04',
		},
	},
	{
		type: 'waveSpeedLtxVideoI2v720p',
		displayName: 'WaveSpeed LTX Video 0.9.7 I2V 720p',
		provider: 'wavespeed',
		foundBy: ['video', 'WaveSpeed'],
		addWith: 'WaveSpeed',
		image: 'image',
		topLevel: ['prompt'],
		additional: ['Negative Prompt', 'Seed', 'Size'],
		optional: { label: 'Size', name: 'size', shows: '1280×720 (Landscape)' },
		price: { notice: /^WaveSpeed publishes no price for this model/, subtitle: 'Generate video · no list price' },
	},
	{
		type: 'waveSpeedSeedanceLiteReferenceToVideo',
		displayName: 'WaveSpeed Seedance V1 Lite Reference to Video',
		provider: 'wavespeed',
		foundBy: ['video', 'WaveSpeed'],
		addWith: 'video',
		topLevel: ['prompt', 'referenceImages'],
		additional: ['Duration', 'Keep Camera Still', 'Seed'],
		// A range in the seed, a dropdown of seconds here, as on the I2V node.
		optional: { label: 'Duration', name: 'duration', shows: '5 seconds' },
		price: { notice: /^WaveSpeed publishes no price for this model/, subtitle: 'Generate video · no list price' },
	},
	{
		type: 'waveSpeedSeedanceLiteI2v720p',
		displayName: 'WaveSpeed Seedance V1 Lite I2V 720p',
		provider: 'wavespeed',
		foundBy: ['video', 'WaveSpeed'],
		addWith: 'WaveSpeed',
		image: 'image',
		topLevel: ['prompt'],
		additional: ['Aspect Ratio', 'Duration', 'Keep Camera Still', 'Last Frame', 'Seed'],
		optional: { label: 'Duration', name: 'duration', shows: '5 seconds' },
		price: { notice: /^About \$0\.16 per video with the default Duration of 5 seconds/, subtitle: 'Generate video · about $0.16' },
		repriced: {
			name: 'duration',
			choose: '10 seconds',
			// Duration sits in Additional Fields, which n8n 1.x cannot use in displayOptions: the
			// notice keeps the default and the subtitle follows the choice.
			notice: /^About \$0\.16 per video with the default Duration of 5 seconds.*subtitle under the node/,
			subtitle: 'Generate video · about $0.32',
		},
	},
];

const fullType = (n: NodeCase) => `${PKG}.${n.type}`;
/** The type of the nodes-panel entry that lists the node. */
const entryType = (n: NodeCase) => `${PKG}.${n.entry?.type ?? n.type}`;

/** The example run in the editor: an image file in, the video as a file out. */
const VIDEO_EXAMPLE = join(REPO, 'examples', 'wavespeed-lynx-binary-in-out.json');

/** Whether the open NDV shows a notice whose text matches, within a few seconds. */
async function priceNotice(page: Page, text: RegExp): Promise<boolean> {
	const shown = ndv(page).getByText(text);
	return await shown
		.first()
		.waitFor({ state: 'visible', timeout: 10_000 })
		.then(() => true)
		.catch(async () => {
			process.stderr.write(`[browser] no notice ${text}; the NDV says: ${(await ndv(page).innerText()).slice(0, 2000)}\n`);
			return false;
		});
}

/** Whether a canvas node shows this text (its subtitle), within a few seconds. */
async function canvasText(node: Locator, text: string): Promise<boolean> {
	const deadline = Date.now() + 10_000;
	let seen = '';
	while (Date.now() < deadline) {
		seen = (await node.first().innerText()).replace(/\s+/g, ' ');
		if (seen.includes(text)) return true;
		await new Promise((r) => setTimeout(r, 200));
	}
	process.stderr.write(`[browser] canvas node shows "${seen}", not "${text}"\n`);
	return false;
}
const iconPath = (n: NodeCase) => `/icons/${PKG}/dist/icons/${n.provider}.svg`;

const versions = (process.env.N8N_BROWSER_VERSIONS ?? '2.40.5')
	.split(',')
	.map((v) => v.trim())
	.filter(Boolean);

describe.each(versions)('the package in the n8n %s editor (Chromium)', (version) => {
	let n8n: N8n | undefined;
	let server: Server | undefined;
	/** Both providers, every job's video a real clip (test/fixtures/demo-clip.mp4). */
	let emulator: Emulator | undefined;
	let browser: Awaited<ReturnType<typeof openEditor>> | undefined;
	const shot = async (name: string) => {
		if (browser) await screenshot(browser.page, `${version}-${name}`);
	};
	const page = () => {
		if (!browser) throw new Error('the editor did not open (see beforeAll)');
		return browser.page;
	};
	/** Which search listed which node type (written to .browser-artifacts/). */
	const found: Record<string, SearchHit[]> = {};

	beforeAll(async () => {
		const tarball = packedTarball();
		n8n = await N8n.create({
			version,
			tarball,
			env: {
				// Nothing that calls the internet: banners, AI features, the MCP server registry.
				N8N_HIRING_BANNER_ENABLED: 'false',
				N8N_AI_ENABLED: 'false',
				...(Number(version.split('.')[0]) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
			},
		});
		// The example run in the editor, with its credentials, against the emulator's demo clip.
		emulator = await startEmulator({ demoClip: true });
		await n8n.importCredentials(exampleCredentials(emulator));
		await n8n.importWorkflows([VIDEO_EXAMPLE]);
		const instance = n8n;
		server = await timed({ stage: 'start', version, label: 'editor' }, async () => {
			const s = await instance.startServer({ port: await freePort(), quiet: true });
			await s.ready(180_000);
			await waitForEditor(s.url);
			return s;
		});
		await setUpOwner(server.url);
		browser = await openEditor(server.url);
		await timed({ stage: 'browser', version, label: 'open a new workflow' }, async () => {
			await page().goto(`${server!.url}/workflow/new`);
			try {
				await page().getByTestId('canvas-plus-button').waitFor({ timeout: 120_000 });
			} catch (error) {
				await shot('editor-did-not-open');
				throw error;
			}
		});
	}, 8 * 60_000);

	afterAll(async () => {
		await mkdir(ARTIFACTS, { recursive: true });
		if (Object.keys(found).length) {
			await writeFile(join(ARTIFACTS, `${version}-searches.json`), JSON.stringify(found, null, 2));
		}
		if (browser) {
			// What the page logged as errors, and the outside requests it was refused.
			const blocked = [...new Set(browser.blocked)];
			const lines = [
				`# console errors and failed requests (${browser.consoleErrors.length})`,
				...browser.consoleErrors,
				`# requests outside n8n, refused (${browser.blocked.length})`,
				...blocked,
			];
			await writeFile(join(ARTIFACTS, `${version}-browser-log.txt`), lines.join('\n') + '\n');
			if (blocked.length) {
				process.stderr.write(
					`[browser] n8n@${version}: refused requests to ${blocked.join(', ')}\n`,
				);
			}
		}
		await browser?.close();
		await server?.stop();
		if (server && process.env.BROWSER_KEEP_LOG) {
			await writeFile(join(ARTIFACTS, `${version}-n8n.log`), server.output());
		}
		await n8n?.dispose();
		await emulator?.close();
	}, 60_000);

	it('the nodes panel finds the seven nodes by searching "video", "WaveSpeed" and "fal", with the package icons', async () => {
		for (const query of QUERIES) {
			const hits = await search(page(), query);
			found[query] = hits;
			await shot(`search-${query}`);
		}
		const listedBy = (n: NodeCase) =>
			QUERIES.filter((q) => found[q].some((h) => h.type === entryType(n)));
		const table = Object.fromEntries(NODES.map((n) => [n.displayName, listedBy(n)]));
		process.stderr.write(`[browser] n8n@${version} searches: ${JSON.stringify(table)}\n`);
		// n8n's nodes panel leaves a node of codex category "AI" out of every search outside its
		// AI panel unless its AI subcategories include "Root Nodes" (sub-nodes such as chat
		// models are found only where they can be connected): no hit at all points there.
		expect(table).toEqual(Object.fromEntries(NODES.map((n) => [n.displayName, n.foundBy])));
		for (const n of NODES) {
			for (const q of n.foundBy) {
				const hit = found[q].find((h) => h.type === entryType(n));
				expect(hit?.iconSrc).toBe(iconPath(n));
			}
		}
		// The model nodes are listed under their display names; the triggers under the any-model
		// node's entry ("WaveSpeed", "fal"), whose Triggers section lists their events.
		for (const n of NODES) {
			expect(found[n.addWith].find((h) => h.type === entryType(n))?.name).toBe(n.entry?.name ?? n.displayName);
		}
	});

	it('serves the two icons as SVG', async () => {
		for (const provider of ['wavespeed', 'fal']) {
			const r = await browser!.context.request.get(
				`${server!.url}/icons/${PKG}/dist/icons/${provider}.svg`,
			);
			expect(r.status()).toBe(200);
			expect(r.headers()['content-type']).toMatch(/image\/svg\+xml/);
			expect((await r.text()).slice(0, 200)).toMatch(/<svg/);
		}
	});

	for (const [i, node] of NODES.entries()) {
		const step = `${String(i + 1).padStart(2, '0')}-${node.type}`;

		it(`adds ${node.displayName} from the "${node.addWith}" search; its icon, defaults and shown/hidden fields`, async () => {
			const p = page();
			await closeNdv(p);
			const hits = await search(p, node.addWith);
			expect(hits.map((h) => h.type)).toContain(entryType(node));
			const actions = await addFromSearch(
				p,
				entryType(node),
				node.trigger ? /^on completed or failed$/i : /^submit and wait$/i,
			);
			// The actions read as the Mode dropdown does ("Submit and Wait", not "Submit And Wait").
			if (!node.trigger) expect(actions).toEqual(['Submit and Wait', 'Submit Only']);
			else
				expect(actions.map((a) => a.toLowerCase())).toEqual(
					expect.arrayContaining(['on completed', 'on completed or failed', 'on failed']),
				);
			await ndv(p)
				.getByTestId('node-title-container')
				.filter({ hasText: node.displayName })
				.first()
				.waitFor();
			await shot(`${step}-added`);

			// The icon in the details view's header comes from the package and has loaded.
			const ndvIcon = await iconState(ndvTitleArea(p), `/icons/${PKG}/`);
			expect(ndvIcon?.src).toContain(iconPath(node));
			expect(ndvIcon?.naturalWidth).toBeGreaterThan(0);

			if (node.trigger) {
				expect(await paramValue(p, 'events')).toBe('Completed or Failed');
				expect(await paramValue(p, 'output')).toBe('Video URL');
				expect(await isShown(p, 'binaryPropertyName')).toBe(false);
				expect(await isShown(p, 'mode')).toBe(false);
				expect(await ndv(p).getByText('Production URL').count()).toBeGreaterThan(0);

				await choose(p, 'output', 'Video File (Binary)');
				await waitShown(p, 'binaryPropertyName');
				expect(await paramValue(p, 'binaryPropertyName')).toBe('data');
				await shot(`${step}-output-binary`);
				await choose(p, 'output', 'Video URL');
				await waitHidden(p, 'binaryPropertyName');
			} else {
				// Run parameters with their defaults; the Submit Only field hidden.
				expect(await paramValue(p, 'mode')).toBe('Submit and Wait');
				expect(await paramValue(p, 'waitMethod')).toBe('Check Until Done');
				expect(await paramValue(p, 'output')).toBe('Video URL');
				expect(await isShown(p, 'webhookUrl')).toBe(false);
				expect(await isShown(p, 'binaryPropertyName')).toBe(false);
				for (const name of node.topLevel ?? []) {
					expect(await isShown(p, name)).toBe(true);
					expect(await paramValue(p, name)).toBe('');
				}
				// The price of one video at these settings, above the fields.
				if (node.price) {
					await expect(priceNotice(p, node.price.notice)).resolves.toBe(true);
				}
				if (node.image) {
					// One name on both providers.
					expect(await paramLabel(p, 'imageSource')).toMatch(/^Image Source/);
					expect(await paramValue(p, 'imageSource')).toBe('URL or Data URI');
					expect(await isShown(p, node.image)).toBe(true);
					expect(await paramValue(p, node.image)).toBe('');
					expect(await isShown(p, 'imageBinaryProperty')).toBe(false);
				} else {
					expect(await param(p, 'imageSource').count()).toBe(0);
				}

				// Additional Fields offers exactly the table's optional fields; one added shows its default.
				const choices = await collectionChoices(p, 'additionalFields');
				if (choices === 'single') expect(node.additional).toHaveLength(1);
				else expect([...choices].sort()).toEqual([...(node.additional ?? [])].sort());
				if (node.optional) {
					await addToCollection(p, 'additionalFields', node.optional.label);
					await waitShown(p, node.optional.name);
					expect(await paramValue(p, node.optional.name)).toBe(node.optional.shows);
				}
				await shot(`${step}-defaults`);
				if (node.repriced) {
					await choose(p, node.repriced.name, node.repriced.choose);
					await expect(priceNotice(p, node.repriced.notice)).resolves.toBe(true);
					await shot(`${step}-repriced`);
					if (process.env.BROWSER_UPDATE_DOCS) {
						await copyFile(
							await screenshot(p, `${version}-${step}-repriced`),
							join(REPO, 'docs', 'editor-price.png'),
						);
					}
				}

				// output = binary shows the field the video goes to.
				await choose(p, 'output', 'Video File (Binary)');
				await waitShown(p, 'binaryPropertyName');
				expect(await paramValue(p, 'binaryPropertyName')).toBe('data');
				await shot(`${step}-output-binary`);

				// imageSource = binary swaps the URL field for the input binary field.
				if (node.image) {
					await choose(p, 'imageSource', 'Binary From Input');
					await waitShown(p, 'imageBinaryProperty');
					await waitHidden(p, node.image);
					expect(await paramValue(p, 'imageBinaryProperty')).toBe('data');
					await shot(`${step}-image-binary`);
					await choose(p, 'imageSource', 'URL or Data URI');
					await waitShown(p, node.image);
					await waitHidden(p, 'imageBinaryProperty');
				}

				// waitMethod = webhook keeps the other run fields.
				await choose(p, 'waitMethod', 'Pause Until Called Back');
				expect(await isShown(p, 'output')).toBe(true);
				expect(await isShown(p, 'webhookUrl')).toBe(false);

				// mode = submitOnly: the webhook URL instead of waitMethod, output and its field.
				await choose(p, 'mode', 'Submit Only');
				await waitShown(p, 'webhookUrl');
				expect(await paramValue(p, 'webhookUrl')).toBe('');
				await waitHidden(p, 'waitMethod');
				await waitHidden(p, 'output');
				await waitHidden(p, 'binaryPropertyName');
				await shot(`${step}-submit-only`);

				// And back: Submit and Wait shows them again (n8n drops the values of hidden
				// parameters, so they show their defaults).
				await choose(p, 'mode', 'Submit and Wait');
				await waitShown(p, 'waitMethod');
				await waitShown(p, 'output');
				await waitHidden(p, 'webhookUrl');
				expect(await paramValue(p, 'waitMethod')).toBe('Check Until Done');
				expect(await paramValue(p, 'output')).toBe('Video URL');
			}

			await closeNdv(p);
			const onCanvas = canvasNode(p, fullType(node));
			await onCanvas.first().waitFor();
			expect(await onCanvas.count()).toBe(1);
			const canvasIcon = await iconState(onCanvas, `/icons/${PKG}/`);
			expect(canvasIcon?.src).toContain(iconPath(node));
			expect(canvasIcon?.naturalWidth).toBeGreaterThan(0);
			// The subtitle under the node gives the price at the node's settings.
			const subtitle = node.repriced?.subtitle ?? node.price?.subtitle;
			if (subtitle) await expect(canvasText(onCanvas, subtitle)).resolves.toBe(true);
		});
	}

	it('shows all seven nodes on the canvas, each with its icon', async () => {
		const p = page();
		await closeNdv(p);
		await p.keyboard.press('Escape');
		// Each node was added after the one selected, so tidy-up lays them out in rows.
		await p.getByTestId('tidy-up-button').click();
		await p.getByTestId('zoom-to-fit').click();
		await p.waitForTimeout(1000);
		const onCanvas = await p
			.locator(`[data-test-id="canvas-node"][data-node-type^="${PKG}."]`)
			.evaluateAll((els) =>
				els.map((e) => {
					const el = e as unknown as {
						getAttribute(n: string): string | null;
						querySelector(s: string): { complete: boolean; naturalWidth: number } | null;
					};
					const img = el.querySelector('img');
					return {
						type: el.getAttribute('data-node-type'),
						name: el.getAttribute('data-node-name'),
						iconLoaded: !!img && img.complete && img.naturalWidth > 0,
					};
				}),
			);
		expect(onCanvas.map((n) => n.type).sort()).toEqual(NODES.map(fullType).sort());
		expect(onCanvas.map((n) => n.name).sort()).toEqual(NODES.map((n) => n.displayName).sort());
		expect(onCanvas.filter((n) => !n.iconLoaded)).toEqual([]);
		const file = await screenshot(p, `${version}-canvas-all-seven`);
		if (process.env.BROWSER_UPDATE_DOCS) await copyFile(file, join(REPO, 'docs', 'editor.png'));
	});
	it('runs the "image file in, video file out" example: status in the browser console, the price on the node, and a video that plays in n8n\'s binary viewer', async () => {
		const p = page();
		await closeNdv(p);
		const lines: string[] = [];
		const onConsole = (m: { text(): string }) => lines.push(m.text());
		p.on('console', onConsole);
		const workflow = JSON.parse(readFileSync(VIDEO_EXAMPLE, 'utf8')) as { id: string };
		await p.goto(`${server!.url}/workflow/${workflow.id}`);
		const lynx = canvasNode(p, `${PKG}.waveSpeedLynx`);
		await lynx.first().waitFor({ timeout: 60_000 });
		await expect(canvasText(lynx, 'Generate video · about $0.50')).resolves.toBe(true);
		await p.getByTestId('execute-workflow-button').first().click();
		// WaveSpeed Lynx is first checked 25 s after the submit (the model's fastest job).
		await lynx.getByTestId('canvas-node-status-success').waitFor({ timeout: 150_000 });
		p.off('console', onConsole);
		// A manual run's status changes reach the browser console (sendMessageToUI).
		expect(lines.filter((l) => /^\[Node: "WaveSpeed Lynx"\] item 0: WaveSpeed job \S+ is completed/.test(l))).toHaveLength(1);

		await lynx.first().dblclick();
		await ndv(p).waitFor();
		const output = ndv(p).getByTestId('output-panel');
		await output.getByTestId('ndv-view-binary-data').first().waitFor();
		const nodeShot = await screenshot(p, `${version}-video-ndv`);
		await output.getByTestId('ndv-view-binary-data').first().click();
		const video = p.locator('video').first();
		await video.waitFor({ state: 'attached' });
		// Muted, as a browser lets a page start a video on its own; then it must actually play.
		const state = await video.evaluate(async (element) => {
			const v = element as unknown as {
				muted: boolean;
				play(): Promise<void>;
				readyState: number;
				currentTime: number;
				duration: number;
				error: { code: number } | null;
				currentSrc: string;
			};
			v.muted = true;
			await v.play();
			await new Promise((resolve) => setTimeout(resolve, 1200));
			return { readyState: v.readyState, currentTime: v.currentTime, duration: v.duration, error: v.error?.code ?? null, src: v.currentSrc };
		});
		process.stderr.write(`[browser] n8n@${version} video: ${JSON.stringify(state)}\n`);
		expect(state.error).toBeNull();
		expect(state.src).toMatch(/\/rest\/binary-data\?/);
		expect(state.readyState).toBeGreaterThanOrEqual(2);
		expect(state.duration).toBeCloseTo(3, 0);
		expect(state.currentTime).toBeGreaterThan(0.5);
		const videoShot = await screenshot(p, `${version}-video-playing`);
		if (process.env.BROWSER_UPDATE_DOCS) {
			await copyFile(nodeShot, join(REPO, 'docs', 'editor-node.png'));
			await copyFile(videoShot, join(REPO, 'docs', 'editor-video.png'));
		}
	}, 5 * 60_000);

	it('the any-model nodes: found by a model\'s name; the fal node lists the catalogue, searches it, and shows the picked model\'s typed fields', async () => {
		const p = page();
		await closeNdv(p);
		await p.goto(`${server!.url}/workflow/new`);
		await p.getByTestId('canvas-plus-button').waitFor({ timeout: 60_000 });
		// The codex aliases: a user searching for a model finds the nodes that reach it.
		for (const query of ['Kling', 'Veo', 'Seedance', 'Hailuo', 'Wan']) {
			const hits = await search(p, query);
			expect(hits.map((h) => h.type)).toEqual(expect.arrayContaining([`${PKG}.waveSpeed`, `${PKG}.fal`]));
		}
		await search(p, 'fal');
		const actions = await addFromSearch(p, `${PKG}.fal`, /^generate with a model$/i);
		expect(actions).toEqual(expect.arrayContaining(['Generate with a model', 'Get a job', 'Cancel a job', 'Get the price of a job', 'Get the account balance']));
		// Model: the catalogue, video models first, searchable.
		const model = param(p, 'model').first();
		await model.getByTestId('rlc-input').click();
		const kling = ndv(p).getByText('Kling 2.1 (pro) — fal-ai/kling-video/v2.1/pro/image-to-video', { exact: true });
		try {
			await kling.first().waitFor({ timeout: 60_000 });
		} catch (error) {
			await shot('any-model-list-empty');
			process.stderr.write(`[browser] the NDV shows: ${(await ndv(p).innerText()).slice(0, 1500)}\n`);
			throw error;
		}
		const listed = (await ndv(p).innerText()).split('\n').filter((line) => / — \S+\/\S+/.test(line));
		expect(listed.length).toBeGreaterThanOrEqual(10);
		// Searching narrows the list (fal searches its catalogue: q=kling).
		await ndv(p).getByPlaceholder('Search...').fill('kling');
		await ndv(p).getByText('Lynx — bytedance/lynx', { exact: true }).waitFor({ state: 'hidden', timeout: 30_000 });
		await kling.first().waitFor({ timeout: 30_000 });
		await shot('any-model-list');
		await kling.first().click();
		// Inputs: one field per schema property, typed, required ones marked.
		const mapper = ndv(p).getByTestId('resource-mapper-container');
		await mapper.waitFor({ timeout: 60_000 });
		await mapper.getByText(/^Prompt/).first().waitFor({ timeout: 60_000 });
		const text = (await mapper.innerText()).replace(/\s+/g, ' ');
		expect(text).toMatch(/Prompt/);
		expect(text).toMatch(/Image URL/);
		expect(text).toMatch(/Duration/);
		const file = await screenshot(p, `${version}-any-model-fields`);
		if (process.env.BROWSER_UPDATE_DOCS) await copyFile(file, join(REPO, 'docs', 'any-model.png'));
	}, 5 * 60_000);
});
