import { hashToken, hasTokenShape, hasValidChecksum, type TokenType } from '../crypto/tokens.ts';
import { tokenError } from './token-errors.ts';

/**
 * How one kind of bearer credential is found and admitted: session access
 * tokens (sessions/service.ts) and personal access tokens (tokens/service.ts).
 */
export interface CachedCredential<Entry, Answer> {
  readonly type: TokenType;
  /** The session cache's entry for a token hash, if it holds one. */
  cached(tokenHash: string): Entry | undefined;
  /** Reads the entry from the database (and caches it), or throws the 401 that says why not. */
  load(tokenHash: string, now: Date): Promise<Entry>;
  /** The answer for an entry, or the 401; a promise only when it must wait (a due `last_used_at` write). */
  admit(entry: Entry, now: Date): Answer | Promise<Answer>;
}

/**
 * Authenticates `token` as a `credential`: a malformed token is refused
 * before any work; a cache hit is answered at once, not as a promise (on the
 * hot path that saves the promise and the event-loop turn of every `await`
 * above it); only a miss checks the checksum (a cached token passed it when
 * it was cached) and goes to the database.
 */
export function authenticateNow<Entry, Answer>(
  credential: CachedCredential<Entry, Answer>,
  token: string,
  now: Date,
): Answer | Promise<Answer> {
  if (!hasTokenShape(token, credential.type)) throw tokenError('token_invalid');
  const tokenHash = hashToken(token);
  const entry = credential.cached(tokenHash);
  if (entry) return credential.admit(entry, now);
  if (!hasValidChecksum(token)) throw tokenError('token_invalid');
  return credential.load(tokenHash, now).then((loaded) => credential.admit(loaded, now));
}
