import type { Db } from '../db/connection.ts';

/** A `service_clients` row: only the SHA-256 of the secret is kept. */
export interface ClientRow {
  id: string;
  name: string;
  client_id: string;
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
}

const CLIENT_COLUMNS = ['id', 'name', 'client_id', 'secret_hash', 'created_at', 'last_used_at'];

export async function insertClient(db: Db, client: ClientRow): Promise<void> {
  await db('service_clients').insert(client);
}

/** Every client, oldest first. */
export function listClients(db: Db): Promise<ClientRow[]> {
  return db('service_clients').orderBy([{ column: 'created_at' }, { column: 'id' }]).select(CLIENT_COLUMNS);
}

export function findClientByClientId(db: Db, clientId: string): Promise<ClientRow | undefined> {
  return db('service_clients').where({ client_id: clientId }).first(CLIENT_COLUMNS);
}

export function findClient(db: Db, id: string): Promise<ClientRow | undefined> {
  return db('service_clients').where({ id }).first(CLIENT_COLUMNS);
}

/** Deletes a client; true when it existed. */
export async function deleteClient(db: Db, id: string): Promise<boolean> {
  return (await db('service_clients').where({ id }).delete()) === 1;
}

/** `last_used_at`, at most once per interval (the condition makes a repeat a no-op). */
export async function touchClient(db: Db, id: string, now: string, usedBefore: string): Promise<void> {
  await db('service_clients')
    .where({ id })
    .where((query) => query.whereNull('last_used_at').orWhere('last_used_at', '<', usedBefore))
    .update({ last_used_at: now });
}

/** What introspection needs to know about a refresh token: its own state and its session's. */
export interface RefreshTokenState {
  session_id: string;
  user_id: number;
  issued_at: string;
  rotated_at: string | null;
  expires_at: string;
  revoked_at: string | null;
  username: string;
  is_admin: boolean | number;
  disabled: boolean | number;
}

export function findRefreshTokenState(db: Db, tokenHash: string): Promise<RefreshTokenState | undefined> {
  return db('refresh_tokens')
    .join('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .join('users', 'users.id', 'sessions.user_id')
    .where('refresh_tokens.token_hash', tokenHash)
    .first([
      'refresh_tokens.session_id',
      'sessions.user_id',
      'refresh_tokens.issued_at',
      'refresh_tokens.rotated_at',
      'sessions.expires_at',
      'sessions.revoked_at',
      'users.username',
      'users.is_admin',
      'users.disabled',
    ]);
}
