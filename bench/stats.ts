/** Small numeric helpers: a seeded random source, stratified draws, percentiles. */

/** mulberry32: a seeded PRNG, so two runs draw the same job durations. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * `n` values covering [min, max] evenly (one random draw inside each of `n` equal strata),
 * the last one exactly `max` (so the longest job the seeds allow is always measured), in
 * random order.
 */
export function stratified(n: number, min: number, max: number, random: () => number): number[] {
	const values: number[] = [];
	for (let i = 0; i < n; i++) values.push(min + ((max - min) * (i + random())) / n);
	if (n > 0) values[n - 1] = max;
	for (let i = values.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[values[i], values[j]] = [values[j], values[i]];
	}
	return values.map((v) => Math.round(v));
}

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p % at or below it. */
export function percentile(samples: number[], p: number): number {
	if (samples.length === 0) return NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
	return sorted[Math.min(rank, sorted.length) - 1];
}

export function mean(samples: number[]): number {
	if (samples.length === 0) return NaN;
	return samples.reduce((a, b) => a + b, 0) / samples.length;
}

export const MiB = 1024 * 1024;
