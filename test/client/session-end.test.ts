import test from 'ava';
import { memoryTokenStore, TesseraClient, TesseraError } from '../../src/client/index.ts';
import { auditRows, bearer, login, PASSWORD, register } from '../helpers/app.ts';
import { serveTessera } from './serve.ts';

async function signedInClient(t: Parameters<typeof serveTessera>[0]) {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const ends: Array<{ reason: string; error?: TesseraError }> = [];
  const client = new TesseraClient({
    baseUrl: server.baseUrl,
    onSessionEnd: (reason, error) => ends.push({ reason, error }),
  });
  await client.login({ username: 'alice', password: PASSWORD });
  return { server, client, ends, tokens: (await client.session())! };
}

test('a revoked session ends once: one onSessionEnd, every pending call rejected, no further requests', async (t) => {
  const { server, client, ends, tokens } = await signedInClient(t);
  const phone = await login(server.request, 'alice');
  await server.request.delete(`/api/v1/sessions/${tokens.session_id}`).set(bearer(phone.access_token)).expect(204);

  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client.me()));

  t.true(outcomes.every((o) => o.status === 'rejected' && (o.reason as TesseraError).code === 'token_revoked'));
  t.is(ends.length, 1);
  t.is(ends[0]!.reason, 'token_revoked');
  t.is(server.refreshes().length, 0); // revoked is final: no refresh is even tried
  t.is(await client.session(), null);

  const seen = server.requests.length;
  const later = await t.throwsAsync(client.sessions.list(), { instanceOf: TesseraError });
  t.is(later.code, 'token_revoked');
  await t.throwsAsync(client.me());
  t.is(server.requests.length, seen); // nothing sent with the dead tokens
  t.is(ends.length, 1);
});

test('a refresh answered refresh_token_reused ends the session once and never loops', async (t) => {
  const { server, client, ends, tokens } = await signedInClient(t);
  // A thief rotates the stolen refresh token; the leeway passes; the owner's access token expires.
  await server.request.post('/api/v1/refresh').send({ refresh_token: tokens.refresh_token }).expect(200);
  server.clock.advance(901);

  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => client.me()));

  t.true(outcomes.every((o) => o.status === 'rejected' && (o.reason as TesseraError).code === 'refresh_token_reused'));
  t.is(ends.length, 1);
  t.is(ends[0]!.reason, 'refresh_token_reused');
  t.is(ends[0]!.error!.status, 401);
  const clientRefreshes = server.refreshes().filter((r) => r.status === 401);
  t.is(clientRefreshes.length, 1);
  t.is((await auditRows(server.db, 'refresh_token_reused')).length, 1);

  const seen = server.requests.length;
  await t.throwsAsync(client.me());
  await t.throwsAsync(client.refresh());
  t.is(server.requests.length, seen);
  t.is(ends.length, 1);
  t.is(await client.session(), null);
});

test('a refresh that fails for a transient reason fails the call but keeps the session', async (t) => {
  const { server, client, ends } = await signedInClient(t);
  server.clock.advance(901);
  // The refresh limiter (120 per minute per IP) is real: exhaust it with bad refresh tokens.
  for (let i = 0; i < 120; i += 1) {
    await server.request.post('/api/v1/refresh').send({ refresh_token: 'tsr_rt_nope' });
  }
  const error = await t.throwsAsync(client.me(), { instanceOf: TesseraError });
  t.is(error.status, 429);
  t.is(error.code, 'rate_limited');
  t.true(error.retryAfter! >= 1);
  t.is(ends.length, 0);
  t.not(await client.session(), null);
});

test('logging in again after the end of a session starts a new one', async (t) => {
  const { server, client, ends, tokens } = await signedInClient(t);
  await server.request.post('/api/v1/logout').set(bearer(tokens.access_token!)).expect(200);
  await t.throwsAsync(client.me(), { message: /revoked|logged out/i });
  t.is(ends.length, 1);
  await client.login({ username: 'alice', password: PASSWORD });
  t.is((await client.me()).username, 'alice');
  await client.logout();
  t.deepEqual(ends.map((e) => e.reason), ['token_revoked', 'logout']);
  await t.throwsAsync(client.me(), { instanceOf: TesseraError });
});

test('cookie mode: a browser with no cookies left ends the session once, as not_signed_in, instead of failing each call with a 400', async (t) => {
  const server = await serveTessera(t);
  const ends: Array<{ reason: string; error?: TesseraError }> = [];
  // A session the store remembers, whose cookies the browser no longer has (their Max-Age ran out):
  // Node's fetch keeps no cookies, so every call goes out without them.
  const store = memoryTokenStore();
  await store.set({ session_id: 'c3366021-32b8-4919-8c63-573a6a8f16ec', access_expires_at: Date.now() + 60_000, refresh_expires_at: Date.now() + 600_000, stamp: 'before' });
  const client = new TesseraClient({
    baseUrl: server.baseUrl,
    mode: 'cookie',
    store,
    onSessionEnd: (reason, error) => ends.push({ reason, error }),
  });

  const outcomes = await Promise.allSettled([client.me(), client.me(), client.sessions.list()]);

  for (const outcome of outcomes) {
    t.is(outcome.status, 'rejected');
    const error = (outcome as PromiseRejectedResult).reason as TesseraError;
    t.is(error.status, 401);
    t.is(error.code, 'not_signed_in');
  }
  t.deepEqual(ends.map((end) => end.reason), ['not_signed_in']);
  t.is(await client.session(), null);
  // The one body-less refresh was answered 400 on refresh_token; nothing was retried after it.
  t.deepEqual(server.refreshes().map((refresh) => refresh.status), [400]);
  const seen = server.requests.length;
  await t.throwsAsync(client.me());
  t.is(server.requests.length, seen);
});

test('cookie mode: a browser that never signed in gets not_signed_in, and no session is reported ended', async (t) => {
  const server = await serveTessera(t);
  const ends: string[] = [];
  const client = new TesseraClient({ baseUrl: server.baseUrl, mode: 'cookie', onSessionEnd: (reason) => ends.push(reason) });

  const error = await t.throwsAsync(client.me(), { instanceOf: TesseraError });
  t.is(error.status, 401);
  t.is(error.code, 'not_signed_in');
  t.deepEqual(ends, []);
});
