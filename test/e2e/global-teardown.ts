/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e test driver, never shipped */
/** Prints the wall time of every stage, keeps a copy in .e2e-artifacts/, removes the temp dirs. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { REPO, type Timing } from './n8n';

export default async function globalTeardown(): Promise<void> {
	const stateDir = process.env.N8N_E2E_STATE_DIR;
	const file = process.env.N8N_E2E_TIMINGS_FILE;
	if (file && existsSync(file)) {
		const timings = (await readFile(file, 'utf8'))
			.split('\n')
			.filter(Boolean)
			.map((l) => JSON.parse(l) as Timing);
		const rows = timings.map(
			(t) =>
				`  ${t.stage.padEnd(8)} ${(t.version ? `n8n@${t.version}` : '').padEnd(16)} ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.label ?? ''}`,
		);
		process.stderr.write(`\n[e2e] wall time per stage\n${rows.join('\n')}\n`);
		const artifacts = join(REPO, '.e2e-artifacts');
		await mkdir(artifacts, { recursive: true });
		await writeFile(join(artifacts, 'e2e-timings.json'), JSON.stringify(timings, null, 2));
	}
	if (process.env.N8N_E2E_PACK_DIR)
		await rm(process.env.N8N_E2E_PACK_DIR, { recursive: true, force: true });
	if (stateDir) await rm(stateDir, { recursive: true, force: true });
}
