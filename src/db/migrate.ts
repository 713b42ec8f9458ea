import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './connection.ts';

/** The project's `migrations/` folder, wherever the process was started from. */
export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('../../migrations', import.meta.url));

export const migrationSettings = {
  directory: MIGRATIONS_DIRECTORY,
  loadExtensions: ['.ts'],
} as const;

const RETRY_DELAY_MS = 250;
const MAX_ATTEMPTS = 120; // 30 s

/**
 * True for the errors a migration run gets when another instance is migrating
 * the same database at that moment: knex's lock is held, or both raced to
 * create knex's own bookkeeping tables.
 */
function isConcurrentMigration(error: unknown): boolean {
  const { message = '', code } = error as { message?: string; code?: string };
  return /already locked/i.test(message) || code === '23505' || code === '42P07';
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
      await sleep(RETRY_DELAY_MS);
    }
  }
}
