import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createDb, type Db } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { waitFor } from '../helpers/fault-proxy.ts';
import { capturedLogger } from '../helpers/log-lines.ts';

/**
 * SQLite (in every suite): a database that is full or busy past
 * DATABASE_TIMEOUT answers 503 service_unavailable, changes nothing, and is
 * logged once per outage. The PostgreSQL faults (reset, partition) are in
 * test/scale/database-outage.test.ts.
 */
async function appOnOwnSqlite(t: ExecutionContext): Promise<{ request: ReturnType<typeof supertest>; db: Db; lines: Array<Record<string, unknown>> }> {
  const config = parseConfig({ DATABASE_URL: ':memory:', DATABASE_TIMEOUT: '1' });
  const db = createDb(config.databaseUrl, { timeoutSeconds: config.databaseTimeout });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const { logger, lines } = capturedLogger();
  const { listener, tessera } = createApp({ db, config, logger, passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  return { request: supertest(listener), db, lines };
}

const messages = (lines: Array<Record<string, unknown>>, text: string) =>
  lines.filter((line) => String(line.msg).startsWith(text));

test('a full database answers 503 with Retry-After, writes nothing, and is logged once per outage', async (t) => {
  const { request, db, lines } = await appOnOwnSqlite(t);
  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);

  // The database may not grow past the pages it has: SQLITE_FULL, as on a full disk.
  const [{ page_count: pages }] = await db.raw('PRAGMA page_count');
  await db.raw(`PRAGMA max_page_count = ${Number(pages)}`);
  const before = { users: await db('users').count({ n: '*' }), audit: await db('audit_events').count({ n: '*' }) };
  let refused = 0;
  let created = 0;
  for (let i = 0; i < 60 && refused < 5; i += 1) {
    const response = await request
      .post('/api/v1/users')
      .send({ username: `user${i}`, password: PASSWORD, email: `${'x'.repeat(200)}${i}@example.com` });
    if (response.status === 201) {
      created += 1;
      continue;
    }
    t.is(response.status, 503, response.text);
    t.deepEqual(response.body, {
      error: 'service_unavailable',
      message: 'The service is temporarily unavailable; try again shortly.',
    });
    t.is(response.headers['retry-after'], '5');
    refused += 1;
  }
  t.is(refused, 5, 'the database never filled up');
  // Each refused registration rolled back whole: no user without its audit event, or the reverse.
  const after = { users: await db('users').count({ n: '*' }), audit: await db('audit_events').count({ n: '*' }) };
  t.is(Number(after.users[0]!.n), Number(before.users[0]!.n) + created);
  t.is(Number(after.audit[0]!.n), Number(before.audit[0]!.n) + created);

  t.is(messages(lines, 'database unavailable').length, 1);
  t.regex(String(messages(lines, 'database unavailable')[0]!.reason), /SQLITE_FULL/);
  t.is(lines.filter((line) => line.msg === 'unhandled error').length, 0);
  t.false(JSON.stringify(lines).includes('"stack"'), 'a stack trace was logged');

  // Reads still work while writes fail, so the outage is not over yet.
  await request.get('/readyz').expect(200);
  t.is(messages(lines, 'database available again').length, 0);

  // Room again: once nothing has been refused for a while, a successful probe ends the outage.
  await db.raw('PRAGMA max_page_count = 1073741823');
  await request.post('/api/v1/users').send({ username: 'bob', password: PASSWORD }).expect(201);
  await waitFor('the end of the outage logged', () => messages(lines, 'database available again').length > 0, 5_000);
  const ended = messages(lines, 'database available again');
  t.is(ended.length, 1);
  t.is(ended[0]!.refusedRequests, 5);
  t.is(messages(lines, 'database unavailable').length, 1);
});

test('a database busy past DATABASE_TIMEOUT answers 503 in bounded time; /readyz follows within a second', async (t) => {
  const { request, db, lines } = await appOnOwnSqlite(t);
  t.deepEqual((await request.get('/readyz').expect(200)).body, { status: 'ready', database: 'up', redis: 'off' });

  // Hold SQLite's only connection, as a stuck writer would.
  const trx = await db.transaction();
  t.teardown(() => (trx.isCompleted() ? undefined : trx.rollback()));
  const started = Date.now();
  const response = await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD });
  const took = Date.now() - started;
  t.is(response.status, 503, response.text);
  t.is(response.body.error, 'service_unavailable');
  t.is(response.headers['retry-after'], '5');
  t.true(took < 3_000, `took ${took} ms`);

  const readyStarted = Date.now();
  const notReady = await request.get('/readyz').expect(503);
  t.true(Date.now() - readyStarted < 1_000);
  t.deepEqual(notReady.body, {
    error: 'service_unavailable',
    message: 'The database is not reachable.',
    database: 'down',
    redis: 'off',
  });

  await trx.commit();
  const back = await waitFor('readyz 200', async () => (await request.get('/readyz')).status === 200, 5_000);
  t.true(back < 1_000, `ready again after ${back} ms`);
  t.is(messages(lines, 'database unavailable').length, 1);
  await waitFor('the end of the outage logged', () => messages(lines, 'database available again').length === 1, 5_000);
  t.is(messages(lines, 'database available again')[0]!.refusedRequests, 1);
});

test('a real bug in SQL is still a logged 500 internal_error, not an outage', async (t) => {
  const { request, db, lines } = await appOnOwnSqlite(t);
  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  await db.schema.dropTable('refresh_tokens');
  const response = await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(500);
  t.is(response.body.error, 'internal_error');
  t.is(lines.filter((line) => line.msg === 'unhandled error').length, 1);
  t.is(messages(lines, 'database unavailable').length, 0);
});
