import test from 'ava';
import { bearer, buildTestApp, signUp, type TestApp } from '../helpers/app.ts';

const DAY = 24 * 3600;

function refresh(request: TestApp['request'], refreshToken: string) {
  return request.post('/api/v1/refresh').send({ refresh_token: refreshToken });
}

test('refresh rotates both tokens and keeps the session', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'alice');
  const response = await refresh(request, tokens.refresh_token).expect(200);
  t.is(response.headers['cache-control'], 'no-store');
  t.is(response.body.session_id, tokens.session_id);
  t.is(response.body.token_type, 'Bearer');
  t.not(response.body.access_token, tokens.access_token);
  t.not(response.body.refresh_token, tokens.refresh_token);
  await request.get('/api/v1/me').set(bearer(response.body.access_token)).expect(200);
});

test('the old access token stops working at once', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'bob');
  await refresh(request, tokens.refresh_token).expect(200);
  const response = await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(401);
  t.is(response.body.error, 'token_invalid');
});

test('an old refresh token within the leeway is refresh_token_rotated and revokes nothing', async (t) => {
  const { request, clock, db } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'carol');
  const rotated = await refresh(request, tokens.refresh_token).expect(200);
  clock.advance(10);
  const again = await refresh(request, tokens.refresh_token).expect(401);
  t.is(again.body.error, 'refresh_token_rotated');
  const session = await db('sessions').where({ id: tokens.session_id }).first();
  t.is(session.revoked_at, null);
  await request.get('/api/v1/me').set(bearer(rotated.body.access_token)).expect(200);
  await refresh(request, rotated.body.refresh_token).expect(200);
});

test('an old refresh token after the leeway is theft: the session is revoked', async (t) => {
  const { request, clock, db } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'dave');
  const rotated = await refresh(request, tokens.refresh_token).expect(200);
  clock.advance(11);
  const reuse = await refresh(request, tokens.refresh_token).expect(401);
  t.is(reuse.body.error, 'refresh_token_reused');

  const session = await db('sessions').where({ id: tokens.session_id }).first();
  t.is(session.revoked_reason, 'refresh_token_reused');
  const me = await request.get('/api/v1/me').set(bearer(rotated.body.access_token)).expect(401);
  t.is(me.body.error, 'token_revoked');
  const next = await refresh(request, rotated.body.refresh_token).expect(401);
  t.is(next.body.error, 'token_revoked');
});

test('reuse of an older generation is caught too', async (t) => {
  const { request, clock } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'erin');
  const second = await refresh(request, tokens.refresh_token).expect(200);
  clock.advance(60);
  await refresh(request, second.body.refresh_token).expect(200);
  const reuse = await refresh(request, tokens.refresh_token).expect(401);
  t.is(reuse.body.error, 'refresh_token_reused');
});

test('REFRESH_REUSE_LEEWAY=0 treats any replay as reuse', async (t) => {
  const { request, clock } = await buildTestApp(t, { env: { REFRESH_REUSE_LEEWAY: '0' } });
  const { tokens } = await signUp(request, 'frank');
  await refresh(request, tokens.refresh_token).expect(200);
  clock.advance(1);
  const reuse = await refresh(request, tokens.refresh_token).expect(401);
  t.is(reuse.body.error, 'refresh_token_reused');
});

test('an access token sent to /refresh is token_invalid', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'grace');
  const response = await refresh(request, tokens.access_token).expect(401);
  t.is(response.body.error, 'token_invalid');
});

test('a malformed or missing refresh token', async (t) => {
  const { request } = await buildTestApp(t);
  t.is((await refresh(request, 'garbage').expect(401)).body.error, 'token_invalid');
  const missing = await request.post('/api/v1/refresh').send({}).expect(400);
  t.is(missing.body.error, 'validation_failed');
  t.is(missing.body.details[0].field, 'refresh_token');
  const wrongType = await request.post('/api/v1/refresh').send({ refresh_token: 5 }).expect(400);
  t.is(wrongType.body.details[0].field, 'refresh_token');
});

test('a session not refreshed for SESSION_IDLE_TTL expires', async (t) => {
  const { request, clock } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'heidi');
  clock.advance(14 * DAY);
  const response = await refresh(request, tokens.refresh_token).expect(401);
  t.is(response.body.error, 'token_expired');
});

test('refreshing slides the idle expiry forward', async (t) => {
  const { request, clock } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'ivan');
  clock.advance(10 * DAY);
  const second = await refresh(request, tokens.refresh_token).expect(200);
  t.is(second.body.refresh_expires_in, 14 * DAY);
  clock.advance(10 * DAY); // 20 days after login, 10 after the refresh
  await refresh(request, second.body.refresh_token).expect(200);
});

test('no refresh extends a session past SESSION_MAX_TTL', async (t) => {
  const { request, clock } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'judy');
  let refreshToken = tokens.refresh_token;
  for (let day = 10; day <= 20; day += 10) {
    clock.advance(10 * DAY);
    const response = await refresh(request, refreshToken).expect(200);
    refreshToken = response.body.refresh_token;
  }
  clock.advance(9 * DAY); // day 29
  const last = await refresh(request, refreshToken).expect(200);
  t.is(last.body.refresh_expires_in, 1 * DAY);
  t.true(last.body.expires_in <= 1 * DAY);
  clock.advance(1 * DAY); // day 30
  const expired = await refresh(request, last.body.refresh_token).expect(401);
  t.is(expired.body.error, 'token_expired');
  const me = await request.get('/api/v1/me').set(bearer(last.body.access_token)).expect(401);
  t.is(me.body.error, 'token_expired');
});

test('an access token never outlives its session', async (t) => {
  const { request } = await buildTestApp(t, {
    env: { ACCESS_TOKEN_TTL: '900', SESSION_IDLE_TTL: '300', SESSION_MAX_TTL: '600' },
  });
  const { tokens } = await signUp(request, 'kim');
  t.is(tokens.expires_in, 300);
  t.is(tokens.refresh_expires_in, 300);
});
