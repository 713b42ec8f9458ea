import test from 'ava';
import { bearer, signUp } from '../helpers/app.ts';
import { ACCESS, buildCookieApp, clearsBoth, cookieLogin, OWN_ORIGIN } from './cookie-helpers.ts';

test('the access cookie authenticates GET /me, and the session is marked current', async (t) => {
  const app = await buildCookieApp(t);
  const session = await cookieLogin(app, 'alice', { register: true });
  const response = await app.request.get('/api/v1/me').set('Cookie', session.accessCookie).expect(200);
  t.is(response.body.username, 'alice');
  t.is(response.body.session.id, session.sessionId);
  t.is(response.headers['set-cookie'], undefined);

  const list = await app.request.get('/api/v1/sessions').set('Cookie', `other=1; ${session.accessCookie}; x=y`).expect(200);
  t.deepEqual(
    list.body.sessions.filter((s: { current: boolean }) => s.current).map((s: { id: string }) => s.id),
    [session.sessionId],
  );
});

test('an Authorization header always wins over the cookie', async (t) => {
  const app = await buildCookieApp(t);
  const alice = await cookieLogin(app, 'alice', { register: true });
  const { tokens: bob } = await signUp(app.request, 'bob');

  const asBob = await app.request.get('/api/v1/me').set('Cookie', alice.accessCookie).set(bearer(bob.access_token)).expect(200);
  t.is(asBob.body.username, 'bob');

  // A bad header is refused even with a good cookie, and the cookie is left alone.
  const bad = await app.request.get('/api/v1/me').set('Cookie', alice.accessCookie).set(bearer('tsr_at_1nonsense')).expect(401);
  t.is(bad.body.error, 'token_invalid');
  t.is(bad.headers['set-cookie'], undefined);

  // Another scheme is still a header: the cookie is not consulted.
  const basic = await app.request.get('/api/v1/me').set('Cookie', alice.accessCookie).set('Authorization', 'Basic YTpi').expect(401);
  t.is(basic.body.error, 'token_missing');
});

test('a 401 to a cookie request clears both cookies: revoked, malformed, and a refresh token in the access cookie', async (t) => {
  const app = await buildCookieApp(t);
  const session = await cookieLogin(app, 'alice', { register: true });
  const cases: Array<[string, string]> = [
    [`${ACCESS}=not a token`, 'token_invalid'],
    [`${ACCESS}=${session.refresh}`, 'token_invalid'],
    [`${ACCESS}=tsr_at_1${'A'.repeat(49)}`, 'token_invalid'],
  ];
  for (const [cookie, code] of cases) {
    const response = await app.request.get('/api/v1/me').set('Cookie', cookie).expect(401);
    t.is(response.body.error, code, cookie);
    t.true(clearsBoth(response), cookie);
  }

  // Revoked elsewhere (the session list, by cookie from our origin), then used: token_revoked and cleared.
  const other = await cookieLogin(app, 'alice');
  await app.request
    .delete(`/api/v1/sessions/${session.sessionId}`)
    .set('Cookie', other.accessCookie)
    .set('Origin', OWN_ORIGIN)
    .expect(204);
  const revoked = await app.request.get('/api/v1/me').set('Cookie', session.accessCookie).expect(401);
  t.is(revoked.body.error, 'token_revoked');
  t.true(clearsBoth(revoked));

  // Expired: token_expired and cleared.
  app.clock.advance(901);
  const expired = await app.request.get('/api/v1/sessions').set('Cookie', other.accessCookie).expect(401);
  t.is(expired.body.error, 'token_expired');
  t.true(clearsBoth(expired));
});

test('no cookie and no header is token_missing, with nothing to clear', async (t) => {
  const app = await buildCookieApp(t);
  const response = await app.request.get('/api/v1/me').set('Cookie', 'unrelated=1').expect(401);
  t.is(response.body.error, 'token_missing');
  t.is(response.headers['set-cookie'], undefined);
});

test('safe methods need no Origin: a cookie GET from a link works', async (t) => {
  const app = await buildCookieApp(t);
  const session = await cookieLogin(app, 'alice', { register: true });
  const me = await app.request.get('/api/v1/me').set('Cookie', session.accessCookie).set('Origin', 'https://evil.example').expect(200);
  t.is(me.body.username, 'alice');
  const audit = await app.request.get('/api/v1/me/audit').set('Cookie', session.accessCookie).expect(200);
  t.true(audit.body.total >= 1);
});
