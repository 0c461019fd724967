/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test driver, never shipped */
/**
 * Once per e2e run: make sure every n8n version under test is installed (cached outside the
 * repo), then build and pack the repo once. A failing build does not stop the run: the
 * smoke test needs no package, and the tests that do report the build's error.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildAndPack, e2eVersions, ensureN8n, timed } from './n8n';

export default async function globalSetup(): Promise<void> {
	const stateDir = await mkdtemp(join(tmpdir(), 'ai-video-e2e-state-'));
	process.env.N8N_E2E_STATE_DIR = stateDir;
	process.env.N8N_E2E_TIMINGS_FILE = join(stateDir, 'timings.jsonl');
	process.stderr.write('\n');
	for (const version of e2eVersions()) {
		await timed({ stage: 'install', version }, async () => await ensureN8n(version));
	}
	if (process.env.N8N_E2E_TARBALL) return; // packed by the caller
	try {
		const packed = await timed({ stage: 'pack' }, buildAndPack);
		process.env.N8N_E2E_TARBALL = packed.tarball;
		process.env.N8N_E2E_PACK_DIR = packed.dir;
	} catch (error) {
		const file = join(stateDir, 'pack-error.txt');
		await writeFile(file, (error as Error).message);
		process.env.N8N_E2E_PACK_ERROR_FILE = file;
		process.stderr.write(
			`[e2e] build/pack failed; tests that need the package will fail:\n${(error as Error).message}\n`,
		);
	}
}
