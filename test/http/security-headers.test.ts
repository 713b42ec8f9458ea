import test from 'ava';
import { buildTestApp } from '../helpers/app.ts';

test('every response carries security headers', async (t) => {
  const { request } = await buildTestApp(t);
  for (const response of [await request.get('/healthz'), await request.get('/api/v1/me'), await request.get('/nope')]) {
    t.is(response.headers['x-content-type-options'], 'nosniff');
    t.is(response.headers['x-frame-options'], 'DENY');
    t.is(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    t.is(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
    t.is(response.headers['referrer-policy'], 'no-referrer');
    t.is(response.headers['x-powered-by'], undefined);
  }
});

test('CORS is off by default', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.get('/api/v1/posts').set('Origin', 'https://evil.example');
  t.is(response.headers['access-control-allow-origin'], undefined);
});

test('CORS_ORIGINS allows exactly the listed origins', async (t) => {
  const { request } = await buildTestApp(t, {
    env: { CORS_ORIGINS: 'https://app.example,http://localhost:5173' },
  });
  const allowed = await request.get('/api/v1/posts').set('Origin', 'https://app.example').expect(200);
  t.is(allowed.headers['access-control-allow-origin'], 'https://app.example');
  t.regex(allowed.headers['access-control-expose-headers'] ?? '', /X-Request-Id/);
  const other = await request.get('/api/v1/posts').set('Origin', 'https://evil.example').expect(200);
  t.is(other.headers['access-control-allow-origin'], undefined);

  const preflight = await request
    .options('/api/v1/login')
    .set('Origin', 'http://localhost:5173')
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'Content-Type, Authorization');
  t.is(preflight.status, 204);
  t.is(preflight.headers['access-control-allow-origin'], 'http://localhost:5173');
  t.regex(preflight.headers['access-control-allow-headers'] ?? '', /Authorization/);
  // Listed origins may use cookie sessions (API.md, "Browser sessions"); test/cookies covers `*`.
  t.is(preflight.headers['access-control-allow-credentials'], 'true');
});

test('token responses are never cached', async (t) => {
  const { request } = await buildTestApp(t);
  await request.post('/api/v1/users').send({ username: 'amy', password: 'a long password' }).expect(201);
  const login = await request
    .post('/api/v1/login')
    .send({ username: 'amy', password: 'a long password' })
    .expect(200);
  t.is(login.headers['cache-control'], 'no-store');
  t.is(login.headers.pragma, 'no-cache');
  const refresh = await request
    .post('/api/v1/refresh')
    .send({ refresh_token: login.body.refresh_token })
    .expect(200);
  t.is(refresh.headers['cache-control'], 'no-store');
});
