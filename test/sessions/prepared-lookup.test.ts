import test from 'ava';
import supertest from 'supertest';
import { bearer, buildSqliteFileApp, buildTestApp, PASSWORD, signUp } from '../helpers/app.ts';

test('on a SQLite file, cache misses use the prepared read connection and see commits at once', async (t) => {
  const { app, db } = await buildSqliteFileApp(t, { AUTH_CACHE: 'off' });
  const request = supertest(app.callback());

  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const phone = (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
  const laptop = (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;

  const statements: Array<{ sql: string; prepared?: boolean }> = [];
  db.on('query', (query) => statements.push(query));
  await request.get('/api/v1/me').set(bearer(phone.access_token)).expect(200);
  t.deepEqual(statements, [
    { method: 'select', sql: 'sessions_by_access_hashes', bindings: [], prepared: true, batchSize: 1 },
  ]);

  // The revocation commits on the main connection; the read connection sees it on the next request.
  await request.delete(`/api/v1/sessions/${phone.session_id}`).set(bearer(laptop.access_token)).expect(204);
  const after = await request.get('/api/v1/me').set(bearer(phone.access_token)).expect(401);
  t.is(after.body.error, 'token_revoked');
  const rotated = await request.post('/api/v1/refresh').send({ refresh_token: laptop.refresh_token }).expect(200);
  t.is((await request.get('/api/v1/me').set(bearer(laptop.access_token))).body.error, 'token_invalid');
  await request.get('/api/v1/me').set(bearer(rotated.body.access_token)).expect(200);
});

test('a column added by a later migration does not break the running lookup (rolling deploys)', async (t) => {
  const app = await buildTestApp(t, { env: { AUTH_CACHE: 'off' } });
  const { tokens } = await signUp(app.request, 'amy');
  // Prepares the statement (on PostgreSQL, a named statement per pooled connection).
  for (let i = 0; i < 4; i += 1) await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);

  // What a newer instance's migration does while this one keeps running.
  await app.db.schema.alterTable('sessions', (table) => table.string('added_later', 20));
  await app.db.schema.alterTable('users', (table) => table.string('added_later', 20));

  for (let i = 0; i < 4; i += 1) {
    const me = await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
    t.is(me.body.session.id, tokens.session_id);
  }
});
