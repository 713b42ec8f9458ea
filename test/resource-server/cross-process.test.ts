import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { bearer, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/database.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running Tessera on a real port (real clock), with an admin and a service client. */
async function runningTessera(t: ExecutionContext, env: Record<string, string> = {}) {
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, AUTH_CACHE: 'on', ...env });
  const db = await openTestDb(t);
  const redis = await openTestRedis(t);
  const { app, tessera } = createApp({ db, config, passwords: createPasswordHasher(TEST_ARGON2), ...redis });
  await tessera.ready();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tessera.close();
  });
  const request = supertest(server);
  await request.post('/api/v1/users').send({ username: 'root', password: PASSWORD }).expect(201);
  await db('users').update({ is_admin: true });
  const admin = (await request.post('/api/v1/login').send({ username: 'root', password: PASSWORD })).body;
  const client = (await request.post('/api/v1/admin/clients').set(bearer(admin.access_token)).send({ name: 'rs' })).body;
  await request.post('/api/v1/users').send({ username: 'alice', password: PASSWORD }).expect(201);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { request, url, client, redisPrefix: redis.redisPrefix };
}

/** Starts test/resource-server/fixtures/resource-app.ts in its own Node process. */
async function resourceServer(t: ExecutionContext, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/resource-server/fixtures/resource-app.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`resource server exited ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`resource server did not start: ${output}`)), 30_000).unref();
  });
  return supertest(`http://127.0.0.1:${port}`);
}

async function loginAlice(request: supertest.Agent | ReturnType<typeof supertest>) {
  return (await request.post('/api/v1/login').send({ username: 'alice', password: PASSWORD }).expect(200)).body;
}

test('in another process: allowed, lacking an ability (403), revoked, and never past exp', async (t) => {
  const tessera = await runningTessera(t, { ACCESS_TOKEN_TTL: '2' });
  const rs = await resourceServer(t, {
    TESSERA_URL: tessera.url,
    CLIENT_ID: tessera.client.client_id,
    CLIENT_SECRET: tessera.client.client_secret,
    CACHE_TTL: '3600',
  });
  const alice = await loginAlice(tessera.request);

  const whoami = await rs.get('/whoami').set(bearer(alice.access_token)).expect(200);
  t.like(whoami.body, { user: { username: 'alice', isAdmin: false }, session: { id: alice.session_id }, token: null });
  await rs.get('/reports').set(bearer(alice.access_token)).expect(200);

  const reader = (await tessera.request.post('/api/v1/tokens').set(bearer(alice.access_token)).send({ name: 'r', abilities: ['reports:read'] })).body;
  const writer = (await tessera.request.post('/api/v1/tokens').set(bearer(alice.access_token)).send({ name: 'w', abilities: ['posts:write'] })).body;
  await rs.get('/reports').set(bearer(reader.token)).expect(200);
  for (let i = 0; i < 2; i += 1) {
    // The second answer comes from the cache: the ability is checked there too.
    const lacking = await rs.get('/reports').set(bearer(writer.token));
    t.is(lacking.status, 403);
    t.deepEqual(lacking.body.error, 'insufficient_scope');
    t.is(lacking.headers['www-authenticate'], 'Bearer realm="tessera", error="insufficient_scope", scope="reports:read"');
  }
  const missing = await rs.get('/whoami');
  t.is(missing.status, 401);
  t.is(missing.body.error, 'token_missing');
  const garbage = await rs.get('/whoami').set(bearer('tsr_at_garbage'));
  t.is(garbage.status, 401);
  t.is(garbage.body.error, 'token_invalid');

  // Cached for an hour, but the access token's exp (2 s) ends it.
  const fresh = await loginAlice(tessera.request);
  await rs.get('/whoami').set(bearer(fresh.access_token)).expect(200);
  const deadline = Date.now() + 10_000;
  let status = 200;
  while (status === 200 && Date.now() < deadline) {
    status = (await rs.get('/whoami').set(bearer(fresh.access_token))).status;
    if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.is(status, 401);
});

test('a revocation reaches the resource server within 100 ms through Redis (and at once without a cache hit)', async (t) => {
  const tessera = await runningTessera(t);
  const rs = await resourceServer(t, {
    TESSERA_URL: tessera.url,
    CLIENT_ID: tessera.client.client_id,
    CLIENT_SECRET: tessera.client.client_secret,
    CACHE_TTL: '3600',
    ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: tessera.redisPrefix! } : {}),
  });
  const alice = await loginAlice(tessera.request);
  const pat = (await tessera.request.post('/api/v1/tokens').set(bearer(alice.access_token)).send({ name: 'r', abilities: ['reports:read'] })).body;

  if (!TEST_REDIS_URL) {
    // Without Redis the answer may be reused for the TTL; one never cached is refused at once.
    await tessera.request.post('/api/v1/oauth/revoke').send({ token: pat.token }).expect(200);
    t.is((await rs.get('/reports').set(bearer(pat.token))).status, 401);
    return;
  }
  // Wait until the resource server hears the channel (heartbeats every 250 ms), then cache the answer.
  const heardBy = Date.now() + 5_000;
  while (Date.now() < heardBy) {
    const answer = await rs.get('/reports').set(bearer(pat.token)).expect(200);
    if (answer.body.cached > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const token of [pat.token, alice.access_token]) {
    await rs.get('/whoami').set(bearer(token)).expect(200);
    await tessera.request.post('/api/v1/oauth/revoke').send({ token }).expect(200);
    const revokedAt = performance.now();
    // A request started after the revocation answered must be refused, and within the bound.
    let refusedAfter = Infinity;
    let attempts = 0;
    while (performance.now() - revokedAt < 2_000) {
      attempts += 1;
      const sentAt = performance.now() - revokedAt;
      if ((await rs.get('/whoami').set(bearer(token))).status === 401) {
        refusedAfter = sentAt;
        break;
      }
    }
    t.log(`refused the request sent ${refusedAfter.toFixed(1)} ms after the revocation (attempt ${attempts})`);
    t.true(refusedAfter <= 100, `refused after ${refusedAfter} ms`);
  }
});
