import test from 'ava';
import { auditRows, bearer, buildTestApp, login, signUp, signUpAdmin } from '../helpers/app.ts';
import { createPat, databaseText } from '../tokens/helpers.ts';
import { basic, createClient } from './helpers.ts';
import { withLastCharacterChanged } from '../helpers/tamper.ts';

test('introspection of an access, refresh and personal access token (form-encoded, as RFC 7662 says)', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const { user, tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['posts:write', 'reports:read']);
  const introspect = (token: string) =>
    app.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token }).expect(200);

  const access = await introspect(tokens.access_token);
  t.is(access.headers['cache-control'], 'no-store');
  const start = Date.parse('2026-01-01T00:00:00.000Z') / 1000;
  t.deepEqual(access.body, {
    active: true, token_type: 'Bearer', token_kind: 'access_token', scope: '*', sub: user.id,
    username: 'alice', is_admin: false, exp: start + 900, iat: start, sid: tokens.session_id,
  });
  const refresh = await introspect(tokens.refresh_token);
  t.like(refresh.body, { active: true, token_kind: 'refresh_token', sid: tokens.session_id, exp: start + 14 * 24 * 3600, iat: start });
  const personal = await introspect(pat.token);
  t.like(personal.body, { active: true, token_kind: 'personal_access_token', scope: 'posts:write reports:read', sid: pat.id, sub: user.id });
  t.is(personal.body.exp, Date.parse(pat.expires_at) / 1000);
});

test('every token that is not usable now is exactly {"active": false}', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const root = await signUpAdmin(app, 'boss');
  const alice = await signUp(app.request, 'alice');
  const pat = await createPat(app, alice.tokens.access_token, ['*'], { expires_in: 600 });
  const introspect = async (token: string) =>
    (await app.request.post('/api/v1/oauth/introspect').set(basic(client)).send({ token }).expect(200)).body;

  t.deepEqual(await introspect('garbage'), { active: false });
  t.deepEqual(await introspect(withLastCharacterChanged(alice.tokens.access_token)), { active: false }); // checksum
  t.deepEqual(await introspect(`tsr_at_1${'A'.repeat(49)}`), { active: false }); // unknown
  // Rotated: the old refresh token and the old access token
  const rotated = await app.request.post('/api/v1/refresh').send({ refresh_token: alice.tokens.refresh_token }).expect(200);
  t.deepEqual(await introspect(alice.tokens.refresh_token), { active: false });
  t.deepEqual(await introspect(alice.tokens.access_token), { active: false });
  // Revoked PAT, then logout
  await app.request.delete(`/api/v1/tokens/${pat.id}`).set(bearer(rotated.body.access_token)).expect(204);
  t.deepEqual(await introspect(pat.token), { active: false });
  await app.request.post('/api/v1/logout').set(bearer(rotated.body.access_token)).expect(200);
  t.deepEqual(await introspect(rotated.body.access_token), { active: false });
  t.deepEqual(await introspect(rotated.body.refresh_token), { active: false });
  // Expired
  const bob = await signUp(app.request, 'bob');
  const bobPat = await createPat(app, bob.tokens.access_token, ['*'], { expires_in: 60 });
  app.clock.advance(901);
  t.deepEqual(await introspect(bob.tokens.access_token), { active: false });
  t.deepEqual(await introspect(bobPat.token), { active: false });
  t.like(await introspect(bob.tokens.refresh_token), { active: true });
  // Disabled owner
  const fresh = await login(app.request, 'bob');
  await app.request.patch(`/api/v1/admin/users/${bob.user.id}`).set(bearer((await login(app.request, 'boss')).access_token)).send({ disabled: true }).expect(200);
  t.deepEqual(await introspect(fresh.access_token), { active: false });
  t.deepEqual(await introspect(fresh.refresh_token), { active: false });
  void root;
});

test('bad client credentials are 401 invalid_client with a Basic challenge; a deleted client is refused at once', async (t) => {
  const app = await buildTestApp(t);
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const other = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');
  const wrong = { client_id: client.client_id, client_secret: withLastCharacterChanged(client.client_secret) };
  // Well-formed secrets (good checksum) of the wrong client: refused by the comparison with the stored hash.
  const crossed = { client_id: client.client_id, client_secret: other.client_secret };
  const crossedBack = { client_id: other.client_id, client_secret: client.client_secret };
  await app.request.post('/api/v1/oauth/introspect').set(basic(other)).send({ token: tokens.access_token }).expect(200);
  for (const headers of [{}, basic(wrong), basic(crossed), basic(crossedBack), basic({ client_id: 'nobody', client_secret: client.client_secret }), { Authorization: 'Basic !!!' }, bearer(tokens.access_token)]) {
    const response = await app.request.post('/api/v1/oauth/introspect').set(headers).send({ token: tokens.access_token });
    t.is(response.status, 401);
    t.is(response.body.error, 'invalid_client');
    t.is(typeof response.body.error_description, 'string');
    t.is(response.headers['www-authenticate'], 'Basic realm="tessera"');
  }
  await app.request.post('/api/v1/oauth/introspect').set(basic(client)).send({ token: tokens.access_token }).expect(200);
  const listed = await app.request.get('/api/v1/admin/clients').set(bearer(root.tokens.access_token)).expect(200);
  const listedClient = listed.body.clients.find((row: { client_id: string }) => row.client_id === client.client_id);
  t.false('client_secret' in listedClient);
  t.is(listedClient.last_used_at, '2026-01-01T00:00:00.000Z');

  await app.request.delete(`/api/v1/admin/clients/${client.id}`).set(bearer(root.tokens.access_token)).expect(204);
  const refused = await app.request.post('/api/v1/oauth/introspect').set(basic(client)).send({ token: tokens.access_token });
  t.is(refused.status, 401);
  t.is(refused.body.error, 'invalid_client');
  t.is((await auditRows(app.db, 'client_created')).length, 2);
  const [deleted] = await auditRows(app.db, 'client_deleted');
  t.is(deleted.actor_id, Number(root.user.id));
  t.false((await databaseText(app)).includes(client.client_secret));
});

// No body, another type, too large, malformed: token-request-body.test.ts.
test('without a string token (form or JSON): 400 invalid_request with error_description; form bodies are refused elsewhere', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  for (const send of [
    (r: ReturnType<typeof app.request.post>) => r.type('form').send('token_type_hint=access_token'),
    (r: ReturnType<typeof app.request.post>) => r.send({ token: 42 }),
  ]) {
    const response = await send(app.request.post('/api/v1/oauth/introspect').set(basic(client)));
    t.is(response.status, 400);
    t.is(response.body.error, 'invalid_request');
    t.truthy(response.body.error_description);
  }
  // Form bodies stay refused everywhere else.
  const elsewhere = await app.request.post('/api/v1/login').type('form').send('username=a&password=b');
  t.is(elsewhere.status, 415);
});

test('only admins manage clients', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const response = await app.request.post('/api/v1/admin/clients').set(bearer(tokens.access_token)).send({ name: 'x' });
  t.is(response.status, 403);
  t.is((await app.db('service_clients')).length, 0);
});

test('a cached answer follows the user: an admin grant shows at once, a logout makes it inactive', async (t) => {
  const app = await buildTestApp(t);
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const alice = await signUp(app.request, 'alice');
  const introspect = async () =>
    (await app.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token: alice.tokens.access_token }).expect(200)).body;

  t.is((await introspect()).is_admin, false);
  t.is((await introspect()).is_admin, false); // answered from the cache
  await app.request.patch(`/api/v1/admin/users/${alice.user.id}`).set(bearer(root.tokens.access_token)).send({ is_admin: true }).expect(200);
  t.like(await introspect(), { active: true, is_admin: true, username: 'alice' });
  await app.request.post('/api/v1/logout').set(bearer(alice.tokens.access_token)).expect(200);
  t.deepEqual(await introspect(), { active: false });
});

test('a verified client stays verified through users\' logins and logouts: no query, no write for its secret', async (t) => {
  const app = await buildTestApp(t);
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const alice = await signUp(app.request, 'alice');
  const introspect = () =>
    app.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token: alice.tokens.access_token }).expect(200);
  await introspect();

  // Other people's sessions come and go (each a cache invalidation on every instance).
  const bob = await signUp(app.request, 'bob');
  await app.request.post('/api/v1/logout').set(bearer(bob.tokens.access_token)).expect(200);
  await login(app.request, 'bob');

  const clientQueries: string[] = [];
  const listener = (query: { sql?: string }) => {
    if (query.sql?.includes('service_clients')) clientQueries.push(query.sql);
  };
  app.db.on('query', listener);
  t.teardown(() => app.db.off('query', listener));
  await introspect();
  t.deepEqual(clientQueries, []);

  // Deleting the client is the invalidation that counts: refused at once.
  await app.request.delete(`/api/v1/admin/clients/${client.id}`).set(bearer(root.tokens.access_token)).expect(204);
  const refused = await app.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token: alice.tokens.access_token });
  t.is(refused.status, 401);
});
