import sqlite3 from 'sqlite3';
import { isPostgres, sqliteFilename, type Db } from './connection.ts';

/**
 * A read that runs so often that knex's per-call cost matters more than the
 * query itself (the auth lookup on every cache miss, the revocation poll 50
 * times a second), run as a statement prepared once:
 *
 * - SQLite file: its own read-only connections, each with the statement
 *   prepared once. WAL lets them read while the main connection writes, and
 *   they see only committed rows.
 * - PostgreSQL: a named statement on the pool's connections (prepared once
 *   per connection by the driver).
 * - SQLite `:memory:` (tests): the knex query, since a second connection
 *   would open a different, empty database.
 *
 * The SQL comes from the repository's knex query (`toNative()`), so the
 * prepared statement and the knex query can never drift apart.
 */
export interface PreparedQuery<Row> {
  /** Runs the statement; `about` is added to the `query` event (a batch's size, say). */
  all(bindings: readonly unknown[], about?: Record<string, unknown>): Promise<Row[]>;
  close(): Promise<void>;
}

export interface PreparedQuerySpec<Row> {
  /** The statement's name: PostgreSQL's name for it, and what knex's `query` event reports. */
  readonly name: string;
  /** The repository's query; `bindings` are placeholders when only its SQL is wanted. */
  query(db: Db, ...bindings: unknown[]): { toSQL(): { toNative(): { sql: string } } } & PromiseLike<unknown>;
  /** How many placeholder values `query` takes. */
  readonly arity: number;
  /**
   * Read-only SQLite connections to spread calls over: node-sqlite3 runs each
   * query on the libuv thread pool but serialises one connection's queries.
   */
  readonly sqliteReaders?: number;
}

export function createPreparedQuery<Row>(db: Db, spec: PreparedQuerySpec<Row>): PreparedQuery<Row> {
  if (isPostgres(db)) return postgresQuery(db, spec);
  const filename = sqliteFilename(db);
  if (filename === undefined) {
    return { all: async (bindings) => (await spec.query(db, ...bindings)) as Row[], close: async () => {} };
  }
  return sqliteQuery(db, filename, spec);
}

/** The query's SQL in the driver's own placeholder style (`?` for SQLite, `$1` for PostgreSQL). */
function nativeSql<Row>(db: Db, spec: PreparedQuerySpec<Row>): string {
  const placeholders = Array.from({ length: spec.arity }, (_, i) => `placeholder ${i}`);
  return spec.query(db, ...placeholders).toSQL().toNative().sql;
}

/**
 * Prepared statements bypass knex, so announce them on knex's `query` event
 * like any other query: logging and query counting see them too.
 */
function announce(db: Db, name: string, about: Record<string, unknown> | undefined): void {
  db.emit('query', { method: 'select', sql: name, bindings: [], prepared: true, ...about });
}

interface Reader {
  readonly connection: sqlite3.Database;
  readonly statement: sqlite3.Statement;
}

function openReader(filename: string, sql: string): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const connection = new sqlite3.Database(filename, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) return reject(openError);
      connection.configure('busyTimeout', 5000);
      const statement = connection.prepare(sql, (prepareError) => {
        if (!prepareError) return resolve({ connection, statement });
        // A statement that cannot be prepared (no such table yet) must not leave its connection open.
        connection.close(() => reject(prepareError));
      });
    });
  });
}

async function closeReader({ connection, statement }: Reader): Promise<void> {
  await new Promise((resolve) => statement.finalize(() => resolve(undefined)));
  await new Promise((resolve) => connection.close(() => resolve(undefined)));
}

/** `count` readers, or none: when one fails to open, those that did are closed again. */
async function openReaders(count: number, filename: string, sql: string): Promise<Reader[]> {
  const attempts = await Promise.allSettled(Array.from({ length: count }, () => openReader(filename, sql)));
  const failure = attempts.find((attempt) => attempt.status === 'rejected');
  if (!failure) return attempts.map((attempt) => (attempt as PromiseFulfilledResult<Reader>).value);
  for (const attempt of attempts) if (attempt.status === 'fulfilled') await closeReader(attempt.value);
  throw failure.reason;
}

function sqliteQuery<Row>(db: Db, filename: string, spec: PreparedQuerySpec<Row>): PreparedQuery<Row> {
  // Opened on first use, when migrations have certainly created the tables.
  let readers: Promise<Reader[]> | undefined;
  let closed = false;
  let next = 0;

  return {
    async all(bindings, about) {
      // After close() nothing may open connections that nothing would close.
      if (closed) throw new Error(`prepared query ${spec.name}: used after close()`);
      readers ??= openReaders(spec.sqliteReaders ?? 1, filename, nativeSql(db, spec)).catch((error: unknown) => {
        readers = undefined; // the next call tries again (the file may not exist yet)
        throw error;
      });
      const pool = await readers;
      const { statement } = pool[(next = (next + 1) % pool.length)]!;
      announce(db, spec.name, about);
      return new Promise((resolve, reject) =>
        statement.all(bindings, (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows))),
      );
    },
    async close() {
      closed = true;
      if (!readers) return;
      // Readers that never opened have nothing to close.
      const opened = await readers.catch(() => []);
      readers = undefined;
      for (const reader of opened) await closeReader(reader);
    },
  };
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function postgresQuery<Row>(db: Db, spec: PreparedQuerySpec<Row>): PreparedQuery<Row> {
  const text = nativeSql(db, spec);
  return {
    async all(bindings, about) {
      const client = (await db.client.acquireConnection()) as PgClient;
      announce(db, spec.name, about);
      try {
        const { rows } = await client.query({ name: spec.name, text, values: [...bindings] });
        return rows as Row[];
      } finally {
        await db.client.releaseConnection(client);
      }
    },
    close: async () => {},
  };
}
