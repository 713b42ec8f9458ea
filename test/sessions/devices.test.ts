import test from 'ava';
import { bearer, buildTestApp, login, register } from '../helpers/app.ts';

test('GET /sessions lists live sessions, newest first, marking the current one', async (t) => {
  const { request, clock } = await buildTestApp(t);
  await register(request, 'alice');
  const first = await login(request, 'alice', { device_name: 'First' });
  clock.advance(1);
  const second = await login(request, 'alice', { device_name: 'Second' });
  clock.advance(1);
  const third = await login(request, 'alice', { device_name: 'Third' });
  await request.post('/api/v1/logout').set(bearer(third.access_token)).expect(200);

  const response = await request.get('/api/v1/sessions').set(bearer(first.access_token)).expect(200);
  const sessions = response.body.sessions as Array<{ id: string; device_name: string; current: boolean }>;
  t.deepEqual(
    sessions.map((session) => session.device_name),
    ['Second', 'First'],
  );
  t.deepEqual(
    sessions.map((session) => session.current),
    [false, true],
  );
  t.is(sessions[0]!.id, second.session_id);
});

test('expired sessions are not listed', async (t) => {
  const { request, clock } = await buildTestApp(t, { env: { SESSION_IDLE_TTL: '3600' } });
  await register(request, 'bob');
  await login(request, 'bob');
  clock.advance(3000);
  const fresh = await login(request, 'bob');
  clock.advance(700); // the first session is now idle-expired
  const refreshed = await request
    .post('/api/v1/refresh')
    .send({ refresh_token: fresh.refresh_token })
    .expect(200);
  const response = await request
    .get('/api/v1/sessions')
    .set(bearer(refreshed.body.access_token))
    .expect(200);
  t.deepEqual(
    response.body.sessions.map((session: { id: string }) => session.id),
    [fresh.session_id],
  );
});

test('DELETE /sessions/:id revokes another of my devices', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'carol');
  const mine = await login(request, 'carol');
  const lost = await login(request, 'carol');
  const response = await request
    .delete(`/api/v1/sessions/${lost.session_id}`)
    .set(bearer(mine.access_token))
    .expect(204);
  t.is(response.text, '');
  const after = await request.get('/api/v1/me').set(bearer(lost.access_token)).expect(401);
  t.is(after.body.error, 'token_revoked');
  await request.get('/api/v1/me').set(bearer(mine.access_token)).expect(200);
  const row = await db('sessions').where({ id: lost.session_id }).first();
  t.is(row.revoked_reason, 'revoked_by_user');
});

test("someone else's session, an unknown id, or a revoked one is 404", async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'dave');
  await register(request, 'erin');
  const dave = await login(request, 'dave');
  const erin = await login(request, 'erin');

  const foreign = await request
    .delete(`/api/v1/sessions/${erin.session_id}`)
    .set(bearer(dave.access_token))
    .expect(404);
  t.is(foreign.body.error, 'not_found');
  await request.get('/api/v1/me').set(bearer(erin.access_token)).expect(200);

  for (const id of ['xyz', '00000000-0000-4000-8000-000000000000', '%27%20OR%201%3D1']) {
    const response = await request.delete(`/api/v1/sessions/${id}`).set(bearer(dave.access_token));
    t.is(response.status, 404, id);
    t.is(response.body.error, 'not_found');
  }

  const other = await login(request, 'dave');
  await request.post('/api/v1/logout').set(bearer(other.access_token)).expect(200);
  await request
    .delete(`/api/v1/sessions/${other.session_id}`)
    .set(bearer(dave.access_token))
    .expect(404);
});

test('session routes need a token', async (t) => {
  const { request } = await buildTestApp(t);
  t.is((await request.get('/api/v1/sessions').expect(401)).body.error, 'token_missing');
  t.is((await request.delete('/api/v1/sessions/abc').expect(401)).body.error, 'token_missing');
});
