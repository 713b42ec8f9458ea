import test from 'ava';
import { bearer, buildTestApp, signUp, signUpAdmin } from '../helpers/app.ts';

test('a signed-in user creates a post; anyone reads it', async (t) => {
  const { request } = await buildTestApp(t);
  const { user, tokens } = await signUp(request, 'alice');
  const created = await request
    .post('/api/v1/posts')
    .set(bearer(tokens.access_token))
    .send({ title: 'Hello', content: 'First post' })
    .expect(201);
  t.deepEqual(Object.keys(created.body).sort(), [
    'content',
    'created_at',
    'id',
    'title',
    'updated_at',
    'user_id',
  ]);
  t.like(created.body, { title: 'Hello', content: 'First post', user_id: user.id });
  const read = await request.get(`/api/v1/posts/${created.body.id}`).expect(200);
  t.deepEqual(read.body, created.body);
});

test('creating needs a token and a valid body', async (t) => {
  const { request, db } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'bob');
  const anonymous = await request.post('/api/v1/posts').send({ title: 'x', content: 'y' }).expect(401);
  t.is(anonymous.body.error, 'token_missing');
  const invalid = await request
    .post('/api/v1/posts')
    .set(bearer(tokens.access_token))
    .send({ title: 42 })
    .expect(400);
  t.deepEqual(
    invalid.body.details.map((detail: { field: string }) => detail.field).sort(),
    ['content', 'title'],
  );
  t.is((await db('posts').select()).length, 0);
});

test('listing is public, newest first, with pagination and a user filter', async (t) => {
  const { request } = await buildTestApp(t);
  const alice = await signUp(request, 'alice');
  const bob = await signUp(request, 'bob');
  for (const [author, title] of [[alice, 'a1'], [bob, 'b1'], [alice, 'a2'], [alice, 'a3']] as const) {
    await request
      .post('/api/v1/posts')
      .set(bearer(author.tokens.access_token))
      .send({ title, content: 'text' })
      .expect(201);
  }
  const page = await request.get('/api/v1/posts?offset=1&limit=2').expect(200);
  t.is(page.body.total, 4);
  t.deepEqual(page.body.items.map((post: { title: string }) => post.title), ['a2', 'b1']);
  const mine = await request.get(`/api/v1/posts?user_id=${alice.user.id}`).expect(200);
  t.is(mine.body.total, 3);
  t.deepEqual(mine.body.items.map((post: { title: string }) => post.title), ['a3', 'a2', 'a1']);
  const badFilter = await request.get('/api/v1/posts?user_id=abc').expect(400);
  t.is(badFilter.body.details[0].field, 'user_id');
});

test('optional auth: anonymous is fine, a bad token is still a 401', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'carol');
  await request.get('/api/v1/posts').set(bearer(tokens.access_token)).expect(200);
  const bad = await request.get('/api/v1/posts').set('Authorization', 'Bearer junk').expect(401);
  t.is(bad.body.error, 'token_invalid');
});

test('only the owner may edit: others get 403', async (t) => {
  const { request } = await buildTestApp(t);
  const owner = await signUp(request, 'dave');
  const other = await signUp(request, 'erin');
  const post = await request
    .post('/api/v1/posts')
    .set(bearer(owner.tokens.access_token))
    .send({ title: 'Mine', content: 'Original' })
    .expect(201);

  const forbidden = await request
    .put(`/api/v1/posts/${post.body.id}`)
    .set(bearer(other.tokens.access_token))
    .send({ title: 'Hijacked' })
    .expect(403);
  t.is(forbidden.body.error, 'forbidden');

  const edited = await request
    .put(`/api/v1/posts/${post.body.id}`)
    .set(bearer(owner.tokens.access_token))
    .send({ content: 'Edited' })
    .expect(200);
  t.like(edited.body, { title: 'Mine', content: 'Edited' });
  const empty = await request
    .put(`/api/v1/posts/${post.body.id}`)
    .set(bearer(owner.tokens.access_token))
    .send({})
    .expect(400);
  t.is(empty.body.error, 'validation_failed');
});

test('the owner or an admin may delete; others get 403', async (t) => {
  const app = await buildTestApp(t);
  const owner = await signUp(app.request, 'fred');
  const other = await signUp(app.request, 'gina');
  const admin = await signUpAdmin(app, 'root');
  const create = (title: string) =>
    app.request
      .post('/api/v1/posts')
      .set(bearer(owner.tokens.access_token))
      .send({ title, content: 'text' })
      .expect(201);
  const first = await create('first');
  const second = await create('second');

  const denied = await app.request
    .delete(`/api/v1/posts/${first.body.id}`)
    .set(bearer(other.tokens.access_token))
    .expect(403);
  t.is(denied.body.error, 'forbidden');
  await app.request
    .delete(`/api/v1/posts/${first.body.id}`)
    .set(bearer(owner.tokens.access_token))
    .expect(204);
  await app.request
    .delete(`/api/v1/posts/${second.body.id}`)
    .set(bearer(admin.tokens.access_token))
    .expect(204);
  t.is((await app.db('posts').select()).length, 0);
});

test('unknown post ids of any shape are 404', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'hank');
  for (const id of ['987654321', 'xyz', '-1', '1.0']) {
    t.is((await request.get(`/api/v1/posts/${id}`)).status, 404, id);
    const put = await request.put(`/api/v1/posts/${id}`).set(bearer(tokens.access_token)).send({ title: 'x' });
    t.is(put.status, 404, id);
    const del = await request.delete(`/api/v1/posts/${id}`).set(bearer(tokens.access_token));
    t.is(del.status, 404, id);
    t.is(del.body.error, 'not_found');
  }
});
