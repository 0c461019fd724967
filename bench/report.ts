/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- benchmark driver, never shipped: reads a file and its command line 
/**
 * Prints the report of an earlier run again from its `--json` file (e.g. after the table
 * gained a figure): `npx tsx bench/report.ts /tmp/bench.json`. The run's date, machine and
 * command are not in the file; the report says so.
 */
import { readFile } from 'node:fs/promises';

import type { BenchOptions } from './options';
import { renderReport, type ContenderResult } from './table';

async function main(): Promise<void> {
	const file = process.argv[2];
	if (!file) throw new Error('usage: npx tsx bench/report.ts <file written by --json>');
	const { opts, results } = JSON.parse(await readFile(file, 'utf8')) as {
		opts: BenchOptions;
		results: ContenderResult[];
	};
	const unknown = `not in ${file}`;
	process.stdout.write(
		renderReport(results, {
			date: unknown,
			machine: unknown,
			node: unknown,
			n8n: opts.n8nVersion,
			command: `npx tsx bench/report.ts ${file}`,
			opts,
			wallS: NaN,
		}) + '\n',
	);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
