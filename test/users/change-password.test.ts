import test from 'ava';
import { bearer, buildTestApp, login, PASSWORD, register } from '../helpers/app.ts';

const NEW_PASSWORD = 'a brand new passphrase';

test('changing the password revokes every other session and keeps this one', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'alice');
  const current = await login(request, 'alice');
  const other = await login(request, 'alice');
  const response = await request
    .put('/api/v1/me/password')
    .set(bearer(current.access_token))
    .send({ current_password: PASSWORD, new_password: NEW_PASSWORD })
    .expect(200);
  t.is(response.body.revoked, 1);

  await request.get('/api/v1/me').set(bearer(current.access_token)).expect(200);
  const otherMe = await request.get('/api/v1/me').set(bearer(other.access_token)).expect(401);
  t.is(otherMe.body.error, 'token_revoked');
  const row = await db('sessions').where({ id: other.session_id }).first();
  t.is(row.revoked_reason, 'password_changed');

  await request
    .post('/api/v1/login')
    .send({ username: 'alice', password: PASSWORD })
    .expect(401);
  await request
    .post('/api/v1/login')
    .send({ username: 'alice', password: NEW_PASSWORD })
    .expect(200);
});

test('a wrong current password is a validation error and changes nothing', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'bob');
  const current = await login(request, 'bob');
  const other = await login(request, 'bob');
  const before = await db('users').where({ username: 'bob' }).first();
  const response = await request
    .put('/api/v1/me/password')
    .set(bearer(current.access_token))
    .send({ current_password: 'not my password', new_password: NEW_PASSWORD })
    .expect(400);
  t.is(response.body.error, 'validation_failed');
  t.is(response.body.details[0].field, 'current_password');
  const after = await db('users').where({ username: 'bob' }).first();
  t.is(after.password_hash, before.password_hash);
  await request.get('/api/v1/me').set(bearer(other.access_token)).expect(200);
});

test('the new password must pass the policy', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'carolyn');
  const current = await login(request, 'carolyn');
  for (const newPassword of ['short', 'carolyn', 'Carolyn!'.slice(0, 7)]) {
    const response = await request
      .put('/api/v1/me/password')
      .set(bearer(current.access_token))
      .send({ current_password: PASSWORD, new_password: newPassword })
      .expect(400);
    t.is(response.body.error, 'validation_failed');
    t.is(response.body.details[0].field, 'new_password');
  }
});

test('both fields are required strings', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'dave');
  const current = await login(request, 'dave');
  const response = await request
    .put('/api/v1/me/password')
    .set(bearer(current.access_token))
    .send({ new_password: 12345678 })
    .expect(400);
  const fields = response.body.details.map((detail: { field: string }) => detail.field).sort();
  t.deepEqual(fields, ['current_password', 'new_password']);
});
