/**
 * Webhook signature checks for both providers (shared/providers.md §1.7, §2.6). Pure: data in,
 * verdict out, node's crypto only. Always over the raw request bytes, never re-serialized JSON.
 */
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify } from 'crypto';

export type Verification = { ok: true } | { ok: false; reason: string };

/** Request headers as n8n hands them over (Node lower-cases names; any case is accepted). */
export type HeaderBag = Record<string, string | string[] | undefined>;

export type RawBody = Buffer | string;

/** Both providers document a five-minute window. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export const WAVESPEED_SIGNATURE_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

export const FAL_SIGNATURE_HEADERS = [
	'x-fal-webhook-request-id',
	'x-fal-webhook-user-id',
	'x-fal-webhook-timestamp',
	'x-fal-webhook-signature',
] as const;

/** One public key of a JWKS document (only Ed25519 `OKP` keys are used). */
export interface Ed25519Jwk {
	kty?: string;
	crv?: string;
	x?: string;
	kid?: string;
}

interface Common {
	headers: HeaderBag;
	rawBody: RawBody;
	/** Milliseconds since the epoch (Date.now()). */
	now?: number;
	toleranceSeconds?: number;
}

export interface WaveSpeedSignatureInput extends Common {
	/** The account's webhook secret, `whsec_…` (from GET /api/v3/webhook/secret). */
	secret: string;
}

export interface FalSignatureInput extends Common {
	/** The keys of fal's JWKS; a signature from any of them is accepted (key rotation). */
	keys: Ed25519Jwk[];
}

/** A header's value whatever the case of its name; the first one when repeated. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const first = Array.isArray(value) ? value[0] : value;
		if (typeof first === 'string' && first.trim() !== '') return first.trim();
	}
	return undefined;
}

/** The first of these headers that is missing or empty. */
export function missingHeader(headers: HeaderBag, names: readonly string[]): string | undefined {
	return names.find((name) => headerValue(headers, name) === undefined);
}

function fail(reason: string): Verification {
	return { ok: false, reason };
}

/** Unix seconds, checked against the clock both ways (stale and future-dated). */
function timestampProblem(
	value: string,
	header: string,
	now: number,
	toleranceSeconds: number,
): string | undefined {
	if (!/^\d{1,15}$/.test(value)) return `invalid header ${header}`;
	const skew = Math.floor(now / 1000) - Number(value);
	if (skew > toleranceSeconds) return 'stale timestamp';
	if (-skew > toleranceSeconds) return 'timestamp too far in the future';
	return undefined;
}

function bodyBytes(rawBody: RawBody): Buffer {
	return Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
}

/** Constant-time equality of two byte strings, after a length check. */
function sameBytes(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

/** What the cheap checks found: the signature's parts, or why the call is refused. */
type Shape<T> = ({ ok: true } & T) | { ok: false; reason: string };

/**
 * WaveSpeed's headers, checked without the secret: present, timestamp within the window, and
 * at least one well-formed `v3,<64 hex>` signature. A call failing here needs no key fetch.
 */
export function waveSpeedSignatureShape(
	headers: HeaderBag,
	now = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Shape<{ id: string; timestamp: string; digests: Buffer[] }> {
	const missing = missingHeader(headers, WAVESPEED_SIGNATURE_HEADERS);
	if (missing) return { ok: false, reason: `missing header ${missing}` };
	const id = headerValue(headers, 'webhook-id') as string;
	const timestamp = headerValue(headers, 'webhook-timestamp') as string;
	const signature = headerValue(headers, 'webhook-signature') as string;
	const skew = timestampProblem(timestamp, 'webhook-timestamp', now, toleranceSeconds);
	if (skew) return { ok: false, reason: skew };
	// The header may list several space-separated signatures; only v3 is defined.
	const candidates = signature
		.split(/\s+/)
		.map((entry) => {
			const comma = entry.indexOf(',');
			return comma === -1 ? { version: '', hex: entry } : { version: entry.slice(0, comma), hex: entry.slice(comma + 1) };
		})
		.filter((entry) => entry.version === 'v3');
	if (!candidates.length) return { ok: false, reason: 'unsupported signature version' };
	const digests = candidates.filter(({ hex }) => /^[0-9a-f]{64}$/i.test(hex)).map(({ hex }) => Buffer.from(hex, 'hex'));
	if (!digests.length) return { ok: false, reason: 'malformed signature' };
	return { ok: true, id, timestamp, digests };
}

/**
 * WaveSpeed: `webhook-signature: v3,<hex>` = HMAC-SHA256 over `${id}.${timestamp}.${rawBody}`,
 * keyed with the secret minus `whsec_`, used as UTF-8 text (not base64-decoded, unlike Svix).
 */
export function verifyWaveSpeedSignature(input: WaveSpeedSignatureInput): Verification {
	const { headers, rawBody } = input;
	const missing = missingHeader(headers, WAVESPEED_SIGNATURE_HEADERS);
	if (missing) return fail(`missing header ${missing}`);
	const key = String(input.secret ?? '').trim().replace(/^whsec_/, '');
	if (!key) return fail('no webhook secret');
	const shape = waveSpeedSignatureShape(headers, input.now, input.toleranceSeconds);
	if (!shape.ok) return shape;
	const expected = createHmac('sha256', Buffer.from(key, 'utf8'))
		.update(`${shape.id}.${shape.timestamp}.`, 'utf8')
		.update(bodyBytes(rawBody))
		.digest();
	return shape.digests.some((digest) => sameBytes(digest, expected)) ? { ok: true } : fail('bad signature');
}

/**
 * fal's headers, checked without the keys: all four present ("If any header is missing, the
 * request is invalid"), timestamp within the window, signature 64 bytes of hex.
 */
export function falSignatureShape(
	headers: HeaderBag,
	now = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Shape<{ requestId: string; userId: string; timestamp: string; signature: Buffer }> {
	const missing = missingHeader(headers, FAL_SIGNATURE_HEADERS);
	if (missing) return { ok: false, reason: `missing header ${missing}` };
	const requestId = headerValue(headers, 'x-fal-webhook-request-id') as string;
	const userId = headerValue(headers, 'x-fal-webhook-user-id') as string;
	const timestamp = headerValue(headers, 'x-fal-webhook-timestamp') as string;
	const signatureHex = headerValue(headers, 'x-fal-webhook-signature') as string;
	const skew = timestampProblem(timestamp, 'x-fal-webhook-timestamp', now, toleranceSeconds);
	if (skew) return { ok: false, reason: skew };
	// An Ed25519 signature is 64 bytes.
	if (!/^[0-9a-f]{128}$/i.test(signatureHex)) return { ok: false, reason: 'malformed signature' };
	return { ok: true, requestId, userId, timestamp, signature: Buffer.from(signatureHex, 'hex') };
}

/**
 * An Ed25519 public key: `x` set, and `kty`/`crv` either OKP/Ed25519 or absent. Some JWKS
 * documents write only `x` (and `kid`) for the one key type they serve; a key that names
 * another type is skipped.
 */
function isEd25519(jwk: Ed25519Jwk | undefined): jwk is Ed25519Jwk & { x: string } {
	if (!jwk || typeof jwk.x !== 'string' || !jwk.x) return false;
	return (jwk.kty === undefined || jwk.kty === 'OKP') && (jwk.crv === undefined || jwk.crv === 'Ed25519');
}

/**
 * fal: `x-fal-webhook-signature` (hex) = Ed25519 over
 * `request_id \n user_id \n timestamp \n sha256hex(rawBody)`, by any key of the JWKS.
 */
export function verifyFalSignature(input: FalSignatureInput): Verification {
	const shape = falSignatureShape(input.headers, input.now, input.toleranceSeconds);
	if (!shape.ok) return shape;
	const digest = createHash('sha256').update(bodyBytes(input.rawBody)).digest('hex');
	const message = Buffer.from(`${shape.requestId}\n${shape.userId}\n${shape.timestamp}\n${digest}`, 'utf8');

	let usable = 0;
	for (const jwk of input.keys ?? []) {
		if (!isEd25519(jwk)) continue;
		let key;
		try {
			key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
		} catch {
			continue; // a malformed key in the set does not spoil the others
		}
		usable++;
		if (verify(null, message, key, shape.signature)) return { ok: true };
	}
	return fail(usable ? 'bad signature' : 'no usable public key');
}
