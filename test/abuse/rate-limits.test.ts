import test from 'ava';
import { auditRows, bearer, buildTestApp, login, PASSWORD, register, signUp } from '../helpers/app.ts';

function expectRateLimited(
  t: import('ava').ExecutionContext,
  response: { status: number; body: { error: string }; headers: Record<string, string | undefined> },
  limit: number,
) {
  t.is(response.status, 429);
  t.is(response.body.error, 'rate_limited');
  t.regex(response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  t.is(response.headers['ratelimit-limit'], String(limit));
  t.is(response.headers['ratelimit-remaining'], '0');
  t.regex(response.headers['ratelimit-reset'] ?? '', /^[1-9]\d*$/);
}

test('POST /users is limited per IP, with RateLimit headers on every counted response', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REGISTER: '2/3600' } });
  const first = await app.request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  t.is(first.headers['ratelimit-limit'], '2');
  t.is(first.headers['ratelimit-remaining'], '1');
  const reset = Number(first.headers['ratelimit-reset']);
  t.true(reset > 3500 && reset <= 3600, String(reset));
  const second = await app.request.post('/api/v1/users').send({ username: 'ben', password: PASSWORD }).expect(201);
  t.is(second.headers['ratelimit-remaining'], '0');

  const third = await app.request.post('/api/v1/users').send({ username: 'cal', password: PASSWORD });
  expectRateLimited(t, third, 2);
  t.is((await app.db('users').where({ username: 'cal' })).length, 0);
  const [event] = await auditRows(app.db, 'rate_limited');
  t.deepEqual(JSON.parse(event.detail), { limit: 'register', count: 1 });
  t.truthy(event.ip);
});

test('POST /login is limited per IP', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN: '3/900' } });
  await register(app.request, 'amy');
  for (let i = 0; i < 3; i += 1) await login(app.request, 'amy');
  expectRateLimited(t, await app.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }), 3);
});

test('POST /login is limited per (IP, account): other accounts from the IP still get in', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_LOGIN_ACCOUNT: '2/900' } });
  await register(app.request, 'amy');
  await register(app.request, 'ben');
  await login(app.request, 'amy');
  await login(app.request, 'AMY'); // same account, other spelling
  expectRateLimited(t, await app.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }), 2);
  await login(app.request, 'ben');
});

test('POST /refresh is limited per IP', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REFRESH: '1/60' } });
  const { tokens } = await signUp(app.request, 'amy');
  await app.request.post('/api/v1/refresh').send({ refresh_token: tokens.refresh_token }).expect(200);
  expectRateLimited(t, await app.request.post('/api/v1/refresh').send({ refresh_token: 'x' }), 1);
});

test('a global per-IP limit covers every route but the probes', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_GLOBAL: '3/60' } });
  for (let i = 0; i < 3; i += 1) await app.request.get('/api/v1/posts').expect(200);
  for (let i = 0; i < 5; i += 1) await app.request.get('/healthz').expect(200);
  expectRateLimited(t, await app.request.get('/api/v1/posts'), 3);
  const response = await app.request.get('/api/v1/me');
  t.is(response.status, 429);
});

test('TRUST_PROXY=true counts per X-Forwarded-For client; false ignores the header', async (t) => {
  const trusted = await buildTestApp(t, { env: { RATE_LIMIT_GLOBAL: '1/60', TRUST_PROXY: 'true' } });
  await trusted.request.get('/api/v1/posts').set('X-Forwarded-For', '203.0.113.1').expect(200);
  await trusted.request.get('/api/v1/posts').set('X-Forwarded-For', '203.0.113.2').expect(200);
  t.is((await trusted.request.get('/api/v1/posts').set('X-Forwarded-For', '203.0.113.1')).status, 429);

  const untrusted = await buildTestApp(t, { env: { RATE_LIMIT_GLOBAL: '1/60' } });
  await untrusted.request.get('/api/v1/posts').set('X-Forwarded-For', '203.0.113.1').expect(200);
  const spoofed = await untrusted.request.get('/api/v1/posts').set('X-Forwarded-For', '203.0.113.2');
  t.is(spoofed.status, 429);
});

test('RATE_LIMIT=off disables every limiter and the login throttle', async (t) => {
  const app = await buildTestApp(t, {
    env: { RATE_LIMIT: 'off', RATE_LIMIT_GLOBAL: '1/60', RATE_LIMIT_LOGIN: '1/60', LOGIN_THROTTLE_THRESHOLD: '1' },
  });
  await register(app.request, 'amy');
  for (let i = 0; i < 3; i += 1) {
    const failed = await app.request.post('/api/v1/login').send({ username: 'amy', password: 'wrong password' });
    t.is(failed.status, 401);
    t.is(failed.headers['ratelimit-limit'], undefined);
  }
  const tokens = await login(app.request, 'amy');
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
});
