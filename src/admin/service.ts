import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import { parseNumericId } from '../http/ids.ts';
import * as sessions from '../sessions/repository.ts';
import * as tokens from '../tokens/repository.ts';
import type { SessionRevocation } from '../sessions/revocation.ts';
import type { RevokingTransaction } from '../sessions/revoking-transaction.ts';
import { usernameKey } from '../users/identity.ts';
import * as users from '../users/repository.ts';
import type { UserRow } from '../users/repository.ts';

export type AdminService = ReturnType<typeof createAdminService>;

export interface UserFlags {
  disabled?: boolean;
  is_admin?: boolean;
}

/** What operators can do to accounts and sessions; used by /admin routes and the CLI. */
export function createAdminService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  revocation: SessionRevocation;
  revokingTransaction: RevokingTransaction;
}) {
  const { db, clock, audit, revocation, revokingTransaction } = deps;

  async function requireUser(userId: number, trx: Db = db): Promise<UserRow> {
    const user = await users.findUserById(trx, userId);
    if (!user) throw new AppError('not_found', 'No such user.');
    return user;
  }

  return {
    listUsers: (filter: { q?: string }, page: { offset: number; limit: number }) =>
      users.listUsers(db, filter, page),

    /** A user by numeric id or by username (for the CLI); not_found otherwise. */
    async findUser(reference: string): Promise<UserRow> {
      const id = parseNumericId(reference);
      const user =
        (id !== undefined ? await users.findUserById(db, id) : undefined) ??
        (await users.findUserByUsernameKey(db, usernameKey(reference)));
      if (!user) throw new AppError('not_found', `No such user: ${reference}`);
      return user;
    },

    /**
     * Disables/enables a user and grants/removes admin. Disabling revokes every
     * session of the user in the same transaction, so their tokens stop at
     * once. An admin cannot disable or demote themselves, so the last admin
     * cannot lock everyone out by mistake.
     */
    async updateUser(userId: number, flags: UserFlags, origin: Origin): Promise<UserRow> {
      const selfLockout = flags.disabled === true || flags.is_admin === false;
      if (origin.actorId === userId && selfLockout) {
        throw new AppError('forbidden', 'Admins cannot disable or demote themselves.');
      }
      // Cached tokens carry the user's flags, so every change drops them.
      return revokingTransaction(async (trx, invalidate) => {
        const before = await requireUser(userId, trx);
        const now = clock().toISOString();
        // Update the user row before revoking: a login in flight holds a share lock on it while it
        // writes its session (users/repository.ts lockCredentials), so the revocation below sees
        // that session, or the login sees the account disabled.
        await users.updateUserFlags(trx, userId, flags, now);
        if (flags.disabled !== undefined && flags.disabled !== Boolean(before.disabled)) {
          const revoked = flags.disabled
            ? await sessions.revokeUserSessions(trx, userId, now, 'user_disabled')
            : 0;
          // For good: enabling the user again does not bring their personal access tokens back.
          if (flags.disabled) await tokens.revokeUserTokens(trx, userId, now);
          const type = flags.disabled ? 'user_disabled' : 'user_enabled';
          await audit.record({ type, userId, detail: { revoked } }, origin, trx);
        }
        if (flags.is_admin !== undefined && flags.is_admin !== Boolean(before.is_admin)) {
          const type = flags.is_admin ? 'admin_granted' : 'admin_revoked';
          await audit.record({ type, userId }, origin, trx);
        }
        invalidate({ kind: 'user', id: String(userId) });
        return requireUser(userId, trx);
      });
    },

    async listUserSessions(userId: number) {
      await requireUser(userId);
      return sessions.listLiveSessions(db, userId, clock().toISOString());
    },

    async revokeUserSessions(userId: number, origin: Origin): Promise<number> {
      await requireUser(userId);
      return revocation.revokeAllAsAdmin(userId, origin);
    },

    revokeSession: (sessionId: string, origin: Origin) =>
      revocation.revokeSessionAsAdmin(sessionId, origin),
  };
}
