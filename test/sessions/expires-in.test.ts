import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { buildTestApp, login, register, TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL } from '../helpers/database.ts';

/**
 * An app on the system clock (buildTestApp's clock stands still, which hid
 * the second clock reading that made `expires_in` 899).
 */
async function buildRealClockApp(t: ExecutionContext, env: Record<string, string> = {}) {
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, RATE_LIMIT: 'off', ...env });
  const db = await openTestDb(t);
  const { app, tessera } = createApp({
    db,
    config,
    passwords: createPasswordHasher(TEST_ARGON2),
    ...(await openTestRedis(t)),
  });
  t.teardown(() => tessera.close());
  await tessera.ready();
  return supertest(app.callback());
}

test('with a real clock, expires_in is exactly ACCESS_TOKEN_TTL at login and at every refresh', async (t) => {
  const request = await buildRealClockApp(t);
  await register(request, 'ann');
  for (let round = 0; round < 15; round += 1) {
    const pair = await login(request, 'ann');
    t.is(pair.expires_in, 900);
    t.is(pair.refresh_expires_in, 1_209_600); // SESSION_IDLE_TTL, before the 30-day cap
    const refreshed = await request.post('/api/v1/refresh').send({ refresh_token: pair.refresh_token }).expect(200);
    t.is(refreshed.body.expires_in, 900);
    t.is(refreshed.body.refresh_expires_in, 1_209_600);
  }
});

test('expires_in follows a custom ACCESS_TOKEN_TTL exactly', async (t) => {
  const request = await buildRealClockApp(t, { ACCESS_TOKEN_TTL: '60' });
  await register(request, 'ann');
  for (let round = 0; round < 5; round += 1) {
    t.is((await login(request, 'ann')).expires_in, 60);
  }
});

test("near the session's absolute end, both lifetimes are its remaining life", async (t) => {
  const app = await buildTestApp(t, {
    env: { ACCESS_TOKEN_TTL: '900', SESSION_IDLE_TTL: '3600', SESSION_MAX_TTL: '4000' },
  });
  await register(app.request, 'ann');
  const pair = await login(app.request, 'ann');
  t.is(pair.expires_in, 900);
  t.is(pair.refresh_expires_in, 3600);

  app.clock.advance(3500); // 500 s of the 4000 s maximum left
  const refreshed = await app.request
    .post('/api/v1/refresh')
    .send({ refresh_token: pair.refresh_token })
    .expect(200);
  t.is(refreshed.body.expires_in, 500);
  t.is(refreshed.body.refresh_expires_in, 500);
});
