import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Db } from './connection.ts';

/**
 * The project's `migrations/` folder beside this module's tree: the
 * TypeScript sources under tsx (tests, CLI), or their compiled copies in
 * `dist/` under `npm start`.
 */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('../../migrations', import.meta.url));

/** `.ts` when running from the sources, `.js` when running compiled. */
const MODULE_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Lists the migrations under one stable name, `<file>.ts`, whichever copy
 * runs. knex records each applied migration by name, so a database migrated
 * by the compiled server and one migrated by the CLI or the tests agree on
 * what has been applied.
 */
export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(MIGRATIONS_DIRECTORY)
      .filter((file) => file.endsWith(MODULE_EXTENSION) && !file.endsWith('.d.ts'))
      .sort();
  },
  getMigrationName: (file) => file.slice(0, -MODULE_EXTENSION.length) + '.ts',
  getMigration: (file) => import(pathToFileURL(join(MIGRATIONS_DIRECTORY, file)).href),
};

export const migrationSettings = { migrationSource } as const;

const RETRY_DELAY_MS = 250;
const MAX_ATTEMPTS = 120; // 30 s

/**
 * True for the errors a migration run gets when another instance is migrating
 * the same database at that moment: knex's lock is held, or both raced to
 * create knex's own bookkeeping tables (PostgreSQL: 23505, 42P07, or 42710
 * for the table's row type; SQLite says "table `knex_migrations` already
 * exists"), or SQLite stayed busy.
 */
function isConcurrentMigration(error: unknown): boolean {
  const { message = '', code } = error as { message?: string; code?: string };
  if (code === 'SQLITE_BUSY') return true;
  if (code === 'SQLITE_ERROR' && /table `knex_migrations\w*` already exists/.test(message)) return true;
  return isLockRefusal(error) || code === '23505' || code === '42P07' || code === '42710';
}

/** knex's "Migration table is already locked". */
function isLockRefusal(error: unknown): boolean {
  return /already locked/i.test((error as { message?: string }).message ?? '');
}

/** knex's lock table (its default name): one row, `is_locked` 0 or 1. */
const KNEX_LOCK_TABLE = 'knex_migrations_lock';

/**
 * Leaves knex's lock table with its first row only. knex creates that row
 * with a read-then-insert, so instances migrating a fresh database together
 * can each insert one (knex/knex#3538). Taking the lock must update exactly
 * one row, so with two rows nobody can ever take it again: every start
 * fails with "already locked" until someone runs `knex migrate:unlock`.
 * Deleting the extra rows is safe because a table with several rows is held
 * by nobody (and our batches run in one transaction each, so a held lock is
 * never committed). With one row this deletes nothing.
 */
async function dropDuplicateLockRows(db: Db): Promise<void> {
  await db(KNEX_LOCK_TABLE).where('index', '>', db(KNEX_LOCK_TABLE).min('index')).delete();
}

/**
 * Applies every pending migration (what `npm start` does before serving).
 * Several instances starting together take turns: knex refuses a run while
 * another holds its lock, so we wait and try again until the other finishes.
 */
export async function migrateToLatest(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.migrate.latest(migrationSettings);
      return;
    } catch (error) {
      if (!isConcurrentMigration(error) || attempt >= MAX_ATTEMPTS) throw error;
      if (isLockRefusal(error)) await dropDuplicateLockRows(db);
      await sleep(RETRY_DELAY_MS);
    }
  }
}
