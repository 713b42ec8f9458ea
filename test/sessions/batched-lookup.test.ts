import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { hashToken } from '../../src/crypto/tokens.ts';
import type { Db } from '../../src/db/connection.ts';
import { createSessionLookup } from '../../src/sessions/lookup.ts';
import { buildSqliteFileApp, buildTestApp, PASSWORD } from '../helpers/app.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';

type Request = ReturnType<typeof supertest>;

interface QueryEvent {
  sql: string;
  bindings: unknown[];
  batchSize?: number;
}

const isLookup = (sql: string) =>
  sql === 'sessions_by_access_hashes' || /json_each|unnest/.test(sql);

/** Records the batch size of every lookup query (prepared ones say it; knex ones bind the batch). */
function recordBatches(db: Db): number[] {
  const batches: number[] = [];
  db.on('query', ({ sql, batchSize, bindings }: QueryEvent) => {
    if (!isLookup(sql)) return;
    const [hashes] = bindings;
    batches.push(batchSize ?? (Array.isArray(hashes) ? hashes : JSON.parse(String(hashes))).length);
  });
  return batches;
}

async function twoSessions(request: Request) {
  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  await request.post('/api/v1/users').send({ username: 'bob', password: PASSWORD }).expect(201);
  const amy = (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
  const bob = (await request.post('/api/v1/login').send({ username: 'bob', password: PASSWORD })).body;
  return { amy, bob };
}

/**
 * Lookups asked for in the same turn of the event loop go out as one query,
 * and every caller gets the row of its own hash: unknown hashes get nothing,
 * a hash asked for twice gets its row twice.
 */
async function sharesOneQuery(t: ExecutionContext, db: Db, databaseUrl: string, request: Request) {
  const { amy, bob } = await twoSessions(request);
  const lookup = createSessionLookup(db);
  t.teardown(() => lookup.close());

  const batches = recordBatches(db);
  const hashes = [amy.access_token, bob.access_token, 'no such token', amy.access_token].map(hashToken);
  const rows = await Promise.all(hashes.map((hash) => lookup.findByAccessHash(hash)));

  t.deepEqual(batches, [4]);
  t.deepEqual(
    rows.map((row) => row && { session: row.id, user: row.username }),
    [
      { session: amy.session_id, user: 'amy' },
      { session: bob.session_id, user: 'bob' },
      undefined,
      { session: amy.session_id, user: 'amy' },
    ],
  );

  // Lookups of a later turn are a batch of their own and see commits made in between.
  await request.post('/api/v1/logout').set('Authorization', `Bearer ${bob.access_token}`).expect(200);
  batches.length = 0;
  const [bobAfter] = await Promise.all([lookup.findByAccessHash(hashToken(bob.access_token))]);
  t.deepEqual(batches, [1]);
  t.truthy(bobAfter?.revoked_at);
}

test('misses in one turn share one query (prepared statement on a SQLite file)', async (t) => {
  const { app, db } = await buildSqliteFileApp(t, { AUTH_CACHE: 'off' });
  const filename = (db.client.config.connection as { filename: string }).filename;
  await sharesOneQuery(t, db, filename, supertest(app.callback()));
});

test("misses in one turn share one query (this suite's database)", async (t) => {
  const { request, db } = await buildTestApp(t, { env: { AUTH_CACHE: 'off' } });
  await sharesOneQuery(t, db, TEST_DATABASE_URL, request);
});

test('a batch is capped, so a flood of misses becomes several bounded queries', async (t) => {
  const { request, db } = await buildTestApp(t, { env: { AUTH_CACHE: 'off' } });
  await twoSessions(request);
  const lookup = createSessionLookup(db);
  const batches = recordBatches(db);
  const hashes = Array.from({ length: 300 }, (_, i) => hashToken(`unknown ${i}`));
  const rows = await Promise.all(hashes.map((hash) => lookup.findByAccessHash(hash)));
  t.true(rows.every((row) => row === undefined));
  t.deepEqual(batches, [128, 128, 44]);
});
