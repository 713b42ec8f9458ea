import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { migrationSettings } from '../../src/db/migrate.ts';
import { startListeningServer, startServer } from '../helpers/server-process.ts';

test('npm start migrates a new SQLite file, ensures the admin, serves, and stops cleanly', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-start-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const databaseFile = join(directory, 'nested', 'tessera.sqlite');
  t.timeout(120_000); // includes building dist/, as npm start does
  const { server, port } = await startListeningServer(
    {
      DATABASE_URL: databaseFile,
      ADMIN_USERNAME: 'root',
      ADMIN_PASSWORD: 'an admin password for tests',
    },
    'npm-start',
  );
  t.teardown(() => server.kill('SIGKILL'));

  const login = await fetch(`http://127.0.0.1:${port}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'an admin password for tests' }),
  });
  t.is(login.status, 200, server.output());

  server.kill('SIGTERM');
  const [code] = await once(server, 'exit');
  t.is(code, 0, server.output());

  const db = createDb(databaseFile);
  t.teardown(() => db.destroy());
  const admin = await db('users').where({ username: 'root' }).first();
  t.truthy(admin.is_admin);

  // The compiled server recorded the migrations under the names the sources
  // use, so the CLI and tests (run from source) find nothing left to apply.
  const [completed, pending] = (await db.migrate.list(migrationSettings)) as [
    Array<{ name: string }>,
    unknown[],
  ];
  t.deepEqual(pending, []);
  t.true(completed.length > 0 && completed.every(({ name }) => name.endsWith('.ts')));
});

test('a bad configuration value stops start-up with one line naming the variable', async (t) => {
  const server = startServer({ ACCESS_TOKEN_TTL: 'soon', DATABASE_URL: ':memory:' });
  const [code] = await once(server, 'exit');
  t.is(code, 1);
  const lines = server.output().trim().split('\n');
  t.is(lines.length, 1, server.output());
  t.regex(lines[0] ?? '', /ACCESS_TOKEN_TTL/);
});
