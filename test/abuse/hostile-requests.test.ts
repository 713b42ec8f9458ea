import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import test from 'ava';
import { bearer, buildTestApp, PASSWORD, register, signUp, signUpAdmin } from '../helpers/app.ts';
import { withLastCharacterChanged } from '../helpers/tamper.ts';

test('deeply nested JSON and huge arrays are plain validation errors', async (t) => {
  const { request, db } = await buildTestApp(t);
  const nested = `${'['.repeat(7000)}${']'.repeat(7000)}`;
  const deep = await request.post('/api/v1/users').set('Content-Type', 'application/json').send(nested);
  t.is(deep.status, 400);
  t.is(deep.body.error, 'validation_failed');
  const deepObject = `{"username":${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}}`;
  const objectResponse = await request.post('/api/v1/users').set('Content-Type', 'application/json').send(deepObject);
  t.is(objectResponse.status, 400);
  const bigArray = await request
    .post('/api/v1/login')
    .send({ username: Array.from({ length: 3000 }, (_, i) => i), password: PASSWORD });
  t.is(bigArray.status, 400);
  t.is((await db('users').select()).length, 0);
});

test('SQL-looking input is data, never SQL', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const injection = "' OR 1=1; DROP TABLE users; --";
  const badName = await app.request.post('/api/v1/users').send({ username: injection, password: PASSWORD });
  t.is(badName.status, 400);
  const loginAttempt = await app.request.post('/api/v1/login').send({ username: injection, password: injection });
  t.is(loginAttempt.status, 401);
  t.is(loginAttempt.body.error, 'invalid_credentials');
  const search = await app.request
    .get(`/api/v1/admin/users?q=${encodeURIComponent(injection)}`)
    .set(bearer(tokens.access_token))
    .expect(200);
  t.is(search.body.total, 0);
  const post = await app.request
    .post('/api/v1/posts')
    .set(bearer(tokens.access_token))
    .send({ title: injection, content: injection })
    .expect(201);
  t.is(post.body.title, injection);
  t.is((await app.db('users').select()).length, 1);
});

test('unicode tricks in usernames are normalised or refused', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'admin');
  for (const username of ['\u202Eadmin', 'ad\u200Dmin', 'adm\u0000in', 'аdmin' /* Cyrillic а */, 'admin\n']) {
    const response = await request.post('/api/v1/users').send({ username, password: PASSWORD });
    t.is(response.status, 400, JSON.stringify(username));
    t.is(response.body.details[0].field, 'username');
  }
  const fullWidth = await request.post('/api/v1/users').send({ username: 'ａｄｍｉｎ', password: PASSWORD });
  t.is(fullWidth.status, 409);
  t.is((await db('users').select()).length, 1);
});

test('tokens with the right prefix but a bad checksum, and oversized headers, are token_invalid', async (t) => {
  const { request } = await buildTestApp(t);
  const { tokens } = await signUp(request, 'amy');
  const flipped = withLastCharacterChanged(tokens.access_token);
  t.is((await request.get('/api/v1/me').set(bearer(flipped))).body.error, 'token_invalid');
  const huge = await request.get('/api/v1/me').set('Authorization', `Bearer ${'A'.repeat(8000)}`);
  t.is(huge.status, 401);
  t.is(huge.body.error, 'token_invalid');
});

test('a repeated Authorization header is answered from the contract, not a crash', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'amy');
  const server = createServer(app.tessera.listener).listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  // Written without ending our side: the server closes after answering (Connection: close).
  socket.write(
    'GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
      `Authorization: Bearer junk\r\nAuthorization: Bearer ${tokens.access_token}\r\n\r\n`,
  );
  let raw = '';
  for await (const chunk of socket) raw += chunk;
  // Node keeps the first Authorization header and drops the rest.
  t.regex(raw, /^HTTP\/1\.1 401 /);
  t.regex(raw, /"error":"token_invalid"/);
});

test('wrong types for every field of every body are validation_failed', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['post', '/api/v1/users', { username: 'amy', password: true }, 'password'],
    ['post', '/api/v1/users', { username: ['amy'], password: PASSWORD }, 'username'],
    ['post', '/api/v1/users', { username: 'amy', password: PASSWORD, email: 42 }, 'email'],
    ['post', '/api/v1/login', { username: 1, password: PASSWORD }, 'username'],
    ['post', '/api/v1/login', { email: {}, password: PASSWORD }, 'email'],
    ['post', '/api/v1/login', { username: 'root', password: null }, 'password'],
    ['post', '/api/v1/login', { username: 'root', password: PASSWORD, device_name: [] }, 'device_name'],
    ['post', '/api/v1/refresh', { refresh_token: ['x'] }, 'refresh_token'],
    ['post', '/api/v1/logout/all', { keep_current: 1 }, 'keep_current'],
    ['put', '/api/v1/me/password', { current_password: 1, new_password: PASSWORD }, 'current_password'],
    ['put', '/api/v1/me/password', { current_password: PASSWORD, new_password: false }, 'new_password'],
    ['post', '/api/v1/posts', { title: 1, content: 'x' }, 'title'],
    ['post', '/api/v1/posts', { title: 'x', content: { a: 1 } }, 'content'],
    ['patch', '/api/v1/admin/users/1', { disabled: 'false' }, 'disabled'],
    ['patch', '/api/v1/admin/users/1', { is_admin: 0 }, 'is_admin'],
  ];
  for (const [method, path, body, field] of cases) {
    const call = (app.request as unknown as Record<string, (p: string) => ReturnType<typeof app.request.post>>)[method]!;
    const response = await call(path).set(bearer(tokens.access_token)).send(body);
    t.is(response.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
    t.is(response.body.error, 'validation_failed');
    t.true(
      response.body.details.some((detail: { field: string }) => detail.field === field),
      `${path}: ${JSON.stringify(response.body.details)}`,
    );
  }
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
});
