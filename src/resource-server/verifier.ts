import { hash as digest } from 'node:crypto';
import { createAnswerCache, type ActiveAnswer } from './answer-cache.ts';
import { ResourceServerError } from './errors.ts';
import { createIntrospectionRequest } from './introspection-request.ts';
import { subscribeToInvalidations, type RedisLike } from './invalidations.ts';

export interface ResourceServerOptions {
  /** Tessera's origin, e.g. `https://auth.example.com` (the API is under `/api/v1`). */
  readonly tesseraUrl: string;
  /** A service client (`npm run cli -- clients create <name>`). */
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Seconds an active answer is reused (never past the token's `exp`).
   * Default 10 without Redis: a revoked token may be accepted here for up to
   * this long (RFC 7662 §4: the cache trades freshness for round trips).
   * With `redis`, revocations arrive within milliseconds and the TTL only
   * bounds what a lost message could cost.
   */
  readonly cacheTtlSeconds?: number;
  /** Most cached answers (default 10,000); the oldest is dropped first. */
  readonly cacheSize?: number;
  /** Tessera's Redis (an ioredis client): revocations reach this cache within 100 ms. */
  readonly redis?: RedisLike;
  /** Tessera's REDIS_KEY_PREFIX (default `tessera:`). */
  readonly redisKeyPrefix?: string;
  /** Milliseconds to wait for Tessera (default 5,000). */
  readonly timeoutMs?: number;
}

/** A verified caller, shaped like Tessera's own `ctx.state`; shared by the requests a cached answer serves, so read-only (frozen). */
export interface Verified {
  readonly user: { readonly id: string; readonly username: string; readonly isAdmin: boolean };
  /** Set for session tokens. */
  readonly session: { readonly id: string } | undefined;
  /** Set for personal access tokens. */
  readonly token: { readonly id: string; readonly abilities: readonly string[]; readonly expiresAt: string } | undefined;
  /** Abilities held (`*` for session tokens). */
  readonly abilities: readonly string[];
  readonly expiresAt: Date;
}

const ADMIN = 'admin';

/** Same rule as Tessera's: `*` is all but `admin`; `admin` works only for admins. Checked on every call, cached or not. */
export function holdsAbility(verified: Verified, ability: string): boolean {
  if (verified.session) return ability !== ADMIN || verified.user.isAdmin;
  if (ability === ADMIN) return verified.user.isAdmin && verified.abilities.includes(ADMIN);
  return verified.abilities.includes(ability) || verified.abilities.includes('*');
}

function deepFrozen(verified: Verified): Verified {
  for (const part of [verified.user, verified.session, verified.token, verified.token?.abilities, verified.abilities]) {
    if (part !== undefined) Object.freeze(part);
  }
  return Object.freeze(verified);
}

function toVerified(answer: ActiveAnswer): Verified {
  const abilities = answer.scope.split(' ').filter(Boolean);
  const expiresAt = new Date(answer.exp * 1000);
  const personal = answer.token_kind === 'personal_access_token';
  return {
    user: { id: answer.sub, username: answer.username, isAdmin: answer.is_admin },
    session: personal ? undefined : { id: answer.sid },
    token: personal ? { id: answer.sid, abilities, expiresAt: expiresAt.toISOString() } : undefined,
    abilities,
    expiresAt,
  };
}

const invalidToken = () =>
  new ResourceServerError(401, 'token_invalid', 'The token is not active.', {
    'WWW-Authenticate': 'Bearer realm="tessera", error="invalid_token", error_description="The token is not active."',
  });

/**
 * Verifies Tessera tokens from another process over RFC 7662 introspection.
 *
 * @example
 * const verifier = createVerifier({ tesseraUrl, clientId, clientSecret });
 * const caller = await verifier.verify(token);          // throws ResourceServerError
 * const now = verifier.verifyNow(token);                // a value on a cache hit, a promise on a miss
 * if (!holdsAbility(caller, 'reports:read')) …
 */
export function createVerifier(options: ResourceServerOptions) {
  // Each entry keeps its Verified, built once when cached, so a hit is a hash
  // and one Map read. Frozen, because every request its token makes shares it.
  const cache = createAnswerCache<Verified>({
    maxEntries: options.cacheSize ?? 10_000,
    ttlMs: (options.cacheTtlSeconds ?? 10) * 1000,
  });
  const bus = options.redis
    ? subscribeToInvalidations(options.redis, `${options.redisKeyPrefix ?? 'tessera:'}auth-cache`, cache)
    : undefined;
  const { introspect, close: closeConnections } = createIntrospectionRequest({
    url: `${options.tesseraUrl.replace(/\/$/, '')}/api/v1/oauth/introspect`,
    authorization: `Basic ${Buffer.from(
      `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
    ).toString('base64')}`,
    timeoutMs: options.timeoutMs ?? 5_000,
  });

  /** A miss: one introspection, cached if active and the cache is trusted. */
  async function verifyByIntrospection(token: string, hash: string, useCache: boolean): Promise<Verified> {
    const epochBefore = cache.epoch();
    const answer = await introspect(token);
    if (!answer || answer.token_kind === 'refresh_token') throw invalidToken();
    const verified = deepFrozen(toVerified(answer));
    if (useCache) cache.set(hash, answer, verified, Date.now(), epochBefore);
    return verified;
  }

  /**
   * The caller behind `token`: at once (a value) when its answer is cached,
   * so a hit costs no promise; a promise on a miss. Throws a
   * ResourceServerError (401 inactive), or the promise rejects with one (401,
   * or 503 when Tessera cannot be reached).
   */
  function verifyNow(token: string): Verified | Promise<Verified> {
    if (!token) throw new ResourceServerError(401, 'token_missing', 'No bearer token was sent.', { 'WWW-Authenticate': 'Bearer realm="tessera"' });
    const hash = digest('sha256', token, 'hex');
    const useCache = bus ? bus.hearing() : true;
    const cached = useCache ? cache.get(hash, Date.now()) : undefined;
    if (cached) return cached;
    return verifyByIntrospection(token, hash, useCache);
  }

  return {
    verifyNow,
    /** The caller behind `token`, or a ResourceServerError (401 inactive, 503 Tessera unreachable). */
    async verify(token: string): Promise<Verified> {
      return verifyNow(token);
    },
    /** How many answers are cached (tests, metrics). */
    get cacheSize() {
      return cache.size;
    },
    close(): void {
      bus?.close();
      closeConnections();
    },
  };
}

export type Verifier = ReturnType<typeof createVerifier>;
