/**
 * The demo clip `npm start` serves (test/fixtures/demo-clip.mp4, made by
 * scripts/make-demo-clip.sh): a real, small MP4 that browsers play, delivered as the job's
 * video only when the emulator is asked for it.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code, never shipped */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { startEmulator } from '../emulator/emulator';
import { harness } from './setup';

const CLIP = readFileSync(join(__dirname, '..', 'fixtures', 'demo-clip.mp4'));

/** The top-level boxes of an MP4 file, in order. */
function boxes(bytes: Buffer): string[] {
	const names: string[] = [];
	for (let at = 0; at + 8 <= bytes.length; ) {
		const size = bytes.readUInt32BE(at);
		names.push(bytes.toString('latin1', at + 4, at + 8));
		if (size < 8) break;
		at += size;
	}
	return names;
}

describe('the demo clip', () => {
	it('is a small MP4 with its index before the frames (plays while it loads) and H.264 video', () => {
		expect(CLIP.length).toBeLessThan(10_000);
		expect(boxes(CLIP).filter((box) => box !== 'free')).toEqual(['ftyp', 'moov', 'mdat']);
		expect(CLIP.includes(Buffer.from('avc1', 'latin1'))).toBe(true);
	});

	it("is every job's video with demoClip, and only then", async () => {
		const withClip = await startEmulator({ demoClip: true });
		const plain = await startEmulator();
		try {
			for (const [emu, clip] of [
				[withClip, true],
				[plain, false],
			] as const) {
				const h = harness(new WaveSpeedLynx(), emu, {
					prompt: 'p',
					image: 'https://cdn.example.com/a.jpg',
					output: 'binary',
					options: { pollInterval: 0.05 },
				});
				await h.run();
				const same = h.binaries[0].sha256 === createHash('sha256').update(CLIP).digest('hex');
				expect(same).toBe(clip);
			}
		} finally {
			await withClip.close();
			await plain.close();
		}
	});
});
