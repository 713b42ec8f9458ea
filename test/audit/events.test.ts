import test from 'ava';
import {
  auditRows,
  bearer,
  buildTestApp,
  login,
  PASSWORD,
  register,
  signUpAdmin,
} from '../helpers/app.ts';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

test('registration and login write events with IP and user agent', async (t) => {
  const app = await buildTestApp(t);
  const user = await app.request
    .post('/api/v1/users')
    .set('User-Agent', BROWSER)
    .send({ username: 'alice', password: PASSWORD })
    .expect(201);
  const tokens = await app.request
    .post('/api/v1/login')
    .set('User-Agent', BROWSER)
    .send({ username: 'alice', password: PASSWORD })
    .expect(200);
  const [registered] = await auditRows(app.db, 'user_registered');
  t.like(registered, { user_id: Number(user.body.id), user_agent: BROWSER });
  t.truthy(registered.ip);
  const [loggedIn] = await auditRows(app.db, 'login_succeeded');
  t.like(loggedIn, {
    user_id: Number(user.body.id),
    actor_id: Number(user.body.id),
    session_id: tokens.body.session_id,
    user_agent: BROWSER,
  });
});

test('failed logins are recorded with the reason, for known and unknown users', async (t) => {
  const app = await buildTestApp(t);
  const user = await register(app.request, 'bob');
  await app.request.post('/api/v1/login').send({ username: 'bob', password: 'wrong password' }).expect(401);
  await app.request.post('/api/v1/login').send({ username: 'ghost', password: 'wrong password' }).expect(401);
  const rows = await auditRows(app.db, 'login_failed');
  t.is(rows.length, 2);
  t.is(rows[0].user_id, Number(user.id));
  t.deepEqual(JSON.parse(rows[0].detail), { reason: 'wrong_password' });
  t.is(rows[1].user_id, null);
  t.deepEqual(JSON.parse(rows[1].detail), { reason: 'unknown_user' });
});

test('refresh, reuse, logout, logout-all, revoke and password change each leave their event', async (t) => {
  const app = await buildTestApp(t);
  const user = await register(app.request, 'carol');
  const userId = Number(user.id);
  const first = await login(app.request, 'carol');
  const second = await login(app.request, 'carol');
  const third = await login(app.request, 'carol');

  const refreshed = await app.request
    .post('/api/v1/refresh')
    .send({ refresh_token: first.refresh_token })
    .expect(200);
  t.like((await auditRows(app.db, 'token_refreshed'))[0], { user_id: userId, session_id: first.session_id });

  app.clock.advance(60);
  await app.request.post('/api/v1/refresh').send({ refresh_token: first.refresh_token }).expect(401);
  t.like((await auditRows(app.db, 'refresh_token_reused'))[0], {
    user_id: userId,
    session_id: first.session_id,
    actor_id: null,
  });
  await app.request.get('/api/v1/me').set(bearer(refreshed.body.access_token)).expect(401);

  await app.request
    .delete(`/api/v1/sessions/${third.session_id}`)
    .set(bearer(second.access_token))
    .expect(204);
  t.like((await auditRows(app.db, 'session_revoked'))[0], {
    user_id: userId,
    actor_id: userId,
    session_id: third.session_id,
  });

  const fourth = await login(app.request, 'carol');
  await app.request
    .put('/api/v1/me/password')
    .set(bearer(second.access_token))
    .send({ current_password: PASSWORD, new_password: 'another long password' })
    .expect(200);
  const [changed] = await auditRows(app.db, 'password_changed');
  t.like(changed, { user_id: userId, session_id: second.session_id });
  t.deepEqual(JSON.parse(changed.detail), { revoked: 1 });
  await app.request.get('/api/v1/me').set(bearer(fourth.access_token)).expect(401);

  await app.request.post('/api/v1/logout/all').set(bearer(second.access_token)).expect(200);
  const [all] = await auditRows(app.db, 'logged_out_all');
  t.deepEqual(JSON.parse(all.detail), { revoked: 1, kept_current: false });

  const fifth = await app.request
    .post('/api/v1/login')
    .send({ username: 'carol', password: 'another long password' })
    .expect(200);
  await app.request.post('/api/v1/logout').set(bearer(fifth.body.access_token)).expect(200);
  t.like((await auditRows(app.db, 'logged_out'))[0], {
    user_id: userId,
    session_id: fifth.body.session_id,
  });
});

test('admin actions record the admin as the actor', async (t) => {
  const app = await buildTestApp(t);
  const { user: admin, tokens } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'dave');
  await login(app.request, 'dave');
  for (const body of [{ disabled: true }, { disabled: false }, { is_admin: true }, { is_admin: false }]) {
    await app.request
      .patch(`/api/v1/admin/users/${user.id}`)
      .set(bearer(tokens.access_token))
      .send(body)
      .expect(200);
  }
  for (const type of ['user_disabled', 'user_enabled', 'admin_granted', 'admin_revoked']) {
    const rows = await auditRows(app.db, type);
    t.is(rows.length, 1, type);
    t.like(rows[0], { user_id: Number(user.id), actor_id: Number(admin.id) });
  }
  t.deepEqual(JSON.parse((await auditRows(app.db, 'user_disabled'))[0].detail), { revoked: 1 });
});

test('no token or password ever appears in the audit trail', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'erin');
  const tokens = await login(app.request, 'erin');
  await app.request.post('/api/v1/login').send({ username: 'erin', password: 'typo password' });
  await app.request.post('/api/v1/refresh').send({ refresh_token: tokens.refresh_token }).expect(200);
  const dump = JSON.stringify(await app.db('audit_events').select());
  for (const secret of [PASSWORD, 'typo password', tokens.access_token, tokens.refresh_token]) {
    t.false(dump.includes(secret));
  }
});

test('GET /admin/audit filters by user and type, newest first, paginated', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'fay');
  for (let i = 0; i < 3; i += 1) await login(app.request, 'fay');

  const all = await app.request
    .get(`/api/v1/admin/audit?user_id=${user.id}&type=login_succeeded&limit=2`)
    .set(bearer(tokens.access_token))
    .expect(200);
  t.is(all.body.total, 3);
  t.is(all.body.items.length, 2);
  t.is(all.body.limit, 2);
  t.true(Number(all.body.items[0].id) > Number(all.body.items[1].id));
  t.deepEqual(Object.keys(all.body.items[0]).sort(), [
    'actor_id',
    'at',
    'detail',
    'id',
    'ip',
    'session_id',
    'type',
    'user_agent',
    'user_id',
  ]);
  t.is(all.body.items[0].user_id, user.id);

  const bad = await app.request
    .get('/api/v1/admin/audit?type=no_such_type')
    .set(bearer(tokens.access_token))
    .expect(400);
  t.is(bad.body.details[0].field, 'type');
});

test('GET /me/audit shows only my own events', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'gail');
  await register(app.request, 'hank');
  const gail = await login(app.request, 'gail');
  await login(app.request, 'hank');
  const response = await app.request.get('/api/v1/me/audit').set(bearer(gail.access_token)).expect(200);
  t.is(response.body.total, 2);
  t.deepEqual(
    response.body.items.map((event: { type: string }) => event.type),
    ['login_succeeded', 'user_registered'],
  );
  t.true(response.body.items.every((event: { user_id: string }) => event.user_id === response.body.items[0].user_id));
  await app.request.get('/api/v1/me/audit').expect(401);
});

test('GET /me/audit?type filters my events by type; an unknown type is 400 on that field', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'gail');
  const gail = await login(app.request, 'gail');
  await login(app.request, 'gail');
  const logins = await app.request
    .get('/api/v1/me/audit?type=login_succeeded')
    .set(bearer(gail.access_token))
    .expect(200);
  t.is(logins.body.total, 2);
  t.true(logins.body.items.every((event: { type: string }) => event.type === 'login_succeeded'));
  const bad = await app.request.get('/api/v1/me/audit?type=nope').set(bearer(gail.access_token)).expect(400);
  t.is(bad.body.details[0].field, 'type');
});
