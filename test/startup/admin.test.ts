import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parseConfig } from '../../src/config/config.ts';
import { createDb } from '../../src/db/connection.ts';
import { createScratchPostgresDatabase, ON_POSTGRES } from '../helpers/database.ts';
import { startListeningServer, startServer } from '../helpers/server-process.ts';

const WEAK_ADMIN_PASSWORDS: Array<[string, RegExp]> = [
  ['short', /at least 8 characters/],
  ['password123', /most commonly used/],
  ['Root.Admin', /same as the username/],
];

for (const [password, why] of WEAK_ADMIN_PASSWORDS) {
  test(`a weak ADMIN_PASSWORD (${password}) stops start-up with one line naming it, exit 1`, async (t) => {
    const server = startServer({ DATABASE_URL: ':memory:', ADMIN_USERNAME: 'root.admin', ADMIN_PASSWORD: password });
    const [code] = await once(server, 'exit');
    t.is(code, 1, server.output());
    const lines = server.output().trim().split('\n');
    t.is(lines.length, 1, server.output());
    t.regex(lines[0] ?? '', /^Invalid configuration: ADMIN_PASSWORD: /);
    t.regex(lines[0] ?? '', why);
    t.false(lines[0]?.includes(password), 'the password itself is never printed');
  });
}

test('parseConfig checks the admin like any account: username pattern, then password policy', (t) => {
  t.regex(
    t.throws(() => parseConfig({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'qwerty123' })).message,
    /^Invalid configuration: ADMIN_PASSWORD: is one of the most commonly used passwords$/,
  );
  t.regex(
    t.throws(() => parseConfig({ ADMIN_USERNAME: 'a b', ADMIN_PASSWORD: 'a long admin password' })).message,
    /^Invalid configuration: ADMIN_USERNAME: /,
  );
  t.is(parseConfig({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'a long admin password' }).admin?.username, 'root');
});

/** A fresh database for server processes: a SQLite file, or (scale suite) a PostgreSQL database. */
async function freshDatabase(t: ExecutionContext): Promise<string> {
  if (ON_POSTGRES) return createScratchPostgresDatabase(t);
  const directory = mkdtempSync(join(tmpdir(), 'tessera-admin-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, 'tessera.sqlite');
}

test('instances starting together on one fresh database all come up, with exactly one admin', async (t) => {
  t.timeout(120_000);
  const databaseUrl = await freshDatabase(t);
  const env = {
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'an admin password for tests',
  };
  const starts = [startListeningServer(env), startListeningServer(env), startListeningServer(env)];
  const results = await Promise.allSettled(starts);
  for (const result of results) {
    if (result.status === 'fulfilled') t.teardown(() => result.value.server.kill('SIGKILL'));
  }
  const failures = results.filter((result) => result.status === 'rejected');
  t.deepEqual(failures.map((failure) => String(failure.reason)), []);

  const db = createDb(databaseUrl);
  t.teardown(() => db.destroy());
  const admins = await db('users').where({ username_key: 'root' });
  t.is(admins.length, 1);
  t.truthy(admins[0].is_admin);
  t.is((await db('audit_events').where({ type: 'user_registered' })).length, 1);

  // Every instance serves the one admin.
  for (const result of results) {
    if (result.status !== 'fulfilled') continue;
    const response = await fetch(`http://127.0.0.1:${result.value.port}/api/v1/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'an admin password for tests' }),
    });
    t.is(response.status, 200);
  }
});
