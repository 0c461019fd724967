/**
 * JSON parsing that keeps large integers exact. fal seeds go beyond 2^53 (a real callback
 * carried 17454220438242315174), and JSON.parse would silently round them; such integers
 * are kept as their decimal string instead. Everything else parses exactly as JSON.parse does.
 */

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/** Quotes every integer literal outside strings that a JS number cannot hold exactly. */
function quoteUnsafeIntegers(text: string): string {
	let out = '';
	let copiedUpTo = 0;
	let i = 0;
	while (i < text.length) {
		const c = text[i];
		if (c === '"') {
			// Skip the string, escapes included: digits inside strings are never touched.
			i++;
			while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
			i++;
			continue;
		}
		if (c === '-' || (c >= '0' && c <= '9')) {
			const start = i;
			i++;
			while (i < text.length && /[0-9.eE+-]/.test(text[i])) i++;
			const token = text.slice(start, i);
			const digits = token.replace(/^-/, '');
			if (
				/^-?\d+$/.test(token) &&
				digits.length >= MAX_SAFE_DIGITS &&
				!Number.isSafeInteger(Number(token))
			) {
				out += `${text.slice(copiedUpTo, start)}"${token}"`;
				copiedUpTo = i;
			}
			continue;
		}
		i++;
	}
	return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER become decimal strings. */
export function parseJsonExact(text: string): unknown {
	return JSON.parse(quoteUnsafeIntegers(text)) as unknown;
}
