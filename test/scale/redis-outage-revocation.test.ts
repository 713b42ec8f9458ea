import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createRedis } from '../../src/db/redis.ts';
import { bearer, countQueries, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/database.ts';
import { startFaultProxy, waitFor, type FaultProxy } from '../helpers/fault-proxy.ts';
import { refusedWithinBound, REVOCATION_BOUND_MS } from '../helpers/revocation-bound.ts';

/**
 * Redis speeds revocation up; it is never the only thing between a revoked
 * token and a 200 (API.md, Tokens). Two instances on one PostgreSQL database
 * reach Redis through a proxy the test cuts: a crash (connections reset) and
 * a partition (silence). A revocation on A must be refused by B within
 * 100 ms in both, every committed change must answer success, and after the
 * fault B trusts its cache again.
 */

async function twoInstancesBehind(t: ExecutionContext, proxy: FaultProxy) {
  const db = await openTestDb(t);
  const prefix = `tessera_test_${randomBytes(6).toString('hex')}:`;
  const config = parseConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: proxy.url,
    AUTH_CACHE: 'on',
    AUTH_CACHE_TTL: '3600',
    RATE_LIMIT: 'off',
  });
  const instance = async () => {
    const redis = createRedis(proxy.url);
    const { app, tessera } = createApp({
      db,
      config,
      passwords: createPasswordHasher(TEST_ARGON2),
      redis,
      redisPrefix: prefix,
    });
    t.teardown(async () => {
      await tessera.close();
      redis.disconnect();
    });
    await tessera.ready();
    return { request: supertest(app.callback()), tessera };
  };
  return { db, a: await instance(), b: await instance() };
}

type Instance = Awaited<ReturnType<typeof twoInstancesBehind>>['a'];

async function loginPair(instance: Instance) {
  return (await instance.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200)).body;
}

/** Revokes a fresh session on A (the request must succeed) and measures how long B keeps accepting it. */
async function revokeOnAMeasureOnB(t: ExecutionContext, a: Instance, b: Instance): Promise<number> {
  const victim = await loginPair(a);
  const owner = await loginPair(a);
  await b.request.get('/api/v1/me').set(bearer(victim.access_token)).expect(200);
  const revoke = await a.request.delete(`/api/v1/sessions/${victim.session_id}`).set(bearer(owner.access_token));
  t.is(revoke.status, 204, 'a committed revocation must answer success');
  return refusedWithinBound(t, b.request, victim.access_token, 'token_revoked');
}

for (const fault of ['reset', 'silent'] as const) {
  test(`Redis ${fault === 'reset' ? 'crashed' : 'partitioned'}: revocations still reach the other instance within 100 ms, and nothing committed answers an error`, async (t) => {
    if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL must be set for the scale suite');
    const proxy = await startFaultProxy(t, TEST_REDIS_URL);
    const { db, a, b } = await twoInstancesBehind(t, proxy);
    await a.request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);

    t.true((await revokeOnAMeasureOnB(t, a, b)) <= REVOCATION_BOUND_MS, 'with Redis up');

    proxy.cut(fault);
    const delays: number[] = [];
    for (let round = 0; round < 5; round += 1) delays.push(await revokeOnAMeasureOnB(t, a, b));
    t.log(`Redis ${fault}: refused on B after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);

    // Refresh and logout commit and answer success while Redis is away.
    const device = await loginPair(b);
    const refreshed = await b.request.post('/api/v1/refresh').send({ refresh_token: device.refresh_token });
    t.is(refreshed.status, 200);
    await b.request.get('/api/v1/me').set(bearer(refreshed.body.access_token)).expect(200);
    await refusedWithinBound(t, a.request, device.access_token, 'token_invalid');
    await a.request.post('/api/v1/logout').set(bearer(refreshed.body.access_token)).expect(200);
    await refusedWithinBound(t, b.request, refreshed.body.access_token, 'token_revoked');

    // A deaf instance does not trust its cache: every request reads through to the database.
    await waitFor('B to see Redis down', () => !b.tessera.redisStatus.isUp(), 5_000);
    const reader = await loginPair(a);
    for (let request = 0; request < 3; request += 1) {
      const queries = await countQueries(db, () =>
        b.request.get('/api/v1/me').set(bearer(reader.access_token)).expect(200),
      );
      t.true(queries > 0, 'a deaf instance must read through to the database');
    }
    // Once Redis is back (and heard), B answers from its cache again: no query.
    proxy.restore();
    await waitFor('Redis to be up again on B', () => b.tessera.redisStatus.isUp(), 15_000);
    await waitFor(
      'B to answer from its cache again',
      async () => {
        await b.request.get('/api/v1/me').set(bearer(reader.access_token)).expect(200);
        const queries = await countQueries(db, () =>
          b.request.get('/api/v1/me').set(bearer(reader.access_token)).expect(200),
        );
        return queries === 0;
      },
      15_000,
    );
    t.true((await revokeOnAMeasureOnB(t, a, b)) <= REVOCATION_BOUND_MS, 'after Redis came back');
  });
}
