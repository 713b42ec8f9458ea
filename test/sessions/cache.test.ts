import test from 'ava';
import { createSessionCache, type CachedAuth } from '../../src/auth/session-cache.ts';
import {
  bearer,
  buildTestApp,
  countQueries,
  login,
  PASSWORD,
  register,
  signUpAdmin,
  type TestApp,
  type TokenPair,
} from '../helpers/app.ts';

/** Authenticates once so the token is cached, and proves the next request is a hit. */
async function warm(t: import('ava').ExecutionContext, app: TestApp, tokens: TokenPair) {
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  const queries = await countQueries(app.db, () =>
    app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200),
  );
  t.is(queries, 0, 'the token should be served from the cache');
}

async function refused(app: TestApp, tokens: TokenPair): Promise<string> {
  const response = await app.request.get('/api/v1/me').set(bearer(tokens.access_token));
  return `${response.status} ${response.body.error}`;
}

type Revocation = (app: TestApp, victim: TokenPair, other: TokenPair, admin: TokenPair, userId: string) => Promise<unknown>;

const REVOCATION_PATHS: Array<[string, Revocation, string]> = [
  ['logout', (app, victim) => app.request.post('/api/v1/logout').set(bearer(victim.access_token)).expect(200), 'token_revoked'],
  ['logout everywhere', (app, _victim, other) => app.request.post('/api/v1/logout/all').set(bearer(other.access_token)).expect(200), 'token_revoked'],
  ['revoking the device', (app, victim, other) => app.request.delete(`/api/v1/sessions/${victim.session_id}`).set(bearer(other.access_token)).expect(204), 'token_revoked'],
  ['admin revoking the session', (app, victim, _other, admin) => app.request.delete(`/api/v1/admin/sessions/${victim.session_id}`).set(bearer(admin.access_token)).expect(204), 'token_revoked'],
  ['admin revoking every session', (app, _victim, _other, admin, userId) => app.request.delete(`/api/v1/admin/users/${userId}/sessions`).set(bearer(admin.access_token)).expect(200), 'token_revoked'],
  ['admin disabling the user', (app, _victim, _other, admin, userId) => app.request.patch(`/api/v1/admin/users/${userId}`).set(bearer(admin.access_token)).send({ disabled: true }).expect(200), 'token_revoked'],
  ['a password change elsewhere', (app, _victim, other) => app.request.put('/api/v1/me/password').set(bearer(other.access_token)).send({ current_password: PASSWORD, new_password: 'a different passphrase' }).expect(200), 'token_revoked'],
  ['a refresh (the old access token)', (app, victim) => app.request.post('/api/v1/refresh').send({ refresh_token: victim.refresh_token }).expect(200), 'token_invalid'],
];

for (const [name, revoke, expected] of REVOCATION_PATHS) {
  test(`a cached token stops on the very next request after ${name}`, async (t) => {
    const app = await buildTestApp(t);
    const { tokens: admin } = await signUpAdmin(app, 'root');
    const user = await register(app.request, 'victim');
    const victim = await login(app.request, 'victim');
    const other = await login(app.request, 'victim');
    await warm(t, app, victim);
    await revoke(app, victim, other, admin, user.id);
    t.is(await refused(app, victim), `401 ${expected}`);
  });
}

test('refresh-token reuse revokes a cached session at once', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'victim');
  const first = await login(app.request, 'victim');
  const rotated = await app.request.post('/api/v1/refresh').send({ refresh_token: first.refresh_token }).expect(200);
  await warm(t, app, rotated.body);
  app.clock.advance(11);
  await app.request.post('/api/v1/refresh').send({ refresh_token: first.refresh_token }).expect(401);
  t.is(await refused(app, rotated.body), '401 token_revoked');
});

test('role changes apply at once to cached tokens', async (t) => {
  const app = await buildTestApp(t);
  const { tokens: admin } = await signUpAdmin(app, 'root');
  const user = await register(app.request, 'bob');
  const bob = await login(app.request, 'bob');
  await warm(t, app, bob);
  await app.request.get('/api/v1/admin/users').set(bearer(bob.access_token)).expect(403);
  await app.request.patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.access_token)).send({ is_admin: true }).expect(200);
  await app.request.get('/api/v1/admin/users').set(bearer(bob.access_token)).expect(200);
  await app.request.patch(`/api/v1/admin/users/${user.id}`).set(bearer(admin.access_token)).send({ is_admin: false }).expect(200);
  await app.request.get('/api/v1/admin/users').set(bearer(bob.access_token)).expect(403);
});

test('the cache never serves an expired token or session', async (t) => {
  const app = await buildTestApp(t, { env: { ACCESS_TOKEN_TTL: '60', AUTH_CACHE_TTL: '3600' } });
  await register(app.request, 'carol');
  const tokens = await login(app.request, 'carol');
  await warm(t, app, tokens);
  app.clock.advance(60);
  const queries = await countQueries(app.db, async () => {
    t.is(await refused(app, tokens), '401 token_expired');
  });
  t.is(queries, 0); // decided from the cached entry and the clock alone
});

test('a revoked token is refused on the very next request under concurrent load', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'dave');
  const victim = await login(app.request, 'dave');
  const other = await login(app.request, 'dave');
  await warm(t, app, victim);

  let revokedAt = Number.POSITIVE_INFINITY;
  const staleSuccesses: number[] = [];
  let stop = false;
  const hammer = async () => {
    let count = 0;
    while (!stop && count < 400) {
      count += 1;
      const startedAt = performance.now();
      const response = await app.request.get('/api/v1/me').set(bearer(victim.access_token));
      if (response.status === 200 && startedAt > revokedAt) staleSuccesses.push(startedAt - revokedAt);
      if (response.status === 401) return;
    }
  };
  const load = Array.from({ length: 20 }, hammer);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await app.request.delete(`/api/v1/sessions/${victim.session_id}`).set(bearer(other.access_token)).expect(204);
  revokedAt = performance.now();
  await Promise.all(load);
  stop = true;
  t.deepEqual(staleSuccesses, []);
  t.is(await refused(app, victim), '401 token_revoked');
});

const entry = (sessionId: string, userId: string): CachedAuth => ({
  user: { id: userId, username: 'u', email: null, isAdmin: false, disabled: false, createdAt: '' },
  session: { id: sessionId, userId, deviceName: 'd', userAgent: null, ip: null, createdAt: '', lastUsedAt: '', expiresAt: '' },
  accessExpiresAtMs: 0,
  sessionExpiresAtMs: 0,
  lastUsedAtMs: 0,
});

test('a row read before an invalidation is not put back into the cache', (t) => {
  const cache = createSessionCache({ maxEntries: 10, ttlSeconds: 60 });
  const epochBeforeRead = cache.epoch();
  void cache.invalidate({ kind: 'session', id: 's1' }); // commits while the read is in flight
  cache.set('hash-1', entry('s1', 'u1'), epochBeforeRead);
  t.is(cache.get('hash-1'), undefined);
  cache.set('hash-1', entry('s1', 'u1'), cache.epoch());
  t.truthy(cache.get('hash-1'));
});

test('the cache is bounded and invalidates by session and by user', (t) => {
  const cache = createSessionCache({ maxEntries: 3, ttlSeconds: 60 });
  for (let i = 1; i <= 5; i += 1) cache.set(`hash-${i}`, entry(`s${i}`, i <= 3 ? 'u1' : 'u2'), cache.epoch());
  t.is(cache.size, 3);
  t.is(cache.get('hash-1'), undefined); // least recently used went first
  void cache.invalidate({ kind: 'user', id: 'u2' });
  t.is(cache.size, 1);
  t.truthy(cache.get('hash-3'));
  void cache.invalidate({ kind: 'session', id: 's3' });
  t.is(cache.size, 0);
});

test('AUTH_CACHE=off sends every request to the database', async (t) => {
  const app = await buildTestApp(t, { env: { AUTH_CACHE: 'off' } });
  await register(app.request, 'erin');
  const tokens = await login(app.request, 'erin');
  for (let i = 0; i < 3; i += 1) {
    const queries = await countQueries(app.db, () =>
      app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200),
    );
    t.is(queries, 1);
  }
});
