import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import test from 'ava';
import {
  bearer,
  buildTestApp,
  login,
  PASSWORD,
  register,
  signUp,
  signUpAdmin,
  type TestApp,
} from '../helpers/app.ts';

// Runs on SQLite and, under `npm run test:scale`, on PostgreSQL: there every
// case below used to be a 500 (integer overflow, NUL in text).

const TABLES = ['users', 'sessions', 'refresh_tokens', 'posts', 'audit_events'];

async function rowCounts(app: TestApp): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await app.db(table).count({ n: '*' }).first())?.n);
  return counts;
}

/** Asserts a 400 validation_failed naming `field`, and that nothing was written. */
async function assertRefused(
  t: import('ava').ExecutionContext,
  app: TestApp,
  field: string,
  send: () => Promise<{ status: number; body: { error?: string; details?: Array<{ field: string }> } }>,
) {
  const before = await rowCounts(app);
  const response = await send();
  t.is(response.status, 400, JSON.stringify(response.body));
  t.is(response.body.error, 'validation_failed');
  t.deepEqual(
    response.body.details?.map((detail) => detail.field),
    [field],
    JSON.stringify(response.body),
  );
  t.deepEqual(await rowCounts(app), before);
}

// 2^31 is the first id a PostgreSQL integer column cannot hold.
const OUT_OF_RANGE_IDS = ['2147483648', '4294967296', '99999999999', '99999999999999999999'];

test('ids a column cannot hold are unknown: 404 not_found on every numeric id route', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const auth = bearer(tokens.access_token);
  for (const id of [...OUT_OF_RANGE_IDS, '2147483647']) {
    const calls = {
      'GET /posts/:id': app.request.get(`/api/v1/posts/${id}`),
      'PUT /posts/:id': app.request.put(`/api/v1/posts/${id}`).set(auth).send({ title: 'x' }),
      'DELETE /posts/:id': app.request.delete(`/api/v1/posts/${id}`).set(auth),
      'PATCH /admin/users/:id': app.request.patch(`/api/v1/admin/users/${id}`).set(auth).send({ disabled: true }),
      'GET /admin/users/:id/sessions': app.request.get(`/api/v1/admin/users/${id}/sessions`).set(auth),
      'DELETE /admin/users/:id/sessions': app.request.delete(`/api/v1/admin/users/${id}/sessions`).set(auth),
    };
    for (const [route, call] of Object.entries(calls)) {
      const response = await call;
      t.is(response.status, 404, `${route} with ${id}: ${response.text}`);
      t.is(response.body.error, 'not_found');
    }
  }
});

test('session ids that are not UUIDs are unknown: 404 without a query', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const auth = bearer(tokens.access_token);
  const notUuids = [
    '%00',
    'abc%00def',
    'x'.repeat(300),
    tokens.session_id.toUpperCase(),
    `${tokens.session_id}0`,
    '2147483648',
  ];
  for (const id of notUuids) {
    for (const path of [`/api/v1/sessions/${id}`, `/api/v1/admin/sessions/${id}`]) {
      const response = await app.request.delete(path).set(auth);
      t.is(response.status, 404, `${path}: ${response.text}`);
      t.is(response.body.error, 'not_found');
    }
  }
  // The caller's own session is untouched by all of that.
  t.is((await app.request.get('/api/v1/me').set(auth)).status, 200);
});

test('an out-of-range ?user_id filter is an empty list; a non-numeric one is 400', async (t) => {
  const app = await buildTestApp(t);
  const { user, tokens } = await signUpAdmin(app, 'root');
  const auth = bearer(tokens.access_token);
  await app.request.post('/api/v1/posts').set(auth).send({ title: 'hello', content: 'world' }).expect(201);

  for (const id of [...OUT_OF_RANGE_IDS, '0']) {
    for (const path of ['/api/v1/posts', '/api/v1/admin/audit']) {
      const response = await app.request.get(path).query({ user_id: id }).set(auth);
      t.is(response.status, 200, `${path}?user_id=${id}: ${response.text}`);
      t.deepEqual(response.body, { items: [], total: 0, offset: 0, limit: 20 });
    }
  }
  // The filter still works for real ids.
  const mine = await app.request.get('/api/v1/posts').query({ user_id: user.id });
  t.is(mine.body.total, 1);

  for (const id of ['abc', '-1', '1.5', '1e3', '%00']) {
    for (const path of ['/api/v1/posts', '/api/v1/admin/audit']) {
      const response = await app.request.get(`${path}?user_id=${id}`).set(auth);
      t.is(response.status, 400, `${path}?user_id=${id}`);
      t.is(response.body.error, 'validation_failed');
      t.deepEqual(response.body.details.map((detail: { field: string }) => detail.field), ['user_id']);
    }
  }
});

const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u001b', '\u007f', '\n', '\t'];

test('control characters in text fields are 400 validation_failed naming the field', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUpAdmin(app, 'root');
  const auth = bearer(tokens.access_token);

  for (const c of CONTROL_CHARACTERS) {
    const text = `a${c}b`;
    await assertRefused(t, app, 'username', () =>
      app.request.post('/api/v1/users').send({ username: `ann${c}`, password: PASSWORD }),
    );
    await assertRefused(t, app, 'email', () =>
      app.request.post('/api/v1/users').send({ username: 'ann', password: PASSWORD, email: `a${c}@example.com` }),
    );
    await assertRefused(t, app, 'username', () =>
      app.request.post('/api/v1/login').send({ username: `root${c}`, password: PASSWORD }),
    );
    await assertRefused(t, app, 'email', () =>
      app.request.post('/api/v1/login').send({ email: `root${c}@example.com`, password: PASSWORD }),
    );
    await assertRefused(t, app, 'device_name', () =>
      app.request.post('/api/v1/login').send({ username: 'root', password: PASSWORD, device_name: text }),
    );
    await assertRefused(t, app, 'title', () =>
      app.request.post('/api/v1/posts').set(auth).send({ title: text, content: 'fine' }),
    );
    const query = await app.request.get('/api/v1/admin/users').query({ q: text }).set(auth);
    t.is(query.status, 400);
    t.deepEqual(query.body.details.map((detail: { field: string }) => detail.field), ['q']);
  }
  for (const c of ['\u0000', '\u0001', '\u001b', '\u007f', '\u000b', '\u000c']) {
    await assertRefused(t, app, 'content', () =>
      app.request.post('/api/v1/posts').set(auth).send({ title: 'fine', content: `a${c}b` }),
    );
  }
});

test("a post's content keeps tabs and line breaks", async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'ann');
  const content = 'line one\r\nline two\n\tindented';
  const response = await app.request
    .post('/api/v1/posts')
    .set(bearer(tokens.access_token))
    .send({ title: 'Text', content })
    .expect(201);
  t.is(response.body.content, content);
  t.is((await app.db('posts').first()).content, content);
});

test('lone surrogates in passwords are 400 validation_failed, never silently U+FFFD', async (t) => {
  const app = await buildTestApp(t);
  const lone = '\ud800abcdefgh-long-enough';
  const otherLone = '\udfffabcdefgh-long-enough';

  await assertRefused(t, app, 'password', () =>
    app.request.post('/api/v1/users').send({ username: 'ann', password: lone }),
  );
  const { tokens } = await signUp(app.request, 'bob');
  await assertRefused(t, app, 'password', () =>
    app.request.post('/api/v1/login').send({ username: 'bob', password: otherLone }),
  );
  await assertRefused(t, app, 'current_password', () =>
    app.request
      .put('/api/v1/me/password')
      .set(bearer(tokens.access_token))
      .send({ current_password: `${PASSWORD}\udc00`, new_password: 'another good passphrase' }),
  );
  await assertRefused(t, app, 'new_password', () =>
    app.request
      .put('/api/v1/me/password')
      .set(bearer(tokens.access_token))
      .send({ current_password: PASSWORD, new_password: lone }),
  );
  // A well-formed pair (an emoji) is a character like any other.
  await register(app.request, 'cat', { password: 'pass🐱word-long' });
  await app.request.post('/api/v1/login').send({ username: 'cat', password: 'pass🐱word-long' }).expect(200);
});

test('lone surrogates in stored text fields are refused too', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'ann');
  const auth = bearer(tokens.access_token);
  await assertRefused(t, app, 'title', () =>
    app.request.post('/api/v1/posts').set(auth).send({ title: 'a\ud800', content: 'x' }),
  );
  await assertRefused(t, app, 'content', () =>
    app.request.post('/api/v1/posts').set(auth).send({ title: 'a', content: 'x\udfff' }),
  );
  await assertRefused(t, app, 'device_name', () =>
    app.request.post('/api/v1/login').send({ username: 'ann', password: PASSWORD, device_name: 'pc\ud83d' }),
  );
});

test('lengths never exceed their column: 400, and a long User-Agent is stored bounded', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'ann');
  const auth = bearer(tokens.access_token);
  await assertRefused(t, app, 'title', () =>
    app.request.post('/api/v1/posts').set(auth).send({ title: 'x'.repeat(201), content: 'x' }),
  );
  await assertRefused(t, app, 'device_name', () =>
    app.request.post('/api/v1/login').send({ username: 'ann', password: PASSWORD, device_name: 'd'.repeat(101) }),
  );
  // Astral characters count double in UTF-16, so at the limit they are well within the column.
  await app.request.post('/api/v1/posts').set(auth).send({ title: '🐱'.repeat(100), content: 'x' }).expect(201);

  const pair = await login(app.request, 'ann', {});
  t.truthy(pair.access_token);
  const userAgent = `Mozilla/5.0 ${'x'.repeat(8000)}`;
  const response = await app.request
    .post('/api/v1/login')
    .set('User-Agent', userAgent)
    .send({ username: 'ann', password: PASSWORD })
    .expect(200);
  const session = await app.db('sessions').where({ id: response.body.session_id }).first();
  t.true(session.user_agent.length <= 512);
  t.true(userAgent.startsWith(session.user_agent));
  t.true(session.device_name.length <= 100);
});

test("a NUL or control character in User-Agent never reaches the database: Node's parser refuses it", async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'ann');
  const server = createServer(app.tessera.listener).listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const body = JSON.stringify({ username: 'ann', password: PASSWORD });
  for (const agent of ['bad\u0000agent', 'bad\u0001agent', 'bad\u001bagent']) {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.end(
      Buffer.from(
        `POST /api/v1/login HTTP/1.1\r\nHost: x\r\nUser-Agent: ${agent}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        'latin1',
      ),
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await once(socket, 'close');
    t.regex(answer, /^HTTP\/1\.1 400 /);
  }
  t.is(Number((await app.db('sessions').count({ n: '*' }).first())?.n), 0);
});
