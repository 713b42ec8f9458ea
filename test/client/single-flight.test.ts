import test from 'ava';
import { TesseraClient, memoryTokenStore, type StoredSession, type TokenStore } from '../../src/client/index.ts';
import { auditRows, PASSWORD, register } from '../helpers/app.ts';
import { waitFor } from '../helpers/fault-proxy.ts';
import { serveTessera } from './serve.ts';

test('100 concurrent calls with an expired access token share one refresh and all succeed', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const client = new TesseraClient({ baseUrl: server.baseUrl });
  await client.login({ username: 'alice', password: PASSWORD });
  const before = await client.session();
  server.clock.advance(901); // ACCESS_TOKEN_TTL is 900

  const results = await Promise.all(Array.from({ length: 100 }, () => client.me()));

  t.true(results.every((me) => me.username === 'alice'));
  t.is(server.refreshes().length, 1);
  t.is(server.refreshes()[0]!.status, 200);
  t.is((await auditRows(server.db, 'token_refreshed')).length, 1);
  // Every call was sent with the expired token first, so the refresh really was shared.
  const meWithOldToken = server.requests.filter(
    (r) => r.path === '/api/v1/me' && r.authorization === `Bearer ${before!.access_token}`,
  );
  t.is(meWithOldToken.length, 100);
  t.true(meWithOldToken.every((r) => r.status === 401));
  t.not((await client.session())!.access_token, before!.access_token);
});

test('calls after the shared refresh has finished use the new pair without refreshing again', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const client = new TesseraClient({ baseUrl: server.baseUrl });
  await client.login({ username: 'alice', password: PASSWORD });
  server.clock.advance(901);
  await client.me();
  await Promise.all([client.me(), client.sessions.list(), client.posts.create({ title: 't', content: 'c' })]);
  t.is(server.refreshes().length, 1);
});

/**
 * A shared store that is slow to write (like IndexedDB or a keychain): the
 * winner's pair is stored only once the server has answered both refreshes,
 * so both instances really do present the same refresh token.
 */
function slowSharedStore(ready: () => boolean): TokenStore {
  const inner = memoryTokenStore();
  return {
    get: () => inner.get(),
    clear: () => inner.clear(),
    async set(session: StoredSession) {
      if ((await inner.get()) !== null) await waitFor('both refreshes answered', ready, 10_000);
      await inner.set(session);
    },
  };
}

test('two instances sharing a store race a refresh: the loser takes the winner’s pair', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const answered = () => server.refreshes().filter((r) => r.status !== undefined).length >= 2;
  const store = slowSharedStore(answered);
  // tabSync off: two processes (or two instances without Web Locks) cannot share a lock.
  const first = new TesseraClient({ baseUrl: server.baseUrl, store, tabSync: false });
  const second = new TesseraClient({ baseUrl: server.baseUrl, store, tabSync: false });
  await first.login({ username: 'alice', password: PASSWORD });
  server.clock.advance(901);

  const [a, b] = await Promise.all([first.me(), second.me()]);

  t.is(a.username, 'alice');
  t.is(b.username, 'alice');
  const statuses = server.refreshes().map((r) => r.status).sort();
  t.deepEqual(statuses, [200, 401]); // one won, one was told refresh_token_rotated
  const [one, two] = [await first.session(), await second.session()];
  t.is(one!.stamp, two!.stamp);
  t.is(one!.access_token, two!.access_token);
  // The session survived the race: nobody was treated as a thief.
  t.is((await auditRows(server.db, 'refresh_token_reused')).length, 0);
  t.is((await first.me()).session!.id, one!.session_id);
});

test('proactive refresh: a token about to expire is refreshed before the call, not after a 401', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const store = memoryTokenStore();
  const client = new TesseraClient({ baseUrl: server.baseUrl, store, refreshBeforeExpirySeconds: 60 });
  await client.login({ username: 'alice', password: PASSWORD });
  t.deepEqual(await Promise.all([client.me(), client.me()]).then((all) => all.length), 2);
  t.is(server.refreshes().length, 0); // 900 s left: nothing to do
  // The client times expiry by expires_in and its own clock: 30 s left is inside the 60 s margin.
  const session = (await store.get())!;
  await store.set({ ...session, access_expires_at: Date.now() + 30_000 });

  await Promise.all([client.me(), client.me(), client.me()]);

  t.is(server.refreshes().length, 1);
  t.false(server.requests.some((r) => r.status === 401));
  t.true((await store.get())!.access_expires_at > Date.now() + 800_000);
});
