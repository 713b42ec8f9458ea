import test from 'ava';
import { auditRows, bearer, login } from '../helpers/app.ts';
import {
  ACCESS,
  buildCookieApp,
  clearsBoth,
  cookieLogin,
  cookieNamed,
  OWN_ORIGIN,
  REFRESH,
  sessionFrom,
} from './cookie-helpers.ts';

test('POST /refresh with no body uses the refresh cookie and answers in cookie form; the old pair stops working', async (t) => {
  const app = await buildCookieApp(t);
  const first = await cookieLogin(app, 'alice', { register: true });
  app.clock.advance(60);
  const response = await app.request
    .post('/api/v1/refresh')
    .set('Cookie', first.bothCookies)
    .set('Origin', OWN_ORIGIN)
    .expect(200);
  t.deepEqual(response.body, {
    session_id: first.sessionId,
    expires_in: 900,
    refresh_expires_in: 14 * 24 * 3600,
    token_type: 'cookie',
  });
  t.is(response.headers['cache-control'], 'no-store');
  const second = sessionFrom(response);
  t.not(second.access, first.access);
  t.not(second.refresh, first.refresh);
  t.deepEqual(cookieNamed(response, REFRESH)!.attributes.map(([name]) => name), ['Max-Age', 'Path', 'HttpOnly', 'Secure', 'SameSite']);

  await app.request.get('/api/v1/me').set('Cookie', first.accessCookie).expect(401);
  await app.request.get('/api/v1/me').set('Cookie', second.accessCookie).expect(200);
  t.is((await auditRows(app.db, 'token_refreshed')).length, 1);

  // An empty JSON object is "no refresh_token" too.
  const again = await app.request
    .post('/api/v1/refresh')
    .set('Cookie', second.bothCookies)
    .set('Origin', OWN_ORIGIN)
    .send({})
    .expect(200);
  t.is(again.body.token_type, 'cookie');
});

test('a refresh_token in the body wins and answers the bearer pair', async (t) => {
  const app = await buildCookieApp(t);
  const cookie = await cookieLogin(app, 'alice', { register: true });
  const pair = await login(app.request, 'alice');
  const response = await app.request
    .post('/api/v1/refresh')
    .set('Cookie', cookie.bothCookies)
    .set('Origin', OWN_ORIGIN)
    .send({ refresh_token: pair.refresh_token })
    .expect(200);
  t.is(response.body.token_type, 'Bearer');
  t.is(response.body.session_id, pair.session_id);
  t.is(response.headers['set-cookie'], undefined);
});

test('refresh with neither body token nor cookie is validation_failed on refresh_token', async (t) => {
  const app = await buildCookieApp(t);
  const response = await app.request.post('/api/v1/refresh').expect(400);
  t.is(response.body.error, 'validation_failed');
  t.deepEqual(response.body.details, [{ field: 'refresh_token', message: 'is required' }]);
});

test('a refused cookie refresh (reused, malformed) clears both cookies', async (t) => {
  const app = await buildCookieApp(t, { REFRESH_REUSE_LEEWAY: '0' });
  const first = await cookieLogin(app, 'alice', { register: true });
  await app.request.post('/api/v1/refresh').set('Cookie', first.bothCookies).set('Origin', OWN_ORIGIN).expect(200);
  app.clock.advance(1);
  const reused = await app.request.post('/api/v1/refresh').set('Cookie', first.bothCookies).set('Origin', OWN_ORIGIN).expect(401);
  t.is(reused.body.error, 'refresh_token_reused');
  t.true(clearsBoth(reused));
  const row = await app.db('sessions').where({ id: first.sessionId }).first();
  t.is(row.revoked_reason, 'refresh_token_reused');

  const malformed = await app.request
    .post('/api/v1/refresh')
    .set('Cookie', `${REFRESH}=garbage`)
    .set('Origin', OWN_ORIGIN)
    .expect(401);
  t.is(malformed.body.error, 'token_invalid');
  t.true(clearsBoth(malformed));
});

test('POST /logout by cookie revokes the session and clears both cookies', async (t) => {
  const app = await buildCookieApp(t);
  const session = await cookieLogin(app, 'alice', { register: true });
  const response = await app.request.post('/api/v1/logout').set('Cookie', session.accessCookie).set('Origin', OWN_ORIGIN).expect(200);
  t.true(clearsBoth(response));
  const access = cookieNamed(response, ACCESS)!;
  t.deepEqual(access.attributes, [['Max-Age', '0'], ['Path', '/'], ['HttpOnly', ''], ['Secure', ''], ['SameSite', 'Lax']]);
  t.deepEqual(cookieNamed(response, REFRESH)!.attributes[1], ['Path', '/api/v1/refresh']);
  const row = await app.db('sessions').where({ id: session.sessionId }).first();
  t.not(row.revoked_at, null);

  // A bearer logout sets no cookies.
  const pair = await login(app.request, 'alice');
  const bearerLogout = await app.request.post('/api/v1/logout').set(bearer(pair.access_token)).expect(200);
  t.is(bearerLogout.headers['set-cookie'], undefined);
});

test('POST /logout/all by cookie clears the cookies, unless keep_current', async (t) => {
  const app = await buildCookieApp(t);
  const here = await cookieLogin(app, 'alice', { register: true });
  await cookieLogin(app, 'alice');
  const kept = await app.request
    .post('/api/v1/logout/all')
    .set('Cookie', here.accessCookie)
    .set('Origin', OWN_ORIGIN)
    .send({ keep_current: true })
    .expect(200);
  t.deepEqual(kept.body, { revoked: 1 });
  t.is(kept.headers['set-cookie'], undefined);
  await app.request.get('/api/v1/me').set('Cookie', here.accessCookie).expect(200);

  const all = await app.request.post('/api/v1/logout/all').set('Cookie', here.accessCookie).set('Origin', OWN_ORIGIN).expect(200);
  t.deepEqual(all.body, { revoked: 1 });
  t.true(clearsBoth(all));
  const live = await app.db('sessions').whereNull('revoked_at');
  t.is(live.length, 0);
});
