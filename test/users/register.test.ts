import test from 'ava';
import { buildTestApp, PASSWORD } from '../helpers/app.ts';

async function userCount(db: Awaited<ReturnType<typeof buildTestApp>>['db']) {
  const [row] = await db('users').count({ n: '*' });
  return Number(row?.n);
}

test('POST /users creates a user and returns it without any password data', async (t) => {
  const { request, db } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'Alice', password: PASSWORD, email: 'alice@example.com' })
    .expect(201);
  t.deepEqual(Object.keys(response.body).sort(), [
    'created_at',
    'disabled',
    'email',
    'id',
    'is_admin',
    'username',
  ]);
  t.like(response.body, {
    username: 'Alice',
    email: 'alice@example.com',
    is_admin: false,
    disabled: false,
  });
  t.is(typeof response.body.id, 'string');
  const row = await db('users').where({ id: Number(response.body.id) }).first();
  t.regex(row.password_hash, /^\$argon2id\$/);
  t.false(row.password_hash.includes(PASSWORD));
});

test('an absent email is null', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'bob', password: PASSWORD })
    .expect(201);
  t.is(response.body.email, null);
});

test('usernames are unique ignoring case: 409 username_taken', async (t) => {
  const { request, db } = await buildTestApp(t);
  await request.post('/api/v1/users').send({ username: 'carol', password: PASSWORD }).expect(201);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'CAROL', password: PASSWORD })
    .expect(409);
  t.is(response.body.error, 'username_taken');
  t.is(await userCount(db), 1);
});

test('emails are unique ignoring case: 409 email_taken', async (t) => {
  const { request, db } = await buildTestApp(t);
  await request
    .post('/api/v1/users')
    .send({ username: 'dave', password: PASSWORD, email: 'dave@example.com' })
    .expect(201);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'dave2', password: PASSWORD, email: 'Dave@Example.com' })
    .expect(409);
  t.is(response.body.error, 'email_taken');
  t.is(await userCount(db), 1);
});

const invalidBodies: Array<[string, Record<string, unknown>, string]> = [
  ['missing username', { password: PASSWORD }, 'username'],
  ['short username', { username: 'ab', password: PASSWORD }, 'username'],
  ['long username', { username: 'a'.repeat(33), password: PASSWORD }, 'username'],
  ['username with a space', { username: 'a b c', password: PASSWORD }, 'username'],
  ['username with a control character', { username: 'abc\u0000d', password: PASSWORD }, 'username'],
  ['username of the wrong type', { username: 12345, password: PASSWORD }, 'username'],
  ['missing password', { username: 'erin' }, 'password'],
  ['short password', { username: 'erin', password: 'short' }, 'password'],
  ['password over 256 characters', { username: 'erin', password: 'x'.repeat(257) }, 'password'],
  ['password equal to the username', { username: 'erinerin', password: 'ERINERIN' }, 'password'],
  ['password of the wrong type', { username: 'erin', password: 12345678 }, 'password'],
  ['bad email', { username: 'erin', password: PASSWORD, email: 'not-an-email' }, 'email'],
  ['email of the wrong type', { username: 'erin', password: PASSWORD, email: true }, 'email'],
];

for (const [name, body, field] of invalidBodies) {
  test(`400 validation_failed for ${name}, and no user is created`, async (t) => {
    const { request, db } = await buildTestApp(t);
    const response = await request.post('/api/v1/users').send(body).expect(400);
    t.is(response.body.error, 'validation_failed');
    t.is(typeof response.body.message, 'string');
    t.true(
      response.body.details.some((detail: { field: string }) => detail.field === field),
      JSON.stringify(response.body.details),
    );
    t.is(await userCount(db), 0);
  });
}

test('full-width usernames are normalised (NFKC) before the uniqueness check', async (t) => {
  const { request } = await buildTestApp(t);
  const created = await request
    .post('/api/v1/users')
    .send({ username: 'ｆｒａｎｋ', password: PASSWORD })
    .expect(201);
  t.is(created.body.username, 'frank');
  const clash = await request
    .post('/api/v1/users')
    .send({ username: 'FRANK', password: PASSWORD })
    .expect(409);
  t.is(clash.body.error, 'username_taken');
});

test('passwords may hold spaces and emoji', async (t) => {
  const { request } = await buildTestApp(t);
  await request
    .post('/api/v1/users')
    .send({ username: 'grace', password: 'my 🐱 likes long walks' })
    .expect(201);
  const response = await request
    .post('/api/v1/login')
    .send({ username: 'grace', password: 'my 🐱 likes long walks' })
    .expect(200);
  t.regex(response.body.access_token, /^tsr_at_/);
});
