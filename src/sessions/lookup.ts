import DataLoader from 'dataloader';
import sqlite3 from 'sqlite3';
import { isPostgres, sqliteFilename, type Db } from '../db/connection.ts';
import {
  boundHashes,
  findSessionsByAccessHashes,
  sessionsByAccessHashesQuery,
  type SessionWithUser,
} from './repository.ts';

/**
 * The hot-path query: access-token hash → session joined to its user.
 *
 * Two things make a cache miss cheap:
 *
 * - It runs as a prepared statement, not a knex query built afresh for
 *   every request (knex costs far more per call than the indexed lookup).
 *   SQLite file: a few read-only connections with the statement prepared
 *   once each; WAL lets them read while the main connection writes, and
 *   they see only committed rows. PostgreSQL: a named statement, prepared
 *   once per pooled connection. SQLite `:memory:` (tests): the knex query,
 *   since a second connection would open a different, empty database.
 *
 * - Misses that arrive together share one query. Every lookup asked for
 *   while the event loop handles one round of incoming requests is sent as
 *   one batch (DataLoader, scheduled with setImmediate), so under load one
 *   hand-off to the database serves many requests, and when idle a lookup
 *   waits for nothing. A batch runs after every lookup in it was issued, so
 *   each lookup sees every commit made before it was asked for: a
 *   revocation is never missed by a request that follows it.
 */
export interface SessionLookup {
  findByAccessHash(accessTokenHash: string): Promise<SessionWithUser | undefined>;
  close(): Promise<void>;
}

/** Runs one batch: the rows (in any order) for the hashes that exist. */
interface BatchQuery<Row> {
  find(hashes: readonly string[]): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * One hot-path lookup by token hash: sessions by access-token hash here,
 * personal access tokens in tokens/lookup.ts. Both run the same machinery,
 * so a PAT costs what a session costs.
 */
export interface HashLookupSpec<Row> {
  /** The name of the prepared statement, in logs and on knex's `query` event. */
  readonly statementName: string;
  /** The repository's query for a batch bound as `binding` (see `boundHashes`). */
  query(db: Db, binding: string | string[]): { toSQL(): { toNative(): { sql: string } } };
  /** The same lookup through knex (SQLite `:memory:`). */
  find(db: Db, hashes: readonly string[]): Promise<Row[]>;
  /** The hash a row was found by. */
  hashOf(row: Row): string;
}

/** The most lookups in one query; bounds the bound JSON array and the rows per batch. */
const MAX_BATCH = 128;

/**
 * The SQL of the repository's query, in the driver's own placeholder style
 * (`?` for SQLite, `$1` for PostgreSQL), so the prepared statement and the
 * knex query can never drift apart. Its one binding is the batch of hashes.
 */
function lookupSql<Row>(db: Db, spec: HashLookupSpec<Row>): string {
  return spec.query(db, 'token hashes').toSQL().toNative().sql;
}

/**
 * Prepared statements bypass knex, so announce them on knex's `query` event
 * like any other query: logging and query counting see the hot path too.
 */
function announce(db: Db, statementName: string, batchSize: number): void {
  db.emit('query', { method: 'select', sql: statementName, bindings: [], prepared: true, batchSize });
}

/**
 * Read-only connections for the lookup. node-sqlite3 runs each query on the
 * libuv thread pool but serialises the queries of one connection, so one
 * connection would leave batches waiting behind each other; a few overlap.
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

function sqliteBatches<Row>(db: Db, filename: string, spec: HashLookupSpec<Row>): BatchQuery<Row> {
  // Opened on first use, when migrations have certainly created the tables.
  let readers: Promise<Reader[]> | undefined;
  let next = 0;

  return {
    async find(hashes) {
      readers ??= Promise.all(
        Array.from({ length: SQLITE_READERS }, () => openReader(filename, lookupSql(db, spec))),
      );
      const pool = await readers;
      const { statement } = pool[(next = (next + 1) % pool.length)]!;
      announce(db, spec.statementName, hashes.length);
      return new Promise((resolve, reject) =>
        statement.all(boundHashes(db, hashes), (error: Error | null, rows: Row[]) =>
          error ? reject(error) : resolve(rows),
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
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function postgresBatches<Row>(db: Db, spec: HashLookupSpec<Row>): BatchQuery<Row> {
  const text = lookupSql(db, spec);
  return {
    async find(hashes) {
      const client = (await db.client.acquireConnection()) as PgClient;
      announce(db, spec.statementName, hashes.length);
      try {
        const values = [boundHashes(db, hashes)];
        const { rows } = await client.query({ name: spec.statementName, text, values });
        return rows as Row[];
      } finally {
        await db.client.releaseConnection(client);
      }
    },
    close: async () => {},
  };
}

function knexBatches<Row>(db: Db, spec: HashLookupSpec<Row>): BatchQuery<Row> {
  return { find: (hashes) => spec.find(db, hashes), close: async () => {} };
}

/** A batched, prepared lookup of rows by token hash (see SessionLookup above). */
export function createHashLookup<Row>(db: Db, spec: HashLookupSpec<Row>) {
  const filename = sqliteFilename(db);
  const batches = isPostgres(db)
    ? postgresBatches(db, spec)
    : filename === undefined
      ? knexBatches(db, spec)
      : sqliteBatches(db, filename, spec);

  const loader = new DataLoader<string, Row | undefined>(
    async (hashes) => {
      const rows = await batches.find(hashes);
      const rowOf = new Map(rows.map((row) => [spec.hashOf(row), row]));
      return hashes.map((hash) => rowOf.get(hash));
    },
    {
      // Never remember answers: a session can be revoked between two requests.
      cache: false,
      maxBatchSize: MAX_BATCH,
      // After the current round of I/O callbacks, so requests that arrived together share a batch.
      batchScheduleFn: (runBatch) => setImmediate(runBatch),
    },
  );

  return {
    find: (hash: string): Promise<Row | undefined> => loader.load(hash),
    close: () => batches.close(),
  };
}

const SESSIONS_BY_ACCESS_HASH: HashLookupSpec<SessionWithUser> = {
  statementName: 'sessions_by_access_hashes',
  query: sessionsByAccessHashesQuery,
  find: findSessionsByAccessHashes,
  hashOf: (row) => row.access_token_hash,
};

export function createSessionLookup(db: Db): SessionLookup {
  const lookup = createHashLookup(db, SESSIONS_BY_ACCESS_HASH);
  return { findByAccessHash: lookup.find, close: lookup.close };
}
