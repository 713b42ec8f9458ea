import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { bearer, buildTestApp, login, PASSWORD, register } from '../helpers/app.ts';
import { cli } from '../helpers/cli-in-process.ts';

test('create-admin creates an admin that can log in, or promotes an existing user', async (t) => {
  const app = await buildTestApp(t);
  const created = await cli(app, ['create-admin', 'root']);
  t.is(created.code, 0);
  t.regex(created.output, /created admin root/);
  const tokens = await app.request
    .post('/api/v1/login')
    .send({ username: 'root', password: 'an admin password' })
    .expect(200);
  await app.request.get('/api/v1/admin/users').set(bearer(tokens.body.access_token)).expect(200);

  await register(app.request, 'alice');
  const promoted = await cli(app, ['create-admin', 'alice']);
  t.regex(promoted.output, /alice \(id \d+\) is an admin/);
  t.truthy((await app.db('users').where({ username: 'alice' }).first()).is_admin);
});

test('create-admin applies the password policy', async (t) => {
  const app = await buildTestApp(t);
  const result = await cli(app, ['create-admin', 'root'], 'short');
  t.is(result.code, 1);
  t.regex(result.output, /password must be at least 8 characters/);
  t.is((await app.db('users').select()).length, 0);
});

test('users lists and searches', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'alice', { email: 'alice@example.com' });
  await register(app.request, 'bob');
  const all = await cli(app, ['users']);
  t.is(all.code, 0);
  t.regex(all.output, /^1\talice\talice@example.com\tno\tno$/m);
  t.regex(all.output, /2 of 2 users/);
  const some = await cli(app, ['users', '--q', 'bo']);
  t.regex(some.output, /1 of 1 users/);
  t.notRegex(some.output, /alice/);
});

test('sessions, revoke-session and revoke-user act on live sessions', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'carol');
  const phone = await login(app.request, 'carol', { device_name: 'Phone' });
  const laptop = await login(app.request, 'carol', { device_name: 'Laptop' });
  const listed = await cli(app, ['sessions', 'carol']);
  t.regex(listed.output, new RegExp(`^${phone.session_id}\\tPhone\\t`, 'm'));
  t.regex(listed.output, /2 live sessions for carol/);

  const one = await cli(app, ['revoke-session', phone.session_id]);
  t.is(one.code, 0);
  await app.request.get('/api/v1/me').set(bearer(phone.access_token)).expect(401);
  await app.request.get('/api/v1/me').set(bearer(laptop.access_token)).expect(200);

  const again = await cli(app, ['revoke-session', phone.session_id]);
  t.is(again.code, 1);
  t.regex(again.output, /No such session/);

  const all = await cli(app, ['revoke-user', '1']); // by id works too
  t.regex(all.output, /revoked 1 sessions of carol/);
  await app.request.get('/api/v1/me').set(bearer(laptop.access_token)).expect(401);
  const audit = await app.db('audit_events').where({ type: 'session_revoked' });
  t.true(audit.every((event) => event.user_agent === 'tessera-cli' && event.actor_id === null));
});

test('disable and enable', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'dave');
  const tokens = await login(app.request, 'dave');
  t.regex((await cli(app, ['disable', 'dave'])).output, /disabled dave/);
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(401);
  await app.request.post('/api/v1/login').send({ username: 'dave', password: PASSWORD }).expect(403);
  t.regex((await cli(app, ['enable', 'dave'])).output, /enabled dave/);
  await login(app.request, 'dave');
});

test('unknown users, commands and arguments are one-line errors', async (t) => {
  const app = await buildTestApp(t);
  const unknownUser = await cli(app, ['disable', 'nobody']);
  t.is(unknownUser.code, 1);
  t.is(unknownUser.output, 'disable: No such user: nobody');
  const unknownCommand = await cli(app, ['frobnicate']);
  t.is(unknownCommand.code, 2);
  t.regex(unknownCommand.output, /unknown command: frobnicate/);
  const missing = await cli(app, ['sessions']);
  t.is(missing.code, 2);
  const help = await cli(app, ['--help']);
  t.is(help.code, 0);
  for (const command of ['create-admin', 'users', 'sessions', 'revoke-session', 'revoke-user', 'disable', 'enable', 'prune']) {
    t.regex(help.output, new RegExp(`^  ${command}\\b`, 'm'));
  }
});

test('prune deletes sessions dead beyond retention and old audit events, and prints counts', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'erin');
  const old = await login(app.request, 'erin');
  await app.request.post('/api/v1/logout').set(bearer(old.access_token)).expect(200);
  app.clock.advance(8 * 24 * 3600); // past the 7-day retention of revoked sessions
  const live = await login(app.request, 'erin');
  const result = await cli(app, ['prune']);
  t.is(result.code, 0);
  t.is(result.output, 'deleted 1 sessions and 0 audit events');
  const sessions = await app.db('sessions').pluck('id');
  t.deepEqual(sessions, [live.session_id]);
  t.is((await app.db('refresh_tokens').where({ session_id: old.session_id })).length, 0);

  app.clock.advance(91 * 24 * 3600);
  const later = await cli(app, ['prune']);
  t.regex(later.output, /deleted 1 sessions and \d+ audit events/);
  t.is((await app.db('audit_events').select()).length, 0);
});

test('the real CLI entry point runs against a database file', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const databaseFile = join(directory, 'cli.sqlite');
  const run = (args: string[], input = '') =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, DATABASE_URL: databaseFile },
      input,
      encoding: 'utf8',
    });
  const created = run(['create-admin', 'root'], 'a long admin password\n');
  t.is(created.status, 0, created.stderr);
  t.regex(created.stdout, /created admin root/);
  const listed = run(['users']);
  t.regex(listed.stdout, /^1\troot\t-\tyes\tno$/m);
  const db = createDb(databaseFile);
  t.teardown(() => db.destroy());
  t.regex((await db('users').first()).password_hash, /^\$argon2id\$/);
});

test('arguments the API would refuse never reach the database: control characters, ids that are not session ids', async (t) => {
  const app = await buildTestApp(t);
  let queries = 0;
  app.db.on('query', () => (queries += 1));
  const nul = await cli(app, ['revoke-user', 'ali\u0000ce']);
  t.is(nul.code, 2);
  t.regex(nul.output, /control character/);
  const notAnId = await cli(app, ['revoke-session', 'not-a-session-id']);
  t.is(notAnId.code, 1);
  t.regex(notAnId.output, /No such session/);
  t.is(queries, 0);
});
