import { LRUCache } from 'lru-cache';
import type { AuthSession, AuthToken, AuthUser } from './state.ts';

/**
 * What a cache hit needs to authenticate a request without the database.
 * Times are epoch milliseconds, so the hot path compares numbers.
 */
export interface CachedAuth {
  readonly user: AuthUser;
  /** Replaced (never mutated) when the throttled `last_used_at` write happens. */
  session: AuthSession;
  readonly accessExpiresAtMs: number;
  readonly sessionExpiresAtMs: number;
  lastUsedAtMs: number;
}

/** The same for a personal access token (tokens/service.ts); cached beside sessions, under its hash. */
export interface CachedTokenAuth {
  readonly user: AuthUser;
  /** Replaced (never mutated) when the throttled `last_used_at` write happens. */
  token: AuthToken;
  readonly expiresAtMs: number;
  lastUsedAtMs: number;
}

type Entry = CachedAuth | CachedTokenAuth;

/** The id an entry is invalidated by: its session's, or its personal access token's (both UUIDs). */
function credentialIdOf(entry: Entry): string {
  return 'session' in entry ? entry.session.id : entry.token.id;
}

/**
 * An invalidation, as applied locally and sent to the other instances.
 * `session` also ends a personal access token, by the token's id: both are
 * UUIDs, and the other instances (and resource servers) need no new kind.
 */
export type Invalidation =
  | { readonly kind: 'session'; readonly id: string }
  | { readonly kind: 'user'; readonly id: string }
  /** A service client was deleted (`id` is its client_id): verified secrets are checked again. */
  | { readonly kind: 'client'; readonly id: string }
  | { readonly kind: 'all' };

export interface SessionCache {
  /** The entry for a token hash, or undefined (always undefined while the cache is not trusted). */
  get(tokenHash: string): CachedAuth | undefined;
  /** The entry for a personal access token's hash, like `get`. */
  getToken(tokenHash: string): CachedTokenAuth | undefined;
  /**
   * A counter bumped by every invalidation. Read it before the database
   * lookup and pass it to `set`: if an invalidation happened in between, the
   * row read may already be stale and is not cached.
   */
  epoch(): number;
  /**
   * A counter bumped by `client` and `all` invalidations only: service
   * clients' verified secrets (oauth/client-auth.ts) stay trusted while it
   * holds, so the logins and refreshes of users do not send every
   * introspection back to the database.
   */
  clientEpoch(): number;
  set(tokenHash: string, entry: CachedAuth | CachedTokenAuth, epochBeforeRead: number): void;
  /** Drops entries in this process (the after-commit step tells the other instances). */
  invalidate(invalidation: Invalidation): void;
  readonly size: number;
}

export interface SessionCacheOptions {
  readonly maxEntries: number;
  readonly ttlSeconds: number;
  /**
   * Whether this instance can currently learn about revocations made
   * elsewhere (cache-trust.ts). While it cannot, every lookup reads through
   * to the database and nothing is cached.
   */
  readonly trusted?: () => boolean;
}

/**
 * A bounded, short-lived cache of resolved access tokens, keyed by token
 * hash, so the hot path usually needs no query.
 *
 * Revocation stays immediate because every path that ends a session or
 * changes a user calls `invalidate` after its transaction commits, and the
 * epoch check stops a request that read the database just before that commit
 * from putting the stale row back. Expiry is checked on every hit against the
 * request's clock, so an expired session is never served. The TTL bounds how
 * long a missed cross-instance message could matter, and `trusted` turns the
 * cache off while revocations made elsewhere could go unheard.
 */
export function createSessionCache(options: SessionCacheOptions): SessionCache {
  let epoch = 0;
  let clientEpoch = 0;
  const trusted = options.trusted ?? (() => true);
  const tokenOfSession = new Map<string, string>();
  const sessionsOfUser = new Map<string, Set<string>>();

  const entries = new LRUCache<string, Entry>({
    max: options.maxEntries,
    ttl: options.ttlSeconds * 1000,
    // The TTL is a backstop counted in seconds: reading the clock at most every 100 ms (not every
    // millisecond, the default) spares the hot path a timer per millisecond under load.
    ttlResolution: 100,
    // Keep the indexes in step with evictions, expiries and deletions.
    dispose: (entry) => {
      const id = credentialIdOf(entry);
      tokenOfSession.delete(id);
      const sessions = sessionsOfUser.get(entry.user.id);
      sessions?.delete(id);
      if (sessions?.size === 0) sessionsOfUser.delete(entry.user.id);
    },
  });

  function dropSession(sessionId: string): void {
    const tokenHash = tokenOfSession.get(sessionId);
    if (tokenHash !== undefined) entries.delete(tokenHash);
  }

  function invalidate(invalidation: Invalidation): void {
    if (invalidation.kind === 'client' || invalidation.kind === 'all') clientEpoch += 1;
    if (invalidation.kind === 'client') return; // no session or token entry belongs to a client
    epoch += 1;
    if (invalidation.kind === 'all') entries.clear();
    else if (invalidation.kind === 'session') dropSession(invalidation.id);
    else for (const sessionId of [...(sessionsOfUser.get(invalidation.id) ?? [])]) dropSession(sessionId);
  }

  return {
    get(tokenHash) {
      const entry = trusted() ? entries.get(tokenHash) : undefined;
      return entry && 'session' in entry ? entry : undefined;
    },
    getToken(tokenHash) {
      const entry = trusted() ? entries.get(tokenHash) : undefined;
      return entry && 'token' in entry ? entry : undefined;
    },
    epoch: () => epoch,
    clientEpoch: () => clientEpoch,

    set(tokenHash, entry, epochBeforeRead) {
      if (epochBeforeRead !== epoch || !trusted()) return;
      const id = credentialIdOf(entry);
      entries.set(tokenHash, entry);
      tokenOfSession.set(id, tokenHash);
      let sessions = sessionsOfUser.get(entry.user.id);
      if (!sessions) sessionsOfUser.set(entry.user.id, (sessions = new Set()));
      sessions.add(id);
    },

    invalidate,

    get size() {
      return entries.size;
    },
  };
}

/** The cache used when caching is off: every lookup goes to the database. */
export const NO_SESSION_CACHE: SessionCache = {
  get: () => undefined,
  getToken: () => undefined,
  epoch: () => 0,
  clientEpoch: () => 0,
  set: () => {},
  invalidate: () => {},
  size: 0,
};
