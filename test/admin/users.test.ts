import test from 'ava';
import { bearer, buildTestApp, login, PASSWORD, register, signUpAdmin } from '../helpers/app.ts';

test('GET /admin/users pages through users with a total', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  for (const name of ['amy', 'ben', 'cat', 'dan']) await register(app.request, name);
  const response = await app.request
    .get('/api/v1/admin/users?offset=1&limit=2')
    .set(bearer(tokens.access_token))
    .expect(200);
  t.is(response.body.total, 5);
  t.is(response.body.offset, 1);
  t.is(response.body.limit, 2);
  t.deepEqual(
    response.body.items.map((user: { username: string }) => user.username),
    ['amy', 'ben'],
  );
  t.is(response.body.items[0].password_hash, undefined);
});

test('GET /admin/users?q searches username and email, ignoring case', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  await register(app.request, 'alice', { email: 'alice@corp.example' });
  await register(app.request, 'bob', { email: 'bob@CORP.example' });
  await register(app.request, 'carol_x');
  const corp = await app.request
    .get('/api/v1/admin/users?q=Corp')
    .set(bearer(tokens.access_token))
    .expect(200);
  t.is(corp.body.total, 2);
  // LIKE wildcards are matched literally
  const underscore = await app.request
    .get('/api/v1/admin/users?q=_')
    .set(bearer(tokens.access_token))
    .expect(200);
  t.deepEqual(
    underscore.body.items.map((user: { username: string }) => user.username),
    ['carol_x'],
  );
});

test('pagination parameters are validated, not coerced', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  for (const query of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1&limit=2', 'limit=1e2']) {
    const response = await app.request
      .get(`/api/v1/admin/users?${query}`)
      .set(bearer(tokens.access_token));
    t.is(response.status, 400, query);
    t.is(response.body.error, 'validation_failed');
  }
});

test('disabling a user cuts every session at once; login then says account_disabled', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'eve');
  const phone = await login(app.request, 'eve');
  const laptop = await login(app.request, 'eve');

  const response = await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(admin.access_token))
    .send({ disabled: true })
    .expect(200);
  t.is(response.body.disabled, true);
  for (const device of [phone, laptop]) {
    const me = await app.request.get('/api/v1/me').set(bearer(device.access_token)).expect(401);
    t.is(me.body.error, 'token_revoked');
    const refreshed = await app.request
      .post('/api/v1/refresh')
      .send({ refresh_token: device.refresh_token })
      .expect(401);
    t.is(refreshed.body.error, 'token_revoked');
  }
  const sessions = await app.db('sessions').where({ user_id: Number(user.id) });
  t.true(sessions.every((session) => session.revoked_reason === 'user_disabled'));
  const denied = await app.request
    .post('/api/v1/login')
    .send({ username: 'eve', password: PASSWORD })
    .expect(403);
  t.is(denied.body.error, 'account_disabled');

  const enabled = await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(admin.access_token))
    .send({ disabled: false })
    .expect(200);
  t.is(enabled.body.disabled, false);
  await login(app.request, 'eve');
});

test('granting and removing admin', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'fred');
  const promoted = await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(admin.access_token))
    .send({ is_admin: true })
    .expect(200);
  t.true(promoted.body.is_admin);
  const fred = await login(app.request, 'fred');
  await app.request.get('/api/v1/admin/users').set(bearer(fred.access_token)).expect(200);
  await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(admin.access_token))
    .send({ is_admin: false })
    .expect(200);
  const after = await app.request.get('/api/v1/admin/users').set(bearer(fred.access_token)).expect(403);
  t.is(after.body.error, 'forbidden');
});

test('an admin cannot disable or demote themselves', async (t) => {
  const app = await buildTestApp(t);
  const { user, tokens } = await signUpAdmin(app, 'root');
  for (const body of [{ disabled: true }, { is_admin: false }]) {
    const response = await app.request
      .patch(`/api/v1/admin/users/${user.id}`)
      .set(bearer(tokens.access_token))
      .send(body)
      .expect(403);
    t.is(response.body.error, 'forbidden');
  }
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
});

test('PATCH validates its body and 404s unknown users', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'gina');
  const wrongType = await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(tokens.access_token))
    .send({ disabled: 'true' })
    .expect(400);
  t.is(wrongType.body.details[0].field, 'disabled');
  const empty = await app.request
    .patch(`/api/v1/admin/users/${user.id}`)
    .set(bearer(tokens.access_token))
    .send({})
    .expect(400);
  t.is(empty.body.error, 'validation_failed');
  for (const id of ['987654321', 'xyz', '1.5']) {
    const response = await app.request
      .patch(`/api/v1/admin/users/${id}`)
      .set(bearer(tokens.access_token))
      .send({ disabled: true });
    t.is(response.status, 404, id);
    t.is(response.body.error, 'not_found');
  }
});
