import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import type { CachedTokenAuth, SessionCache } from '../auth/session-cache.ts';
import type { AuthToken, AuthUser } from '../auth/state.ts';
import { authenticateNow, type CachedCredential } from '../auth/cached-credential.ts';
import { tokenError, type TokenErrorCode } from '../auth/token-errors.ts';
import type { Clock } from '../clock.ts';
import { generateToken, hashToken } from '../crypto/tokens.ts';
import type { Db } from '../db/connection.ts';
import { AppError, validationFailed } from '../errors/app-error.ts';
import { createLastUsedWriter, LAST_USED_WRITE_INTERVAL_SECONDS } from '../sessions/last-used.ts';
import type { RevokingTransaction } from '../sessions/revoking-transaction.ts';
import { addSeconds, iso } from '../sessions/time.ts';
import * as users from '../users/repository.ts';
import { ADMIN_ABILITY } from './abilities.ts';
import type { TokenLookup } from './lookup.ts';
import * as tokens from './repository.ts';
import type { TokenRow, TokenWithUser } from './repository.ts';
import type { CreateTokenInput } from './schemas.ts';

export type TokensService = ReturnType<typeof createTokensService>;

/** A token just created: the only place its plaintext exists. */
export interface CreatedToken {
  readonly row: TokenRow;
  readonly plaintext: string;
}

export interface AuthenticatedToken {
  readonly user: AuthUser;
  readonly token: AuthToken;
}

type TokenAnswer = AuthenticatedToken & { readonly expiresAtMs: number };

/**
 * Personal access tokens: create, authenticate, list, revoke. They live
 * beside sessions and follow the same rules: the database holds only the
 * SHA-256, a hit in the shared cache costs no query, every revocation goes
 * through the revoking transaction (invalidated by the token's id), and
 * `last_used_at` is written at most once a minute.
 */
export function createTokensService(deps: {
  db: Db;
  clock: Clock;
  lifetimes: { readonly patDefaultTtl: number; readonly patMaxTtl: number };
  audit: AuditLog;
  lookup: TokenLookup;
  cache: SessionCache;
  revokingTransaction: RevokingTransaction;
}) {
  const { db, clock, lifetimes, audit, lookup, cache, revokingTransaction } = deps;
  const lastUsed = createLastUsedWriter(db, tokens.touchTokens);

  /** Reads a token and its owner (batched, prepared) and caches it when usable. */
  async function loadEntry(tokenHash: string, now: Date): Promise<CachedTokenAuth> {
    const epochBeforeRead = cache.epoch();
    const row = await lookup.find(tokenHash);
    if (!row) throw tokenError('token_invalid');
    const problem = tokenProblem(row, now);
    if (problem) throw tokenError(problem);
    const entry: CachedTokenAuth = {
      user: Object.freeze(ownerOf(row)),
      token: Object.freeze(toAuthToken(row)),
      expiresAtMs: Date.parse(row.expires_at),
      lastUsedAtMs: row.last_used_at === null ? 0 : Date.parse(row.last_used_at),
    };
    cache.set(tokenHash, entry, epochBeforeRead);
    return entry;
  }

  /** The answer for a live entry; the once-a-minute `last_used_at` write is the only wait. */
  function admitEntry(entry: CachedTokenAuth, now: Date): TokenAnswer | Promise<TokenAnswer> {
    const nowMs = now.getTime();
    if (nowMs >= entry.expiresAtMs) throw tokenError('token_expired');
    const answer = () => ({ user: entry.user, token: entry.token, expiresAtMs: entry.expiresAtMs });
    if (entry.lastUsedAtMs < nowMs - LAST_USED_WRITE_INTERVAL_SECONDS * 1000) {
      entry.lastUsedAtMs = nowMs;
      entry.token = Object.freeze({ ...entry.token, lastUsedAt: iso(now) });
      return lastUsed.record(entry.token.id, now).then(answer);
    }
    return answer();
  }

  /** Ends one live token, with its audit event, on every instance's cache. */
  async function revokeWhere(
    find: (trx: Db, now: string) => Promise<TokenRow | undefined>,
    origin: Origin,
    detail: Record<string, string>,
  ): Promise<boolean> {
    return revokingTransaction(async (trx, invalidate) => {
      const now = iso(clock());
      const row = await find(trx, now);
      if (!row || !(await tokens.revokeToken(trx, row.id, now))) return false;
      await audit.record({ type: 'token_revoked', userId: row.user_id, detail: { token_id: row.id, ...detail } }, origin, trx);
      invalidate({ kind: 'session', id: row.id });
      return true;
    });
  }

  const personalTokens: CachedCredential<CachedTokenAuth, TokenAnswer> = {
    type: 'personal',
    cached: (tokenHash) => cache.getToken(tokenHash),
    load: loadEntry,
    admit: admitEntry,
  };

  return {
    /**
     * Creates a token for `owner` and returns it with its plaintext, shown
     * once. `admin` may be given only by an admin; every token expires.
     */
    async create(owner: AuthUser, input: CreateTokenInput, origin: Origin): Promise<CreatedToken> {
      if (input.abilities.includes(ADMIN_ABILITY) && !owner.isAdmin) {
        throw new AppError('forbidden', 'Only admins can give a token the admin ability.');
      }
      const ttl = input.expires_in ?? lifetimes.patDefaultTtl;
      if (ttl > lifetimes.patMaxTtl) {
        throw validationFailed([{ field: 'expires_in', message: `must be at most ${lifetimes.patMaxTtl} seconds` }]);
      }
      const now = clock();
      const plaintext = generateToken('personal', owner.id, now);
      const row: TokenRow = {
        id: randomUUID(),
        user_id: Number(owner.id),
        name: input.name,
        abilities: JSON.stringify(input.abilities),
        token_hash: hashToken(plaintext),
        created_at: iso(now),
        last_used_at: null,
        expires_at: iso(addSeconds(now, ttl)),
        revoked_at: null,
      };
      await db.transaction(async (trx) => {
        await tokens.insertToken(trx, row);
        const detail = { token_id: row.id, name: row.name };
        await audit.record({ type: 'token_created', userId: row.user_id, detail }, origin, trx);
      });
      return { row, plaintext };
    },

    /**
     * Resolves a personal access token to its owner and token, or throws the
     * 401 that says why not. Malformed tokens never reach the database.
     */
    async authenticate(plaintext: string): Promise<TokenAnswer> {
      return authenticateNow(personalTokens, plaintext, clock());
    },

    /** `authenticate`, answered at once on a cache hit (see sessions' `authenticateNow`). */
    authenticateNow: (plaintext: string) => authenticateNow(personalTokens, plaintext, clock()),

    listLiveTokens: (userId: number) => tokens.listLiveTokens(db, userId, iso(clock())),

    /** GET /admin/users/:id/tokens: not_found for an unknown user. */
    async listUserTokens(userId: number): Promise<TokenRow[]> {
      if (!(await users.findUserById(db, userId))) throw new AppError('not_found', 'No such user.');
      return tokens.listLiveTokens(db, userId, iso(clock()));
    },

    /** DELETE /tokens/:id: one of the caller's live tokens; anything else is not_found. */
    async revokeOwnToken(userId: number, tokenId: string, origin: Origin): Promise<void> {
      const find = async (trx: Db, now: string) => {
        const row = await tokens.findLiveToken(trx, tokenId, now);
        return row?.user_id === userId ? row : undefined;
      };
      if (!(await revokeWhere(find, origin, { reason: 'revoked_by_user' }))) {
        throw new AppError('not_found', 'No such token.');
      }
    },

    /** DELETE /admin/tokens/:id and the CLI's revoke-token. */
    async revokeTokenAsAdmin(tokenId: string, origin: Origin): Promise<void> {
      const find = (trx: Db, now: string) => tokens.findLiveToken(trx, tokenId, now);
      if (!(await revokeWhere(find, origin, { reason: 'revoked_by_admin' }))) {
        throw new AppError('not_found', 'No such token.');
      }
    },

    /** POST /oauth/revoke with a PAT: holding it is the proof. False when it was not live. */
    revokeByPlaintext(plaintext: string, origin: Origin): Promise<boolean> {
      const tokenHash = hashToken(plaintext);
      const find = async (trx: Db, now: string) => {
        const row = await tokens.findTokenByHash(trx, tokenHash);
        return row && row.revoked_at === null && row.expires_at > now ? row : undefined;
      };
      return revokeWhere(find, origin, { reason: 'revoked_by_owner', via: 'revocation_endpoint' });
    },
  };
}

/** Why a token can no longer be used, or undefined when it is live. */
function tokenProblem(row: TokenWithUser, now: Date): TokenErrorCode | undefined {
  if (row.revoked_at !== null || row.disabled) return 'token_revoked';
  if (iso(now) >= row.expires_at) return 'token_expired';
  return undefined;
}

function ownerOf(row: TokenWithUser): AuthUser {
  return {
    id: String(row.user_id),
    username: row.username,
    email: row.email,
    isAdmin: Boolean(row.is_admin),
    disabled: Boolean(row.disabled),
    createdAt: row.user_created_at,
  };
}

export function toAuthToken(row: TokenRow): AuthToken {
  return {
    id: row.id,
    userId: String(row.user_id),
    name: row.name,
    abilities: Object.freeze(JSON.parse(row.abilities) as string[]),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  };
}
