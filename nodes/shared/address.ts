/**
 * Is a URL's host one that a provider on the internet can reach? Image URLs are fetched by the
 * provider, not by n8n, so a loopback, private or otherwise local address can only fail there,
 * after the job is paid for. The check sees the host as WHATWG URL normalised it (decimal,
 * octal, hex and short IPv4 forms are dotted quads by then; IPv6 is compressed and bracketed)
 * and works without DNS, which community nodes cannot use: a name is judged by its shape
 * (local suffixes, single labels, wildcard-DNS services that spell an address in the name).
 */

/** Why the host is not publicly reachable, in words for the user; null when it may be. */
export function nonPublicHost(hostname: string): string | null {
	const host = hostname.toLowerCase();
	if (host.startsWith('[') && host.endsWith(']')) {
		const words = parseIpv6(host.slice(1, -1));
		return words ? ipv6Reason(words) : 'not a valid IPv6 address';
	}
	const v4 = parseIpv4(host);
	if (v4 === 'invalid') return 'not a valid IPv4 address';
	if (v4 !== null) return ipv4Reason(v4);
	if (host.includes(':')) {
		const words = parseIpv6(host);
		if (words) return ipv6Reason(words);
	}
	return hostNameReason(host);
}

// --- IPv4 --------------------------------------------------------------------------------

/** The WHATWG URL IPv4 parser: null when the host is not an IPv4 address at all. */
export function parseIpv4(host: string): number | null | 'invalid' {
	const parts = host.split('.');
	if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
	// WHATWG treats a host as IPv4 only when its last label is a number.
	const last = parts[parts.length - 1];
	if (!/^(\d+|0x[0-9a-f]*)$/i.test(last)) return null;
	if (parts.length > 4) return 'invalid';
	const numbers: number[] = [];
	for (const part of parts) {
		const n = ipv4Number(part);
		if (n === null) return 'invalid';
		numbers.push(n);
	}
	const head = numbers.slice(0, -1);
	if (head.some((n) => n > 255)) return 'invalid';
	const tail = numbers[numbers.length - 1];
	if (tail >= 256 ** (5 - numbers.length)) return 'invalid';
	let address = tail;
	head.forEach((n, i) => {
		address += n * 256 ** (3 - i);
	});
	return address;
}

function ipv4Number(part: string): number | null {
	if (part === '') return null;
	let digits = part;
	let radix = 10;
	if (/^0x/i.test(part)) {
		digits = part.slice(2);
		radix = 16;
	} else if (part.length > 1 && part.startsWith('0')) {
		digits = part.slice(1);
		radix = 8;
	}
	if (digits === '') return 0;
	const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^\d+$/;
	if (!valid.test(digits)) return null;
	const n = parseInt(digits, radix);
	return Number.isSafeInteger(n) ? n : null;
}

export function formatIpv4(address: number): string {
	return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** [first address, prefix length, reason] of the IPv4 blocks no provider can fetch from. */
const IPV4_BLOCKS: Array<[string, number, string]> = [
	['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
	['10.0.0.0', 8, 'a private network address'],
	['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
	['127.0.0.0', 8, 'a loopback address'],
	['169.254.0.0', 16, 'a link-local address'],
	['172.16.0.0', 12, 'a private network address'],
	['192.0.0.0', 24, 'a reserved address (192.0.0.0/24)'],
	['192.0.2.0', 24, 'a documentation address'],
	['192.88.99.0', 24, 'a reserved address (192.88.99.0/24)'],
	['192.168.0.0', 16, 'a private network address'],
	['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
	['198.51.100.0', 24, 'a documentation address'],
	['203.0.113.0', 24, 'a documentation address'],
	['224.0.0.0', 4, 'a multicast address'],
	['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

export function ipv4Reason(address: number): string | null {
	for (const [first, prefix, reason] of IPV4_BLOCKS) {
		const base = parseIpv4(first) as number;
		const size = 2 ** (32 - prefix);
		if (address >= base && address < base + size) return reason;
	}
	return null;
}

// --- IPv6 --------------------------------------------------------------------------------

/** Eight 16-bit words, or null when the text is not an IPv6 address (no zone ids). */
export function parseIpv6(text: string): number[] | null {
	let body = text.toLowerCase();
	const words: number[] = [];
	// A dotted IPv4 tail stands for the last two words.
	const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
	let tail: number[] = [];
	if (dotted) {
		const parts = dotted[2].split('.').map(Number);
		if (
			parts.some((p) => p > 255) ||
			dotted[2].split('.').some((p) => p.length > 1 && p.startsWith('0'))
		)
			return null;
		tail = [parts[0] * 256 + parts[1], parts[2] * 256 + parts[3]];
		body = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
	}
	const halves = body.split('::');
	if (halves.length > 2) return null;
	const parse = (part: string): number[] | null => {
		if (part === '') return [];
		const out: number[] = [];
		for (const group of part.split(':')) {
			if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
			out.push(parseInt(group, 16));
		}
		return out;
	};
	const head = parse(halves[0]);
	const rest = halves.length === 2 ? parse(halves[1]) : [];
	if (!head || !rest) return null;
	const given = head.length + rest.length + tail.length;
	if (halves.length === 2) {
		if (given > 7) return null;
		words.push(...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail);
	} else {
		if (given !== 8) return null;
		words.push(...head, ...tail);
	}
	return words;
}

const embeddedV4 = (words: number[], at: number) => words[at] * 65536 + words[at + 1];

function startsWith(words: number[], prefix: number[], bits: number): boolean {
	for (let i = 0; bits > 0; i++, bits -= 16) {
		const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
		if ((words[i] & mask) !== (prefix[i] & mask)) return false;
	}
	return true;
}

/** An IPv4 address carried inside an IPv6 one, and what the IPv4 rule says of it. */
function throughV4(address: number, form: string): string | null {
	const reason = ipv4Reason(address);
	return reason ? `${reason} (${formatIpv4(address)} as ${form})` : null;
}

export function ipv6Reason(words: number[]): string | null {
	const zeroUpTo = (n: number) => words.slice(0, n).every((w) => w === 0);
	if (zeroUpTo(8)) return 'the unspecified address (::)';
	if (zeroUpTo(7) && words[7] === 1) return 'a loopback address';
	if (zeroUpTo(5) && words[5] === 0xffff)
		return throughV4(embeddedV4(words, 6), 'IPv4-mapped IPv6');
	if (zeroUpTo(4) && words[4] === 0xffff && words[5] === 0) {
		return throughV4(embeddedV4(words, 6), 'IPv4-translated IPv6');
	}
	if (zeroUpTo(6)) {
		// IPv4-compatible addresses are deprecated and routed nowhere, whatever they embed.
		return (
			throughV4(embeddedV4(words, 6), 'IPv4-compatible IPv6') ??
			'a reserved address (IPv4-compatible IPv6)'
		);
	}
	if (startsWith(words, [0x64, 0xff9b, 0, 0, 0, 0], 96)) {
		return throughV4(embeddedV4(words, 6), 'NAT64');
	}
	if (startsWith(words, [0x64, 0xff9b, 1], 48)) return 'a local-use NAT64 address';
	if (startsWith(words, [0x2002], 16)) return throughV4(embeddedV4(words, 1), '6to4');
	if (startsWith(words, [0x2001, 0xdb8], 32) || startsWith(words, [0x3fff], 20)) {
		return 'a documentation address';
	}
	if (startsWith(words, [0xfc00], 7)) return 'a private network address (unique local)';
	if (startsWith(words, [0xfe80], 10)) return 'a link-local address';
	if (startsWith(words, [0xfec0], 10)) return 'a site-local address';
	if (startsWith(words, [0xff00], 8)) return 'a multicast address';
	// Every public IPv6 address is in 2000::/3; the rest is reserved or special-purpose.
	if (!startsWith(words, [0x2000], 3)) return 'a reserved address';
	return null;
}

// --- host names --------------------------------------------------------------------------

/** Suffixes that never lead to the public internet (RFC 6761, 6762, 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = [
	'localhost',
	'local',
	'localdomain',
	'internal',
	'home.arpa',
	'lan',
	'home',
	'corp',
	'test',
	'invalid',
	'example',
	'onion',
];

/** Names whose DNS answers loopback for the name and every sub-name. */
const LOOPBACK_NAMES = ['localtest.me', 'lvh.me', 'vcap.me', 'localho.st'];

/** Wildcard-DNS services that answer the address spelled in the name (a.b.c.d, a-b-c-d, hex). */
const ADDRESS_IN_NAME = ['nip.io', 'sslip.io', 'xip.io', 'traefik.me'];

const under = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

function hostNameReason(hostname: string): string | null {
	const host = hostname.replace(/\.+$/, '');
	if (host === '') return 'not a host name';
	const local = LOCAL_SUFFIXES.find((suffix) => under(host, suffix));
	if (local) return local === 'localhost' ? 'a loopback name' : `a local name (.${local})`;
	if (!host.includes('.')) return 'a local name (no domain)';
	if (LOOPBACK_NAMES.some((name) => under(host, name))) return 'a name that resolves to loopback';
	const service = ADDRESS_IN_NAME.find((name) => under(host, name));
	if (service) return serviceReason(host.slice(0, -service.length).replace(/\.$/, ''), service);
	return null;
}

/**
 * A name under a wildcard-DNS service resolves to the address it spells. Refused when any
 * address it could spell is not public, or when none can be read from it.
 */
function serviceReason(prefix: string, service: string): string | null {
	const candidates = addressesIn(prefix);
	for (const candidate of candidates) {
		if (candidate.reason) return `${candidate.reason}, spelled in a ${service} name`;
	}
	return candidates.length ? null : `a ${service} name without a readable address`;
}

function addressesIn(prefix: string): Array<{ reason: string | null }> {
	const found: Array<{ reason: string | null }> = [];
	const addV4 = (text: string) => {
		const v4 = parseIpv4(text);
		if (typeof v4 === 'number') found.push({ reason: ipv4Reason(v4) });
	};
	const labels = prefix.split('.').filter((l) => l !== '');
	// a.b.c.d anywhere among the labels (the services read the last four; any is checked here)
	for (let i = 0; i + 4 <= labels.length; i++) addV4(labels.slice(i, i + 4).join('.'));
	for (const label of labels) {
		// a-b-c-d, with or without a prefix ("www-10-0-0-1")
		const dashed = /(?:^|-)(\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})$/.exec(label);
		if (dashed) addV4(dashed[1].replace(/-/g, '.'));
		// 8 hex digits (sslip.io, nip.io), with or without a prefix
		const hex = /(?:^|-)([0-9a-f]{8})$/.exec(label);
		if (hex) addV4(`0x${hex[1]}`);
		// IPv6 with dashes for colons (sslip.io: "--1" is ::1), with or without a prefix
		if (label.includes('-')) {
			for (let at = 0; at < label.length; at++) {
				if (at > 0 && label[at] !== '-' && label[at - 1] !== '-') continue;
				const words = parseIpv6(label.slice(at).replace(/-/g, ':'));
				if (words) found.push({ reason: ipv6Reason(words) });
			}
		}
	}
	return found;
}
