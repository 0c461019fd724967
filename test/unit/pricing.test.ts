import { falLynx } from '../../nodes/shared/models/fal/lynx';
import { waveSpeedLtxVideoI2v720p } from '../../nodes/shared/models/wavespeed/ltxVideoI2v720p';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { formatUsd, priceFromUnit } from '../../nodes/shared/pricing';
import { decodeRecord, encodeRecord } from '../../nodes/shared/waitRecord';

describe("fal's unit prices made a price per job", () => {
	it.each([
		['video', {}, 0.4, 0.4],
		['seconds', {}, 0.6, 3.0375], // 81 frames at 16 fps (the defaults)
		['seconds', { num_frames: 48, frames_per_second: 24 }, 0.6, 1.2],
		['images', { num_images: 3 }, 0.03, 0.09],
	])('%s %j at %d', (unit, body, unitPrice, expected) => {
		expect(priceFromUnit(falLynx, body, unitPrice, unit)).toBe(expected);
	});

	it.each(['compute seconds', 'megapixels', '1000 tokens', ''])('"%s": the inputs do not say how many: unknown', (unit) => {
		expect(priceFromUnit(falLynx, {}, 0.1, unit)).toBeNull();
	});

	it('per second for a model that cannot tell its video length: unknown', () => {
		expect(priceFromUnit(waveSpeedLtxVideoI2v720p, {}, 0.1, 'seconds')).toBeNull();
	});

	it('per second for a model whose clips have one length: that length (WaveSpeed Lynx, 5 s)', () => {
		expect(priceFromUnit(waveSpeedLynx, {}, 0.1, 'seconds')).toBe(0.5);
	});
});

describe('formatUsd', () => {
	it.each([
		[0.16, '$0.16'],
		[0.032, '$0.032'],
		[1.5, '$1.50'],
		[3.0375, '$3.04'],
		[0, '$0.00'],
	])('%d → %s', (usd, text) => expect(formatUsd(usd)).toBe(text));
});

describe('the wait record keeps where each price came from', () => {
	it('round-trips mixed cost sources, and one for all', () => {
		const base = {
			nonce: 'a'.repeat(32),
			deadline: 2,
			submittedAt: 1,
			output: 'url' as const,
			binaryPropertyName: 'data',
			maxDownloadBytes: 10,
			jobs: ['f'.repeat(32), null, 'e'.repeat(32)],
			errors: { 1: 'bad' },
		};
		const mixed = decodeRecord(encodeRecord({ ...base, costs: [0.5, null, 0.2], costSources: ['provider', null, 'table'] }));
		expect(mixed?.costSources).toEqual(['provider', null, 'table']);
		const same = decodeRecord(encodeRecord({ ...base, costs: [0.5, 0.5, 0.5], costSources: ['table', 'table', 'table'] }));
		expect(same?.costSources).toEqual(['table', 'table', 'table']);
		expect(same?.costs).toEqual([0.5, 0.5, 0.5]);
	});
});
