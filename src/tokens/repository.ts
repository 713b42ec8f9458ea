import { isPostgres, type Db } from '../db/connection.ts';

/** A `personal_access_tokens` row; `abilities` is a JSON array. Times are ISO-8601 strings. */
export interface TokenRow {
  id: string;
  user_id: number;
  name: string;
  abilities: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  revoked_at: string | null;
}

/** A token with the columns of its owner that authentication needs. */
export interface TokenWithUser extends TokenRow {
  username: string;
  email: string | null;
  is_admin: boolean | number;
  disabled: boolean | number;
  user_created_at: string;
}

/** Named, never `personal_access_tokens.*`: a prepared statement's columns must not change under it. */
const TOKEN_COLUMNS = [
  'personal_access_tokens.id',
  'personal_access_tokens.user_id',
  'personal_access_tokens.name',
  'personal_access_tokens.abilities',
  'personal_access_tokens.token_hash',
  'personal_access_tokens.created_at',
  'personal_access_tokens.last_used_at',
  'personal_access_tokens.expires_at',
  'personal_access_tokens.revoked_at',
];

const TOKEN_WITH_USER_COLUMNS = [
  ...TOKEN_COLUMNS,
  'users.username',
  'users.email',
  'users.is_admin',
  'users.disabled',
  'users.created_at as user_created_at',
];

export async function insertToken(db: Db, token: TokenRow): Promise<void> {
  await db('personal_access_tokens').insert(token);
}

/** The hot path, like sessions' `sessionsByAccessHashesQuery`: a batch of hashes as one binding. */
export function tokensByHashesQuery(db: Db, hashes: string | string[]) {
  const hashList = isPostgres(db) ? 'select unnest(?::text[])' : 'select value from json_each(?)';
  return db('personal_access_tokens')
    .join('users', 'users.id', 'personal_access_tokens.user_id')
    .whereRaw(`?? in (${hashList})`, ['personal_access_tokens.token_hash', hashes])
    .select(TOKEN_WITH_USER_COLUMNS);
}

/** Live tokens of a user (not revoked, not expired), newest first. */
export function listLiveTokens(db: Db, userId: number, now: string): Promise<TokenRow[]> {
  return db('personal_access_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .select(TOKEN_COLUMNS);
}

export function findLiveToken(db: Db, tokenId: string, now: string): Promise<TokenRow | undefined> {
  return db('personal_access_tokens')
    .where({ id: tokenId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .first(TOKEN_COLUMNS);
}

export function findTokenByHash(db: Db, tokenHash: string): Promise<TokenRow | undefined> {
  return db('personal_access_tokens').where({ token_hash: tokenHash }).first(TOKEN_COLUMNS);
}

/** Revokes one token if it is still live; true when this call revoked it. */
export async function revokeToken(db: Db, tokenId: string, now: string): Promise<boolean> {
  const updated = await db('personal_access_tokens')
    .where({ id: tokenId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .update({ revoked_at: now });
  return updated === 1;
}

/** Revokes every live token of a user (disable, password change with revoke_tokens); returns how many. */
export function revokeUserTokens(db: Db, userId: number, now: string): Promise<number> {
  return db('personal_access_tokens')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .update({ revoked_at: now });
}

/** `last_used_at`, at most once per interval (the condition makes a repeat a no-op). */
export async function touchTokens(
  db: Db,
  tokenIds: readonly string[],
  now: string,
  usedBefore: string,
): Promise<void> {
  await db('personal_access_tokens')
    .whereIn('id', [...tokenIds])
    .where((query) => query.whereNull('last_used_at').orWhere('last_used_at', '<', usedBefore))
    .update({ last_used_at: now });
}
