import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createScratchPostgresDatabase, TEST_REDIS_URL } from '../helpers/database.ts';
import { runCli } from '../helpers/cli-process.ts';

test('the CLI exits by itself with REDIS_URL set (real Redis), on SQLite and on PostgreSQL', async (t) => {
  t.timeout(90_000);
  if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL must be set for the scale suite');
  const directory = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  for (const DATABASE_URL of [join(directory, 'cli.sqlite'), await createScratchPostgresDatabase(t)]) {
    const listed = await runCli({ DATABASE_URL, REDIS_URL: TEST_REDIS_URL }, ['users']);
    t.is(listed.code, 0, listed.output);
    t.regex(listed.output, /0 of 0 users/);
    // Generous: start-up (tsx, migrations) is slow on a busy machine; a hang is killed at 30 s.
    t.true(listed.ms < 20_000, `took ${listed.ms} ms`);
  }
});
