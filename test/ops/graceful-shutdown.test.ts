import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { openRaw, parseResponses, rawRequest, waitUntilServerRead } from '../helpers/raw-http.ts';
import { startListeningServer } from '../helpers/server-process.ts';

/** A real server process on a SQLite file of its own, with production argon2 (logins take a while). */
async function server(t: ExecutionContext, env: Record<string, string> = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-shutdown-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const databaseUrl = join(directory, 'tessera.sqlite');
  const started = await startListeningServer({
    DATABASE_URL: databaseUrl,
    RATE_LIMIT: 'off',
    // One argon2 at a time: the logins below queue, so they are surely in flight at SIGTERM.
    PASSWORD_HASH_CONCURRENCY: '1',
    ...env,
  });
  t.teardown(() => started.server.kill('SIGKILL'));
  return { ...started, databaseUrl };
}

const PASSWORD = 'a long enough password';

test('SIGTERM: readyz 503 at once, in-flight requests finish with Connection: close, idle sockets close, exit 0', async (t) => {
  t.timeout(90_000);
  const { server: child, port, databaseUrl } = await server(t);
  const register = await fetch(`http://127.0.0.1:${port}/api/v1/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'amy', password: PASSWORD }),
  });
  t.is(register.status, 201);

  // A keep-alive connection that has been served and sits idle.
  const idle = await openRaw(port);
  await idle.send(rawRequest('GET', '/healthz'));
  t.is((await idle.responses(1))[0]!.status, 200);
  // Three logins in flight, each on a keep-alive connection.
  const logins = await Promise.all([1, 2, 3].map(() => openRaw(port)));
  for (const connection of logins) await connection.send(rawRequest('POST', '/api/v1/login', { username: 'amy', password: PASSWORD }));
  // A probe whose request has begun to arrive (the last blank line is still missing).
  const probe = await openRaw(port);
  await probe.send('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  await waitUntilServerRead(port);

  const signalled = Date.now();
  child.kill('SIGTERM');
  await probe.send('\r\n');

  const [ready] = parseResponses(await probe.closed);
  t.is(ready?.status, 503);
  t.is(ready?.headers.connection, 'close');
  t.deepEqual(JSON.parse(ready!.body), {
    error: 'service_unavailable',
    message: 'This instance is shutting down.',
    database: 'up',
    redis: 'off',
  });
  for (const connection of logins) {
    const responses = parseResponses(await connection.closed);
    t.is(responses.length, 1);
    t.is(responses[0]!.status, 200, responses[0]?.body);
    t.is(responses[0]!.headers.connection, 'close');
    t.truthy(JSON.parse(responses[0]!.body).access_token);
  }
  t.is(await idle.closed.then((text) => parseResponses(text).length), 1, 'the idle socket got nothing more and was closed');

  const [code] = await once(child, 'exit');
  t.is(code, 0, child.output());
  t.true(Date.now() - signalled < 10_000);
  // Every login that reached the server was saved and delivered.
  const db = createDb(databaseUrl);
  t.teardown(() => db.destroy());
  t.is(Number((await db('sessions').count({ n: '*' }))[0]!.n), 3);
  t.false(child.output().includes('shutdown timeout'), child.output());
});

test('SHUTDOWN_TIMEOUT bounds the drain: a request that never completes is cut and the process exits 0', async (t) => {
  t.timeout(60_000);
  const { server: child, port } = await server(t, { SHUTDOWN_TIMEOUT: '1' });
  const stuck = await openRaw(port);
  await stuck.send('POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  await waitUntilServerRead(port);
  const signalled = Date.now();
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  const took = Date.now() - signalled;
  t.is(code, 0, child.output());
  t.true(took >= 1_000 && took < 4_000, `exited after ${took} ms`);
  await stuck.closed;
  t.true(child.output().includes('shutdown timeout'), child.output());
});
