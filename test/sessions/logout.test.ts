import test from 'ava';
import { bearer, buildTestApp, login, register } from '../helpers/app.ts';

test('logout ends this device only; the other device keeps working', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'alice');
  const phone = await login(request, 'alice');
  const laptop = await login(request, 'alice');

  const response = await request.post('/api/v1/logout').set(bearer(phone.access_token)).expect(200);
  t.is(typeof response.body.message, 'string');

  const after = await request.get('/api/v1/me').set(bearer(phone.access_token)).expect(401);
  t.is(after.body.error, 'token_revoked');
  t.regex(after.headers['www-authenticate'] ?? '', /error="invalid_token"/);
  const refresh = await request
    .post('/api/v1/refresh')
    .send({ refresh_token: phone.refresh_token })
    .expect(401);
  t.is(refresh.body.error, 'token_revoked');
  await request.get('/api/v1/me').set(bearer(laptop.access_token)).expect(200);

  const row = await db('sessions').where({ id: phone.session_id }).first();
  t.is(row.revoked_reason, 'logout');
});

test('logout needs a token', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.post('/api/v1/logout').expect(401);
  t.is(response.body.error, 'token_missing');
});

test('logout/all ends every session and counts the caller', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'bob');
  const devices = [await login(request, 'bob'), await login(request, 'bob'), await login(request, 'bob')];
  const response = await request
    .post('/api/v1/logout/all')
    .set(bearer(devices[0]!.access_token))
    .expect(200);
  t.deepEqual(response.body, { revoked: 3 });
  for (const device of devices) {
    const me = await request.get('/api/v1/me').set(bearer(device.access_token)).expect(401);
    t.is(me.body.error, 'token_revoked');
  }
});

test('logout/all with keep_current keeps the calling device', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'carol');
  const current = await login(request, 'carol');
  const other = await login(request, 'carol');
  const response = await request
    .post('/api/v1/logout/all')
    .set(bearer(current.access_token))
    .send({ keep_current: true })
    .expect(200);
  t.deepEqual(response.body, { revoked: 1 });
  await request.get('/api/v1/me').set(bearer(current.access_token)).expect(200);
  await request.get('/api/v1/me').set(bearer(other.access_token)).expect(401);
});

test('logout/all does not touch other users', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'dave');
  await register(request, 'erin');
  const dave = await login(request, 'dave');
  const erin = await login(request, 'erin');
  const response = await request
    .post('/api/v1/logout/all')
    .set(bearer(dave.access_token))
    .expect(200);
  t.deepEqual(response.body, { revoked: 1 });
  const me = await request.get('/api/v1/me').set(bearer(erin.access_token)).expect(200);
  t.is(me.body.username, 'erin');
});

test('keep_current must be a real boolean', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'frank');
  const tokens = await login(request, 'frank');
  const response = await request
    .post('/api/v1/logout/all')
    .set(bearer(tokens.access_token))
    .send({ keep_current: 'true' })
    .expect(400);
  t.is(response.body.error, 'validation_failed');
  t.is(response.body.details[0].field, 'keep_current');
  await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
});
