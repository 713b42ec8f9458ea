import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { ThrottledAccount } from '../rate-limit/password-guard.ts';
import { emailKey, usernameKey } from './identity.ts';
import { findUserByEmailKey, findUserByUsernameKey } from './repository.ts';
import type { LoginName } from './service.ts';

/**
 * The account a login attempt counts against, found before the password is
 * checked: one budget per account whether it was named by username or by
 * email (`user:<id>`). An unknown name counts under a digest of its
 * normalised form, so it is throttled exactly like an account (same count,
 * same answers, one lookup either way) and the name typed (which may be a
 * password typed in the wrong field) is never kept in Redis or the audit
 * trail.
 */
export function createAccountKeys(deps: { db: Db }) {
  const { db } = deps;
  return {
    async forLoginName(name: LoginName): Promise<ThrottledAccount> {
      const normalised = 'username' in name ? `username:${usernameKey(name.username)}` : `email:${emailKey(name.email)}`;
      const user =
        'username' in name
          ? await findUserByUsernameKey(db, usernameKey(name.username))
          : await findUserByEmailKey(db, emailKey(name.email));
      if (user) return accountOfUser(user.id);
      return { key: `name:${createHash('sha256').update(normalised).digest('base64url')}`, userId: null };
    },
  };
}

export type AccountKeys = ReturnType<typeof createAccountKeys>;

/** The throttle's account for a signed-in user (PUT /me/password): the same budget as logins. */
export function accountOfUser(userId: number | string): ThrottledAccount {
  return { key: `user:${userId}`, userId: Number(userId) };
}
