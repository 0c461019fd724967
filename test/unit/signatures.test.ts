/**
 * Signature checks with real crypto and fixed inputs. Expected values are known answers,
 * computed once with node:crypto and written down here, so a change to what is signed (the
 * order of the parts, the separator, the key encoding) fails these tests.
 */
import { createHash, createHmac, createPrivateKey, sign } from 'crypto';

import {
	headerValue,
	verifyFalSignature,
	verifyWaveSpeedSignature,
} from '../../nodes/shared/signatures';
import type { Ed25519Jwk, HeaderBag } from '../../nodes/shared/signatures';

// ---------------------------------------------------------------- WaveSpeed fixtures

/** providers.md §1.7: the example body from WaveSpeed's "verifying webhooks" page, byte for byte. */
const DOC_BODY =
	'{"id":"45b392b22c3b449fa935bd4dc","model":"wavespeed-ai/flux-dev","outputs":["https://d2p7pge43lyniu.cloudfront.net/output/18058184-5df8-4d05-9e1b-7ad84c8b963e-u1_9bfd4537-e541-4ad0-a0f6-4812b11a37f1.jpeg"],"urls":{"get":"https://api.wavespeed.ai/api/v3/predictions/45b392b22c3b449fa935bd4dc2219dfe/result"},"has_nsfw_contents":[false],"status":"completed","created_at":"2025-09-25T09:12:48.239112031Z","error":"","executionTime":6710,"timings":{"inference":6710}}';
const DOC_WHSEC = 'whsec_e9EE3BdyXSxcB4ZyZUKjQUEoQX4sF9P1+eMpb/KluCM=';
const DOC_ID = '45b392b22c3b449fa935bd4dc';
const DOC_TS = 1758798328;
/** Self-computed in providers.md §1.7 (key = the secret minus whsec_, as text). */
const DOC_HEX = '7a32ef7ef2c0cc05dbf74c9456add530c638730d40b36ecbce282a4251feaba7';

const WS_WHSEC = 'whsec_dGVzdC1zaWduaW5nLWtleS1mb3Itd3M=';
const WS_BODY = '{"id":"job-0001","model":"wavespeed-ai/lynx","outputs":["https://cdn.example.com/v.mp4"],"status":"completed"}';
const WS_TS = 1700000000;
/** HMAC-SHA256(key "dGVzdC1zaWduaW5nLWtleS1mb3Itd3M=" as text, "job-0001.1700000000.<body>") */
const WS_HEX = '180bd5f9f0be21c3a4b8b26aaaac7999f67e1ade7d4effb00b8e173df335e30b';
/** The same with the key base64-decoded first (Svix / Standard Webhooks): not WaveSpeed's scheme. */
const WS_HEX_SVIX_STYLE = 'a937f3dbef40d4a0426fb160e8fcbc418f02bc4b459a16e0125e341a9a91a6e2';

function wsHeaders(signature: string, ts = WS_TS, id = 'job-0001'): HeaderBag {
	return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
}

const at = (unixSeconds: number) => unixSeconds * 1000;

// ---------------------------------------------------------------- fal fixtures

/** RFC 8032 §7.1 TEST 1 and TEST 2 key pairs, as JWKs (d = seed, x = public key). */
const RFC8032_1 = { kty: 'OKP', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const RFC8032_2 = { kty: 'OKP', crv: 'Ed25519', d: 'TM0Imyj_ltqdtsNG7BFOD1uKMZ81q6Yk2oz27U-4pvs', x: 'PUAXw-hDiVqStwqnTRt-vJyYLM8uxJaMwM1V8Sr0Zgw' };
const PUBLIC_1: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8032_1.x, kid: 'one' };
const PUBLIC_2: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: RFC8032_2.x, kid: 'two' };

const FAL_BODY =
	'{"request_id":"req-0001","gateway_request_id":"req-0001","status":"OK","payload":{"video":{"url":"https://cdn.example.com/v.mp4","content_type":"video/mp4"},"seed":42}}';
const FAL_TS = 1700000000;
const FAL_BODY_SHA256 = '5c28f991c4d9d2692543dfc572f7048a08f43cbe7c300a93fdfe23f786c5cef8';
/** Ed25519 (deterministic) over "req-0001\nuser-42\n1700000000\n<sha256 hex of the body>". */
const FAL_SIG_1 =
	'9a4184ff2c2bc14791d59a5b0edfd6b75fa2dfe7a472c775bf8c0a079495b1892fedd8684d575d9129146cdd4643cf3e2fcad2c17bbf00338919a9f2b8190000';
const FAL_SIG_2 =
	'a6bafc7343f7f67f2cbe78af727c19385167e67940ae830f4725bcf8bcb6455f71edb14bbcbd97c67401fccbd69b67a352759d74eff22f201d66cd495686300e';

function falHeaders(signature: string, ts = FAL_TS, requestId = 'req-0001', userId = 'user-42'): HeaderBag {
	return {
		'x-fal-webhook-request-id': requestId,
		'x-fal-webhook-user-id': userId,
		'x-fal-webhook-timestamp': String(ts),
		'x-fal-webhook-signature': signature,
	};
}

function falSign(jwk: typeof RFC8032_1, message: string): string {
	return sign(null, Buffer.from(message, 'utf8'), createPrivateKey({ key: jwk, format: 'jwk' })).toString('hex');
}

// ================================================================ WaveSpeed

describe('verifyWaveSpeedSignature', () => {
	it('reproduces the providers.md value for WaveSpeed’s documented example (key = secret minus whsec_, as text)', () => {
		const computed = createHmac('sha256', DOC_WHSEC.slice('whsec_'.length))
			.update(`${DOC_ID}.${DOC_TS}.${DOC_BODY}`)
			.digest('hex');
		expect(computed).toBe(DOC_HEX);
		const result = verifyWaveSpeedSignature({
			secret: DOC_WHSEC,
			headers: wsHeaders(`v3,${DOC_HEX}`, DOC_TS, DOC_ID),
			rawBody: Buffer.from(DOC_BODY),
			now: at(DOC_TS + 10),
		});
		expect(result).toEqual({ ok: true });
	});

	it('accepts the fixed known answer, from a Buffer or a string body', () => {
		for (const rawBody of [Buffer.from(WS_BODY), WS_BODY]) {
			expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody, now: at(WS_TS) })).toEqual({ ok: true });
		}
	});

	it('accepts an upper-case hex digest and header names in any case', () => {
		const headers = { 'Webhook-Id': 'job-0001', 'WEBHOOK-TIMESTAMP': String(WS_TS), 'Webhook-Signature': `v3,${WS_HEX.toUpperCase()}` };
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({ ok: true });
	});

	it('rejects a signature made Svix-style with the base64-decoded key', () => {
		expect(
			verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX_SVIX_STYLE}`), rawBody: WS_BODY, now: at(WS_TS) }),
		).toEqual({ ok: false, reason: 'bad signature' });
	});

	it('rejects a body changed by one byte after signing', () => {
		const tampered = WS_BODY.replace('https://cdn.example.com/v.mp4', 'https://cdn.example.com/w.mp4');
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: tampered, now: at(WS_TS) })).toEqual({
			ok: false,
			reason: 'bad signature',
		});
	});

	it('rejects re-serialized JSON (whitespace differs from the signed bytes)', () => {
		const reserialized = JSON.stringify(JSON.parse(WS_BODY), null, 1);
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: reserialized, now: at(WS_TS) }).ok).toBe(false);
	});

	it('rejects the right signature checked with another secret', () => {
		expect(
			verifyWaveSpeedSignature({ secret: 'whsec_another-secret-entirely', headers: wsHeaders(`v3,${WS_HEX}`), rawBody: WS_BODY, now: at(WS_TS) }),
		).toEqual({ ok: false, reason: 'bad signature' });
	});

	it('binds the id and timestamp headers: changing either breaks the signature', () => {
		const wrongId = verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`, WS_TS, 'job-0002'), rawBody: WS_BODY, now: at(WS_TS) });
		const wrongTs = verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`, WS_TS + 1), rawBody: WS_BODY, now: at(WS_TS) });
		expect(wrongId).toEqual({ ok: false, reason: 'bad signature' });
		expect(wrongTs).toEqual({ ok: false, reason: 'bad signature' });
	});

	it('accepts a timestamp 300 s old and rejects one 301 s old as stale', () => {
		const check = (now: number) =>
			verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: WS_BODY, now });
		expect(check(at(WS_TS + 300))).toEqual({ ok: true });
		expect(check(at(WS_TS + 301))).toEqual({ ok: false, reason: 'stale timestamp' });
	});

	it('rejects a timestamp more than 300 s in the future', () => {
		const check = (now: number) =>
			verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: WS_BODY, now });
		expect(check(at(WS_TS - 300))).toEqual({ ok: true });
		expect(check(at(WS_TS - 301))).toEqual({ ok: false, reason: 'timestamp too far in the future' });
	});

	it('honours a custom tolerance', () => {
		const result = verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: WS_BODY, now: at(WS_TS + 61), toleranceSeconds: 60 });
		expect(result).toEqual({ ok: false, reason: 'stale timestamp' });
	});

	it.each([
		['webhook-id'],
		['webhook-timestamp'],
		['webhook-signature'],
	])('rejects a callback without %s', (name) => {
		const headers = wsHeaders(`v3,${WS_HEX}`);
		delete headers[name];
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({ ok: false, reason: `missing header ${name}` });
	});

	it('treats an empty header as missing', () => {
		const headers = { ...wsHeaders(`v3,${WS_HEX}`), 'webhook-signature': '  ' };
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({
			ok: false,
			reason: 'missing header webhook-signature',
		});
	});

	it('rejects a non-numeric timestamp', () => {
		for (const value of ['1700000000.5', '-1700000000', '2023-11-14T22:13:20Z']) {
			const headers = { ...wsHeaders(`v3,${WS_HEX}`), 'webhook-timestamp': value };
			expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({
				ok: false,
				reason: 'invalid header webhook-timestamp',
			});
		}
	});

	it.each([
		['a truncated digest', `v3,${WS_HEX.slice(0, 62)}`],
		['a digest one byte too long', `v3,${WS_HEX}00`],
		['a non-hex digest', `v3,${WS_HEX.slice(0, 63)}z`],
		['an empty digest', 'v3,'],
	])('rejects %s as malformed, without comparing', (_name, signature) => {
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(signature), rawBody: WS_BODY, now: at(WS_TS) })).toEqual({
			ok: false,
			reason: 'malformed signature',
		});
	});

	it.each([
		['v2,', `v2,${WS_HEX}`],
		['v1,', `v1,${WS_HEX}`],
		['no version', WS_HEX],
	])('rejects a correct digest under %s', (_name, signature) => {
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers: wsHeaders(signature), rawBody: WS_BODY, now: at(WS_TS) })).toEqual({
			ok: false,
			reason: 'unsupported signature version',
		});
	});

	it('accepts when one of several space-separated signatures matches', () => {
		const headers = wsHeaders(`v3,${'0'.repeat(64)} v3,${WS_HEX}`);
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({ ok: true });
	});

	it('refuses to verify without a secret', () => {
		for (const secret of ['', 'whsec_', '   ']) {
			expect(verifyWaveSpeedSignature({ secret, headers: wsHeaders(`v3,${WS_HEX}`), rawBody: WS_BODY, now: at(WS_TS) })).toEqual({
				ok: false,
				reason: 'no webhook secret',
			});
		}
	});

	it('takes the first value of a repeated header', () => {
		const headers = { ...wsHeaders(`v3,${WS_HEX}`), 'webhook-signature': [`v3,${WS_HEX}`, 'v3,00'] };
		expect(verifyWaveSpeedSignature({ secret: WS_WHSEC, headers, rawBody: WS_BODY, now: at(WS_TS) })).toEqual({ ok: true });
		expect(headerValue({ 'X-A': ['1', '2'] }, 'x-a')).toBe('1');
	});
});

// ================================================================ fal

describe('verifyFalSignature', () => {
	it('checks the Ed25519 key import against RFC 8032 TEST 1 (empty message)', () => {
		const rfcSignature =
			'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
		expect(falSign(RFC8032_1, '')).toBe(rfcSignature);
	});

	it('signs the documented message deterministically: the fixed known answers', () => {
		expect(createHash('sha256').update(FAL_BODY).digest('hex')).toBe(FAL_BODY_SHA256);
		const message = `req-0001\nuser-42\n${FAL_TS}\n${FAL_BODY_SHA256}`;
		expect(falSign(RFC8032_1, message)).toBe(FAL_SIG_1);
		expect(falSign(RFC8032_2, message)).toBe(FAL_SIG_2);
	});

	it('accepts the known answer, from a Buffer or a string body', () => {
		for (const rawBody of [Buffer.from(FAL_BODY), FAL_BODY]) {
			expect(verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(FAL_SIG_1), rawBody, now: at(FAL_TS) })).toEqual({ ok: true });
		}
	});

	it('accepts header names as fal sends them (X-Fal-Webhook-…)', () => {
		const headers = {
			'X-Fal-Webhook-Request-Id': 'req-0001',
			'X-Fal-Webhook-User-Id': 'user-42',
			'X-Fal-Webhook-Timestamp': String(FAL_TS),
			'X-Fal-Webhook-Signature': FAL_SIG_1.toUpperCase(),
		};
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers, rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
	});

	it('tries every key of the set: after a rotation the second key verifies', () => {
		expect(verifyFalSignature({ keys: [PUBLIC_1, PUBLIC_2], headers: falHeaders(FAL_SIG_2), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
		expect(verifyFalSignature({ keys: [PUBLIC_2, PUBLIC_1], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
	});

	it('rejects a signature by a key that is not in the set', () => {
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(FAL_SIG_2), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({
			ok: false,
			reason: 'bad signature',
		});
	});

	it('rejects a body changed after signing (attacker video URL)', () => {
		const forged = FAL_BODY.replace('https://cdn.example.com/v.mp4', 'https://attacker.invalid/evil.mp4');
		expect(verifyFalSignature({ keys: [PUBLIC_1, PUBLIC_2], headers: falHeaders(FAL_SIG_1), rawBody: forged, now: at(FAL_TS) })).toEqual({
			ok: false,
			reason: 'bad signature',
		});
	});

	it('binds request id, user id and timestamp', () => {
		const check = (headers: HeaderBag) => verifyFalSignature({ keys: [PUBLIC_1], headers, rawBody: FAL_BODY, now: at(FAL_TS) });
		expect(check(falHeaders(FAL_SIG_1, FAL_TS, 'req-0002')).ok).toBe(false);
		expect(check(falHeaders(FAL_SIG_1, FAL_TS, 'req-0001', 'user-43')).ok).toBe(false);
		expect(check(falHeaders(FAL_SIG_1, FAL_TS + 1)).ok).toBe(false);
	});

	it('rejects stale and future-dated timestamps beyond ±300 s, even when correctly signed', () => {
		const signedAt = (ts: number) => falSign(RFC8032_1, `req-0001\nuser-42\n${ts}\n${FAL_BODY_SHA256}`);
		const now = at(FAL_TS);
		const check = (ts: number) => verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(signedAt(ts), ts), rawBody: FAL_BODY, now });
		expect(check(FAL_TS - 300)).toEqual({ ok: true });
		expect(check(FAL_TS - 301)).toEqual({ ok: false, reason: 'stale timestamp' });
		expect(check(FAL_TS + 300)).toEqual({ ok: true });
		expect(check(FAL_TS + 301)).toEqual({ ok: false, reason: 'timestamp too far in the future' });
	});

	it.each([
		['x-fal-webhook-request-id'],
		['x-fal-webhook-user-id'],
		['x-fal-webhook-timestamp'],
		['x-fal-webhook-signature'],
	])('rejects a callback without %s', (name) => {
		const headers = falHeaders(FAL_SIG_1);
		delete headers[name];
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers, rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: false, reason: `missing header ${name}` });
	});

	it.each([
		['63 bytes', FAL_SIG_1.slice(0, 126)],
		['65 bytes', `${FAL_SIG_1}00`],
		['non-hex', `${FAL_SIG_1.slice(0, 127)}g`],
		['base64 instead of hex', Buffer.from(FAL_SIG_1, 'hex').toString('base64')],
	])('rejects a signature of %s as malformed', (_name, signature) => {
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(signature), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({
			ok: false,
			reason: 'malformed signature',
		});
	});

	it('skips keys that are not Ed25519 or do not import, and fails with none usable', () => {
		const junk: Ed25519Jwk[] = [{ kty: 'RSA', x: RFC8032_1.x }, { kty: 'OKP', crv: 'X25519', x: RFC8032_1.x }, { kty: 'OKP', crv: 'Ed25519', x: 'not-a-key' }, {}];
		expect(verifyFalSignature({ keys: junk, headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({
			ok: false,
			reason: 'no usable public key',
		});
		expect(verifyFalSignature({ keys: [...junk, PUBLIC_1], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
		expect(verifyFalSignature({ keys: [], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) }).ok).toBe(false);
	});

	it('takes a key with x but no kty/crv (as some JWKS write it) as Ed25519', () => {
		expect(verifyFalSignature({ keys: [{ x: RFC8032_1.x }], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
		expect(verifyFalSignature({ keys: [{ kty: 'OKP', x: RFC8032_1.x }], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
		expect(verifyFalSignature({ keys: [{ crv: 'Ed25519', x: RFC8032_1.x }], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({ ok: true });
		// a key that says it is something else is still skipped
		expect(verifyFalSignature({ keys: [{ crv: 'X25519', x: RFC8032_1.x }], headers: falHeaders(FAL_SIG_1), rawBody: FAL_BODY, now: at(FAL_TS) })).toEqual({
			ok: false,
			reason: 'no usable public key',
		});
	});

	it('hashes the raw bytes: a non-UTF-8 body verifies only as the exact bytes', () => {
		const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
		const digest = createHash('sha256').update(bytes).digest('hex');
		const signature = falSign(RFC8032_1, `req-0001\nuser-42\n${FAL_TS}\n${digest}`);
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(signature), rawBody: bytes, now: at(FAL_TS) })).toEqual({ ok: true });
		expect(verifyFalSignature({ keys: [PUBLIC_1], headers: falHeaders(signature), rawBody: bytes.toString('utf8'), now: at(FAL_TS) }).ok).toBe(false);
	});
});
