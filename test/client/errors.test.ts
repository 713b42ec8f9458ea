import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { TesseraClient, TesseraError, TesseraTimeoutError } from '../../src/client/index.ts';
import { PASSWORD, register } from '../helpers/app.ts';
import { serveTessera } from './serve.ts';

test('validation_failed carries the details and the request id', async (t) => {
  const server = await serveTessera(t);
  const client = new TesseraClient({ baseUrl: server.baseUrl });
  const error = await t.throwsAsync(client.register({ username: 'alice', password: 'short' }), {
    instanceOf: TesseraError,
  });
  t.is(error.status, 400);
  t.is(error.code, 'validation_failed');
  t.true(error.details.some((d) => d.field === 'password' && d.message.length > 0));
  t.regex(error.requestId ?? '', /^[\w.:-]+$/);
  t.is(await server.db('users').count({ n: '*' }).first().then((r) => Number(r!.n)), 0);
});

test('invalid_credentials, username_taken and not_found come back with their status', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const client = new TesseraClient({ baseUrl: server.baseUrl });

  const badLogin = await t.throwsAsync(client.login({ username: 'alice', password: 'wrong password!' }), {
    instanceOf: TesseraError,
  });
  t.is(badLogin.status, 401);
  t.is(badLogin.code, 'invalid_credentials');
  t.is(await client.session(), null);

  const taken = await t.throwsAsync(client.register({ username: 'ALICE', password: PASSWORD }), {
    instanceOf: TesseraError,
  });
  t.is(taken.status, 409);
  t.is(taken.code, 'username_taken');

  const missing = await t.throwsAsync(client.posts.get('987654321'), { instanceOf: TesseraError });
  t.is(missing.status, 404);
  t.is(missing.code, 'not_found');
  t.truthy(missing.requestId);
});

test('forbidden for a non-admin on /admin, and a signed-out call fails without a request', async (t) => {
  const server = await serveTessera(t);
  await register(server.request, 'alice');
  const client = new TesseraClient({ baseUrl: server.baseUrl });

  const seen = server.requests.length;
  const signedOut = await t.throwsAsync(client.me(), { instanceOf: TesseraError });
  t.is(signedOut.code, 'not_signed_in');
  t.is(server.requests.length, seen);

  await client.login({ username: 'alice', password: PASSWORD });
  const forbidden = await t.throwsAsync(client.admin.users.list(), { instanceOf: TesseraError });
  t.is(forbidden.status, 403);
  t.is(forbidden.code, 'forbidden');
});

test('the typed methods round-trip the contract: posts, sessions, password, audit, admin', async (t) => {
  const server = await serveTessera(t);
  const alice = await register(server.request, 'alice');
  await register(server.request, 'root');
  await server.db('users').where({ username: 'root' }).update({ is_admin: true });
  const client = new TesseraClient({ baseUrl: server.baseUrl });
  await client.login({ username: 'alice', password: PASSWORD, device_name: 'Laptop' });

  const post = await client.posts.create({ title: 'Hello', content: 'World' });
  t.is((await client.posts.update(post.id, { title: 'Hi' })).title, 'Hi');
  t.is((await client.posts.list({ user_id: alice.id })).total, 1);
  await client.posts.delete(post.id);
  t.is((await client.posts.list()).total, 0);

  const [device] = await client.sessions.list();
  t.like(device, { device_name: 'Laptop', current: true });
  const changed = await client.changePassword({ current_password: PASSWORD, new_password: 'another long passphrase' });
  t.is(changed.revoked, 0);
  t.true((await client.audit.list({ limit: 10 })).items.some((e) => e.type === 'password_changed'));

  const admin = new TesseraClient({ baseUrl: server.baseUrl });
  await admin.login({ username: 'root', password: PASSWORD });
  const users = await admin.admin.users.list({ q: 'ali' });
  t.deepEqual(users.items.map((u) => u.username), ['alice']);
  t.is((await admin.admin.users.sessions(alice.id)).length, 1);
  t.true((await admin.admin.users.update(alice.id, { disabled: true })).disabled);
  t.is((await admin.admin.audit.list({ user_id: alice.id, type: 'user_disabled' })).total, 1);
  const error = await t.throwsAsync(client.me(), { instanceOf: TesseraError });
  t.is(error.code, 'token_revoked');
});

test('a server that does not answer in time gives a typed timeout; an abort rejects with its reason', async (t) => {
  const stalled = createServer(() => {}); // accepts, never answers
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    stalled.closeAllConnections();
    stalled.close();
  });
  const baseUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
  const client = new TesseraClient({ baseUrl, timeoutMs: 200 });

  const started = Date.now();
  const timeout = await t.throwsAsync(client.posts.list(), { instanceOf: TesseraTimeoutError });
  t.is(timeout.code, 'timeout');
  t.is(timeout.status, 0);
  t.true(Date.now() - started >= 190);

  const controller = new AbortController();
  const call = client.posts.list({}, { signal: controller.signal, timeoutMs: 5_000 });
  controller.abort(new Error('user navigated away'));
  await t.throwsAsync(call, { message: 'user navigated away' });
});
