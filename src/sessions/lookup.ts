import sqlite3 from 'sqlite3';
import { isPostgresUrl, type Db } from '../db/connection.ts';
import {
  findSessionByAccessHash,
  sessionByAccessHashQuery,
  type SessionWithUser,
} from './repository.ts';

/**
 * The hot-path query: access-token hash → session joined to its user, as one
 * prepared statement instead of a knex query built afresh for every request
 * (knex costs far more per call than the indexed lookup itself).
 *
 * - SQLite file: a few read-only connections with the statement prepared
 *   once each. WAL lets them read while the main connection writes, and
 *   they see only committed rows.
 * - PostgreSQL: a named statement, which the server prepares once per
 *   pooled connection.
 * - SQLite `:memory:` (tests): the knex query, since a second connection
 *   would open a different, empty database.
 */
export interface SessionLookup {
  findByAccessHash(accessTokenHash: string): Promise<SessionWithUser | undefined>;
  close(): Promise<void>;
}

/**
 * The SQL of the repository's query, in the driver's own placeholder style
 * (`?` for SQLite, `$1` for PostgreSQL), so the prepared statement and the
 * knex query can never drift apart. Its one binding is the token hash.
 */
function lookupSql(db: Db): string {
  return sessionByAccessHashQuery(db, 'token hash').toSQL().toNative().sql;
}

/**
 * Prepared statements bypass knex, so announce them on knex's `query` event
 * like any other query: logging and query counting see the hot path too.
 */
function announce(db: Db, sql: string): void {
  db.emit('query', { method: 'select', sql, bindings: [], prepared: true });
}

/**
 * Read-only connections for the lookup. node-sqlite3 runs each query on the
 * libuv thread pool but serialises the queries of one connection, so one
 * connection leaves the event loop waiting; a few of them overlap.
 */
const SQLITE_READERS = 4;

interface Reader {
  readonly connection: sqlite3.Database;
  readonly statement: sqlite3.Statement;
}

function openReader(filename: string, sql: string): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const connection = new sqlite3.Database(filename, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) return reject(openError);
      connection.configure('busyTimeout', 5000);
      const statement = connection.prepare(
        sql,
        (prepareError) => (prepareError ? reject(prepareError) : resolve({ connection, statement })),
      );
    });
  });
}

function sqliteLookup(db: Db, filename: string): SessionLookup {
  // Opened on first use, when migrations have certainly created the tables.
  let readers: Promise<Reader[]> | undefined;
  let next = 0;

  return {
    async findByAccessHash(hash) {
      readers ??= Promise.all(
        Array.from({ length: SQLITE_READERS }, () => openReader(filename, lookupSql(db))),
      );
      const pool = await readers;
      const { statement } = pool[(next = (next + 1) % pool.length)]!;
      announce(db, 'session_by_access_hash');
      return new Promise((resolve, reject) =>
        statement.get(hash, (error: Error | null, row?: SessionWithUser) =>
          error ? reject(error) : resolve(row),
        ),
      );
    },
    async close() {
      if (!readers) return;
      for (const { connection, statement } of await readers) {
        await new Promise((resolve) => statement.finalize(() => resolve(undefined)));
        await new Promise((resolve) => connection.close(() => resolve(undefined)));
      }
    },
  };
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: SessionWithUser[] }>;
}

function postgresLookup(db: Db): SessionLookup {
  const query = {
    name: 'tessera_session_by_access_hash',
    text: lookupSql(db),
  };
  return {
    async findByAccessHash(hash) {
      const client = (await db.client.acquireConnection()) as PgClient;
      announce(db, query.name);
      try {
        const { rows } = await client.query({ ...query, values: [hash] });
        return rows[0];
      } finally {
        await db.client.releaseConnection(client);
      }
    },
    close: async () => {},
  };
}

export function createSessionLookup(db: Db, databaseUrl: string): SessionLookup {
  if (isPostgresUrl(databaseUrl)) return postgresLookup(db);
  if (databaseUrl !== ':memory:') return sqliteLookup(db, databaseUrl);
  return { findByAccessHash: (hash) => findSessionByAccessHash(db, hash), close: async () => {} };
}
