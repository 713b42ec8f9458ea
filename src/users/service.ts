import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import type { PasswordHasher } from '../crypto/passwords.ts';
import { uniqueViolationColumn } from '../db/unique-violation.ts';
import { AppError, validationFailed } from '../errors/app-error.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import type { RevokingTransaction } from '../sessions/revoking-transaction.ts';
import * as sessions from '../sessions/repository.ts';
import * as tokens from '../tokens/repository.ts';
import { tokenError } from '../auth/token-errors.ts';
import { emailKey, usernameKey } from './identity.ts';
import { passwordProblem } from './password-policy.ts';
import * as users from './repository.ts';
import type { UserRow } from './repository.ts';

export type UsersService = ReturnType<typeof createUsersService>;

export interface Registration {
  username: string;
  password: string;
  email: string | null;
}

/** How a login names the account: by username or by email. */
export type LoginName = { username: string } | { email: string };

/** Accounts: registration, credentials, password changes, the start-up admin. */
export function createUsersService(deps: {
  db: Db;
  clock: Clock;
  passwords: PasswordHasher;
  revokingTransaction: RevokingTransaction;
  audit: AuditLog;
}) {
  const { db, clock, passwords, revokingTransaction, audit } = deps;

  function checkPolicy(field: string, password: string, account: Registration | UserRow): void {
    const problem = passwordProblem(password, account);
    if (problem) throw validationFailed([{ field, message: problem }]);
  }

  return {
    async register(registration: Registration, origin: Origin, options: { isAdmin?: boolean } = {}) {
      checkPolicy('password', registration.password, registration);
      const passwordHash = await passwords.hash(registration.password);
      try {
        return await db.transaction(async (trx) => {
          const user = await users.insertUser(trx, {
            username: registration.username,
            usernameKey: usernameKey(registration.username),
            email: registration.email,
            emailKey: registration.email === null ? null : emailKey(registration.email),
            passwordHash,
            isAdmin: options.isAdmin ?? false,
            now: clock().toISOString(),
          });
          const detail = { is_admin: Boolean(user.is_admin) };
          await audit.record({ type: 'user_registered', userId: user.id, detail }, origin, trx);
          return user;
        });
      } catch (error) {
        // The unique indexes are the real check, so two racing sign-ups get a 409, not a 500.
        const column = uniqueViolationColumn(error, 'users');
        if (column === 'username_key') throw new AppError('username_taken');
        if (column === 'email_key') throw new AppError('email_taken');
        throw error;
      }
    },

    /**
     * The user for a correct name and password, or `invalid_credentials`
     * (the same answer and the same argon2 cost whether or not the name
     * exists). A disabled account is reported only after a correct password,
     * so the answer reveals nothing to someone guessing.
     */
    async verifyCredentials(name: LoginName, password: string, origin: Origin): Promise<UserRow> {
      const user =
        'username' in name
          ? await users.findUserByUsernameKey(db, usernameKey(name.username))
          : await users.findUserByEmailKey(db, emailKey(name.email));
      const matches = await passwords.verify(user?.password_hash, password);
      if (!user || !matches || user.disabled) {
        const reason = !user ? 'unknown_user' : !matches ? 'wrong_password' : 'account_disabled';
        await audit.record({ type: 'login_failed', userId: user?.id, detail: { reason } }, origin);
        throw new AppError(reason === 'account_disabled' ? 'account_disabled' : 'invalid_credentials');
      }
      // Upgrade old hashes while the plaintext is at hand.
      if (passwords.needsRehash(user.password_hash)) {
        const rehashed = await passwords.hash(password);
        await users.updatePasswordHash(db, user.id, rehashed, clock().toISOString());
      }
      return user;
    },

    /**
     * Changes the password and ends every other session of the user, so a
     * device that learned the old password (or holds a stolen token) is out.
     * Returns how many sessions were revoked.
     *
     * Requests race here (two devices changing the password at once, a login
     * with the old password in flight), so the transaction first replaces
     * the password only if it is still the one just verified (the user row
     * stays locked until commit on PostgreSQL, so changes of one user queue),
     * then checks that the caller's own session is still live: a change made
     * a moment earlier from another device has revoked it, and this one must
     * not succeed from a logged-out device.
     */
    async changePassword(
      userId: number,
      currentSessionId: string,
      passwordsGiven: { current: string; next: string },
      origin: Origin,
      options: { revokeTokens?: boolean } = {},
    ): Promise<number> {
      const { current: currentPassword, next: newPassword } = passwordsGiven;
      const user = await users.findUserById(db, userId);
      if (!user) throw new AppError('not_found');
      const wrongCurrent = () =>
        validationFailed([{ field: 'current_password', message: 'does not match the current password' }]);
      if (!(await passwords.verify(user.password_hash, currentPassword))) throw wrongCurrent();
      checkPolicy('new_password', newPassword, user);
      const passwordHash = await passwords.hash(newPassword);
      return revokingTransaction(async (trx, invalidate) => {
        const now = clock().toISOString();
        if (!(await users.replacePassword(trx, user.id, user.credential_version, passwordHash, now))) {
          throw wrongCurrent();
        }
        if (!(await sessions.findLiveSession(trx, currentSessionId, now))) throw tokenError('token_revoked');
        const revoked = await sessions.revokeUserSessions(trx, user.id, now, 'password_changed', currentSessionId);
        // PATs are separate credentials and survive a password change unless asked (API.md).
        if (options.revokeTokens) await tokens.revokeUserTokens(trx, user.id, now);
        const event = { type: 'password_changed', userId: user.id, sessionId: currentSessionId } as const;
        await audit.record({ ...event, detail: { revoked } }, origin, trx);
        invalidate({ kind: 'user', id: String(user.id) });
        return revoked;
      });
    },

    /**
     * ADMIN_USERNAME / ADMIN_PASSWORD at start-up: creates that admin, or
     * promotes the existing user of that name. An existing password is kept.
     * Safe when several instances start at once on one database: the unique
     * index lets exactly one create the row, and the others take that row.
     */
    async ensureAdmin(username: string, password: string, origin: Origin): Promise<UserRow> {
      const existing = await users.findUserByUsernameKey(db, usernameKey(username));
      if (!existing) {
        try {
          return await this.register({ username, password, email: null }, origin, { isAdmin: true });
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'username_taken')) throw error;
          // Another instance created the row between our read and our insert (committed,
          // or the unique index would not have refused ours): start over and find it.
          return this.ensureAdmin(username, password, origin);
        }
      }
      if (!existing.is_admin) {
        await revokingTransaction(async (trx, invalidate) => {
          await users.setAdmin(trx, existing.id, true, clock().toISOString());
          await audit.record({ type: 'admin_granted', userId: existing.id }, origin, trx);
          invalidate({ kind: 'user', id: String(existing.id) });
        });
      }
      return { ...existing, is_admin: true };
    },

    findById: (userId: number) => users.findUserById(db, userId),
  };
}
