import test from 'ava';
import { auditRows, PASSWORD, register } from '../helpers/app.ts';
import {
  ACCESS,
  buildCookieApp,
  cookieNamed,
  OWN_ORIGIN,
  REFRESH,
  setCookies,
} from './cookie-helpers.ts';

test('login with use_cookies answers the cookie form and sets both cookies with the contract attributes', async (t) => {
  const app = await buildCookieApp(t);
  await register(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', OWN_ORIGIN)
    .send({ username: 'alice', password: PASSWORD, use_cookies: true })
    .expect(200);

  t.deepEqual(Object.keys(response.body).sort(), ['expires_in', 'refresh_expires_in', 'session_id', 'token_type']);
  t.is(response.body.token_type, 'cookie');
  t.is(response.body.expires_in, 900);
  t.is(response.body.refresh_expires_in, 14 * 24 * 3600);
  t.is(response.headers['cache-control'], 'no-store');
  t.false(JSON.stringify(response.body).includes('tsr_'), 'no token string in the body');

  const cookies = setCookies(response);
  t.is(cookies.length, 2);
  const access = cookieNamed(response, ACCESS)!;
  const refresh = cookieNamed(response, REFRESH)!;
  t.regex(access.value, /^tsr_at_1[A-Za-z0-9_-]{49}$/);
  t.regex(refresh.value, /^tsr_rt_1[A-Za-z0-9_-]{49}$/);
  t.deepEqual(access.attributes, [
    ['Max-Age', '900'],
    ['Path', '/'],
    ['HttpOnly', ''],
    ['Secure', ''],
    ['SameSite', 'Lax'],
  ]);
  t.deepEqual(refresh.attributes, [
    ['Max-Age', String(14 * 24 * 3600)],
    ['Path', '/api/v1/refresh'],
    ['HttpOnly', ''],
    ['Secure', ''],
    ['SameSite', 'Strict'],
  ]);
  // No Domain: a __Host- cookie must not have one, and neither needs one.
  t.false(cookies.some((cookie) => cookie.raw.toLowerCase().includes('domain')));

  // The session row exists and is the one named in the body.
  const row = await app.db('sessions').where({ id: response.body.session_id }).first();
  t.truthy(row);
  t.is(row.revoked_at, null);
});

test('Max-Age follows the lifetimes: a session shorter than ACCESS_TOKEN_TTL bounds both', async (t) => {
  const app = await buildCookieApp(t, { ACCESS_TOKEN_TTL: '600', SESSION_IDLE_TTL: '300', SESSION_MAX_TTL: '3600' });
  await register(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', OWN_ORIGIN)
    .send({ username: 'alice', password: PASSWORD, use_cookies: true })
    .expect(200);
  t.is(response.body.expires_in, 300);
  t.is(response.body.refresh_expires_in, 300);
  t.deepEqual(cookieNamed(response, ACCESS)!.attributes[0], ['Max-Age', '300']);
  t.deepEqual(cookieNamed(response, REFRESH)!.attributes[0], ['Max-Age', '300']);
});

test('COOKIE_SECURE=false drops Secure and the name prefixes', async (t) => {
  const app = await buildCookieApp(t, { COOKIE_SECURE: 'false' });
  await register(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', OWN_ORIGIN)
    .send({ username: 'alice', password: PASSWORD, use_cookies: true })
    .expect(200);
  const cookies = setCookies(response);
  t.deepEqual(cookies.map((cookie) => cookie.name), ['tsr_at', 'tsr_rt']);
  for (const cookie of cookies) t.false(cookie.attributes.some(([name]) => name === 'Secure'), cookie.raw);
  t.deepEqual(cookies[0]!.attributes, [['Max-Age', '900'], ['Path', '/'], ['HttpOnly', ''], ['SameSite', 'Lax']]);
  t.deepEqual(cookies[1]!.attributes, [
    ['Max-Age', String(14 * 24 * 3600)],
    ['Path', '/api/v1/refresh'],
    ['HttpOnly', ''],
    ['SameSite', 'Strict'],
  ]);

  // And the unprefixed cookie authenticates.
  const me = await app.request.get('/api/v1/me').set('Cookie', `tsr_at=${cookies[0]!.value}`).expect(200);
  t.is(me.body.username, 'alice');
  // A prefixed name is not read when the app uses plain names.
  await app.request.get('/api/v1/me').set('Cookie', `__Host-tsr_at=${cookies[0]!.value}`).expect(401);
});

test('a login without use_cookies is the bearer token pair, no cookies', async (t) => {
  const app = await buildCookieApp(t);
  await register(app.request, 'alice');
  const response = await app.request.post('/api/v1/login').send({ username: 'alice', password: PASSWORD }).expect(200);
  t.is(response.body.token_type, 'Bearer');
  t.truthy(response.body.access_token);
  t.is(response.headers['set-cookie'], undefined);
});

test('use_cookies must be a boolean', async (t) => {
  const app = await buildCookieApp(t);
  await register(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', OWN_ORIGIN)
    .send({ username: 'alice', password: PASSWORD, use_cookies: 'true' })
    .expect(400);
  t.is(response.body.error, 'validation_failed');
  t.deepEqual(response.body.details, [{ field: 'use_cookies', message: 'must be true or false' }]);
  t.is(response.headers['set-cookie'], undefined);
});

test('login CSRF: use_cookies without Origin, or from a foreign one, is 403 csrf_failed and signs nobody in', async (t) => {
  const app = await buildCookieApp(t);
  await register(app.request, 'alice');
  for (const origin of [undefined, 'https://evil.example', 'null', 'https://auth.example.com.evil.example']) {
    const request = app.request.post('/api/v1/login');
    if (origin) request.set('Origin', origin);
    const response = await request.send({ username: 'alice', password: PASSWORD, use_cookies: true }).expect(403);
    t.is(response.body.error, 'csrf_failed', String(origin));
    t.is(response.headers['set-cookie'], undefined);
  }
  t.is((await app.db('sessions')).length, 0);
  t.is((await auditRows(app.db, 'login_succeeded')).length, 0);
  t.is((await auditRows(app.db, 'login_failed')).length, 0);

  // A wrong password from a foreign origin is refused the same way, before the password is checked.
  const guess = await app.request
    .post('/api/v1/login')
    .set('Origin', 'https://evil.example')
    .send({ username: 'alice', password: 'wrong password here', use_cookies: true })
    .expect(403);
  t.is(guess.body.error, 'csrf_failed');
  t.is((await auditRows(app.db, 'login_failed')).length, 0);

  // Bearer logins are not affected: no Origin needed.
  await app.request.post('/api/v1/login').send({ username: 'alice', password: PASSWORD }).expect(200);
});

test('an origin listed in CORS_ORIGINS may log in with cookies', async (t) => {
  const app = await buildCookieApp(t, { CORS_ORIGINS: 'https://app.example.com' });
  await register(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', 'https://app.example.com')
    .send({ username: 'alice', password: PASSWORD, use_cookies: true })
    .expect(200);
  t.is(response.body.token_type, 'cookie');
  t.is(response.headers['access-control-allow-credentials'], 'true');
});

test('without PUBLIC_URL the own origin is the request scheme and Host; X-Forwarded-Proto only with TRUST_PROXY', async (t) => {
  const plain = await buildCookieApp(t, { PUBLIC_URL: '' });
  await register(plain.request, 'alice');
  const login = (app: typeof plain, origin: string, proto?: string) => {
    const request = app.request.post('/api/v1/login').set('Host', 'auth.test:8080').set('Origin', origin);
    if (proto) request.set('X-Forwarded-Proto', proto);
    return request.send({ username: 'alice', password: PASSWORD, use_cookies: true });
  };
  t.is((await login(plain, 'http://auth.test:8080')).status, 200);
  t.is((await login(plain, 'https://auth.test:8080')).status, 403);
  t.is((await login(plain, 'https://auth.test:8080', 'https')).status, 403, 'proxy header ignored without TRUST_PROXY');
  t.is((await login(plain, 'http://other.test:8080')).status, 403);

  const proxied = await buildCookieApp(t, { PUBLIC_URL: '', TRUST_PROXY: 'true' });
  await register(proxied.request, 'alice');
  t.is((await login(proxied, 'https://auth.test:8080', 'https')).status, 200);
  t.is((await login(proxied, 'http://auth.test:8080', 'https')).status, 403);
});
