import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';

export type Db = Knex;

export interface DbOptions {
  /** Most PostgreSQL connections (default 10). SQLite always uses one. */
  readonly poolMax?: number;
  /** PostgreSQL schemas to search (tests give each run its own schema). */
  readonly searchPath?: readonly string[];
}

/** True for `postgres://` and `postgresql://` URLs; anything else is a SQLite path. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//.test(databaseUrl);
}

/** True when `db` talks to PostgreSQL (made from a `postgres://` URL); otherwise it is SQLite. */
export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/** knex settings for a `DATABASE_URL`, shared by the app, the CLI and `knexfile.ts`. */
export function knexSettings(databaseUrl: string, options: DbOptions = {}): Knex.Config {
  if (isPostgresUrl(databaseUrl)) {
    return {
      client: 'pg',
      connection: databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
      ...(options.searchPath ? { searchPath: [...options.searchPath] } : {}),
    };
  }
  const inMemory = databaseUrl === ':memory:';
  if (!inMemory) mkdirSync(dirname(databaseUrl), { recursive: true });
  return {
    client: 'sqlite3',
    connection: { filename: databaseUrl },
    useNullAsDefault: true,
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
  return knex(knexSettings(databaseUrl, options));
}
