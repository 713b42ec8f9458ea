import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createDb, type Db } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { ON_POSTGRES, openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';

// Runs on SQLite in `npm test` and on PostgreSQL in `npm run test:scale`.

const LOCK_TABLE = 'knex_migrations_lock';

const lockRows = (db: Db) => db(LOCK_TABLE).select('index', 'is_locked').orderBy('index');

test('a lock table left with two rows by instances migrating together is mended, not locked for ever', async (t) => {
  t.timeout(60_000);
  const db = await openTestDb(t);
  const applied = await db('knex_migrations').count({ count: '*' }).first();
  // The state knex/knex#3538 leaves: two instances both saw the new lock table
  // empty and both inserted its row. knex can then never take its lock.
  await db(LOCK_TABLE).insert({ is_locked: 0 });
  t.is((await lockRows(db)).length, 2);

  const started = Date.now();
  await migrateToLatest(db);

  t.true(Date.now() - started < 10_000, 'mended on the first retry, not after the 30 s of retries');
  t.deepEqual((await lockRows(db)).map((row) => Number(row.is_locked)), [0]);
  t.deepEqual(await db('knex_migrations').count({ count: '*' }).first(), applied);
});

test('a lock another instance holds is waited for, never broken', async (t) => {
  t.timeout(60_000);
  const db = await openTestDb(t);
  // Another instance's migration holds knex's lock (committed, as a run
  // outside a transaction would hold it).
  await db(LOCK_TABLE).update({ is_locked: 1 });

  let finished = false;
  const migrating = migrateToLatest(db).then(() => (finished = true));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  t.false(finished, 'it waits while the lock is held');
  t.deepEqual((await lockRows(db)).map((row) => Number(row.is_locked)), [1], 'the held lock is left alone');

  await db(LOCK_TABLE).update({ is_locked: 0 }); // the other instance finishes
  await migrating;
  t.deepEqual((await lockRows(db)).map((row) => Number(row.is_locked)), [0]);
});

/**
 * Connections to one fresh database, as separate instances would have: on
 * PostgreSQL a schema of its own, on SQLite a file (an in-memory database
 * cannot be shared).
 */
async function freshDatabaseConnections(t: ExecutionContext, count: number): Promise<Db[]> {
  const options = { timeoutSeconds: 30 } as const;
  if (ON_POSTGRES) {
    const schema = `tessera_migrate_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = createDb(TEST_DATABASE_URL, { poolMax: 1 });
    await admin.raw('create schema ??', [schema]);
    const dbs = Array.from({ length: count }, () =>
      createDb(TEST_DATABASE_URL, { ...options, poolMax: 2, searchPath: [schema] }),
    );
    t.teardown(async () => {
      await Promise.all(dbs.map((db) => db.destroy()));
      await admin.raw('drop schema ?? cascade', [schema]);
      await admin.destroy();
    });
    return dbs;
  }
  const directory = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
  const dbs = Array.from({ length: count }, () => createDb(join(directory, 'tessera.sqlite'), options));
  t.teardown(async () => {
    await Promise.all(dbs.map((db) => db.destroy()));
    rmSync(directory, { recursive: true, force: true });
  });
  return dbs;
}

test('instances migrating one fresh database at once all finish, leaving one lock row', async (t) => {
  t.timeout(120_000);
  for (let round = 0; round < 5; round += 1) {
    const dbs = await freshDatabaseConnections(t, 4);
    await Promise.all(dbs.map((db) => migrateToLatest(db)));
    const [db] = dbs as [Db];
    t.deepEqual((await lockRows(db)).map((row) => Number(row.is_locked)), [0]);
    const names = (await db('knex_migrations').select('name')).map((row) => row.name as string);
    t.is(new Set(names).size, names.length, 'no migration applied twice');
    t.true(await db.schema.hasTable('users'));
  }
});
