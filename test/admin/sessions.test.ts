import test from 'ava';
import { bearer, buildTestApp, login, register, signUpAdmin } from '../helpers/app.ts';

test('an admin sees the live devices of a user', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'alice');
  const phone = await login(app.request, 'alice', { device_name: 'Phone' });
  app.clock.advance(1);
  const laptop = await login(app.request, 'alice', { device_name: 'Laptop' });
  await app.request.post('/api/v1/logout').set(bearer(phone.access_token)).expect(200);

  const response = await app.request
    .get(`/api/v1/admin/users/${user.id}/sessions`)
    .set(bearer(admin.access_token))
    .expect(200);
  t.deepEqual(
    response.body.sessions.map((session: { id: string; current: boolean }) => [session.id, session.current]),
    [[laptop.session_id, false]],
  );
});

test('admin revocation of one device makes its token token_revoked at once', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  await register(app.request, 'bob');
  const stolen = await login(app.request, 'bob');
  const other = await login(app.request, 'bob');
  await app.request
    .delete(`/api/v1/admin/sessions/${stolen.session_id}`)
    .set(bearer(admin.access_token))
    .expect(204);
  const me = await app.request.get('/api/v1/me').set(bearer(stolen.access_token)).expect(401);
  t.is(me.body.error, 'token_revoked');
  await app.request.get('/api/v1/me').set(bearer(other.access_token)).expect(200);
  const row = await app.db('sessions').where({ id: stolen.session_id }).first();
  t.is(row.revoked_reason, 'revoked_by_admin');
  // already revoked, or unknown: 404
  await app.request
    .delete(`/api/v1/admin/sessions/${stolen.session_id}`)
    .set(bearer(admin.access_token))
    .expect(404);
  await app.request.delete('/api/v1/admin/sessions/xyz').set(bearer(admin.access_token)).expect(404);
});

test('admin revocation of all devices of a user returns the count', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'carol');
  const devices = [await login(app.request, 'carol'), await login(app.request, 'carol')];
  const response = await app.request
    .delete(`/api/v1/admin/users/${user.id}/sessions`)
    .set(bearer(admin.access_token))
    .expect(200);
  t.deepEqual(response.body, { revoked: 2 });
  for (const device of devices) {
    await app.request.get('/api/v1/me').set(bearer(device.access_token)).expect(401);
  }
  await app.request.get('/api/v1/me').set(bearer(admin.access_token)).expect(200);
});

test('session routes of an unknown user are 404', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  for (const path of ['/api/v1/admin/users/987654321/sessions', '/api/v1/admin/users/xyz/sessions']) {
    const listed = await app.request.get(path).set(bearer(tokens.access_token)).expect(404);
    t.is(listed.body.error, 'not_found');
    await app.request.delete(path).set(bearer(tokens.access_token)).expect(404);
  }
});
