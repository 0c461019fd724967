/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- benchmark driver, never shipped: reads /proc */
/**
 * Resident memory of the n8n server: VmRSS from /proc/<pid>/status of every process in n8n's
 * process group (`n8n start` runs detached, so its pid is the group id; the group holds the
 * main process and the task runner it forks). The bench's own SQLite reader runs in a group
 * of its own and is not counted. The member list is refreshed every second; RSS every
 * `everyMs`.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';

export interface RssSample {
	at: number;
	/** The n8n main process alone, bytes. */
	main: number;
	/** Every process of n8n's group (main + task runner), bytes. */
	group: number;
}

async function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
	try {
		const status = await readFile(`/proc/${pid}/status`, 'utf8');
		const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
		return m ? Number(m[1]) * 1024 : 0;
	} catch {
		return 0; // the process has gone
	}
}

const vmRssBytes = (pid: number) => statusField(pid, 'VmRSS');

/**
 * Peak resident memory as the kernel counts it: `VmHWM` (high-water mark of VmRSS, kept by
 * the kernel at every page fault, so no spike between two samples escapes it), reset to the
 * current RSS by writing 5 to `/proc/<pid>/clear_refs`. `reset()` resets it for every process
 * of the group and returns their RSS at that moment; `read()` returns each one's VmHWM since.
 */
export async function resetPeaks(pgid: number): Promise<Map<number, number>> {
	const base = new Map<number, number>();
	for (const pid of await groupMembers(pgid)) {
		try {
			await writeFile(`/proc/${pid}/clear_refs`, '5');
		} catch {
			continue; // gone, or not ours to reset
		}
		base.set(pid, await vmRssBytes(pid));
	}
	return base;
}

export async function readPeaks(pids: Iterable<number>): Promise<Map<number, number>> {
	const out = new Map<number, number>();
	for (const pid of pids) out.set(pid, await statusField(pid, 'VmHWM'));
	return out;
}

/** pids whose process group is `pgid` (field 5 of /proc/<pid>/stat). */
export async function groupMembers(pgid: number): Promise<number[]> {
	const out: number[] = [];
	for (const name of await readdir('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = await readFile(`/proc/${name}/stat`, 'utf8');
			// `pid (comm) state ppid pgrp …`; comm may contain spaces, so split after the last ')'.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid) out.push(Number(name));
		} catch {
			// gone
		}
	}
	return out;
}

export async function sampleOnce(pgid: number, members?: number[]): Promise<RssSample> {
	const pids = members ?? (await groupMembers(pgid));
	let group = 0;
	let main = 0;
	for (const pid of pids) {
		const rss = await vmRssBytes(pid);
		group += rss;
		if (pid === pgid) main = rss;
	}
	return { at: Date.now(), main, group };
}

export interface Sampler {
	samples: RssSample[];
	stop(): Promise<RssSample[]>;
}

export function startSampler(pgid: number, everyMs = 50): Sampler {
	const samples: RssSample[] = [];
	let stopped = false;
	const loop = (async () => {
		let members = await groupMembers(pgid);
		let refreshed = Date.now();
		while (!stopped) {
			if (Date.now() - refreshed > 1000) {
				members = await groupMembers(pgid);
				refreshed = Date.now();
			}
			samples.push(await sampleOnce(pgid, members));
			await new Promise((r) => setTimeout(r, everyMs));
		}
	})();
	return {
		samples,
		stop: async () => {
			stopped = true;
			await loop;
			return samples;
		},
	};
}
