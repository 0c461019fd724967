/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test fixture, never shipped */
/**
 * Run the provider emulator as its own process (e.g. for a real n8n e2e run):
 *
 *   npx tsx test/emulator/cli.ts [--port N] [--time-scale X] [--max-lifetime-s S]
 *                                [--wavespeed-key K] [--fal-key K]
 *
 * Prints ONE JSON line {"url":…,"wavespeed":{…},"fal":{…}} to stdout once listening, then
 * serves until SIGINT/SIGTERM or until --max-lifetime-s (default 3600 s)
 * so it never outlives a test run. Drive it through ${url}/__control/… (see README.md).
 */
import { once } from 'node:events';

import { startEmulator, type EmulatorOptions } from './emulator';

function parseArgs(argv: string[]): { opts: EmulatorOptions; maxLifetimeS: number } {
	const opts: EmulatorOptions = {};
	let maxLifetimeS = 3600;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		const name = eq > 0 ? arg.slice(0, eq) : arg;
		const value = () => {
			const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
			if (v === undefined) throw new Error(`missing value for ${name}`);
			return v;
		};
		const num = () => {
			const v = Number(value());
			if (!Number.isFinite(v) || v < 0) throw new Error(`${name} needs a non-negative number`);
			return v;
		};
		switch (name) {
			case '--port':
				opts.port = num();
				break;
			case '--time-scale':
				opts.timeScale = num();
				break;
			case '--max-lifetime-s':
				maxLifetimeS = num();
				break;
			case '--wavespeed-key':
				opts.wavespeedKey = value();
				break;
			case '--fal-key':
				opts.falKey = value();
				break;
			case '-h':
			case '--help':
				process.stdout.write(
					'usage: tsx test/emulator/cli.ts [--port N] [--time-scale X] [--max-lifetime-s S] [--wavespeed-key K] [--fal-key K]\n',
				);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}
	return { opts, maxLifetimeS };
}

async function main(): Promise<void> {
	const { opts, maxLifetimeS } = parseArgs(process.argv.slice(2));
	const emu = await startEmulator(opts);
	let lifetime: ReturnType<typeof setTimeout> | undefined;
	const expired = new Promise<string>((resolve) => {
		lifetime = setTimeout(
			() => resolve(`max lifetime ${maxLifetimeS} s`),
			Math.min(maxLifetimeS * 1000, 2 ** 31 - 1),
		);
		lifetime.unref(); // the listening server keeps the process alive, not this timer
	});
	process.stdout.write(`${JSON.stringify(emu.info())}\n`);
	const why = await Promise.race([
		once(process, 'SIGINT').then(() => 'SIGINT'),
		once(process, 'SIGTERM').then(() => 'SIGTERM'),
		expired,
	]);
	clearTimeout(lifetime);
	process.stderr.write(`provider emulator: stopping (${why})\n`);
	await emu.close();
	process.exit(0);
}

main().catch((e: Error) => {
	process.stderr.write(`provider emulator: ${e.message}\n`);
	process.exit(2);
});
