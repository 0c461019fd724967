/**
 * The providers' catalogues change rarely and are read often (every time the model list opens
 * in the editor, every run of an any-model node), so answers are kept for a while, per
 * credential. Module scope is the only place that outlives one n8n context; bounded, expiring.
 * Concurrent readers of the same key share one request; a failure is not kept.
 */
import { createHash } from 'crypto';

const MAX_ENTRIES = 200;

interface Entry<T> {
	promise: Promise<T>;
	expiresAt: number;
}

const entries = new Map<string, Entry<unknown>>();

/** A short, one-way name for an API key: the key itself is never kept. */
export function keyTag(apiKey: string): string {
	return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

/** The cached value of `key`, or `load()`'s, kept for `ttlMs`. */
export async function cached<T>(key: string, ttlMs: number, load: () => Promise<T>, now = Date.now()): Promise<T> {
	const hit = entries.get(key) as Entry<T> | undefined;
	if (hit && hit.expiresAt > now) return await hit.promise;
	const promise = load();
	const entry: Entry<T> = { promise, expiresAt: now + ttlMs };
	entries.delete(key);
	entries.set(key, entry);
	while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
	promise.catch(() => {
		if (entries.get(key) === entry) entries.delete(key);
	});
	return await promise;
}

/** Forgets every cached answer (tests; a credential change is a new key anyway). */
export function clearCatalogCache(): void {
	entries.clear();
}
