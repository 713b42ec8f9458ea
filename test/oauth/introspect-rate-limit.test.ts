import type { ExecutionContext } from 'ava';
import test from 'ava';
import { auditRows, buildTestApp, signUp, signUpAdmin, type TestApp } from '../helpers/app.ts';
import { basic, createClient, type Client } from './helpers.ts';
import { withLastCharacterChanged } from '../helpers/tamper.ts';

function introspect(app: TestApp, client: Client, token: string, forwardedFor = '203.0.113.1') {
  return app.request
    .post('/api/v1/oauth/introspect')
    .set(basic(client))
    .set('X-Forwarded-For', forwardedFor)
    .type('form')
    .send({ token });
}

function expectRateLimited(t: ExecutionContext, response: Awaited<ReturnType<typeof introspect>>, limit: number) {
  t.is(response.status, 429);
  t.is(response.body.error, 'rate_limited');
  t.regex(response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  t.is(response.headers['ratelimit-limit'], String(limit));
  t.is(response.headers['ratelimit-remaining'], '0');
}

test('RATE_LIMIT_INTROSPECT counts per client, not per IP: 429 rate_limited with Retry-After past it', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_INTROSPECT: '3/60', TRUST_PROXY: 'true' } });
  const root = await signUpAdmin(app, 'root');
  const reports = await createClient(app, root.tokens.access_token);
  const billing = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');

  // Three addresses, one client: one counter.
  for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    const answer = await introspect(app, reports, tokens.access_token, address).expect(200);
    t.is(answer.body.active, true);
    t.is(answer.headers['ratelimit-limit'], '3');
  }
  expectRateLimited(t, await introspect(app, reports, tokens.access_token, '203.0.113.4'), 3);
  // Another client from the same address has its own.
  for (let i = 0; i < 3; i += 1) {
    t.is((await introspect(app, billing, tokens.access_token, '203.0.113.4').expect(200)).body.active, true);
  }
  expectRateLimited(t, await introspect(app, billing, tokens.access_token, '203.0.113.4'), 3);

  const events = await auditRows(app.db, 'rate_limited');
  t.deepEqual(events.map((event) => JSON.parse(event.detail)), [
    { limit: 'introspect', count: 1 },
    { limit: 'introspect', count: 1 },
  ]);
});

test('introspection is not counted by the global per-IP limit (a resource server behind one address)', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_GLOBAL: '5/60' } });
  // Set-up traffic counts against the global limit: sign up, log in, create the client.
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice'); // five requests so far, the global limit

  for (let i = 0; i < 20; i += 1) {
    const answer = await introspect(app, client, tokens.access_token).expect(200);
    t.is(answer.body.active, true);
    t.is(answer.headers['ratelimit-limit'], '6000'); // the per-client limit, not the global one
  }
  // Everything else from the address is still limited globally.
  const other = await app.request.get('/api/v1/posts');
  t.is(other.status, 429);
  t.is(other.body.error, 'rate_limited');
  t.is(other.headers['ratelimit-limit'], '5');
  // Other methods on the introspection path are not exempt.
  t.is((await app.request.get('/api/v1/oauth/introspect')).status, 429);
});

test('wrong client credentials are counted per IP and never spend the real client\'s budget', async (t) => {
  const app = await buildTestApp(t, {
    env: { RATE_LIMIT_INTROSPECT: '3/60', RATE_LIMIT_REFRESH: '4/60', TRUST_PROXY: 'true' },
  });
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');
  const impostor = { ...client, client_secret: withLastCharacterChanged(client.client_secret) };

  // An attacker naming the real client id with a wrong secret: 401 until its address is cut off.
  for (let i = 0; i < 4; i += 1) {
    const refused = await introspect(app, impostor, tokens.access_token, '198.51.100.7');
    t.is(refused.status, 401);
    t.is(refused.body.error, 'invalid_client');
  }
  const cut = await introspect(app, impostor, tokens.access_token, '198.51.100.7');
  t.is(cut.status, 429);
  t.is(cut.body.error, 'rate_limited');
  // The real client still has its whole budget.
  for (let i = 0; i < 3; i += 1) {
    t.is((await introspect(app, client, tokens.access_token).expect(200)).body.active, true);
  }
});
