import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createRevocationEpochReader } from '../../src/auth/revocation-epochs.ts';
import { createDb } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/**
 * This process's open file descriptors (Linux): every SQLite connection holds at least one. The
 * tests run one at a time (serial) so that they do not see each other's connections.
 */
const openFiles = () => readdirSync('/proc/self/fd').length;

function scratchFile(t: import('ava').ExecutionContext): string {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-prepared-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, 'tessera.sqlite');
}

test.serial('a statement that cannot be prepared leaves no connection open, however often it is retried', async (t) => {
  // A database without the table (not migrated yet): every poll fails to prepare.
  const db = createDb(scratchFile(t));
  await db.raw('select 1');
  t.teardown(() => db.destroy());
  const reader = createRevocationEpochReader(db, 'this-instance');

  await t.throwsAsync(reader.read(), { message: /no such table/ });
  const before = openFiles();
  for (let i = 0; i < 50; i += 1) await t.throwsAsync(reader.read(), { message: /no such table/ });
  t.is(openFiles(), before);
  await reader.close();
});

test.serial('once the table exists the reader works, and after close() it opens nothing again', async (t) => {
  const db = createDb(scratchFile(t));
  t.teardown(() => db.destroy());
  const reader = createRevocationEpochReader(db, 'this-instance');
  await t.throwsAsync(reader.read());

  await migrateToLatest(db);
  await db('revocation_epochs').insert({ origin: 'the-cli', epoch: 3, updated_at: new Date().toISOString() });
  t.deepEqual(await reader.read(), [{ origin: 'the-cli', epoch: 3 }]);

  await reader.close();
  const closed = openFiles();
  await t.throwsAsync(reader.read(), { message: /after close/ });
  t.is(openFiles(), closed);
});
