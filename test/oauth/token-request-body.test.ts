import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import Koa, { type Middleware } from 'koa';
import supertest from 'supertest';
import type { TesseraState } from '../../src/auth/state.ts';
import { readTokenRequestBody } from '../../src/oauth/token-request-body.ts';
import { auditRows, bearer, buildTestApp, signUp, type TestApp } from '../helpers/app.ts';
import { basic, createClient, type Client } from './helpers.ts';
import { waitFor } from '../helpers/fault-proxy.ts';

const LIMIT = 16 * 1024;
const NOT_FORM_OR_JSON = 'Send the body form-encoded or as JSON.';
const NOT_JSON = 'The request body is not valid JSON.';
const TOO_LARGE = 'The request body is too large.';
const NO_TOKEN = 'The request needs a "token" parameter (a string).';

type Post = ReturnType<TestApp['request']['post']>;

/** Every character percent-encoded, as a client may legally send it. */
function percentEncoded(text: string): string {
  return [...text].map((character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** `token=<token>&pad=xxx…`, exactly `bytes` long. */
function formOfLength(token: string, bytes: number): string {
  const start = `token=${token}&pad=`;
  return start + 'x'.repeat(bytes - start.length);
}

/** The session is untouched: no revoked row, no `logged_out` event, the access token still works. */
async function assertNothingRevoked(t: ExecutionContext, app: TestApp, accessToken: string) {
  t.is((await app.db('sessions').whereNotNull('revoked_at')).length, 0);
  t.is((await auditRows(app.db, 'logged_out')).length, 0);
  await app.request.get('/api/v1/me').set(bearer(accessToken)).expect(200);
}

test('form bodies with parameters in any case, and JSON ones; percent-encoded tokens decode to the token', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const { tokens } = await signUp(app.request, 'alice');
  const introspect = () => app.request.post('/api/v1/oauth/introspect').set(basic(client));

  const form = await introspect()
    .set('Content-Type', 'Application/X-WWW-Form-URLEncoded; charset=UTF-8')
    .send(`token=${percentEncoded(tokens.access_token)}&token_type_hint=access_token`)
    .expect(200);
  t.like(form.body, { active: true, token_kind: 'access_token' });
  const json = await introspect()
    .set('Content-Type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ token: tokens.access_token, token_type_hint: 'access_token' }))
    .expect(200);
  t.like(json.body, { active: true, token_kind: 'access_token' });

  await app.request
    .post('/api/v1/oauth/revoke')
    .set('Content-Type', 'application/x-www-form-urlencoded;charset=UTF-8')
    .send(`token=${percentEncoded(tokens.refresh_token)}`)
    .expect(200, {});
  t.is((await app.request.get('/api/v1/me').set(bearer(tokens.access_token))).body.error, 'token_revoked');
});

test('a body of exactly 16 KiB is read; one byte more is 413 and revokes nothing', async (t) => {
  const app = await buildTestApp(t);
  const alice = await signUp(app.request, 'alice');
  const bob = await signUp(app.request, 'bob');
  const revoke = () => app.request.post('/api/v1/oauth/revoke').type('form');

  const tooLarge = await revoke().send(formOfLength(bob.tokens.refresh_token, LIMIT + 1));
  t.is(tooLarge.status, 413);
  t.like(tooLarge.body, { error: 'payload_too_large', message: TOO_LARGE, error_description: TOO_LARGE });
  await assertNothingRevoked(t, app, bob.tokens.access_token);

  await revoke().send(formOfLength(alice.tokens.refresh_token, LIMIT)).expect(200, {});
  t.is((await app.request.get('/api/v1/me').set(bearer(alice.tokens.access_token))).body.error, 'token_revoked');
});

test('bodies that break a rule are refused with the contract\'s code on both endpoints, and revoke nothing', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const { tokens } = await signUp(app.request, 'alice');
  // Each body carries a good token, so a reader that let it through would answer 200.
  const cases: Array<[string, (request: Post, token: string) => Post, number, string, string]> = [
    ['text/plain', (r, token) => r.type('text').send(`token=${token}`), 415, 'unsupported_media_type', NOT_FORM_OR_JSON],
    ['no content type', (r, token) => r.send(Buffer.from(`token=${token}`)).unset('Content-Type'), 415, 'unsupported_media_type', NOT_FORM_OR_JSON],
    ['a JSON-like type', (r, token) => r.type('application/vnd.api+json').send(JSON.stringify({ token })), 415, 'unsupported_media_type', NOT_FORM_OR_JSON],
    ['unknown compression', (r, token) => r.type('form').set('Content-Encoding', 'zstd').send(`token=${token}`), 415, 'unsupported_media_type', 'Send the body uncompressed, or compressed with gzip, deflate or br.'],
    ['invalid JSON', (r, token) => r.type('json').send(`{"token": "${token}"`), 400, 'invalid_json', NOT_JSON],
    ['a JSON string', (r, token) => r.type('json').send(JSON.stringify(token)), 400, 'invalid_json', NOT_JSON],
    ['JSON null', (r) => r.type('json').send('null'), 400, 'invalid_json', NOT_JSON],
    ['a __proto__ key', (r, token) => r.type('json').send(`{"token": "${token}", "__proto__": {}}`), 400, 'invalid_json', NOT_JSON],
    // koa-bodyparser's strict mode read arrays; one has no "token".
    ['a JSON array', (r, token) => r.type('json').send(JSON.stringify([{ token }])), 400, 'invalid_request', NO_TOKEN],
    // RFC 6749 §3.1: parameters must not be sent more than once.
    ['token twice', (r, token) => r.type('form').send(`token=${token}&token=${token}`), 400, 'invalid_request', NO_TOKEN],
    ['no body', (r) => r, 400, 'invalid_request', NO_TOKEN],
    ['an empty body of another type', (r) => r.type('text').send(''), 400, 'invalid_request', NO_TOKEN],
    ['over 16 KiB', (r, token) => r.type('form').send(formOfLength(token, LIMIT + 100)), 413, 'payload_too_large', TOO_LARGE],
    ['over 16 KiB once decompressed', (r, token) => r.type('form').set('Content-Encoding', 'gzip').serialize((body) => body).send(gzipSync(formOfLength(token, LIMIT + 1))), 413, 'payload_too_large', TOO_LARGE],
  ];
  for (const [label, send, status, error, description] of cases) {
    const introspected = await send(app.request.post('/api/v1/oauth/introspect').set(basic(client)), tokens.access_token);
    const revoked = await send(app.request.post('/api/v1/oauth/revoke'), tokens.refresh_token);
    for (const [endpoint, response] of [['introspect', introspected], ['revoke', revoked]] as const) {
      t.is(response.status, status, `${label}, ${endpoint}: ${JSON.stringify(response.body)}`);
      t.deepEqual(response.body, { error, message: description, error_description: description }, `${label}, ${endpoint}`);
    }
  }
  await assertNothingRevoked(t, app, tokens.access_token);
});

test('gzip-compressed bodies are read, as koa-bodyparser read them', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  await app.request
    .post('/api/v1/oauth/revoke')
    .type('form')
    .set('Content-Encoding', 'gzip')
    .serialize((body) => body)
    .send(gzipSync(`token=${tokens.refresh_token}`))
    .expect(200, {});
  t.is((await app.request.get('/api/v1/me').set(bearer(tokens.access_token))).body.error, 'token_revoked');
});

/**
 * POSTs `firstBytes` under `headers` and never sends the rest: the answer
 * must come anyway, within `ms`, since the rest might never come.
 */
async function answerBeforeBodyEnds(port: number, headers: Record<string, string>, firstBytes: string, ms = 5000) {
  const request = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/oauth/introspect', headers });
  try {
    request.write(firstBytes);
    const answered = once(request, 'response').then(async ([response]) => {
      let text = '';
      for await (const chunk of response) text += chunk;
      return { status: response.statusCode as number, body: JSON.parse(text) as Record<string, unknown> };
    });
    return await Promise.race([answered, delay(ms).then(() => undefined)]);
  } finally {
    request.destroy();
  }
}

test('an oversized body is refused without waiting for (or holding) the rest of it', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const server = createServer(app.tessera.listener).listen(0, '127.0.0.1');
  t.teardown(() => server.closeAllConnections());
  t.teardown(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const headers = { ...basic(client), 'Content-Type': 'application/x-www-form-urlencoded' };

  // The declared length is enough: nothing of the body needs to arrive.
  const declared = await answerBeforeBodyEnds(port, { ...headers, 'Content-Length': String(1024 * 1024) }, 'token=');
  t.is(declared?.status, 413);
  t.like(declared?.body, { error: 'payload_too_large', error_description: TOO_LARGE });
  // Chunked, with no length: refused once 16 KiB have come, with the stream still open.
  const chunked = await answerBeforeBodyEnds(port, { ...headers, 'Transfer-Encoding': 'chunked' }, `token=${'x'.repeat(LIMIT)}`);
  t.is(chunked?.status, 413);
  t.like(chunked?.body, { error: 'payload_too_large', error_description: TOO_LARGE });
});

/** The reader alone, in a bare Koa app, keeping the body it produced. */
function readerAlone(before: Middleware<TesseraState> = (_ctx, next) => next()) {
  let body: unknown;
  const app = new Koa<TesseraState>();
  app.use(before);
  app.use(readTokenRequestBody);
  app.use((ctx) => {
    body = ctx.request.body;
    ctx.status = 204;
  });
  return { request: supertest(app.callback()), body: () => body };
}

test('form values decode as URLSearchParams does: %2B is a plus, + is a space', async (t) => {
  const reader = readerAlone();
  await reader.request.post('/').type('form').send('token=a%2Bb+c%26d%3De%C3%A9&token_type_hint=refresh_token').expect(204);
  t.deepEqual(reader.body(), { token: 'a+b c&d=eé', token_type_hint: 'refresh_token' });
});

test('repeated form parameters become arrays; names of Object.prototype are dropped, as qs dropped them', async (t) => {
  const reader = readerAlone();
  await reader.request.post('/').type('form').send('token=a&token=b&token=c&__proto__=x&__proto__=y&toString=z&hint=1').expect(204);
  t.deepEqual(reader.body(), { token: ['a', 'b', 'c'], hint: '1' });
  t.is(Object.getPrototypeOf(reader.body()), Object.prototype);
});

test('a JSON body may start with a byte order mark, as before', async (t) => {
  const reader = readerAlone();
  await reader.request.post('/').type('json').send('\uFEFF{"token": "t"}').expect(204);
  t.deepEqual(reader.body(), { token: 't' });
});

test('a body the embedding app has read already is kept, not read twice', async (t) => {
  const reader = readerAlone(async (ctx, next) => {
    for await (const chunk of ctx.req) void chunk;
    ctx.request.body = { token: 'read by the host' };
    await next();
  });
  await reader.request.post('/').type('form').send('token=t').expect(204);
  t.deepEqual(reader.body(), { token: 'read by the host' });
});

/** The reader alone on a real socket; resolves with how the reader's work ended (settled or not). */
async function readerOnSocket(t: ExecutionContext) {
  const outcomes: Array<{ body?: unknown; error?: string }> = [];
  const app = new Koa<TesseraState>();
  app.use(async (ctx, next) => {
    try {
      await next();
      outcomes.push({ body: ctx.request.body });
    } catch (error) {
      outcomes.push({ error: (error as { code?: string }).code ?? String(error) });
      throw error;
    }
  });
  app.use(readTokenRequestBody);
  app.use((ctx) => {
    ctx.status = 204;
  });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.closeAllConnections());
  t.teardown(() => server.close());
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, outcomes };
}

test('a body that arrives in several packets is read whole', async (t) => {
  const { port, outcomes } = await readerOnSocket(t);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const body = 'token=first-half-second-half';
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
  await delay(50);
  socket.end(body.slice(10));
  await waitFor('the reader to finish', () => outcomes.length === 1);
  t.deepEqual(outcomes, [{ body: { token: 'first-half-second-half' } }]);
});

test('a compressed body whose client hangs up mid-way ends the read, not a request left waiting forever', async (t) => {
  const { port, outcomes } = await readerOnSocket(t);
  const compressed = gzipSync('token=' + 'x'.repeat(4000));
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip\r\nContent-Length: ${compressed.length}\r\n\r\n`,
  );
  socket.write(compressed.subarray(0, 20));
  await delay(50);
  socket.destroy();
  await waitFor('the read to end', () => outcomes.length === 1);
  t.is(outcomes.length, 1);
  t.truthy(outcomes[0]!.error);
});
