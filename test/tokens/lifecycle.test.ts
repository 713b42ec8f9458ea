import test from 'ava';
import { auditRows, bearer, buildTestApp, PASSWORD, signUp, signUpAdmin } from '../helpers/app.ts';
import { createPat, databaseText } from './helpers.ts';

const SESSION_ONLY = 'Bearer realm="tessera", error="insufficient_scope"';

test('a PAT is refused on routes that need a login session, and changes nothing there', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['*']);
  const attempts = [
    app.request.put('/api/v1/me/password').send({ current_password: PASSWORD, new_password: 'another long passphrase' }),
    app.request.post('/api/v1/logout'),
    app.request.post('/api/v1/logout/all'),
    app.request.post('/api/v1/tokens').send({ name: 'y', abilities: ['*'] }),
    app.request.get('/api/v1/tokens'),
    app.request.delete(`/api/v1/tokens/${pat.id}`),
  ];
  for (const attempt of attempts) {
    const response = await attempt.set(bearer(pat.token));
    t.is(response.status, 403);
    t.is(response.body.error, 'insufficient_scope');
    t.is(response.headers['www-authenticate'], SESSION_ONLY);
  }
  t.is((await app.db('personal_access_tokens')).length, 1);
  t.is((await app.db('sessions').whereNull('revoked_at')).length, 1);
});

test('create shows the secret once, lists live tokens newest first, revokes at once; no plaintext stored', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const created = await app.request
    .post('/api/v1/tokens')
    .set(bearer(tokens.access_token))
    .send({ name: 'deploy', abilities: ['posts:write', 'reports:read'], expires_in: 3600 })
    .expect(201);
  t.is(created.headers['cache-control'], 'no-store');
  t.deepEqual(Object.keys(created.body).sort(), ['abilities', 'created_at', 'expires_at', 'id', 'last_used_at', 'name', 'token']);
  t.is(created.body.expires_at, '2026-01-01T01:00:00.000Z');
  app.clock.advance(1);
  const second = await createPat(app, tokens.access_token, ['profile:read']);

  const list = await app.request.get('/api/v1/tokens').set(bearer(tokens.access_token)).expect(200);
  t.deepEqual(list.body.tokens.map((token: { id: string }) => token.id), [second.id, created.body.id]);
  t.false('token' in list.body.tokens[0]);

  const dump = await databaseText(app);
  t.false(dump.includes(created.body.token));
  t.false(dump.includes(second.token));

  await app.request.get('/api/v1/me').set(bearer(second.token)).expect(200); // now cached
  await app.request.delete(`/api/v1/tokens/${second.id}`).set(bearer(tokens.access_token)).expect(204);
  const after = await app.request.get('/api/v1/me').set(bearer(second.token));
  t.is(after.status, 401);
  t.is(after.body.error, 'token_revoked');
  await app.request.delete(`/api/v1/tokens/${second.id}`).set(bearer(tokens.access_token)).expect(404);

  const [createdEvent] = await auditRows(app.db, 'token_created');
  t.is(JSON.parse(createdEvent.detail).token_id, created.body.id);
  t.is((await auditRows(app.db, 'token_revoked')).length, 1);
});

test("someone else's token is 404, an admin sees and revokes any user's tokens", async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app.request, 'alice');
  const bob = await signUp(app.request, 'bob');
  const root = await signUpAdmin(app, 'root');
  const pat = await createPat(app, alice.tokens.access_token, ['profile:read']);
  await app.request.delete(`/api/v1/tokens/${pat.id}`).set(bearer(bob.tokens.access_token)).expect(404);
  await app.request.delete('/api/v1/tokens/not-a-uuid').set(bearer(bob.tokens.access_token)).expect(404);

  const listed = await app.request.get(`/api/v1/admin/users/${alice.user.id}/tokens`).set(bearer(root.tokens.access_token)).expect(200);
  t.is(listed.body.tokens[0].id, pat.id);
  await app.request.get(`/api/v1/admin/users/${alice.user.id}/tokens`).set(bearer(bob.tokens.access_token)).expect(403);
  await app.request.delete(`/api/v1/admin/tokens/${pat.id}`).set(bearer(root.tokens.access_token)).expect(204);
  t.is((await app.request.get('/api/v1/me').set(bearer(pat.token))).body.error, 'token_revoked');
  const [event] = await auditRows(app.db, 'token_revoked');
  t.is(event.actor_id, Number(root.user.id));
});

test('a PAT expires; last_used_at is written at most once a minute', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['profile:read'], { expires_in: 120 });
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  const first = await app.db('personal_access_tokens').where({ id: pat.id }).first();
  t.is(first.last_used_at, '2026-01-01T00:00:00.000Z');
  app.clock.advance(30);
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  t.is((await app.db('personal_access_tokens').where({ id: pat.id }).first()).last_used_at, '2026-01-01T00:00:00.000Z');
  app.clock.advance(31);
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  t.is((await app.db('personal_access_tokens').where({ id: pat.id }).first()).last_used_at, '2026-01-01T00:01:01.000Z');
  app.clock.advance(60);
  const expired = await app.request.get('/api/v1/me').set(bearer(pat.token));
  t.is(expired.status, 401);
  t.is(expired.body.error, 'token_expired');
});

test('disabling a user revokes their PATs for good', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app.request, 'alice');
  const root = await signUpAdmin(app, 'root');
  const pat = await createPat(app, alice.tokens.access_token, ['profile:read']);
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  const admin = bearer(root.tokens.access_token);
  await app.request.patch(`/api/v1/admin/users/${alice.user.id}`).set(admin).send({ disabled: true }).expect(200);
  t.is((await app.request.get('/api/v1/me').set(bearer(pat.token))).body.error, 'token_revoked');
  await app.request.patch(`/api/v1/admin/users/${alice.user.id}`).set(admin).send({ disabled: false }).expect(200);
  t.is((await app.request.get('/api/v1/me').set(bearer(pat.token))).body.error, 'token_revoked');
  t.not((await app.db('personal_access_tokens').where({ id: pat.id }).first()).revoked_at, null);
});

test('a password change keeps PATs unless revoke_tokens is true', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['profile:read']);
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  await app.request
    .put('/api/v1/me/password')
    .set(bearer(tokens.access_token))
    .send({ current_password: PASSWORD, new_password: 'a second long passphrase' })
    .expect(200);
  await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);

  const wrongType = await app.request
    .put('/api/v1/me/password')
    .set(bearer(tokens.access_token))
    .send({ current_password: 'a second long passphrase', new_password: 'a third long passphrase', revoke_tokens: 'yes' });
  t.is(wrongType.status, 400);

  await app.request
    .put('/api/v1/me/password')
    .set(bearer(tokens.access_token))
    .send({ current_password: 'a second long passphrase', new_password: 'a third long passphrase', revoke_tokens: true })
    .expect(200);
  const after = await app.request.get('/api/v1/me').set(bearer(pat.token));
  t.is(after.status, 401);
  t.is(after.body.error, 'token_revoked');
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
});
