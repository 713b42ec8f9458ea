import Koa from 'koa';
import Router from '@koa/router';
import test from 'ava';
import supertest from 'supertest';
import { createPasswordHasher, createTessera, parseConfig, type TesseraState } from '../../src/index.ts';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';
import { bearer, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';

async function embed(t: import('ava').ExecutionContext) {
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL });
  const db = await openTestDb(t);
  const tessera = createTessera({ db, config, passwords: createPasswordHasher(TEST_ARGON2) });
  return { db, tessera };
}

test('a separate Koa app protects its own route with the exported middleware', async (t) => {
  const { tessera } = await embed(t);

  // The README's example, as another team would write it.
  const reports = new Router<TesseraState>();
  reports.get('/reports', tessera.auth.requireAuth(), (ctx) => {
    ctx.body = { owner: ctx.state.user!.username, device: ctx.state.session!.id };
  });
  reports.get('/admin-report', tessera.auth.requireAdmin(), (ctx) => {
    ctx.body = { ok: true };
  });
  const app = new Koa<TesseraState>();
  app.use(tessera.middleware());
  app.use(tessera.routes());
  app.use(reports.routes());
  const request = supertest(app.callback());

  await request.post('/api/v1/users').send({ username: 'alice', password: PASSWORD }).expect(201);
  const login = await request
    .post('/api/v1/login')
    .send({ username: 'alice', password: PASSWORD })
    .expect(200);

  const ok = await request.get('/reports').set(bearer(login.body.access_token)).expect(200);
  t.deepEqual(ok.body, { owner: 'alice', device: login.body.session_id });
  const missing = await request.get('/reports').expect(401);
  t.is(missing.body.error, 'token_missing');
  t.is(missing.headers['www-authenticate'], 'Bearer realm="tessera"');
  const notAdmin = await request.get('/admin-report').set(bearer(login.body.access_token)).expect(403);
  t.is(notAdmin.body.error, 'forbidden');

  await request.post('/api/v1/logout').set(bearer(login.body.access_token)).expect(200);
  const revoked = await request.get('/reports').set(bearer(login.body.access_token)).expect(401);
  t.is(revoked.body.error, 'token_revoked');
});

test("without Tessera's pipeline, Koa's own error handling still gets status and challenge", async (t) => {
  const { tessera } = await embed(t);
  const router = new Router<TesseraState>();
  router.get('/private', tessera.auth.requireAuth(), (ctx) => {
    ctx.body = 'secret';
  });
  const app = new Koa<TesseraState>();
  app.silent = true;
  app.use(router.routes());
  const response = await supertest(app.callback())
    .get('/private')
    .set('Authorization', 'Bearer nonsense')
    .expect(401);
  t.regex(response.headers['www-authenticate'] ?? '', /error="invalid_token"/);
});
