import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { signUp, signUpAdmin, TEST_ARGON2, type TestApp } from '../helpers/app.ts';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';
import { createClient } from '../oauth/helpers.ts';
import { createVerifier, ResourceServerError } from '../../src/resource-server/index.ts';
import { createIntrospectionRequest } from '../../src/resource-server/introspection-request.ts';

/**
 * A running Tessera (SQLite, the system clock: the verifier never caches an
 * answer past the token's exp, by the real time), a service client, and
 * alice's tokens; and a verifier for that client.
 */
async function verifierAgainstTessera(t: ExecutionContext) {
  const db = await openTestDb(t);
  const { listener, tessera } = createApp({ db, config: parseConfig({ DATABASE_URL: TEST_DATABASE_URL }), passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  const app = { request: supertest(listener), db } as TestApp;
  const server = createServer(listener).listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');
  const verifier = createVerifier({
    tesseraUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });
  t.teardown(() => verifier.close());
  return { verifier, tokens };
}

test('a cached answer is one frozen caller, shared by every hit; an uncached one is introspected', async (t) => {
  const { verifier, tokens } = await verifierAgainstTessera(t);
  const first = await verifier.verify(tokens.access_token);
  t.is(first.user.username, 'alice');
  t.deepEqual(first.abilities, ['*']);
  t.is(verifier.cacheSize, 1);
  const again = await verifier.verify(tokens.access_token);
  t.is(again, first, 'a hit reuses the caller built when the answer was cached');
  t.true(Object.isFrozen(again) && Object.isFrozen(again.user) && Object.isFrozen(again.abilities));
  t.throws(() => {
    (again.user as { username: string }).username = 'mallory';
  }, { instanceOf: TypeError });
  t.is((await verifier.verify(tokens.access_token)).user.username, 'alice');
});

test('verifyNow() answers a cached token at once, as a value; a miss is a promise', async (t) => {
  const { verifier, tokens } = await verifierAgainstTessera(t);
  const miss = verifier.verifyNow(tokens.access_token);
  t.true(miss instanceof Promise);
  const caller = await miss;
  const hit = verifier.verifyNow(tokens.access_token);
  t.false(hit instanceof Promise);
  t.is(hit, caller);
  t.throws(() => verifier.verifyNow(''), { instanceOf: ResourceServerError, message: 'No bearer token was sent.' });
});

/** A stand-in for Tessera that answers introspection as `handle` says, and the verifier's URL for it. */
async function fakeTessera(t: ExecutionContext, handle: (response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    handle(response);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const TIMEOUT_MS = 300;

async function expectUnavailable(t: ExecutionContext, tesseraUrl: string, message: string) {
  const verifier = createVerifier({ tesseraUrl, clientId: 'id', clientSecret: 'secret', timeoutMs: TIMEOUT_MS });
  t.teardown(() => verifier.close());
  const started = performance.now();
  const error = await t.throwsAsync(verifier.verify(`tsr_at_${'a'.repeat(40)}`), { instanceOf: ResourceServerError });
  t.is(error?.status, 503);
  t.is(error?.code, 'service_unavailable');
  t.is(error?.message, message);
  // Bounded by the timeout, with a generous margin for a loaded machine.
  t.true(performance.now() - started < TIMEOUT_MS + 5_000);
  t.is(verifier.cacheSize, 0, 'nothing is cached from a failed introspection');
}

test('Tessera silent past timeoutMs, or stalling in the middle of its answer: 503 service_unavailable', async (t) => {
  const silent = await fakeTessera(t, () => {});
  await expectUnavailable(t, silent, 'Tessera could not be reached, or did not answer in time.');
  const stalling = await fakeTessera(t, (response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
    response.write('{"active":');
  });
  await expectUnavailable(t, stalling, 'Tessera could not be reached, or did not answer in time.');
});

test('Tessera answering other than 200, or unreachable: 503 service_unavailable', async (t) => {
  const failing = await fakeTessera(t, (response) => response.writeHead(500).end('{"error":"internal_error"}'));
  await expectUnavailable(t, failing, 'Tessera answered introspection with 500.');
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await new Promise((resolve) => closed.once('listening', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expectUnavailable(t, `http://127.0.0.1:${port}`, 'Tessera could not be reached, or did not answer in time.');
});

test('Tessera answering 200 with a body that is not an answer (not JSON, not an answer, cut short, oversized): 503 service_unavailable', async (t) => {
  const html = await fakeTessera(t, (response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy error</html>'));
  await expectUnavailable(t, html, 'Tessera answered introspection with a body that is not JSON.');
  const cut = await fakeTessera(t, (response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
    response.write('{"active":', () => response.socket?.destroy());
  });
  await expectUnavailable(t, cut, 'Tessera could not be reached, or did not answer in time.');
  for (const notAnAnswer of ['null', '{}', '[]', '"x"', '{"active":"yes"}', '{"active":true}']) {
    const proxy = await fakeTessera(t, (response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(notAnAnswer));
    await expectUnavailable(t, proxy, 'Tessera answered introspection with a body that is not an introspection answer.');
  }
  const huge = await fakeTessera(t, (response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(`{"active":true,"padding":"${'x'.repeat(100_000)}"}`);
  });
  await expectUnavailable(t, huge, 'Tessera answered introspection with an oversized body.');
});

/** The introspection request itself (below the verifier and its cache), against `tesseraUrl`; closed when the test ends. */
function introspectionAgainst(t: ExecutionContext, tesseraUrl: string) {
  const { introspect, close } = createIntrospectionRequest({
    url: `${tesseraUrl}/api/v1/oauth/introspect`,
    authorization: 'Basic aWQ6c2VjcmV0',
    timeoutMs: 2_000,
  });
  t.teardown(close);
  return introspect;
}

test('a kept-alive connection Tessera closes just as it is reused is asked again on a new one, not a 503', async (t) => {
  // Closes every connection at its second request, without answering: the moment a server's
  // keep-alive timeout ends a connection the client has just picked for reuse.
  const requestsOn = new WeakMap<Socket, number>();
  let answered = 0;
  const tesseraUrl = await fakeTessera(t, (response) => {
    const socket = response.socket!;
    const count = (requestsOn.get(socket) ?? 0) + 1;
    requestsOn.set(socket, count);
    if (count > 1) {
      socket.destroy();
      return;
    }
    answered += 1;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"active":false}');
  });
  const introspect = introspectionAgainst(t, tesseraUrl);
  t.is(await introspect('first'), undefined);
  t.is(await introspect('second'), undefined); // its first try reused the connection and was cut
  t.is(answered, 2);
});

test('a Tessera URL that is not http: or https: is refused when the verifier is created', (t) => {
  // `localhost:3000` parses as a URL whose protocol is `localhost:`.
  t.throws(() => createVerifier({ tesseraUrl: 'localhost:3000', clientId: 'id', clientSecret: 'secret' }), {
    instanceOf: TypeError,
    message: "Tessera's URL must start with http: or https:, not localhost:",
  });
});

test('a reused connection cut after the answer has begun is a 503, never asked again', async (t) => {
  const requestsOn = new WeakMap<Socket, number>();
  let received = 0;
  const tesseraUrl = await fakeTessera(t, (response) => {
    received += 1;
    const socket = response.socket!;
    const count = (requestsOn.get(socket) ?? 0) + 1;
    requestsOn.set(socket, count);
    if (count === 1) {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"active":false}');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
    // Once the client has the start of the answer.
    response.write('{"active":', () => setTimeout(() => socket.resetAndDestroy(), 50));
  });
  const introspect = introspectionAgainst(t, tesseraUrl);
  t.is(await introspect('first'), undefined);
  const error = await t.throwsAsync(introspect('second'), { instanceOf: ResourceServerError });
  t.is(error?.status, 503);
  await new Promise((resolve) => setTimeout(resolve, 300)); // room for a wrong retry to arrive
  t.is(received, 2);
});
