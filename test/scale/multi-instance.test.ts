import { once } from 'node:events';
import test from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { hashToken } from '../../src/crypto/tokens.ts';
import { createScratchPostgresDatabase, openTestRedis, TEST_REDIS_URL } from '../helpers/database.ts';
import { startListeningServer } from '../helpers/server-process.ts';

type Client = ReturnType<typeof client>;

/** A tiny JSON client for one server process. */
function client(port: number) {
  const base = `http://127.0.0.1:${port}/api/v1`;
  return async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

test('two instances on one PostgreSQL + Redis share sessions, revocation and rotation', async (t) => {
  t.timeout(120_000);
  const redisUrl = TEST_REDIS_URL;
  if (!redisUrl) throw new Error('TEST_REDIS_URL must be set for the scale suite');
  const databaseUrl = await createScratchPostgresDatabase(t);
  const { redisPrefix } = await openTestRedis(t); // this run's keys only, deleted afterwards
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: redisPrefix ?? '',
    DATABASE_POOL_MAX: '5',
    // 50 refreshes at once from one IP are this test's point, not abuse.
    RATE_LIMIT_REFRESH: '1000/60',
  };
  // Started together: they must take turns migrating the empty database.
  const started = await Promise.all([startListeningServer(env), startListeningServer(env)]);
  t.teardown(() => started.forEach(({ server }) => server.kill('SIGKILL')));
  const [a, b] = started.map(({ port }) => client(port)) as [Client, Client];
  const password = 'a long enough password';

  // Created on A, used on B.
  t.is((await a('POST', '/users', { body: { username: 'alice', password } })).status, 201);
  const login = await a('POST', '/login', { body: { username: 'alice', password } });
  t.is(login.status, 200);
  t.is((await b('GET', '/me', { token: login.body.access_token })).status, 200);

  // Refreshed on B: the old access token stops on A at once, the new one works there.
  const refreshed = await b('POST', '/refresh', { body: { refresh_token: login.body.refresh_token } });
  t.is(refreshed.status, 200);
  t.is((await a('GET', '/me', { token: login.body.access_token })).body.error, 'token_invalid');
  t.is((await a('GET', '/me', { token: refreshed.body.access_token })).status, 200);

  // Revoked on A: refused on B. B caches tokens (Redis carries invalidations),
  // so the bound is 100 ms; in practice it is the very next request.
  const other = await b('POST', '/login', { body: { username: 'alice', password } });
  t.is((await b('GET', '/me', { token: other.body.access_token })).status, 200);
  const revoke = await a('DELETE', `/sessions/${other.body.session_id}`, {
    token: refreshed.body.access_token,
  });
  t.is(revoke.status, 204);
  const revokedAt = performance.now();
  let onB = await b('GET', '/me', { token: other.body.access_token });
  while (onB.status === 200 && performance.now() - revokedAt < 100) {
    onB = await b('GET', '/me', { token: other.body.access_token });
  }
  t.is(onB.body.error, 'token_revoked');

  // 50 concurrent refreshes of one token, spread over both instances.
  const contested = refreshed.body.refresh_token as string;
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? a : b)('POST', '/refresh', { body: { refresh_token: contested } }),
    ),
  );
  const winners = results.filter((result) => result.status === 200);
  t.is(winners.length, 1);
  t.true(
    results
      .filter((result) => result.status !== 200)
      .every((result) => result.status === 401 && result.body.error === 'refresh_token_rotated'),
  );
  const winner = winners[0]!.body;
  t.is((await a('GET', '/me', { token: winner.access_token })).status, 200);
  t.is((await b('GET', '/me', { token: winner.access_token })).status, 200);

  const db = createDb(databaseUrl, { poolMax: 1 });
  try {
    const session = await db('sessions').where({ id: login.body.session_id }).first();
    t.is(session.revoked_at, null);
    t.is(session.access_token_hash, hashToken(winner.access_token));
    const unrotated = await db('refresh_tokens')
      .where({ session_id: login.body.session_id })
      .whereNull('rotated_at')
      .pluck('token_hash');
    t.deepEqual(unrotated, [hashToken(winner.refresh_token)]);
  } finally {
    await db.destroy();
  }

  // Graceful shutdown: both exit 0 after closing their pools.
  for (const { server } of started) {
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    t.is(code, 0, server.output());
  }
});
