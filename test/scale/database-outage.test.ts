import test from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { createScratchPostgresDatabase } from '../helpers/database.ts';
import { startFaultProxy, waitFor } from '../helpers/fault-proxy.ts';
import { startListeningServer } from '../helpers/server-process.ts';

/**
 * PostgreSQL behind a cuttable proxy, served by a real server process (its
 * logs are what an operator sees). A crash (connections reset) and a
 * partition (bytes stop, sockets stay open) each answer 503
 * service_unavailable with Retry-After in bounded time, change nothing,
 * flip /readyz within a second both ways, and are logged once each.
 */
const PASSWORD = 'a long enough password';

test('PostgreSQL reset and partitioned: 503 in bounded time, nothing written, readyz follows, one log line each way', async (t) => {
  t.timeout(120_000);
  const databaseUrl = await createScratchPostgresDatabase(t);
  const proxy = await startFaultProxy(t, databaseUrl);
  const { server, port } = await startListeningServer({
    DATABASE_URL: proxy.url,
    DATABASE_TIMEOUT: '1',
    RATE_LIMIT: 'off',
  });
  t.teardown(() => server.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown) => {
    const started = Date.now();
    const response = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json(), ms: Date.now() - started };
  };
  const readyz = async () => {
    const response = await fetch(`${base}/readyz`);
    return { status: response.status, body: await response.json() };
  };
  const db = createDb(databaseUrl, { poolMax: 1 });
  t.teardown(() => db.destroy());
  const logLines = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const ended = () => logLines().filter((line) => line.msg === 'database available again');
  const userCount = async () => Number((await db('users').count({ n: '*' }))[0]!.n);

  t.is((await post('/users', { username: 'amy', password: PASSWORD })).status, 201);
  t.is((await post('/login', { username: 'amy', password: PASSWORD })).status, 200);
  t.deepEqual(await readyz(), { status: 200, body: { status: 'ready', database: 'up', redis: 'off' } });

  for (const mode of ['reset', 'silent'] as const) {
    const users = await userCount();
    proxy.cut(mode);
    for (const [path, body] of [
      ['/users', { username: `new_${mode}`, password: PASSWORD }],
      ['/login', { username: 'amy', password: PASSWORD }],
      ['/users', { username: `other_${mode}`, password: PASSWORD }],
    ] as const) {
      const response = await post(path, body);
      t.is(response.status, 503, `${mode} ${path}: ${JSON.stringify(response.body)}\n${server.output().split("\n").filter((l) => l.includes("unhandled")).join("\n")}`);
      t.is(response.body.error, 'service_unavailable');
      t.is(response.headers.get('retry-after'), '5');
      t.true(response.ms < 3_000, `${mode} ${path} took ${response.ms} ms`);
    }
    const down = await waitFor(`readyz 503 (${mode})`, async () => (await readyz()).status === 503, 5_000);
    t.true(down < 1_000, `${mode}: readyz 503 after ${down} ms`);
    t.deepEqual((await readyz()).body, {
      error: 'service_unavailable',
      message: 'The database is not reachable.',
      database: 'down',
      redis: 'off',
    });

    proxy.restore();
    const up = await waitFor(`readyz 200 (${mode})`, async () => (await readyz()).status === 200, 5_000);
    t.true(up < 1_000, `${mode}: readyz 200 after ${up} ms`);
    // The refused registrations never landed, even those whose bytes the partition held back.
    t.is((await post('/users', { username: `after_${mode}`, password: PASSWORD })).status, 201);
    t.is((await post('/login', { username: 'amy', password: PASSWORD })).status, 200);
    t.is(await userCount(), users + 1, mode);
    // The outage is over (and logged) before the next one starts.
    await waitFor(`the end of the ${mode} outage logged`, () => ended().length === (mode === 'reset' ? 1 : 2), 10_000);
  }

  const started = logLines().filter((line) => String(line.msg).startsWith('database unavailable'));
  t.is(started.length, 2, server.output());
  t.is(ended().length, 2, server.output());
  for (const line of ended()) t.is(line.refusedRequests, 3);
  t.is(logLines().filter((line) => line.msg === 'unhandled error').length, 0);
  t.false(/\n\s+at /.test(server.output()), `a stack trace was printed:\n${server.output()}`);
});
