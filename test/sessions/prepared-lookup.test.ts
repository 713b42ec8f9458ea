import test from 'ava';
import supertest from 'supertest';
import { bearer, buildSqliteFileApp, PASSWORD } from '../helpers/app.ts';

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
