import type { RequestListener } from 'node:http';
import { gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { auditRows, buildTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/app.ts';
import { capturedLogger } from '../helpers/log-lines.ts';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';
import { TEST_ARGON2 } from '../helpers/app.ts';
import { basic, createClient, type Client } from './helpers.ts';

/**
 * The introspection express lane (src/http/express-lane.ts): what it answers
 * must be what Koa would have answered, and what it cannot answer must reach
 * Koa whole. `viaKoa` lists the requests that reached Koa.
 */
async function laneApp(t: ExecutionContext, env: Record<string, string> = {}) {
  const app = await buildTestApp(t, { env });
  const koa = app.tessera.app.callback();
  const viaKoa: string[] = [];
  const counted: RequestListener = (request, response) => {
    viaKoa.push(`${request.method} ${request.url}`);
    void koa(request, response);
  };
  const lane = supertest(app.tessera.tessera.expressLane(counted));
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');
  return { app, lane, koa: supertest(koa), viaKoa, client, tokens };
}

function introspect(request: ReturnType<typeof supertest>, client: Client, token: string) {
  return request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token });
}

/** Header names, and values of those that do not change from one request to the next. */
function stableHeaders(headers: Record<string, string>) {
  const changing = new Set(['date', 'x-request-id', 'ratelimit-remaining', 'ratelimit-reset']);
  return Object.fromEntries(
    Object.keys(headers)
      .sort()
      .map((name) => [name, changing.has(name) ? '(changes)' : headers[name]]),
  );
}

test('a verified client is answered without Koa, with the status, headers and body Koa answers', async (t) => {
  const { app, lane, koa, viaKoa, client, tokens } = await laneApp(t);
  // First: the client's credentials are checked (a database read), which is Koa's to do.
  await introspect(lane, client, tokens.access_token).expect(200);
  t.deepEqual(viaKoa, ['POST /api/v1/oauth/introspect']);

  const pat = await app.request
    .post('/api/v1/tokens')
    .set('Authorization', `Bearer ${tokens.access_token}`)
    .send({ name: 'ci', abilities: ['posts:write'] })
    .expect(201);
  for (const token of [tokens.access_token, pat.body.token as string, tokens.refresh_token, 'garbage']) {
    const fromLane = await introspect(lane, client, token).expect(200);
    const fromKoa = await introspect(koa, client, token).expect(200);
    t.deepEqual(fromLane.body, fromKoa.body);
    t.deepEqual(stableHeaders(fromLane.headers), stableHeaders(fromKoa.headers));
    t.regex(fromLane.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    t.is(fromLane.headers['content-type'], 'application/json; charset=utf-8');
    t.is(fromLane.headers['cache-control'], 'no-store');
  }
  t.deepEqual(viaKoa, ['POST /api/v1/oauth/introspect'], 'the repeats never reached Koa');
  t.is((await introspect(lane, client, 'garbage')).text, '{"active":false}');

  // A proxy's request id is kept, as Koa's pipeline keeps it.
  const traced = await introspect(lane, client, tokens.access_token).set('X-Request-Id', 'trace-42').expect(200);
  t.is(traced.headers['x-request-id'], 'trace-42');
});

test('the lane and Koa count against one rate limit, each request once; the refusal is Koa\'s 429, audited once', async (t) => {
  const { app, lane, viaKoa, client, tokens } = await laneApp(t, { RATE_LIMIT_INTROSPECT: '4/60' });
  const remaining: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const answer = await introspect(lane, client, tokens.access_token).expect(200);
    t.is(answer.body.active, true);
    remaining.push(answer.headers['ratelimit-remaining'] ?? '');
  }
  t.deepEqual(remaining, ['3', '2', '1', '0'], 'one count per request, whichever answered it');
  const refused = await introspect(lane, client, tokens.access_token).expect(429);
  t.is(refused.body.error, 'rate_limited');
  t.is(refused.body.error_description, refused.body.message);
  t.regex(refused.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  t.is(refused.headers['ratelimit-remaining'], '0');
  t.deepEqual(viaKoa, ['POST /api/v1/oauth/introspect', 'POST /api/v1/oauth/introspect']);
  const events = await auditRows(app.db, 'rate_limited');
  t.deepEqual(events.map((event) => JSON.parse(event.detail)), [{ limit: 'introspect', count: 1 }]);
});

test('requests the lane cannot answer as Koa would reach Koa whole, and get Koa\'s answers', async (t) => {
  const { lane, viaKoa, client, tokens } = await laneApp(t);
  await introspect(lane, client, tokens.access_token).expect(200); // verifies the client
  viaKoa.length = 0;
  const path = '/api/v1/oauth/introspect';
  const form = `token=${encodeURIComponent(tokens.access_token)}`;

  const cases: Array<[string, () => supertest.Test, number]> = [
    ['JSON body', () => lane.post(path).set(basic(client)).send({ token: tokens.access_token }), 200],
    ['an Origin header', () => introspect(lane, client, tokens.access_token).set('Origin', 'https://app.example'), 200],
    ['a Cookie header', () => introspect(lane, client, tokens.access_token).set('Cookie', 'theme=dark'), 200],
    ['a query string', () => lane.post(`${path}?x=1`).set(basic(client)).type('form').send(form), 200],
    ['a gzip body', () => lane.post(path).set(basic(client)).type('form').set('Content-Encoding', 'gzip').serialize((body) => body).send(gzipSync(form)), 200],
    ['unverified credentials', () => introspect(lane, { ...client, client_secret: `${client.client_secret}x` }, tokens.access_token), 401],
  ];
  for (const [name, send, status] of cases) {
    const before = viaKoa.length;
    const response = await send();
    t.is(response.status, status, name);
    if (status === 200) t.is(response.body.active, true, name);
    t.is(viaKoa.length, before + 1, `${name} went to Koa`);
  }

  // Read by the lane, then refused by Koa from what the lane read (the body is not read twice).
  for (const body of ['', 'token_type_hint=access_token', `${form}&${form}`]) {
    const before = viaKoa.length;
    const response = await lane.post(path).set(basic(client)).type('form').send(body).expect(400);
    t.is(response.body.error, 'invalid_request', body);
    t.is(viaKoa.length, before + 1, `"${body}" went to Koa`);
  }
});

test('the lane writes the request log line and the request metric that Koa\'s pipeline writes', async (t) => {
  const { logger, lines } = capturedLogger();
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, METRICS_PORT: '0' });
  const db = await openTestDb(t);
  const { listener, tessera } = createApp({ db, config, logger, passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  const request = supertest(listener);
  const app = { request, db } as TestApp;
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);

  await introspect(request, client, root.tokens.access_token).expect(200); // Koa, verifying the client
  const answer = await introspect(request, client, root.tokens.access_token).set('X-Request-Id', 'lane-1').expect(200);
  t.is(answer.headers['x-request-id'], 'lane-1');
  const line = lines.find((entry) => entry.msg === 'request' && entry.requestId === 'lane-1');
  t.like(line, { method: 'POST', path: '/api/v1/oauth/introspect', status: 200 });
  t.is(typeof line?.ms, 'number');

  const text = await tessera.metrics!.metrics();
  const series = 'tessera_http_request_duration_seconds_count{route="/api/v1/oauth/introspect",method="POST",status="200"}';
  t.is(text.split('\n').find((sample) => sample.startsWith(`${series} `)), `${series} 2`);
});

test('an answer that needs the database, while it is gone, is Koa\'s 503, counted once', async (t) => {
  const { app, lane, viaKoa, client, tokens } = await laneApp(t, { RATE_LIMIT_INTROSPECT: '10/60' });
  const first = await introspect(lane, client, tokens.refresh_token).expect(200); // via Koa: verifies the client
  t.is(first.body.active, true);
  t.is(first.headers['ratelimit-remaining'], '9');
  await app.db.destroy(); // refresh tokens are read from the database on every introspection
  const refused = await introspect(lane, client, tokens.refresh_token).expect(503);
  t.is(refused.body.error, 'service_unavailable');
  t.is(refused.headers['retry-after'], '5');
  t.is(refused.headers['ratelimit-remaining'], '8', 'counted by the lane, not again by Koa');
  t.is(viaKoa.length, 2);
});
