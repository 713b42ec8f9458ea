import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import { generateToken, hashToken, isWellFormedToken } from '../crypto/tokens.ts';
import { authenticateNow, type CachedCredential } from '../auth/cached-credential.ts';
import { tokenError, type TokenErrorCode } from '../auth/token-errors.ts';
import type { AuthSession, AuthUser } from '../auth/state.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import * as sessions from './repository.ts';
import type { SessionRow, SessionWithUser } from './repository.ts';
import { addSeconds, earliest, iso } from './time.ts';
import type { CachedAuth, SessionCache } from '../auth/session-cache.ts';
import type { SessionLookup } from './lookup.ts';
import type { RevokingTransaction } from './revoking-transaction.ts';
import { lockCredentials } from '../users/repository.ts';
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
  /**
   * The clock reading both expiries were computed from, so the answer's
   * `expires_in` is exactly ACCESS_TOKEN_TTL rather than a second less.
   */
  readonly issuedAt: string;
}

export interface Authenticated {
  readonly user: AuthUser;
  readonly session: AuthSession;
  /** When the access token itself expires (introspection's `exp`). */
  readonly accessExpiresAtMs: number;
}

type RefreshOutcome =
  | { readonly issued: IssuedTokens }
  | { readonly error: TokenErrorCode | 'refresh_token_rotated' | 'refresh_token_reused' };

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
  revokingTransaction: RevokingTransaction;
}) {
  const { db, clock, lifetimes, audit, lookup, cache, revokingTransaction } = deps;
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
      issuedAt: now,
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

  /** The answer for a live entry; the once-a-minute `last_used_at` write is the only wait. */
  function admitEntry(entry: CachedAuth, now: Date): Authenticated | Promise<Authenticated> {
    const nowMs = now.getTime();
    // Checked on every request, cached or not: expiry depends only on the clock.
    if (nowMs >= entry.sessionExpiresAtMs || nowMs >= entry.accessExpiresAtMs) {
      throw tokenError('token_expired');
    }
    const answer = () => ({ user: entry.user, session: entry.session, accessExpiresAtMs: entry.accessExpiresAtMs });
    if (entry.lastUsedAtMs < nowMs - LAST_USED_WRITE_INTERVAL_SECONDS * 1000) {
      return touch(entry, now).then(answer);
    }
    return answer();
  }

  /** Why a session can no longer be used, or undefined when it is live. */
  function sessionProblem(row: SessionWithUser, now: Date): TokenErrorCode | undefined {
    if (row.revoked_at !== null || row.disabled) return 'token_revoked';
    if (iso(now) >= row.expires_at) return 'token_expired';
    return undefined;
  }

  const accessTokens: CachedCredential<CachedAuth, Authenticated> = {
    type: 'access',
    cached: (tokenHash) => cache.get(tokenHash),
    load: loadEntry,
    admit: admitEntry,
  };

  return {
    /**
     * Logs a user in on one more device. Other devices are untouched.
     *
     * The password was verified before this, outside any transaction (argon2
     * takes tens of milliseconds). The session is written only if that
     * password is still the current one and the account still enabled, read
     * under a lock in the same transaction: a password change or a disable
     * that raced with this login either happened first (and this login is
     * refused) or waits for this session and then revokes it.
     */
    async createSession(
      credentials: { readonly userId: number; readonly credentialVersion: number },
      origin: Origin,
      deviceName: string,
    ) {
      const { userId } = credentials;
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
        const current = await lockCredentials(trx, userId);
        if (!current || current.credential_version !== credentials.credentialVersion) {
          throw new AppError('invalid_credentials');
        }
        if (current.disabled) throw new AppError('account_disabled');
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
     * Resolves an access token to its user and session, or rejects with the
     * 401 that says why not. Malformed tokens (wrong prefix, length or
     * checksum) are refused before any query.
     */
    async authenticate(accessToken: string): Promise<Authenticated> {
      return authenticateNow(accessTokens, accessToken, clock());
    },

    /**
     * `authenticate` for the bearer middleware's hot path: a cache hit is
     * answered at once, not as a promise, which saves the promise and the
     * event-loop turn of every `await` above it; errors are thrown, not
     * rejected. A miss still answers with a promise.
     */
    authenticateNow: (accessToken: string) => authenticateNow(accessTokens, accessToken, clock()),

    /**
     * Exchanges a refresh token for a new pair; the old pair stops working at
     * once. An already-rotated token is theft unless it comes back within the
     * leeway (a client racing itself): then it is refused without revoking.
     */
    async rotateRefreshToken(refreshToken: string, origin: Origin): Promise<IssuedTokens> {
      if (!isWellFormedToken(refreshToken, 'refresh')) throw tokenError('token_invalid');
      const now = clock();
      // Through the revoking transaction: the old access token (and, on reuse, the whole session)
      // must stop working at once, here and on every other instance.
      const outcome = await revokingTransaction(async (trx, invalidate): Promise<RefreshOutcome> => {
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
          invalidate({ kind: 'session', id: row.id });
          return { error: 'refresh_token_reused' };
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
        // Conditional on the session still being live: a revocation (password change, disable,
        // logout) that committed since the read above wins, and this refresh issues nothing.
        if (!(await sessions.updateSessionAfterRefresh(trx, row.id, changes))) {
          throw tokenError('token_revoked');
        }
        await sessions.insertRefreshToken(trx, {
          token_hash: tokens.refreshHash,
          session_id: row.id,
          issued_at: iso(now),
        });
        await audit.record({ type: 'token_refreshed', userId: row.user_id, sessionId: row.id }, origin, trx);
        invalidate({ kind: 'session', id: row.id });
        return { issued: issued(row.id, tokens, expiresAt) };
      });
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
  tokens: { accessToken: string; refreshToken: string; accessExpiresAt: Date; issuedAt: Date },
  sessionExpiresAt: Date,
): IssuedTokens {
  return {
    sessionId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: iso(tokens.accessExpiresAt),
    sessionExpiresAt: iso(sessionExpiresAt),
    issuedAt: iso(tokens.issuedAt),
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
