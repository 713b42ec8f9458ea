import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import {
  generateToken,
  hashToken,
  hasTokenShape,
  hasValidChecksum,
  isWellFormedToken,
} from '../crypto/tokens.ts';
import { tokenError, type TokenErrorCode } from '../auth/token-errors.ts';
import type { AuthSession, AuthUser } from '../auth/state.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import * as sessions from './repository.ts';
import type { SessionRow, SessionWithUser } from './repository.ts';
import { addSeconds, earliest, iso } from './time.ts';
import type { CachedAuth, SessionCache } from '../auth/session-cache.ts';
import type { SessionLookup } from './lookup.ts';
import { createLastUsedWriter, LAST_USED_WRITE_INTERVAL_SECONDS } from './last-used.ts';

/** Lifetimes in seconds, from the configuration. */
export interface Lifetimes {
  readonly accessTokenTtl: number;
  readonly sessionIdleTtl: number;
  readonly sessionMaxTtl: number;
  readonly refreshReuseLeeway: number;
}

/** A token pair just issued for a session: the only place the plaintext tokens exist. */
export interface IssuedTokens {
  readonly sessionId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: string;
  /** When the session expires unless refreshed (never past its absolute maximum). */
  readonly sessionExpiresAt: string;
}

export interface Authenticated {
  readonly user: AuthUser;
  readonly session: AuthSession;
}

type RefreshOutcome =
  | { readonly issued: IssuedTokens; readonly sessionId: string }
  | { readonly error: 'refresh_token_reused'; readonly sessionId: string }
  | { readonly error: TokenErrorCode | 'refresh_token_rotated' };

export type SessionsService = ReturnType<typeof createSessionsService>;

/**
 * The whole session lifecycle: create, authenticate, rotate, revoke, list.
 * Tokens are random and opaque; the database holds only their SHA-256, so
 * revoking a row is all it takes to cut a device off.
 */
export function createSessionsService(deps: {
  db: Db;
  clock: Clock;
  lifetimes: Lifetimes;
  audit: AuditLog;
  lookup: SessionLookup;
  cache: SessionCache;
}) {
  const { db, clock, lifetimes, audit, lookup, cache } = deps;
  const lastUsed = createLastUsedWriter(db);

  /** New access + refresh tokens for a session that ends (idly) at `expiresAt`. */
  function mintTokens(userId: number, now: Date, expiresAt: Date) {
    const accessToken = generateToken('access', String(userId), now);
    const refreshToken = generateToken('refresh', String(userId), now);
    return {
      accessToken,
      refreshToken,
      accessHash: hashToken(accessToken),
      refreshHash: hashToken(refreshToken),
      // An access token never outlives its session.
      accessExpiresAt: earliest(addSeconds(now, lifetimes.accessTokenTtl), expiresAt),
    };
  }

  /**
   * Reads a token's session from the database (one prepared statement) and
   * caches it if it is live. Unknown, revoked and disabled are never cached.
   */
  async function loadEntry(tokenHash: string, now: Date): Promise<CachedAuth> {
    const epochBeforeRead = cache.epoch();
    const row = await lookup.findByAccessHash(tokenHash);
    // A rotated-away access token is no longer stored, so it is simply unknown.
    if (!row) throw tokenError('token_invalid');
    const problem = sessionProblem(row, now);
    if (problem) throw tokenError(problem);
    const entry: CachedAuth = {
      user: Object.freeze(userOf(row)),
      session: Object.freeze(toAuthSession(row)),
      accessExpiresAtMs: Date.parse(row.access_expires_at),
      sessionExpiresAtMs: Date.parse(row.expires_at),
      lastUsedAtMs: Date.parse(row.last_used_at),
    };
    cache.set(tokenHash, entry, epochBeforeRead);
    return entry;
  }

  /** The at-most-once-a-minute `last_used_at` write (conditional, so racing requests write once). */
  async function touch(entry: CachedAuth, now: Date): Promise<void> {
    entry.lastUsedAtMs = now.getTime();
    entry.session = Object.freeze({ ...entry.session, lastUsedAt: iso(now) });
    await lastUsed.record(entry.session.id, now);
  }

  /** Why a session can no longer be used, or undefined when it is live. */
  function sessionProblem(row: SessionWithUser, now: Date): TokenErrorCode | undefined {
    if (row.revoked_at !== null || row.disabled) return 'token_revoked';
    if (iso(now) >= row.expires_at) return 'token_expired';
    return undefined;
  }

  return {
    /** Logs a user in on one more device. Other devices are untouched. */
    async createSession(userId: number, origin: Origin, deviceName: string) {
      const now = clock();
      const maxExpiresAt = addSeconds(now, lifetimes.sessionMaxTtl);
      const expiresAt = earliest(addSeconds(now, lifetimes.sessionIdleTtl), maxExpiresAt);
      const tokens = mintTokens(userId, now, expiresAt);
      const session: SessionRow = {
        id: randomUUID(),
        user_id: userId,
        device_name: deviceName,
        user_agent: origin.userAgent,
        ip: origin.ip,
        created_at: iso(now),
        last_used_at: iso(now),
        expires_at: iso(expiresAt),
        max_expires_at: iso(maxExpiresAt),
        access_token_hash: tokens.accessHash,
        access_expires_at: iso(tokens.accessExpiresAt),
        revoked_at: null,
        revoked_reason: null,
      };
      await db.transaction(async (trx) => {
        await sessions.insertSession(trx, session);
        await sessions.insertRefreshToken(trx, {
          token_hash: tokens.refreshHash,
          session_id: session.id,
          issued_at: session.created_at,
        });
        const detail = { device_name: deviceName };
        await audit.record({ type: 'login_succeeded', userId, sessionId: session.id, detail }, origin, trx);
      });
      return issued(session.id, tokens, expiresAt);
    },

    /**
     * Resolves an access token to its user and session, or throws the 401
     * that says why not. Malformed tokens (wrong prefix, length or checksum)
     * are refused before any query.
     */
    async authenticate(accessToken: string): Promise<Authenticated> {
      if (!hasTokenShape(accessToken, 'access')) throw tokenError('token_invalid');
      const tokenHash = hashToken(accessToken);
      const now = clock();
      const nowMs = now.getTime();
      // A cached token passed the checksum when it was cached; only misses check it.
      let entry = cache.get(tokenHash);
      if (!entry) {
        if (!hasValidChecksum(accessToken)) throw tokenError('token_invalid');
        entry = await loadEntry(tokenHash, now);
      }
      // Checked on every request, cached or not: expiry depends only on the clock.
      if (nowMs >= entry.sessionExpiresAtMs || nowMs >= entry.accessExpiresAtMs) {
        throw tokenError('token_expired');
      }
      if (entry.lastUsedAtMs < nowMs - LAST_USED_WRITE_INTERVAL_SECONDS * 1000) {
        await touch(entry, now);
      }
      return { user: entry.user, session: entry.session };
    },

    /**
     * Exchanges a refresh token for a new pair; the old pair stops working at
     * once. An already-rotated token is theft unless it comes back within the
     * leeway (a client racing itself): then it is refused without revoking.
     */
    async rotateRefreshToken(refreshToken: string, origin: Origin): Promise<IssuedTokens> {
      if (!isWellFormedToken(refreshToken, 'refresh')) throw tokenError('token_invalid');
      const now = clock();
      const outcome = await db.transaction(async (trx): Promise<RefreshOutcome> => {
        const row = await sessions.findRefreshToken(trx, hashToken(refreshToken));
        if (!row) return { error: 'token_invalid' };
        const problem = sessionProblem(row, now);
        if (problem) return { error: problem };

        if (row.rotated_at !== null) {
          const leewayEnds = addSeconds(new Date(row.rotated_at), lifetimes.refreshReuseLeeway);
          if (now <= leewayEnds) return { error: 'refresh_token_rotated' };
          // Both the thief and the owner hold this session's tokens now; end it for both.
          await sessions.revokeSession(trx, row.id, iso(now), 'refresh_token_reused');
          const reuse = { type: 'refresh_token_reused', userId: row.user_id, sessionId: row.id } as const;
          await audit.record({ ...reuse, detail: { rotated_at: row.rotated_at } }, origin, trx);
          return { error: 'refresh_token_reused', sessionId: row.id };
        }
        // Conditional claim: a concurrent request with the same token loses here.
        if (!(await sessions.claimRefreshToken(trx, row.token_hash, iso(now)))) {
          return { error: 'refresh_token_rotated' };
        }

        const expiresAt = earliest(
          addSeconds(now, lifetimes.sessionIdleTtl),
          new Date(row.max_expires_at),
        );
        const tokens = mintTokens(row.user_id, now, expiresAt);
        const changes = {
          access_token_hash: tokens.accessHash,
          access_expires_at: iso(tokens.accessExpiresAt),
          expires_at: iso(expiresAt),
          last_used_at: iso(now),
          ip: origin.ip,
          user_agent: origin.userAgent,
        };
        await sessions.updateSessionAfterRefresh(trx, row.id, changes);
        await sessions.insertRefreshToken(trx, {
          token_hash: tokens.refreshHash,
          session_id: row.id,
          issued_at: iso(now),
        });
        await audit.record({ type: 'token_refreshed', userId: row.user_id, sessionId: row.id }, origin, trx);
        return { issued: issued(row.id, tokens, expiresAt), sessionId: row.id };
      });
      // The old access token (and, on reuse, the whole session) must stop now, here and elsewhere.
      if ('issued' in outcome || outcome.error === 'refresh_token_reused') {
        await cache.invalidate({ kind: 'session', id: outcome.sessionId });
      }
      if ('issued' in outcome) return outcome.issued;
      if (outcome.error.startsWith('token_')) throw tokenError(outcome.error as TokenErrorCode);
      throw new AppError(outcome.error);
    },

    listLiveSessions(userId: number): Promise<SessionRow[]> {
      return sessions.listLiveSessions(db, userId, iso(clock()));
    },
  };
}

function issued(
  sessionId: string,
  tokens: { accessToken: string; refreshToken: string; accessExpiresAt: Date },
  sessionExpiresAt: Date,
): IssuedTokens {
  return {
    sessionId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: iso(tokens.accessExpiresAt),
    sessionExpiresAt: iso(sessionExpiresAt),
  };
}

function userOf(row: SessionWithUser): AuthUser {
  return {
    id: String(row.user_id),
    username: row.username,
    email: row.email,
    isAdmin: Boolean(row.is_admin),
    disabled: Boolean(row.disabled),
    createdAt: row.user_created_at,
  };
}

export function toAuthSession(row: SessionRow): AuthSession {
  return {
    id: row.id,
    userId: String(row.user_id),
    deviceName: row.device_name,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  };
}
