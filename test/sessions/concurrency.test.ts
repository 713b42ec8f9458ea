import { once } from 'node:events';
import { createServer } from 'node:http';
import test from 'ava';
import { buildSqliteFileApp, PASSWORD } from '../helpers/app.ts';

test('200 concurrent logins, refreshes and requests on one SQLite file: no 5xx', async (t) => {
  t.timeout(120_000);
  // A load test: limits off, as RATE_LIMIT documents.
  const { app, db } = await buildSqliteFileApp(t, { RATE_LIMIT: 'off' });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const call = async (path: string, init: { body?: unknown; token?: string } = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: await response.json() };
  };

  for (const username of ['ann', 'ben', 'cat', 'dan', 'eve']) {
    t.is((await call('/users', { body: { username, password: PASSWORD } })).status, 201);
  }
  const pairs = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call('/login', { body: { username: ['ann', 'ben', 'cat', 'dan', 'eve'][i % 5], password: PASSWORD } }),
    ),
  );

  const requests = [
    ...pairs.map((pair) => call('/refresh', { body: { refresh_token: pair.body.refresh_token } })),
    ...pairs.flatMap((pair) => [
      call('/me', { token: pair.body.access_token }),
      call('/sessions', { token: pair.body.access_token }),
    ]),
    ...Array.from({ length: 50 }, (_, i) =>
      call('/login', { body: { username: ['ann', 'ben', 'cat', 'dan', 'eve'][i % 5], password: PASSWORD } }),
    ),
  ];
  const results = await Promise.all(requests);
  t.is(results.length, 200);
  const serverErrors = results.filter((result) => result.status >= 500);
  t.deepEqual(serverErrors, []);
  t.true(results.every((result) => [200, 401].includes(result.status)));
  t.is(Number((await db('sessions').count({ n: '*' }).first())?.n), 100);
});
