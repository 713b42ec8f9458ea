import { timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SessionCache } from '../auth/session-cache.ts';
import type { Clock } from '../clock.ts';
import { hashToken, isWellFormedToken } from '../crypto/tokens.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import { addSeconds, iso } from '../sessions/time.ts';
import { readBasicCredentials, type ClientCredentials } from './basic-auth.ts';
import { findClientByClientId, touchClient, type ClientRow } from './repository.ts';

/** How long a verified secret is trusted without asking the database again. */
const VERIFIED_TTL_MS = 10_000;
const MAX_VERIFIED = 1_000;
/** `last_used_at` of a client is written at most this often (it is for people reading the list). */
const LAST_USED_INTERVAL_SECONDS = 60;

/** RFC 6749 §5.2 / RFC 7617: a 401 for bad client credentials, with the Basic challenge. */
export function invalidClient(): AppError {
  return new AppError('invalid_client', undefined, {
    headers: { 'WWW-Authenticate': 'Basic realm="tessera"' },
  });
}

interface Verified {
  readonly client: ClientRow;
  /** The session cache's client counter when this was verified (see below). */
  readonly epoch: number;
}

/**
 * Checks service-client credentials sent as `Authorization: Basic`. The
 * secret is hashed (SHA-256, see crypto/tokens.ts for why not argon2) and
 * compared with the stored hash in constant time, so the comparison leaks
 * nothing about how much matched.
 *
 * Introspection is a hot path, so verified headers are remembered for 10 s,
 * keyed by the SHA-256 of the whole header value (the same header always
 * names the same id and secret, and no secret stays in memory as a key): a
 * repeat costs one hash, with no decoding, query or write. A deletion drops
 * them here at once, and it goes through the revoking transaction, whose
 * `client` invalidation bumps every instance's client counter (bus, or an
 * emptied cache after a missed message): a remembered header older than the
 * counter is checked again, so a deleted client is refused everywhere within
 * the revocation bound while the cache is on, and within 10 s where it is off.
 */
export function createClientAuthenticator(deps: { db: Db; clock: Clock; cache: SessionCache }) {
  const { db, clock, cache } = deps;
  const verified = new LRUCache<string, Verified>({ max: MAX_VERIFIED, ttl: VERIFIED_TTL_MS, ttlResolution: 100 });

  /** Checks the secret against the stored hash, remembers the header, and notes the use (once a minute). */
  async function verify(credentials: ClientCredentials, key: string): Promise<ClientRow> {
    const epoch = cache.clientEpoch();
    const client = await findClientByClientId(db, credentials.clientId);
    if (!client) throw invalidClient();
    const secretHash = hashToken(credentials.clientSecret);
    const matches = timingSafeEqual(Buffer.from(client.secret_hash, 'hex'), Buffer.from(secretHash, 'hex'));
    if (!matches) throw invalidClient();
    verified.set(key, { client, epoch });
    const now = clock();
    await touchClient(db, client.id, iso(now), iso(addSeconds(now, -LAST_USED_INTERVAL_SECONDS)));
    return client;
  }

  function recentlyVerified(key: string): ClientRow | undefined {
    const known = verified.get(key);
    return known && known.epoch === cache.clientEpoch() ? known.client : undefined;
  }

  return {
    /**
     * The client an `Authorization` header proves if it was verified
     * recently; undefined when it would take a check (the express lane then
     * leaves the request to Koa, which checks it).
     */
    verifiedNow(authorization: string | undefined): ClientRow | undefined {
      return authorization ? recentlyVerified(hashToken(authorization)) : undefined;
    },

    /**
     * The client an `Authorization` header's Basic credentials prove, or 401
     * invalid_client (no header, another scheme, or wrong credentials). At
     * once when the same header was verified recently.
     */
    authenticate(authorization: string | undefined): ClientRow | Promise<ClientRow> {
      if (!authorization) throw invalidClient();
      const key = hashToken(authorization);
      const known = recentlyVerified(key);
      if (known) return known;
      const credentials = readBasicCredentials(authorization);
      if (credentials.kind !== 'credentials') throw invalidClient();
      if (!isWellFormedToken(credentials.clientSecret, 'clientSecret')) throw invalidClient();
      return verify(credentials, key);
    },

    /** Forgets every verified secret of a deleted client. */
    forget(clientId: string): void {
      for (const [key, entry] of verified.entries()) if (entry.client.client_id === clientId) verified.delete(key);
    },
  };
}

export type ClientAuthenticator = ReturnType<typeof createClientAuthenticator>;
