import test from 'ava';
import { buildTestApp, PASSWORD } from '../helpers/app.ts';

test('every response carries X-Request-Id', async (t) => {
  const { request } = await buildTestApp(t);
  const responses = [
    await request.get('/healthz'),
    await request.get('/api/v1/me'),
    await request.get('/nope'),
    await request.post('/api/v1/users').send({}),
  ];
  for (const response of responses) t.regex(response.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  t.is(new Set(responses.map((response) => response.headers['x-request-id'])).size, 4);
});

test('a plain incoming X-Request-Id is kept, a hostile one replaced', async (t) => {
  const { request } = await buildTestApp(t);
  const kept = await request.get('/healthz').set('X-Request-Id', 'edge-1234');
  t.is(kept.headers['x-request-id'], 'edge-1234');
  const replaced = await request.get('/healthz').set('X-Request-Id', '<script>');
  t.not(replaced.headers['x-request-id'], '<script>');
});

test('an unknown route is 404 not_found in the error shape', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.get('/api/v1/nothing-here').expect(404);
  t.deepEqual(Object.keys(response.body).sort(), ['error', 'message']);
  t.is(response.body.error, 'not_found');
});

test('a known route with the wrong method is 405 with Allow', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request.get('/api/v1/login').expect(405);
  t.is(response.body.error, 'method_not_allowed');
  t.is(response.headers.allow, 'POST');
});

test('an unexpected failure is 500 internal_error with the request id and no internals', async (t) => {
  const { request, db } = await buildTestApp(t);
  await db.schema.dropTable('refresh_tokens'); // make the next login fail inside SQL
  await request.post('/api/v1/users').send({ username: 'alice', password: PASSWORD }).expect(201);
  const response = await request
    .post('/api/v1/login')
    .send({ username: 'alice', password: PASSWORD })
    .expect(500);
  t.is(response.body.error, 'internal_error');
  t.true(response.body.message.includes(response.headers['x-request-id']));
  t.false(/refresh_tokens|SQLITE|at .*\.ts/.test(response.text));
  // the process keeps serving
  await request.get('/healthz').expect(200);
});

test('/healthz and /readyz answer without auth; /readyz fails when the database is gone', async (t) => {
  const { request, db } = await buildTestApp(t);
  t.deepEqual((await request.get('/healthz').expect(200)).body, { status: 'ok' });
  const redis = process.env.TEST_REDIS_URL ? 'up' : 'off';
  t.deepEqual((await request.get('/readyz').expect(200)).body, { status: 'ready', database: 'up', redis });
  await db.destroy();
  const notReady = await request.get('/readyz').expect(503);
  t.deepEqual(notReady.body, {
    error: 'service_unavailable',
    message: 'The database is not reachable.',
    database: 'down',
    redis,
  });
  t.is(notReady.headers['retry-after'], '5');
});
