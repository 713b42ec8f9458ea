import { isPostgres, type Db } from '../db/connection.ts';

/** A `sessions` row. Times are ISO-8601 strings. */
export interface SessionRow {
  id: string;
  user_id: number;
  device_name: string;
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  max_expires_at: string;
  access_token_hash: string;
  access_expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** A session with the columns of its user that authentication needs. */
export interface SessionWithUser extends SessionRow {
  username: string;
  email: string | null;
  is_admin: boolean | number;
  disabled: boolean | number;
  user_created_at: string;
}

/** A refresh token with the session it belongs to. */
export interface RefreshTokenWithSession extends SessionWithUser {
  token_hash: string;
  rotated_at: string | null;
}

/** Why a session ended, stored in `revoked_reason`. */
export type RevocationReason =
  | 'logout'
  | 'logout_all'
  | 'revoked_by_user'
  | 'password_changed'
  | 'refresh_token_reused'
  | 'revoked_by_admin'
  | 'user_disabled';

/**
 * Named, never `sessions.*`: the lookup is a prepared statement, and on
 * PostgreSQL a prepared statement whose result columns change under it (a
 * migration adding a column while old instances still run, in a rolling
 * deploy) fails with "cached plan must not change result type".
 */
const SESSION_WITH_USER_COLUMNS = [
  'sessions.id',
  'sessions.user_id',
  'sessions.device_name',
  'sessions.user_agent',
  'sessions.ip',
  'sessions.created_at',
  'sessions.last_used_at',
  'sessions.expires_at',
  'sessions.max_expires_at',
  'sessions.access_token_hash',
  'sessions.access_expires_at',
  'sessions.revoked_at',
  'sessions.revoked_reason',
  'users.username',
  'users.email',
  'users.is_admin',
  'users.disabled',
  'users.created_at as user_created_at',
];

export async function insertSession(db: Db, session: SessionRow): Promise<void> {
  await db('sessions').insert(session);
}

export async function insertRefreshToken(
  db: Db,
  token: { token_hash: string; session_id: string; issued_at: string },
): Promise<void> {
  await db('refresh_tokens').insert({ ...token, rotated_at: null });
}

/**
 * The hot path: the sessions, joined to their users, whose access tokens hash
 * to any of a batch of hashes, by the unique index. The whole batch is one
 * bound parameter (see `boundHashes`), so one prepared statement serves every
 * batch size. Rows carry `access_token_hash`, which pairs each row with the
 * hash that found it.
 */
export function sessionsByAccessHashesQuery(db: Db, hashes: string | string[]) {
  const hashList = isPostgres(db) ? 'select unnest(?::text[])' : 'select value from json_each(?)';
  return db('sessions')
    .join('users', 'users.id', 'sessions.user_id')
    .whereRaw(`?? in (${hashList})`, ['sessions.access_token_hash', hashes])
    .select(SESSION_WITH_USER_COLUMNS);
}

/** A batch of hashes as the query above binds it: a `text[]` on PostgreSQL, a JSON array on SQLite. */
export function boundHashes(db: Db, hashes: readonly string[]): string | string[] {
  return isPostgres(db) ? [...hashes] : JSON.stringify(hashes);
}

/** The same lookup as a knex query (SQLite `:memory:`, where no second connection can see the data). */
export async function findSessionsByAccessHashes(
  db: Db,
  hashes: readonly string[],
): Promise<SessionWithUser[]> {
  return (await sessionsByAccessHashesQuery(db, boundHashes(db, hashes))) as SessionWithUser[];
}

export function findRefreshToken(
  db: Db,
  tokenHash: string,
): Promise<RefreshTokenWithSession | undefined> {
  return db('refresh_tokens')
    .join('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .join('users', 'users.id', 'sessions.user_id')
    .where('refresh_tokens.token_hash', tokenHash)
    .first([...SESSION_WITH_USER_COLUMNS, 'refresh_tokens.token_hash', 'refresh_tokens.rotated_at']);
}

/**
 * Marks a refresh token as used. Conditional on it not being used yet, so of
 * two requests racing with the same token exactly one sees `true` (no
 * read-then-write window, on any database or number of instances).
 */
export async function claimRefreshToken(db: Db, tokenHash: string, now: string): Promise<boolean> {
  const updated = await db('refresh_tokens')
    .where({ token_hash: tokenHash })
    .whereNull('rotated_at')
    .update({ rotated_at: now });
  return updated === 1;
}

/** Stores a refreshed session's new access token, if the session is still live; true when it was. */
export async function updateSessionAfterRefresh(
  db: Db,
  sessionId: string,
  changes: Pick<
    SessionRow,
    'access_token_hash' | 'access_expires_at' | 'expires_at' | 'last_used_at' | 'ip' | 'user_agent'
  >,
): Promise<boolean> {
  const updated = await db('sessions').where({ id: sessionId }).whereNull('revoked_at').update(changes);
  return updated === 1;
}

/**
 * Records that sessions were used, at most once per interval: the condition
 * on `last_used_at` makes the write a no-op for a session another request
 * already touched.
 */
export async function touchSessions(
  db: Db,
  sessionIds: readonly string[],
  now: string,
  usedBefore: string,
): Promise<void> {
  await db('sessions')
    .whereIn('id', [...sessionIds])
    .where('last_used_at', '<', usedBefore)
    .update({ last_used_at: now });
}

/** Revokes one session if it is still live; true when this call revoked it. */
export async function revokeSession(
  db: Db,
  sessionId: string,
  now: string,
  reason: RevocationReason,
): Promise<boolean> {
  const updated = await db('sessions')
    .where({ id: sessionId })
    .whereNull('revoked_at')
    .update({ revoked_at: now, revoked_reason: reason });
  return updated === 1;
}

/** Revokes every live session of a user (optionally but one); returns how many. */
export function revokeUserSessions(
  db: Db,
  userId: number,
  now: string,
  reason: RevocationReason,
  exceptSessionId?: string,
): Promise<number> {
  const query = db('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now);
  if (exceptSessionId) query.whereNot({ id: exceptSessionId });
  return query.update({ revoked_at: now, revoked_reason: reason });
}

/** Live sessions of a user (not revoked, not expired), newest first. */
export function listLiveSessions(db: Db, userId: number, now: string): Promise<SessionRow[]> {
  return db<SessionRow>('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
}

export function findLiveSession(
  db: Db,
  sessionId: string,
  now: string,
): Promise<SessionRow | undefined> {
  return db<SessionRow>('sessions')
    .where({ id: sessionId })
    .whereNull('revoked_at')
    .where('expires_at', '>', now)
    .first();
}

/** Ids of sessions that expired, or were revoked, before `cutoff`: safe to delete. */
export function findPrunableSessionIds(db: Db, cutoff: string, limit: number): Promise<string[]> {
  return db('sessions')
    .where('expires_at', '<', cutoff)
    .orWhere('revoked_at', '<', cutoff)
    .limit(limit)
    .pluck('id');
}

/** Deletes sessions (their refresh tokens go with them: ON DELETE CASCADE). */
export function deleteSessions(db: Db, ids: string[]): Promise<number> {
  return db('sessions').whereIn('id', ids).delete();
}
