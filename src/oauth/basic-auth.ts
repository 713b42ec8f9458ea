/** Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1). */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

const BASIC = /^basic +([A-Za-z0-9+/]+=*) *$/i;
const SCHEME = /^basic(?: |$)/i;
/** Far above any real client id and secret; longer headers are refused unread. */
const MAX_HEADER_LENGTH = 512;

/** RFC 6749 §2.3.1: id and secret are form-encoded (`+` is a space) before they are joined. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Reads HTTP Basic client credentials: `none` when the request sends no
 * Basic header (another scheme counts as none), `malformed` when it sends
 * one that cannot be decoded into `id:secret`.
 */
export function readBasicCredentials(
  header: string | undefined,
): { kind: 'none' } | { kind: 'malformed' } | ({ kind: 'credentials' } & ClientCredentials) {
  if (!header || !SCHEME.test(header)) return { kind: 'none' };
  if (header.length > MAX_HEADER_LENGTH) return { kind: 'malformed' };
  const match = BASIC.exec(header);
  if (!match?.[1]) return { kind: 'malformed' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return { kind: 'malformed' };
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !clientSecret) return { kind: 'malformed' };
  return { kind: 'credentials', clientId, clientSecret };
}
