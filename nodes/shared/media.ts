/**
 * The files in a job's result, whatever the model makes: videos, images, audio, several at
 * once. WaveSpeed lists URLs (`outputs`); fal returns objects in which every file is a
 * `{url, content_type, …}` (fal's File), under any key. Used for the any-model nodes' output.
 */
import type { IDataObject } from 'n8n-workflow';

export type MediaKind = 'video' | 'image' | 'audio' | 'file';

export interface MediaFile {
	url: string;
	kind: MediaKind;
	contentType?: string;
	/** Where in the result it was (`video`, `images[1]`), when the result has keys. */
	path?: string;
}

const EXTENSIONS: Array<[MediaKind, RegExp]> = [
	['video', /\.(mp4|webm|mov|m4v|mkv|avi|gif)$/i],
	['image', /\.(png|jpe?g|webp|bmp|tiff?|avif|heic)$/i],
	['audio', /\.(mp3|wav|m4a|aac|ogg|flac|opus)$/i],
];

/** A file's kind from its content type, else its URL's extension, else the key it was under. */
export function kindOf(url: string, contentType?: string, key?: string): MediaKind {
	const type = (contentType ?? '').toLowerCase();
	if (type.startsWith('video/')) return 'video';
	if (type.startsWith('image/')) return 'image';
	if (type.startsWith('audio/')) return 'audio';
	let path = url;
	try {
		path = new URL(url).pathname;
	} catch {
		// Not a URL we can parse: the extension test below still reads the text.
	}
	for (const [kind, pattern] of EXTENSIONS) if (pattern.test(path)) return kind;
	const name = (key ?? '').toLowerCase();
	if (/video/.test(name)) return 'video';
	if (/image|thumbnail|spritesheet|frame/.test(name)) return 'image';
	if (/audio|sound|music|voice/.test(name)) return 'audio';
	return 'file';
}

const isUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\//i.test(value);

/** WaveSpeed's `outputs`: a list of URLs (other entries, such as text, are not files). */
export function mediaFromUrls(values: unknown[]): MediaFile[] {
	return values.filter(isUrl).map((url) => ({ url, kind: kindOf(url) }));
}

/** Every file object (`{url, …}`) in a fal result, in document order, at most `limit`. */
export function mediaInResult(result: unknown, limit = 50): MediaFile[] {
	const found: MediaFile[] = [];
	const seen = new Set<string>();
	const walk = (value: unknown, path: string, key: string, depth: number) => {
		if (found.length >= limit || depth > 6 || value === null || typeof value !== 'object') return;
		if (Array.isArray(value)) {
			value.forEach((entry, index) => walk(entry, `${path}[${index}]`, key, depth + 1));
			return;
		}
		const object = value as IDataObject;
		if (isUrl(object.url) && !seen.has(object.url)) {
			seen.add(object.url);
			const contentType = typeof object.content_type === 'string' ? object.content_type : undefined;
			found.push({ url: object.url, kind: kindOf(object.url, contentType, key), contentType, path });
			return;
		}
		for (const [name, child] of Object.entries(object)) walk(child, path ? `${path}.${name}` : name, name, depth + 1);
	};
	walk(result, '', '', 0);
	return found;
}
