import test from 'ava';
import { generateToken } from '../../src/crypto/tokens.ts';
import { bearer, buildTestApp, countQueries, signUp, signUpAdmin } from '../helpers/app.ts';

const CHALLENGE = 'Bearer realm="tessera"';

test('no token: 401 token_missing with a bare Bearer challenge', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.get('/api/v1/me').expect(401);
  t.is(response.body.error, 'token_missing');
  t.is(response.headers['www-authenticate'], CHALLENGE);
});

test('another auth scheme counts as no bearer token', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.get('/api/v1/me').set('Authorization', 'Basic YTpi').expect(401);
  t.is(response.body.error, 'token_missing');
});

test('the scheme name is case-insensitive', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'alice');
  const response = await request
    .get('/api/v1/me')
    .set('Authorization', `bEaReR ${tokens.access_token}`)
    .expect(200);
  t.is(response.body.username, 'alice');
});

test('GET /me returns the user and the current session', async (t) => {
  const { request } = await buildTestApp(t);
  const { user, tokens } = await signUp(request, 'bob');
  const response = await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  t.is(response.body.id, user.id);
  t.is(response.body.password_hash, undefined);
  t.deepEqual(Object.keys(response.body.session).sort(), [
    'created_at',
    'current',
    'device_name',
    'expires_at',
    'id',
    'ip',
    'last_used_at',
    'user_agent',
  ]);
  t.is(response.body.session.id, tokens.session_id);
  t.true(response.body.session.current);
  t.is(response.headers['content-type'], 'application/json; charset=utf-8');
});

test('GET /me is never stale: last_used_at after the minute, is_admin after a grant', async (t) => {
  const app = await buildTestApp(t);
  const { request, clock } = app;
  const { user, tokens } = await signUp(request, 'bob');
  const me = async () => (await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200)).body;

  const first = await me();
  t.deepEqual(await me(), first); // served twice from the same cached session
  clock.advance(61);
  t.is((await me()).session.last_used_at, clock().toISOString());

  const admin = await signUpAdmin(app, 'root');
  await request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(admin.tokens.access_token))
    .send({ is_admin: true })
    .expect(200);
  t.true((await me()).is_admin);
});

const malformed: Array<[string, string]> = [
  ['garbage', 'Bearer not-a-token'],
  ['an empty token', 'Bearer '],
  ['a token with the right prefix and a bad checksum', `Bearer tsr_at_1${'A'.repeat(49)}`],
  ['a very long header', `Bearer ${'a'.repeat(10_000)}`],
  ['two tokens', 'Bearer tsr_at_1abc tsr_at_1def'],
];

for (const [name, header] of malformed) {
  test(`${name}: 401 token_invalid without touching the database`, async (t) => {
    const { request, db } = await buildTestApp(t);
    let response: Awaited<ReturnType<typeof request.get>> | undefined;
    const queries = await countQueries(db, async () => {
      response = await request.get('/api/v1/me').set('Authorization', header).expect(401);
    });
    t.is(response?.body.error, 'token_invalid');
    t.regex(response?.headers['www-authenticate'] ?? '', /^Bearer realm="tessera", error="invalid_token", error_description="[^"]+"$/);
    t.is(queries, 0);
  });
}

test('a refresh token sent as an access token is token_invalid, before any query', async (t) => {
  const { request, db } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'carol');
  let status = 0;
  let code = '';
  const queries = await countQueries(db, async () => {
    const response = await request.get('/api/v1/me').set(bearer(tokens.refresh_token));
    status = response.status;
    code = response.body.error;
  });
  t.is(status, 401);
  t.is(code, 'token_invalid');
  t.is(queries, 0);
});

test('a well-formed but unknown token is token_invalid', async (t) => {
  const { request } = await buildTestApp(t);
  const token = generateToken('access', '1', new Date());
  const response = await request.get('/api/v1/me').set(bearer(token)).expect(401);
  t.is(response.body.error, 'token_invalid');
});

test('a valid token costs one query on the hot path, and none once cached', async (t) => {
  const { request, db } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'dave');
  const me = () => request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  t.is(await countQueries(db, me), 1);
  t.is(await countQueries(db, me), 0);
});

test('an access token expires after ACCESS_TOKEN_TTL', async (t) => {
  const { request, clock } = await buildTestApp(t, { env: { ACCESS_TOKEN_TTL: '60' } });
  const { tokens } = await signUp(request, 'erin');
  t.is(tokens.expires_in, 60);
  clock.advance(59);
  await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  clock.advance(1);
  const response = await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(401);
  t.is(response.body.error, 'token_expired');
  t.regex(response.headers['www-authenticate'] ?? '', /error="invalid_token"/);
});

for (const [cache, lookups] of [['off', 1], ['on', 0]] as const) {
  test(`last_used_at is written at most once a minute per session (cache ${cache})`, async (t) => {
    const { request, db, clock } = await buildTestApp(t, { env: { AUTH_CACHE: cache } });
    const { tokens } = await signUp(request, 'frank');
    const lastUsed = async () =>
      (await db('sessions').where({ id: tokens.session_id }).first()).last_used_at as string;
    const loggedInAt = await lastUsed();
    await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200); // warms the cache

    clock.advance(30);
    const withinMinute = await countQueries(db, () =>
      request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200),
    );
    t.is(withinMinute, lookups); // no write
    t.is(await lastUsed(), loggedInAt);

    clock.advance(31);
    const afterMinute = await countQueries(db, async () => {
      const me = await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
      t.is(me.body.session.last_used_at, clock().toISOString());
    });
    t.is(afterMinute, lookups + 1); // one write
    t.is(await lastUsed(), clock().toISOString());
  });
}

test('the embedding API answers with promises, refusals included: services and middleware never throw at the caller', async (t) => {
  const app = await buildTestApp(t);
  const { sessions, tokens } = app.tessera.tessera.services;
  const { tokens: pair } = await signUp(app.request, 'alice');
  await app.request.get('/api/v1/me').set(bearer(pair.access_token)).expect(200); // now cached

  const hit = sessions.authenticate(pair.access_token);
  t.true(hit instanceof Promise, 'a cache hit is still a promise to callers');
  t.is((await hit).user.username, 'alice');
  for (const refused of [sessions.authenticate('garbage'), tokens.authenticate('garbage')]) {
    t.true(refused instanceof Promise);
    t.is(((await t.throwsAsync(refused)) as { code?: string }).code, 'token_invalid');
  }

  // requireAuth() called directly, as an app might: a refusal is a rejected promise.
  const ctx = { req: { headers: { authorization: 'Bearer garbage' } }, state: {}, method: 'GET' } as never;
  const outcome = app.tessera.tessera.auth.requireAuth()(ctx, async () => {});
  t.true(outcome instanceof Promise);
  const error = await t.throwsAsync(outcome);
  t.is((error as { code?: string }).code, 'token_invalid');
});
