/**
 * The address rule for image URLs: a URL the provider cannot reach from the internet is
 * refused before any request. Checked the way users meet it (a URL in an image field, as
 * WHATWG URL normalises it) and, for the parsers, directly.
 */
import { nonPublicHost, parseIpv4, parseIpv6 } from '../../nodes/shared/address';
import { checkImageValue } from '../../nodes/shared/model';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';

const field = waveSpeedLynx.fields[1];

describe('image URLs on hosts the provider cannot reach are refused', () => {
	it.each<[string, RegExp]>([
		// IPv4, including the forms WHATWG URL turns into dotted quads
		['http://127.0.0.1/a.png', /loopback/],
		['http://127.1/a.png', /127\.0\.0\.1, a loopback/],
		['http://0x7f.1/a.png', /127\.0\.0\.1, a loopback/],
		['http://2130706433/a.png', /127\.0\.0\.1, a loopback/],
		['http://017700000001/a.png', /127\.0\.0\.1, a loopback/],
		['http://0x7f000001/a.png', /loopback/],
		['http://127.0.0.1./a.png', /loopback/],
		['http://0.0.0.0/a.png', /"this network"/],
		['http://0.1.2.3/a.png', /"this network"/],
		['http://0/a.png', /"this network"/],
		['http://10.0.0.5/a.png', /private network/],
		['http://172.16.0.1/a.png', /private network/],
		['http://172.31.255.255/a.png', /private network/],
		['http://192.168.1.10/a.png', /private network/],
		['http://100.64.0.1/a.png', /carrier-grade NAT/],
		['http://100.127.255.254/a.png', /carrier-grade NAT/],
		['http://169.254.169.254/latest/meta-data', /link-local/],
		['http://192.0.0.8/a.png', /reserved/],
		['http://192.0.2.1/a.png', /documentation/],
		['http://198.51.100.7/a.png', /documentation/],
		['http://203.0.113.9/a.png', /documentation/],
		['http://198.18.0.1/a.png', /benchmarking/],
		['http://224.0.0.1/a.png', /multicast/],
		['http://239.255.255.250/a.png', /multicast/],
		['http://240.0.0.1/a.png', /reserved/],
		['http://255.255.255.255/a.png', /reserved/],
		// IPv6, including IPv4 inside IPv6
		['http://[::1]/a.png', /loopback/],
		['http://[0:0:0:0:0:0:0:1]/a.png', /loopback/],
		['http://[::]/a.png', /unspecified/],
		['http://[::ffff:127.0.0.1]/a.png', /loopback address \(127\.0\.0\.1 as IPv4-mapped IPv6\)/],
		[
			'http://[::ffff:a9fe:a9fe]/a.png',
			/link-local address \(169\.254\.169\.254 as IPv4-mapped IPv6\)/,
		],
		['http://[::ffff:10.1.2.3]/a.png', /private network/],
		['http://[::ffff:0:10.0.0.1]/a.png', /private network.*IPv4-translated/],
		['http://[::127.0.0.1]/a.png', /loopback.*IPv4-compatible/],
		['http://[::8.8.8.8]/a.png', /reserved address \(IPv4-compatible IPv6\)/],
		['http://[64:ff9b::10.0.0.1]/a.png', /private network.*NAT64/],
		['http://[64:ff9b:1::5]/a.png', /local-use NAT64/],
		['http://[2002:c0a8:101::1]/a.png', /private network address \(192\.168\.1\.1 as 6to4\)/],
		['http://[fd12:3456::1]/a.png', /unique local/],
		['http://[fc00::1]/a.png', /unique local/],
		['http://[fe80::1]/a.png', /link-local/],
		['http://[febf:ffff::1]/a.png', /link-local/],
		['http://[fec0::1]/a.png', /site-local/],
		['http://[ff02::1]/a.png', /multicast/],
		['http://[2001:db8::1]/a.png', /documentation/],
		['http://[100::1]/a.png', /reserved/],
		// host names
		['http://localhost:8080/a.png', /loopback name/],
		['http://localhost./a.png', /loopback name/],
		['http://LOCALHOST../a.png', /loopback name/],
		['http://app.localhost/a.png', /loopback name/],
		['http://printer.local/a.png', /local name \(\.local\)/],
		['http://printer.local./a.png', /local name \(\.local\)/],
		['http://metadata.google.internal/computeMetadata/v1/', /local name \(\.internal\)/],
		['http://router.home.arpa/a.png', /\.home\.arpa/],
		['http://box.localdomain/a.png', /\.localdomain/],
		['http://shop.test/a.png', /\.test/],
		['http://nas/a.png', /local name \(no domain\)/],
		['http://app.localtest.me/a.png', /resolves to loopback/],
		['http://lvh.me/a.png', /resolves to loopback/],
		// wildcard DNS that answers the address spelled in the name
		['http://127.0.0.1.nip.io/a.png', /loopback address, spelled in a nip\.io name/],
		['http://app.10.0.0.1.nip.io/a.png', /private network address, spelled in a nip\.io name/],
		['http://192-168-1-1.nip.io/a.png', /private network/],
		['http://app-10-0-0-1.sslip.io/a.png', /private network/],
		['http://7f000001.nip.io/a.png', /loopback/],
		['http://www-a9fea9fe.sslip.io/a.png', /link-local/],
		['http://--1.sslip.io/a.png', /loopback address, spelled in a sslip\.io name/],
		['http://fe80--1.sslip.io/a.png', /link-local/],
		['http://169.254.169.254.xip.io/a.png', /link-local/],
		['http://10-0-0-1.traefik.me/a.png', /private network/],
		['http://127.0.0.1.nip.io./a.png', /loopback/],
		['http://nip.io/a.png', /a nip\.io name without a readable address/],
		['http://public.sslip.io/a.png', /without a readable address/],
	])('refuses %s', (url, reason) => {
		const problem = checkImageValue(url, field);
		expect(problem).toMatch(/^points at /);
		expect(problem).toMatch(reason);
		expect(problem).toMatch(/cannot reach it$/);
	});

	it.each([
		'https://example.com/a.png',
		'http://images.example.org/x?y=1',
		'http://8.8.8.8/a.png',
		'http://100.63.255.255/a.png',
		'http://100.128.0.1/a.png',
		'http://172.15.255.255/a.png',
		'http://172.32.0.1/a.png',
		'http://169.253.0.1/a.png',
		'http://198.20.0.1/a.png',
		'http://223.255.255.255/a.png',
		'http://[2606:4700:4700::1111]/a.png',
		'http://[::ffff:8.8.8.8]/a.png',
		'http://[64:ff9b::8.8.8.8]/a.png',
		'http://[2002:808:808::1]/a.png',
		'http://1.2.3.4.nip.io/a.png',
		'http://app-8-8-8-8.sslip.io/a.png',
		'http://localhost.example.com/a.png',
		'http://internal.example.com/a.png',
		'http://mylocal.com/a.png',
		'https://res.cloudinary.com/demo/image/upload/w_300,h_300/sample.jpg',
	])('accepts %s', (url) => {
		expect(checkImageValue(url, field)).toBeNull();
	});
});

describe('the parsers behind the rule', () => {
	it.each<[string, number | null | 'invalid']>([
		['127.0.0.1', 0x7f000001],
		['127.1', 0x7f000001],
		['0x7f.0.0.1', 0x7f000001],
		['0177.0.0.1', 0x7f000001],
		['2130706433', 0x7f000001],
		['0x', 0],
		['1.2.3.4.', 0x01020304],
		['1.2.3.256', 'invalid'],
		['256.1.1.1', 'invalid'],
		['1.2.3.4.5', 'invalid'],
		['09.1.1.1', 'invalid'],
		['4294967296', 'invalid'],
		['example.com', null],
		['1.2.3.example', null],
	])('IPv4 %s → %s', (text, expected) => {
		expect(parseIpv4(text)).toBe(expected);
	});

	it.each<[string, number[] | null]>([
		['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
		['::', [0, 0, 0, 0, 0, 0, 0, 0]],
		['2001:db8::8:800:200c:417a', [0x2001, 0xdb8, 0, 0, 0x8, 0x800, 0x200c, 0x417a]],
		['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
		['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
		['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
		['1::2::3', null],
		['1:2:3:4:5:6:7', null],
		['1:2:3:4:5:6:7:8:9', null],
		['12345::1', null],
		['::ffff:1.2.3.256', null],
		['fe80::1%eth0', null],
		[':', null],
	])('IPv6 %s', (text, expected) => {
		expect(parseIpv6(text)).toEqual(expected);
	});

	it('judges hosts given without URL normalisation too', () => {
		expect(nonPublicHost('0x7f.1')).toMatch(/loopback/);
		expect(nonPublicHost('::ffff:7f00:1')).toMatch(/loopback/);
		expect(nonPublicHost('[::ffff:7f00:1]')).toMatch(/loopback/);
		expect(nonPublicHost('[not-v6]')).toMatch(/not a valid IPv6/);
		expect(nonPublicHost('999.1.1.1')).toMatch(/not a valid IPv4/);
		expect(nonPublicHost('example.com')).toBeNull();
	});
});
