import test from 'ava';
import { bearer, buildTestApp, signUp, signUpAdmin } from '../helpers/app.ts';
import { createPat } from './helpers.ts';

const SCOPE = (ability: string) => `Bearer realm="tessera", error="insufficient_scope", scope="${ability}"`;

test('a PAT holding an ability passes its route; one lacking it gets 403 insufficient_scope naming it', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['posts:write']);
  t.regex(pat.token, /^tsr_pat_1[A-Za-z0-9_-]{49}$/);

  const created = await app.request.post('/api/v1/posts').set(bearer(pat.token)).send({ title: 'From CI', content: 'x' });
  t.is(created.status, 201);
  t.is(created.body.title, 'From CI');

  const me = await app.request.get('/api/v1/me').set(bearer(pat.token));
  t.is(me.status, 403);
  t.is(me.body.error, 'insufficient_scope');
  t.is(me.headers['www-authenticate'], SCOPE('profile:read'));

  for (const [method, path, ability] of [
    ['get', '/api/v1/sessions', 'sessions:read'],
    ['get', '/api/v1/me/audit', 'audit:read'],
  ] as const) {
    const response = await app.request[method](path).set(bearer(pat.token));
    t.is(response.status, 403, path);
    t.is(response.headers['www-authenticate'], SCOPE(ability), path);
  }
  t.is((await app.db('posts')).length, 1);
});

test('* holds every ability but admin; GET /me with a PAT names the token and no session', async (t) => {
  const app = await buildTestApp(t);
  const { tokens, user } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['*', '*']);
  t.deepEqual(pat.abilities, ['*']);

  const me = await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200);
  t.is(me.body.id, user.id);
  t.is(me.body.session, null);
  t.deepEqual(me.body.token, { id: pat.id, name: 'ci', abilities: ['*'], expires_at: pat.expires_at });

  const sessions = await app.request.get('/api/v1/sessions').set(bearer(pat.token)).expect(200);
  t.is(sessions.body.sessions.length, 1);
  t.false(sessions.body.sessions[0].current);
  await app.request.get('/api/v1/me/audit').set(bearer(pat.token)).expect(200);
  await app.request.delete(`/api/v1/sessions/${tokens.session_id}`).set(bearer(pat.token)).expect(204);
});

test('admin: only admins may grant it, * does not include it, and it works only while the owner is an admin', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app.request, 'alice');
  const refused = await app.request
    .post('/api/v1/tokens')
    .set(bearer(alice.tokens.access_token))
    .send({ name: 'x', abilities: ['admin'] });
  t.is(refused.status, 403);
  t.is(refused.body.error, 'forbidden');
  t.is(await app.db('personal_access_tokens').count({ n: '*' }).first().then((r) => Number(r!.n)), 0);

  const root = await signUpAdmin(app, 'root');
  const star = await createPat(app, root.tokens.access_token, ['*']);
  const starAnswer = await app.request.get('/api/v1/admin/users').set(bearer(star.token));
  t.is(starAnswer.status, 403);
  t.is(starAnswer.body.error, 'insufficient_scope');
  t.is(starAnswer.headers['www-authenticate'], SCOPE('admin'));

  const adminPat = await createPat(app, root.tokens.access_token, ['admin']);
  await app.request.get('/api/v1/admin/users').set(bearer(adminPat.token)).expect(200);

  // Demoted by another admin: the same token stops at once.
  const other = await signUpAdmin(app, 'other');
  await app.request
    .patch(`/api/v1/admin/users/${root.user.id}`)
    .set(bearer(other.tokens.access_token))
    .send({ is_admin: false })
    .expect(200);
  const demoted = await app.request.get('/api/v1/admin/users').set(bearer(adminPat.token));
  t.is(demoted.status, 403);
  t.is(demoted.body.error, 'forbidden');
});

test('abilities are validated: shape, count, empty, name', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  for (const body of [
    { name: 'x', abilities: ['Posts:Write'] },
    { name: 'x', abilities: [] },
    { name: 'x', abilities: 'posts:write' },
    { name: 'x', abilities: ['a'.repeat(65)] },
    { name: 'x', abilities: Array.from({ length: 51 }, (_, i) => `a${i}`) },
    { name: '', abilities: ['posts:write'] },
    { name: 'x', abilities: ['posts:write'], expires_in: 59 },
    { name: 'x', abilities: ['posts:write'], expires_in: 366 * 24 * 3600 },
  ]) {
    const response = await app.request.post('/api/v1/tokens').set(bearer(tokens.access_token)).send(body);
    t.is(response.status, 400, JSON.stringify(body).slice(0, 80));
    t.is(response.body.error, 'validation_failed');
  }
  t.is((await app.db('personal_access_tokens')).length, 0);
});

test('GET /me with a PAT, answered from the cache, follows its owner: an admin grant shows at once', async (t) => {
  const app = await buildTestApp(t);
  const root = await signUpAdmin(app, 'root');
  const alice = await signUp(app.request, 'alice');
  const pat = await createPat(app, alice.tokens.access_token, ['profile:read']);
  const me = async () => (await app.request.get('/api/v1/me').set(bearer(pat.token)).expect(200)).body;

  t.like(await me(), { username: 'alice', is_admin: false, session: null, token: { id: pat.id, abilities: ['profile:read'] } });
  t.like(await me(), { is_admin: false }); // now from the cache, serialised once
  await app.request.patch(`/api/v1/admin/users/${alice.user.id}`).set(bearer(root.tokens.access_token)).send({ is_admin: true }).expect(200);
  t.like(await me(), { username: 'alice', is_admin: true, token: { id: pat.id } });
});
