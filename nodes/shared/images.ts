import type { ImageFormat, ImageRules } from './models/types';

/** What the first bytes of a file say it is. Enough to check provider limits before upload. */
export interface ImageInfo {
	format: ImageFormat | null;
	width?: number;
	height?: number;
}

export const IMAGE_MIME: Record<ImageFormat, string> = {
	jpeg: 'image/jpeg',
	png: 'image/png',
	webp: 'image/webp',
	gif: 'image/gif',
	bmp: 'image/bmp',
	tiff: 'image/tiff',
};

export const FORMAT_LABEL: Record<ImageFormat, string> = {
	jpeg: 'JPG',
	png: 'PNG',
	webp: 'WebP',
	gif: 'GIF',
	bmp: 'BMP',
	tiff: 'TIFF',
};

export function sniffImage(bytes: Buffer): ImageInfo {
	if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) {
		return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
	}
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
		return { format: 'jpeg', ...jpegSize(bytes) };
	}
	if (bytes.length >= 10 && bytes.toString('ascii', 0, 3) === 'GIF') {
		return { format: 'gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
	}
	if (bytes.length >= 30 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WEBP') {
		return { format: 'webp', ...webpSize(bytes) };
	}
	if (bytes.length >= 26 && bytes.toString('ascii', 0, 2) === 'BM') {
		return { format: 'bmp', width: bytes.readInt32LE(18), height: Math.abs(bytes.readInt32LE(22)) };
	}
	if (bytes.length >= 4) {
		const head = bytes.toString('ascii', 0, 4);
		if (head === 'II*\u0000' || head === 'MM\u0000*') return { format: 'tiff' };
	}
	return { format: null };
}

function jpegSize(bytes: Buffer): { width?: number; height?: number } {
	let offset = 2;
	while (offset + 9 < bytes.length) {
		if (bytes[offset] !== 0xff) {
			offset++;
			continue;
		}
		const marker = bytes[offset + 1];
		// SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			offset += 2;
			continue;
		}
		offset += 2 + bytes.readUInt16BE(offset + 2);
	}
	return {};
}

function webpSize(bytes: Buffer): { width?: number; height?: number } {
	const chunk = bytes.toString('ascii', 12, 16);
	if (chunk === 'VP8 ') {
		return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	}
	if (chunk === 'VP8L') {
		const b = bytes.readUInt32LE(21);
		return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X') {
		return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	}
	return {};
}

/** Checks bytes against the rules; returns the problem in words, or null when they pass. */
export function checkImage(bytes: Buffer, rules: ImageRules | undefined, allowed: ImageFormat[]): string | null {
	const info = sniffImage(bytes);
	const formats = rules?.formats ?? allowed;
	const list = formats.map((f) => FORMAT_LABEL[f]).join(', ');
	if (!info.format) return `is not a recognised image (allowed: ${list})`;
	if (!formats.includes(info.format)) return `is a ${FORMAT_LABEL[info.format]} image; allowed: ${list}`;
	if (rules?.maxBytes && bytes.length > rules.maxBytes) {
		return `is ${formatBytes(bytes.length)}; the limit is ${formatBytes(rules.maxBytes)}`;
	}
	if (rules?.minWidth && info.width !== undefined && info.height !== undefined) {
		if (info.width < rules.minWidth || info.height < (rules.minHeight ?? rules.minWidth)) {
			return `is ${info.width}×${info.height} px; it must be at least ${rules.minWidth}×${rules.minHeight ?? rules.minWidth} px`;
		}
	}
	return null;
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${bytes} bytes`;
}
