import { isPostgres, type Db } from '../db/connection.ts';
import { paginate, type Page } from '../db/paginate.ts';

/** A `users` row as the database returns it (booleans may be 0/1 on SQLite). */
export interface UserRow {
  id: number;
  username: string;
  username_key: string;
  email: string | null;
  email_key: string | null;
  password_hash: string;
  is_admin: boolean | number;
  disabled: boolean | number;
  /** Bumped by every password change (see the migration that adds it). */
  credential_version: number;
  created_at: string;
  updated_at: string;
}

export interface NewUser {
  username: string;
  usernameKey: string;
  email: string | null;
  emailKey: string | null;
  passwordHash: string;
  isAdmin: boolean;
  now: string;
}

export async function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  const [row] = await db<UserRow>('users')
    .insert({
      username: user.username,
      username_key: user.usernameKey,
      email: user.email,
      email_key: user.emailKey,
      password_hash: user.passwordHash,
      is_admin: user.isAdmin,
      disabled: false,
      created_at: user.now,
      updated_at: user.now,
    })
    .returning('*');
  if (!row) throw new Error('insert into users returned no row');
  return row;
}

export function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export function findUserByUsernameKey(db: Db, usernameKey: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ username_key: usernameKey }).first();
}

export function findUserByEmailKey(db: Db, emailKey: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email_key: emailKey }).first();
}

export async function updatePasswordHash(
  db: Db,
  id: number,
  passwordHash: string,
  now: string,
): Promise<void> {
  await db<UserRow>('users').where({ id }).update({ password_hash: passwordHash, updated_at: now });
}

/**
 * Replaces the password, but only if it is still the one the caller verified
 * (`credentialVersion`), and bumps the version so that logins that verified
 * the old password cannot create sessions any more. False when the password
 * changed in between. On PostgreSQL the row stays locked until the
 * transaction ends, so password changes and logins of one user serialise.
 */
export async function replacePassword(
  db: Db,
  id: number,
  credentialVersion: number,
  passwordHash: string,
  now: string,
): Promise<boolean> {
  const updated = await db<UserRow>('users')
    .where({ id, credential_version: credentialVersion })
    .update({
      password_hash: passwordHash,
      credential_version: credentialVersion + 1,
      updated_at: now,
    });
  return updated === 1;
}

/**
 * What a new session must agree with, read under a share lock (PostgreSQL;
 * SQLite has one writer anyway): a password change or a disable that has not
 * committed yet makes this wait, then reports the new state, and one that
 * comes after waits for the session to commit, then revokes it.
 */
export function lockCredentials(
  db: Db,
  id: number,
): Promise<Pick<UserRow, 'credential_version' | 'disabled'> | undefined> {
  const query = db<UserRow>('users').where({ id }).first('credential_version', 'disabled');
  return isPostgres(db) ? query.forShare() : query;
}

export async function setAdmin(db: Db, id: number, isAdmin: boolean, now: string): Promise<void> {
  await db<UserRow>('users').where({ id }).update({ is_admin: isAdmin, updated_at: now });
}

export async function updateUserFlags(
  db: Db,
  id: number,
  flags: { disabled?: boolean; is_admin?: boolean },
  now: string,
): Promise<void> {
  await db<UserRow>('users')
    .where({ id })
    .update({ ...flags, updated_at: now });
}

/** Escapes LIKE wildcards so a search for "a_b" means exactly that. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** A page of users in id order; `q` matches username or email, ignoring case. */
export async function listUsers(
  db: Db,
  filter: { q?: string },
  page: Page,
): Promise<{ rows: UserRow[]; total: number }> {
  const matching = () => {
    const query = db<UserRow>('users');
    if (filter.q) {
      const pattern = likePattern(filter.q.toLowerCase());
      query.where((where) =>
        where
          .whereRaw("username_key like ? escape '\\'", [pattern])
          .orWhereRaw("email_key like ? escape '\\'", [pattern]),
      );
    }
    return query;
  };
  return paginate(matching, { column: 'id', direction: 'asc' }, page);
}
