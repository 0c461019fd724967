/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-require-imports -- benchmark driver, never shipped: runs a loopback proxy, writes to stdout, loads the node classes by file */
/**
 * `npm run bench:any-model`: what the any-model nodes cost in the editor and per item, with the
 * node code as n8n runs it (the test harness, n8n's own HTTP code) against the emulator behind
 * a proxy that holds every answer `--latency` ms (a real API answers in 100–500 ms, the
 * emulator in 1 ms).
 *
 * - editor: the model list (searchModels) and a model's fields (getInputFields), cold (nothing
 *   cached) and warm (the per-credential catalogue cache filled), `--repeat` times each;
 * - per item: catalogue and price requests of a Generate run of 1, 10 and 50 items of one
 *   model; "extra per item" = (requests − those of 1 item) / (items − 1), target 0.
 *
 * A benchmark, not a test: it prints figures and asserts nothing.
 */
import { createServer, type Server } from 'node:http';

import { FalApi } from '../credentials/FalApi.credentials';
import { WaveSpeedApi } from '../credentials/WaveSpeedApi.credentials';
import type { Fal as FalNode } from '../nodes/Fal/Fal.node';
import { clearCatalogCache } from '../nodes/shared/catalog/cache';
import type { WaveSpeed as WaveSpeedNode } from '../nodes/WaveSpeed/WaveSpeed.node';
import { startEmulator, type Emulator } from '../test/emulator/emulator';
import { createHarness } from '../test/harness/context';
import { loadOptionsContext } from '../test/harness/loadOptions';
import type { INodeType } from 'n8n-workflow';

// By file, with its extension: next to each `X.node.ts` lies the node's codex `X.node.json`,
// which Node's own resolution (tsx) would pick for `X.node`.
const { Fal } = require('../nodes/Fal/Fal.node.ts') as { Fal: typeof FalNode };
const { WaveSpeed } = require('../nodes/WaveSpeed/WaveSpeed.node.ts') as { WaveSpeed: typeof WaveSpeedNode };

const arg = (name: string, fallback: number) => {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const LATENCY_MS = arg('latency', 150);
const REPEAT = arg('repeat', 15);

async function slowProxy(target: string, delayMs: number): Promise<{ url: string; server: Server }> {
	const server = createServer((req, res) => {
		void (async () => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
			const r = await fetch(target + (req.url ?? ''), { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
			const body = Buffer.from(await r.arrayBuffer());
			await new Promise((resolve) => setTimeout(resolve, delayMs));
			const out: Record<string, string> = {};
			r.headers.forEach((v, k) => {
				if (!['content-length', 'transfer-encoding', 'content-encoding', 'connection'].includes(k)) out[k] = v;
			});
			res.writeHead(r.status, out).end(body);
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

const percentile = (values: number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function main() {
	const emu: Emulator = await startEmulator();
	const proxy = await slowProxy(emu.url, LATENCY_MS);
	const credentials = {
		waveSpeedApi: { apiKey: emu.wavespeed.apiKey, baseUrl: `${proxy.url}/wavespeed` },
		falApi: { apiKey: emu.fal.apiKey, queueUrl: `${proxy.url}/fal-queue`, restUrl: `${proxy.url}/fal-rest`, apiUrl: `${proxy.url}/fal-api`, jwksUrl: emu.fal.jwksUrl },
	};
	const harness = (node: INodeType, parameters: Record<string, unknown>, items = 1) =>
		createHarness({
			node,
			parameters,
			credentials,
			credentialTypes: { waveSpeedApi: new WaveSpeedApi(), falApi: new FalApi() },
			items: Array.from({ length: items }, (_, n) => ({ json: { n } })),
		});
	const nodes: Array<[string, () => INodeType, string, Record<string, unknown>]> = [
		['WaveSpeed', () => new WaveSpeed(), 'kwaivgi/kling-v2.6-std/image-to-video', { prompt: 'p', image: 'https://cdn.example.com/a.jpg' }],
		['fal', () => new Fal(), 'fal-ai/kling-video/v2.1/pro/image-to-video', { prompt: 'p', image_url: 'https://cdn.example.com/a.jpg' }],
	];
	const lines: string[] = [];
	lines.push(`any-model nodes, every API answer held ${LATENCY_MS} ms; ${REPEAT} runs per warm figure`);
	lines.push('');
	lines.push('| node | model list cold | model list warm p50 / p95 | fields cold | fields warm p50 / p95 |');
	lines.push('|---|---|---|---|---|');
	for (const [name, node, model] of nodes) {
		const instance = node();
		const ctx = loadOptionsContext(harness(instance, { operation: 'generate', model: { __rl: true, mode: 'id', value: model } }));
		const time = async (f: () => Promise<unknown>) => {
			const started = performance.now();
			await f();
			return performance.now() - started;
		};
		clearCatalogCache();
		const listCold = await time(async () => await instance.methods!.listSearch!.searchModels.call(ctx));
		const listWarm: number[] = [];
		for (let i = 0; i < REPEAT; i++) listWarm.push(await time(async () => await instance.methods!.listSearch!.searchModels.call(ctx, i % 2 ? 'kling' : '')));
		clearCatalogCache();
		const fieldsCold = await time(async () => await instance.methods!.resourceMapping!.getInputFields.call(ctx));
		const fieldsWarm: number[] = [];
		for (let i = 0; i < REPEAT; i++) fieldsWarm.push(await time(async () => await instance.methods!.resourceMapping!.getInputFields.call(ctx)));
		const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
		lines.push(`| ${name} | ${ms(listCold)} | ${ms(percentile(listWarm, 50))} / ${ms(percentile(listWarm, 95))} | ${ms(fieldsCold)} | ${ms(percentile(fieldsWarm, 50))} / ${ms(percentile(fieldsWarm, 95))} |`);
	}
	lines.push('');
	lines.push('| node | items | catalogue requests | price requests | extra per item after the first |');
	lines.push('|---|---|---|---|---|');
	for (const [name, node, model, inputs] of nodes) {
		let first = 0;
		for (const count of [1, 10, 50]) {
			emu.reset();
			clearCatalogCache();
			const h = harness(node(), {
				operation: 'generate',
				model: { __rl: true, mode: 'id', value: model },
				inputs: { mappingMode: 'defineBelow', value: inputs, matchingColumns: [], schema: [] },
				options: { pollInterval: 0.05, concurrency: 50 },
			}, count);
			await h.run();
			const catalog = emu.count('catalog');
			const price = emu.count('price');
			if (count === 1) first = catalog + price;
			const extra = count === 1 ? '—' : ((catalog + price - first) / (count - 1)).toFixed(2);
			lines.push(`| ${name} | ${count} | ${catalog} | ${price} | ${extra} |`);
		}
	}
	process.stdout.write(`${lines.join('\n')}\n`);
	proxy.server.closeAllConnections();
	proxy.server.close();
	await emu.close();
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
