import { MAX_TOKEN_LENGTH } from '../crypto/tokens.ts';

export type BearerCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string };

// RFC 6750 §2.1: "Bearer" (any case), one or more spaces, then a b64token.
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const SCHEME = /^bearer(?: |$)/i;

/**
 * Finds the bearer token in an Authorization header value. No header, or a
 * header of another scheme, is `none` (token_missing); a Bearer header whose
 * value cannot be a Tessera token is `malformed` (token_invalid). Oversized
 * headers are refused before the regular expression runs.
 */
export function readBearerToken(header: string | undefined): BearerCredential {
  if (!header) return { kind: 'none' };
  if (!SCHEME.test(header)) return { kind: 'none' };
  if (header.length > MAX_TOKEN_LENGTH + 32) return { kind: 'malformed' };
  const match = BEARER.exec(header);
  return match?.[1] ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}
