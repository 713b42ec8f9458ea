import test from 'ava';
import { bearer, login, PASSWORD, register, signUp, type TestApp } from '../helpers/app.ts';
import { buildCookieApp, cookieLogin, OWN_ORIGIN, type CookieSession } from './cookie-helpers.ts';

const TABLES = ['users', 'sessions', 'refresh_tokens', 'posts', 'personal_access_tokens', 'audit_events'];

/** Every row of every table a request could change, for before/after comparison. */
async function snapshot(app: TestApp): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLES) tables[table] = await app.db(table).select().orderBy(1);
  return tables;
}

interface Fixture {
  app: TestApp;
  alice: CookieSession;
  admin: CookieSession;
  postId: string;
  tokenId: string;
  bobId: string;
  bobSessionId: string;
}

async function fixture(t: Parameters<typeof buildCookieApp>[0], env: Record<string, string> = {}): Promise<Fixture> {
  const app = await buildCookieApp(t, env);
  const alice = await cookieLogin(app, 'alice', { register: true });
  const aliceBearer = await login(app.request, 'alice');
  const post = await app.request.post('/api/v1/posts').set(bearer(aliceBearer.access_token)).send({ title: 't', content: 'c' }).expect(201);
  const token = await app.request.post('/api/v1/tokens').set(bearer(aliceBearer.access_token)).send({ name: 'ci', abilities: ['*'] }).expect(201);
  const { user: bob, tokens: bobTokens } = await signUp(app.request, 'bob');
  const root = await register(app.request, 'root');
  await app.db('users').where({ id: Number(root.id) }).update({ is_admin: true });
  const admin = await cookieLogin(app, 'root');
  return { app, alice, admin, postId: post.body.id, tokenId: token.body.id, bobId: bob.id, bobSessionId: bobTokens.session_id };
}

/** Every unsafe route a cookie can reach, with a body that would succeed from our own origin. */
function unsafeRequests(f: Fixture) {
  const { alice, admin } = f;
  return [
    { method: 'post', path: '/api/v1/logout', cookie: alice.accessCookie },
    { method: 'post', path: '/api/v1/logout/all', cookie: alice.accessCookie, body: { keep_current: true } },
    { method: 'post', path: '/api/v1/refresh', cookie: alice.bothCookies },
    { method: 'put', path: '/api/v1/me/password', cookie: alice.accessCookie, body: { current_password: PASSWORD, new_password: 'another long passphrase' } },
    { method: 'delete', path: `/api/v1/sessions/${alice.sessionId}`, cookie: alice.accessCookie },
    { method: 'post', path: '/api/v1/posts', cookie: alice.accessCookie, body: { title: 'x', content: 'y' } },
    { method: 'put', path: `/api/v1/posts/${f.postId}`, cookie: alice.accessCookie, body: { title: 'changed' } },
    { method: 'delete', path: `/api/v1/posts/${f.postId}`, cookie: alice.accessCookie },
    { method: 'post', path: '/api/v1/tokens', cookie: alice.accessCookie, body: { name: 'x', abilities: ['*'] } },
    { method: 'delete', path: `/api/v1/tokens/${f.tokenId}`, cookie: alice.accessCookie },
    { method: 'patch', path: `/api/v1/admin/users/${f.bobId}`, cookie: admin.accessCookie, body: { disabled: true } },
    { method: 'delete', path: `/api/v1/admin/users/${f.bobId}/sessions`, cookie: admin.accessCookie },
    { method: 'delete', path: `/api/v1/admin/sessions/${f.bobSessionId}`, cookie: admin.accessCookie },
  ] as const;
}

function send(app: TestApp, request: ReturnType<typeof unsafeRequests>[number], origin: string | undefined) {
  let pending = app.request[request.method](request.path).set('Cookie', request.cookie);
  if (origin !== undefined) pending = pending.set('Origin', origin);
  return 'body' in request ? pending.send(request.body) : pending;
}

for (const [label, origin] of [
  ['no Origin', undefined],
  ['a foreign Origin', 'https://evil.example'],
  ['an opaque Origin', 'null'],
  ['a look-alike Origin', 'https://auth.example.com.evil.example'],
  ['our host over another scheme', 'http://auth.example.com'],
] as const) {
  test(`every unsafe cookie request with ${label} is 403 csrf_failed and changes nothing`, async (t) => {
    const f = await fixture(t);
    const before = await snapshot(f.app);
    for (const request of unsafeRequests(f)) {
      const response = await send(f.app, request, origin);
      t.is(response.status, 403, `${request.method} ${request.path}`);
      t.is(response.body.error, 'csrf_failed', `${request.method} ${request.path}`);
      t.is(response.headers['set-cookie'], undefined);
    }
    t.deepEqual(await snapshot(f.app), before);
  });
}

test('the same requests from our own origin (and, one by one, a listed origin) succeed', async (t) => {
  const f = await fixture(t, { CORS_ORIGINS: 'https://app.example.com' });
  const requests = unsafeRequests(f);
  // In an order where each request leaves alice's cookie session usable for the next;
  // the two that end it (revoking it, logging out) get a session of their own.
  const order = [5, 6, 8, 9, 7, 12, 10, 11, 4, 0, 1, 3, 2];
  const spare = { 4: await cookieLogin(f.app, 'alice'), 0: await cookieLogin(f.app, 'alice') };
  for (const [index, position] of order.entries()) {
    let request = requests[position]!;
    if (position === 4 || position === 0) {
      const own = spare[position];
      request = { ...request, cookie: own.accessCookie, path: request.path.replace(f.alice.sessionId, own.sessionId) } as typeof request;
    }
    const origin = index % 2 === 0 ? OWN_ORIGIN : 'https://app.example.com';
    const response = await send(f.app, request, origin);
    t.true(response.status < 300, `${request.method} ${request.path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
});

test('the Origin check comes before everything else: rate limits, content type, validation, authentication', async (t) => {
  const app = await buildCookieApp(t, { RATE_LIMIT_GLOBAL: '3/60' });
  const session = await cookieLogin(app, 'alice', { register: true });
  const forged = () => app.request.post('/api/v1/posts').set('Cookie', session.accessCookie).set('Origin', 'https://evil.example');

  const form = await forged().type('form').send('title=x&content=y').expect(403);
  t.is(form.body.error, 'csrf_failed');
  const invalid = await forged().type('json').send('{not json').expect(403);
  t.is(invalid.body.error, 'csrf_failed');
  const revokedCookie = await app.request
    .post('/api/v1/logout')
    .set('Cookie', '__Host-tsr_at=garbage')
    .set('Origin', 'https://evil.example')
    .expect(403);
  t.is(revokedCookie.body.error, 'csrf_failed');
  // None of them counted against the global limit of 3 (registration and login took two).
  await app.request.get('/api/v1/me').set('Cookie', session.accessCookie).expect(200);
});

test('bearer requests are unaffected: no Origin needed, a foreign one ignored', async (t) => {
  const app = await buildCookieApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const plain = await app.request.post('/api/v1/posts').set(bearer(tokens.access_token)).send({ title: 'x', content: 'y' });
  t.is(plain.status, 201);
  await app.request
    .post('/api/v1/posts')
    .set(bearer(tokens.access_token))
    .set('Origin', 'https://evil.example')
    .send({ title: 'x', content: 'y' })
    .expect(201);
  // Even with a Tessera cookie beside it: the header wins and the request is a bearer request.
  const session = await cookieLogin(app, 'alice');
  await app.request.post('/api/v1/logout').set(bearer(tokens.access_token)).set('Cookie', session.accessCookie).expect(200);
  const me = await app.request.get('/api/v1/me').set('Cookie', session.accessCookie).expect(200);
  t.is(me.body.session.id, session.sessionId);
});

test('a CORS_ORIGINS of * never lets another site drive a cookie session', async (t) => {
  const app = await buildCookieApp(t, { CORS_ORIGINS: '*' });
  const session = await cookieLogin(app, 'alice', { register: true });
  const response = await app.request.post('/api/v1/logout').set('Cookie', session.accessCookie).set('Origin', 'https://evil.example').expect(403);
  t.is(response.body.error, 'csrf_failed');
  t.is(response.headers['access-control-allow-credentials'], undefined);
});
