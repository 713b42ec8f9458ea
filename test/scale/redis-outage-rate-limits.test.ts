import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createRedis } from '../../src/db/redis.ts';
import { PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/database.ts';
import { startFaultProxy, waitFor, type FaultProxy } from '../helpers/fault-proxy.ts';

/**
 * With Redis unreachable, the rate limits and the login throttle fall back
 * to per-instance memory (API.md, RATE_LIMIT): every route keeps answering
 * its normal status, nothing waits on Redis for more than one command
 * timeout, limits still hold, and counting returns to Redis afterwards.
 */

/**
 * A burst of 50 sequential requests after the first timeout has marked
 * Redis down may take at most twice as long as with Redis up, plus this:
 * nothing waits on Redis (a wait per request would add 250 ms × 50).
 */
const BURST_SLACK_MS = 1_000;

/** 50 sequential requests to rate-limited routes: GET /posts, POST /refresh, POST /login in turn. */
async function burst(request: ReturnType<typeof supertest>, refreshToken: string) {
  let token = refreshToken;
  const statuses: number[] = [];
  const started = Date.now();
  for (let i = 0; i < 50; i += 1) {
    const kind = i % 3;
    if (kind === 0) statuses.push((await request.get('/api/v1/posts')).status);
    if (kind === 1) {
      const refreshed = await request.post('/api/v1/refresh').send({ refresh_token: token });
      statuses.push(refreshed.status);
      if (refreshed.status === 200) token = refreshed.body.refresh_token;
    }
    if (kind === 2) {
      statuses.push((await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).status);
    }
  }
  return { statuses, token, elapsed: Date.now() - started };
}

async function appBehind(t: ExecutionContext, proxy: FaultProxy) {
  const db = await openTestDb(t);
  const prefix = `tessera_test_${randomBytes(6).toString('hex')}:`;
  const config = parseConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: proxy.url,
    RATE_LIMIT_GLOBAL: '10000/60',
    RATE_LIMIT_LOGIN: '40/900',
    RATE_LIMIT_LOGIN_ACCOUNT: '1000/900',
  });
  const redis = createRedis(proxy.url);
  const { listener, tessera } = createApp({ db, config, passwords: createPasswordHasher(TEST_ARGON2), redis, redisPrefix: prefix });
  t.teardown(async () => {
    await tessera.close();
    redis.disconnect();
  });
  await tessera.ready();
  await waitFor('Redis up', () => tessera.redisStatus.isUp(), 5_000);
  const request = supertest(listener);
  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const refreshToken = (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200))
    .body.refresh_token as string;
  const watcher = createRedis(TEST_REDIS_URL!);
  t.teardown(async () => {
    const keys = await watcher.keys(`${prefix}*`);
    if (keys.length > 0) await watcher.del(...keys);
    watcher.disconnect();
  });
  return { request, tessera, refreshToken, prefix, watcher };
}

for (const mode of ['reset', 'silent'] as const) {
  test(`Redis cut (${mode}): rate-limited routes keep their normal answers, fast, with limits per instance`, async (t) => {
    const proxy = await startFaultProxy(t, TEST_REDIS_URL!);
    const { request, tessera, refreshToken, prefix, watcher } = await appBehind(t, proxy);
    // The same burst with Redis up, for comparison on a machine of unknown load.
    const baseline = await burst(request, refreshToken);
    proxy.cut(mode);

    // The first request may wait one command timeout (250 ms) to find out.
    const first = await request.get('/api/v1/posts');
    t.is(first.status, 200);
    await waitFor('Redis seen down', () => !tessera.redisStatus.isUp(), 5_000);

    const outage = await burst(request, baseline.token);
    t.true(
      outage.elapsed < 2 * baseline.elapsed + BURST_SLACK_MS,
      `50 requests took ${outage.elapsed} ms with Redis cut, ${baseline.elapsed} ms with Redis up`,
    );
    const { statuses } = outage;
    t.false(statuses.some((status) => status >= 500), statuses.join(','));
    t.true(statuses.every((status) => status === 200), statuses.join(','));

    // Limits still hold, in memory: the login limit (40 per IP) trips (a new name each time, past the throttle).
    let limited = false;
    for (let i = 0; i < 45 && !limited; i += 1) {
      const response = await request.post('/api/v1/login').send({ username: `nobody${i}`, password: 'wrong guess' });
      t.true(response.status < 500);
      limited = response.status === 429;
    }
    t.true(limited, 'a 429 appears when over the limit');

    // Back: counting returns to Redis.
    proxy.restore();
    await waitFor('Redis up again', () => tessera.redisStatus.isUp(), 15_000);
    await request.get('/api/v1/posts').expect(200);
    const keys = await watcher.keys(`${prefix}ratelimit:global*`);
    t.true(keys.length > 0, 'the global limiter counts in Redis again');
  });
}

test('Redis cut: the login throttle falls back to memory and still counts before checking', async (t) => {
  const proxy = await startFaultProxy(t, TEST_REDIS_URL!);
  const { request, tessera } = await appBehind(t, proxy);
  proxy.cut('reset');
  await waitFor('Redis seen down', () => !tessera.redisStatus.isUp(), 5_000);
  const burst = await Promise.all(
    Array.from({ length: 15 }, () => request.post('/api/v1/login').send({ username: 'amy', password: 'wrong guess' })),
  );
  const statuses = burst.map((response) => response.status);
  t.false(statuses.some((status) => status >= 500), statuses.join(','));
  t.true(statuses.filter((status) => status === 401).length <= 5, statuses.join(','));
  t.true(statuses.includes(429));
});
