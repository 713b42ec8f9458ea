import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';

export type Db = Knex;

export interface DbOptions {
  /** Most PostgreSQL connections (default 10). SQLite always uses one. */
  readonly poolMax?: number;
  /** PostgreSQL schemas to search (tests give each run its own schema). */
  readonly searchPath?: readonly string[];
  /**
   * Seconds any one step may wait on the database (default 5): getting a
   * connection from the pool, opening one, and (PostgreSQL) one statement.
   * Past it the step fails, and the request answers 503 instead of hanging.
   */
  readonly timeoutSeconds?: number;
}

/** `DATABASE_TIMEOUT`'s default, for callers that do not pass one (embedding apps, knexfile). */
export const DEFAULT_DATABASE_TIMEOUT_SECONDS = 5;

/**
 * How much longer the client waits for an answer than the server's
 * statement_timeout: a slow statement is cancelled by the server (the
 * connection stays usable); only when the server says nothing at all (a
 * silent partition) does the client give up itself.
 */
const CLIENT_TIMEOUT_MARGIN_MS = 250;

/** True for `postgres://` and `postgresql://` URLs; anything else is a SQLite path. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//.test(databaseUrl);
}

/** True when `db` talks to PostgreSQL (made from a `postgres://` URL); otherwise it is SQLite. */
export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/**
 * The SQLite file `db` opened, or undefined for PostgreSQL and `:memory:`.
 * Read from the knex instance itself, never from the configuration: an
 * embedding app may hand Tessera a knex instance on another database than
 * `DATABASE_URL`.
 */
export function sqliteFilename(db: Db): string | undefined {
  if (isPostgres(db)) return undefined;
  const connection = db.client.config.connection as { filename?: string } | undefined;
  const filename = connection?.filename;
  return filename && filename !== ':memory:' ? filename : undefined;
}

/**
 * knex prints a warning with a stack trace for every failed connection
 * acquisition and every dropped connection: one per request during an
 * outage. The error reaches the request, whose 503 the outage monitor logs
 * once per outage (src/db/outage.ts), so these are dropped; any other knex
 * warning still goes to standard error.
 */
const KNEX_LOG: Knex.Config['log'] = {
  warn(message: unknown) {
    if (typeof message === 'string' && /^(Acquire connection error|Connection Error)/.test(message)) return;
    console.warn(message);
  },
};

/** knex settings for a `DATABASE_URL`, shared by the app, the CLI and `knexfile.ts`. */
export function knexSettings(databaseUrl: string, options: DbOptions = {}): Knex.Config {
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_DATABASE_TIMEOUT_SECONDS) * 1000;
  if (isPostgresUrl(databaseUrl)) {
    return {
      client: 'pg',
      log: KNEX_LOG,
      connection: {
        connectionString: databaseUrl,
        connectionTimeoutMillis: timeoutMs,
        statement_timeout: timeoutMs,
        query_timeout: timeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      },
      acquireConnectionTimeout: timeoutMs,
      pool: { min: 0, max: options.poolMax ?? 10, createTimeoutMillis: timeoutMs },
      ...(options.searchPath ? { searchPath: [...options.searchPath] } : {}),
    };
  }
  const inMemory = databaseUrl === ':memory:';
  if (!inMemory) mkdirSync(dirname(databaseUrl), { recursive: true });
  return {
    client: 'sqlite3',
    log: KNEX_LOG,
    connection: { filename: databaseUrl },
    useNullAsDefault: true,
    // Requests queue for the one connection; past this they answer 503 rather than wait on.
    acquireConnectionTimeout: timeoutMs,
    // One connection: SQLite has one writer anyway, so requests queue in the
    // pool instead of failing with SQLITE_BUSY; an in-memory database exists
    // only inside the connection that created it. WAL lets the CLI or a
    // backup read the file while the server writes; busy_timeout covers the
    // moments another process (the CLI) holds the write lock.
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: SqliteConnection, done: (error: Error | null) => void) {
        const pragmas = ['PRAGMA foreign_keys = ON', 'PRAGMA busy_timeout = 5000'];
        if (!inMemory) pragmas.push('PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL');
        connection.exec(pragmas.join('; '), (error) => done(error));
      },
    },
  };
}

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

/** Opens a knex instance for `databaseUrl`; close it with `db.destroy()`. */
export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const db = knex(knexSettings(databaseUrl, options));
  if (isPostgresUrl(databaseUrl)) discardConnectionsLeftWaiting(db);
  return db;
}

interface PgConnection {
  _getActiveQuery?(): unknown;
  _queryQueue?: unknown[];
  connection?: { stream?: { destroy(): void } };
  __knex__disposed?: unknown;
}

/**
 * A connection handed back to the pool while a query is still outstanding
 * is one whose query the client gave up on (query_timeout: the server never
 * answered). It must never serve again: during a partition it would make the
 * next request wait too, and once the network heals the server would run
 * what was held back (a BEGIN and an INSERT, say), leaving a transaction
 * open that the next request's COMMIT would complete. So it is closed at
 * once (the server rolls back whatever it had) and knex discards it.
 */
function discardConnectionsLeftWaiting(db: Db): void {
  const pool = (db.client as { pool?: { on(event: 'release', listener: (resource: PgConnection) => void): void } }).pool;
  pool?.on('release', (connection) => {
    const waiting = Boolean(connection._getActiveQuery?.()) || (connection._queryQueue?.length ?? 0) > 0;
    if (!waiting) return;
    connection.__knex__disposed = 'a query timed out on this connection';
    connection.connection?.stream?.destroy();
  });
}
