import { hash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Opaque bearer tokens: pure functions, no database.
 *
 * Layout (version 1): `<prefix><version><body><checksum>`
 *
 *   tsr_at_ 1 <43 chars: body> <6 chars: checksum>
 *
 * - prefix says the type, so an access token sent to /refresh (or the other
 *   way round) is rejected before any query, and secret scanners can spot a
 *   leaked Tessera token;
 * - version lets the encoding change later without logging anyone out;
 * - body is base64url(SHA-256(user id, UUID v4, timestamp, 32 CSPRNG bytes)):
 *   the random bytes give 256 bits of entropy, the id/UUID/time make two
 *   tokens distinct even if the RNG ever repeated, and the hash makes none of
 *   it readable from the token;
 * - checksum is the first 6 base64url characters of SHA-256 over everything
 *   before it, so a mistyped or truncated token fails without a query.
 */

export const TOKEN_PREFIXES = {
  access: 'tsr_at_',
  refresh: 'tsr_rt_',
  personal: 'tsr_pat_',
  /** A service client's secret (POST /admin/clients); sent with HTTP Basic, never as a bearer token. */
  clientSecret: 'tsr_cs_',
} as const;

export type TokenType = keyof typeof TOKEN_PREFIXES;

const CURRENT_VERSION = '1';
const BODY_LENGTH = 43; // base64url of 32 bytes, unpadded
const CHECKSUM_LENGTH = 6;
const RANDOM_BYTES = 32;

/** Upper bound of any token length; longer input is rejected before parsing. */
export const MAX_TOKEN_LENGTH = 64;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

// One-shot `hash()` rather than `createHash()`: no Hash object per call, about
// four times faster, and hashToken runs on every authenticated request.
function sha256(input: string | Buffer): Buffer {
  return hash('sha256', input, 'buffer');
}

function checksumOf(head: string): string {
  return sha256(head).toString('base64url').slice(0, CHECKSUM_LENGTH);
}

/** Creates a new token of `type` for `userId`. The plaintext leaves only in a response. */
export function generateToken(type: TokenType, userId: string, now: Date): string {
  const material = Buffer.concat([
    Buffer.from(`${userId}\0${randomUUID()}\0${now.getTime()}\0`),
    randomBytes(RANDOM_BYTES),
  ]);
  const head = TOKEN_PREFIXES[type] + CURRENT_VERSION + sha256(material).toString('base64url');
  return head + checksumOf(head);
}

/** True when `token` has the shape of a `type` token: prefix, version, length, alphabet. */
export function hasTokenShape(token: string, type: TokenType): boolean {
  const prefix = TOKEN_PREFIXES[type];
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(prefix)) return false;
  const rest = token.slice(prefix.length);
  if (rest[0] !== CURRENT_VERSION) return false;
  return rest.length === 1 + BODY_LENGTH + CHECKSUM_LENGTH && BASE64URL.test(rest);
}

/**
 * True when the token's last characters are the checksum of the rest. The
 * checksum is not a secret (anyone can compute it), so a plain comparison is
 * fine here; the secret part is only ever compared as a hash, by the database.
 */
export function hasValidChecksum(token: string): boolean {
  const head = token.slice(0, token.length - CHECKSUM_LENGTH);
  return checksumOf(head) === token.slice(-CHECKSUM_LENGTH);
}

/** Shape and checksum: a token worth looking up. */
export function isWellFormedToken(token: string, type: TokenType): boolean {
  return hasTokenShape(token, type) && hasValidChecksum(token);
}

/**
 * What the database stores and looks up: hex SHA-256 of the whole token, prefix included.
 *
 * SHA-256, not argon2, for every secret here (access, refresh, personal access
 * tokens, client secrets): they are 256 bits from a CSPRNG, not something a
 * person chose, so there is no dictionary to try and 2^256 guesses to make;
 * a slow hash only protects low-entropy secrets. A fast, unsalted hash also
 * lets the database find a token by its hash through a unique index in one
 * lookup, where a salted slow hash would need the row first and tens of
 * milliseconds of CPU on every request.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
