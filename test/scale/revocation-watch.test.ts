import test from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { bearer, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { TEST_DATABASE_URL } from '../helpers/database.ts';
import { refusedWithinBound } from '../helpers/revocation-bound.ts';
import { twoInstancesOnRedis } from '../helpers/instances.ts';

/**
 * The revocation counters (auth/revocation-watch.ts) on PostgreSQL + Redis:
 * a revocation that no bus carried (a process without Redis sharing the
 * database) still reaches the cache of an instance that hears Redis, within
 * 100 ms. (That a delivered one empties nothing is test/auth/revocation-watch.test.ts.)
 */

async function twoDevices(request: supertest.Agent) {
  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const login = async () =>
    (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200)).body;
  return { victim: await login(), bystander: await login() };
}

test('a revocation no bus carried (a process without Redis) reaches an instance that hears Redis within 100 ms', async (t) => {
  const [a] = await twoInstancesOnRedis(t, { AUTH_CACHE: 'on', AUTH_CACHE_TTL: '3600', RATE_LIMIT: 'off' });
  // Another process on the same database with no Redis configured, like an operator's script.
  const { app: lone, tessera } = createApp({
    db: a.db,
    config: parseConfig({ DATABASE_URL: TEST_DATABASE_URL, AUTH_CACHE: 'off', RATE_LIMIT: 'off' }),
    passwords: createPasswordHasher(TEST_ARGON2),
  });
  t.teardown(() => tessera.close());
  const other = supertest(lone.callback());
  const { victim, bystander } = await twoDevices(a.request);

  const delays: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const fresh = (await a.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200)).body;
    const target = round === 0 ? victim : fresh;
    await a.request.get('/api/v1/me').set(bearer(target.access_token)).expect(200);
    await other.delete(`/api/v1/sessions/${target.session_id}`).set(bearer(bystander.access_token)).expect(204);
    delays.push(await refusedWithinBound(t, a.request, target.access_token, 'token_revoked'));
  }
  t.log(`refused after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);
});
