import test, { type ExecutionContext } from 'ava';
import { buildOpenApiDocument, openApiPath } from '../../src/openapi/document.ts';
import { OPERATIONS } from '../../src/openapi/registry.ts';
import { bearer, buildTestApp, PASSWORD, signUp, signUpAdmin, type TestApp } from '../helpers/app.ts';
import { allRefs, call, createDocumentCheck, resolvePointer, type CallOptions, type Method } from './document-check.ts';

/**
 * Every documented operation answers as the document says: each one is sent
 * a request that succeeds and at least one that fails, and each answer's
 * status, headers (Content-Type, WWW-Authenticate, Retry-After,
 * Cache-Control) and body are validated against the served document with
 * ajv. The router tables and the document must list the same routes.
 * Serial: the last test checks what the others covered.
 */
const document = buildOpenApiDocument(OPERATIONS) as Record<string, any>;
const check = createDocumentCheck(document);
const PUBLIC_URL = 'https://auth.example.test';

async function app(t: ExecutionContext, env: Record<string, string> = {}) {
  const built = await buildTestApp(t, { env: { PUBLIC_URL, ...env } });
  const send = (method: Method, path: string, options?: CallOptions) => call(t, built, check, method, path, options);
  return { ...built, send };
}

function userExample() {
  return { id: '1', username: 'alice', email: null, is_admin: false, disabled: false, created_at: '2026-01-01T00:00:00.000Z' };
}

/** A PAT of `abilities` for a user holding the session `accessToken`. */
async function createPat(built: TestApp, accessToken: string, abilities: string[]) {
  const res = await built.request.post('/api/v1/tokens').set(bearer(accessToken)).send({ name: 'ci', abilities }).expect(201);
  return res.body as { id: string; token: string };
}

test.serial('GET /openapi.json serves the generated OpenAPI 3.1 document, whose every $ref resolves', async (t) => {
  const { send } = await app(t);
  const res = await send('get', '/api/v1/openapi.json');
  t.is(res.status, 200);
  t.deepEqual(res.body, document, 'the served document is the generator\'s');
  t.regex(document.openapi, /^3\.1\.\d+$/);
  for (const ref of allRefs(document)) t.not(resolvePointer(document, ref), undefined, `unresolved $ref ${ref}`);
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
    for (const [method, operation] of Object.entries(item)) {
      t.true(Object.keys(operation.responses ?? {}).length > 1, `${method} ${path} has a success and error responses`);
      t.false(ids.has(operation.operationId), `operationId ${operation.operationId} is unique`);
      ids.add(operation.operationId);
      for (const param of operation.parameters ?? []) if (param.in === 'path') t.true(path.includes(`{${param.name}}`));
    }
  }
  // The checker is not vacuous: a code the route cannot answer, or a field the contract does not name, fails.
  const notFound = 'openapi#/paths/~1api~1v1~1posts~1{id}/get/responses/404/content/application~1json/schema';
  t.is(check.validate(notFound, { error: 'not_found', message: 'Not found.' }), undefined);
  t.not(check.validate(notFound, { error: 'token_missing', message: 'Not found.' }), undefined);
  t.not(check.validate('openapi#/components/schemas/User', { ...userExample(), password_hash: 'x' }), undefined);
  for (const name of Object.keys(document.components.schemas)) {
    t.notThrows(() => check.validate(`openapi#/components/schemas/${name}`, {}), `${name} compiles as JSON Schema 2020-12`);
  }
});

test.serial('every route of the routers is in the document, and every documented operation is routed', async (t) => {
  const { tessera } = await app(t);
  const routed = new Set<string>();
  for (const router of tessera.tessera.routers) {
    for (const layer of router.stack) {
      // The admin router's catch-all answers 401/403/404 for unknown /admin paths: not an operation.
      const path = String(layer.path);
      if (path.includes('{*')) continue;
      for (const method of layer.methods) if (method !== 'HEAD') routed.add(`${method.toLowerCase()} ${openApiPath(path)}`);
    }
  }
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Record<string, object>)) {
    for (const method of Object.keys(item)) documented.add(`${method} ${path}`);
  }
  t.deepEqual([...routed].filter((route) => !documented.has(route)), [], 'routes missing from the document');
  t.deepEqual([...documented].filter((route) => !routed.has(route)), [], 'documented operations nobody routes');
});

test.serial('probes and the document: success, 503 while draining, 429 from the global limit', async (t) => {
  const { send, tessera } = await app(t, { RATE_LIMIT_GLOBAL: '1/60' });
  t.is((await send('get', '/healthz')).status, 200);
  t.is((await send('get', '/readyz')).status, 200);
  t.is((await send('get', '/api/v1/openapi.json')).status, 200);
  const limited = await send('get', '/api/v1/openapi.json');
  t.is(limited.status, 429);
  tessera.tessera.readiness.drain();
  t.is((await send('get', '/readyz')).status, 503);
});

test.serial('accounts and sessions', async (t) => {
  const built = await app(t);
  const { send } = built;
  t.is((await send('post', '/api/v1/users', { body: { username: 'alice', password: PASSWORD, email: 'alice@example.com' } })).status, 201);
  t.is((await send('post', '/api/v1/users', { body: { username: 'alice', password: PASSWORD } })).status, 409);
  t.is((await send('post', '/api/v1/users', { raw: '{"username":', contentType: 'application/json' })).status, 400);
  t.is((await send('post', '/api/v1/users', { raw: 'username=bob', contentType: 'text/plain' })).status, 415);

  const login = await send('post', '/api/v1/login', { body: { username: 'alice', password: PASSWORD, device_name: 'Laptop' } });
  t.is(login.status, 200);
  const pair = login.body as { access_token: string; refresh_token: string; session_id: string };
  t.is((await send('post', '/api/v1/login', { body: { username: 'alice', password: 'not the password' } })).status, 401);
  const cookieLogin = await send('post', '/api/v1/login', {
    body: { email: 'alice@example.com', password: PASSWORD, use_cookies: true },
    headers: { Origin: PUBLIC_URL },
  });
  t.is(cookieLogin.status, 200);
  t.is(cookieLogin.body.token_type, 'cookie');
  const phone = await built.request.post('/api/v1/login').send({ username: 'alice', password: PASSWORD }).expect(200);

  const refreshed = await send('post', '/api/v1/refresh', { body: { refresh_token: pair.refresh_token } });
  t.is(refreshed.status, 200);
  t.is((await send('post', '/api/v1/refresh', { body: { refresh_token: 'tsr_rt_nonsense' } })).status, 401);
  t.is((await send('post', '/api/v1/refresh', { body: { refresh_token: pair.refresh_token } })).status, 401, 'rotated');
  const at = refreshed.body.access_token as string;

  t.is((await send('get', '/api/v1/me', { headers: bearer(at) })).status, 200);
  t.is((await send('get', '/api/v1/me')).status, 401);
  const pat = await createPat(built, at, ['profile:read']);
  t.is((await send('get', '/api/v1/me', { headers: bearer(pat.token) })).status, 200, 'with a PAT: session null, token');
  t.is((await send('get', '/api/v1/sessions', { headers: bearer(pat.token) })).status, 403, 'insufficient_scope');

  t.is((await send('get', '/api/v1/sessions', { headers: bearer(at) })).status, 200);
  t.is((await send('get', '/api/v1/sessions', { headers: bearer('tsr_at_garbage') })).status, 401);
  t.is((await send('delete', '/api/v1/sessions/:id', { params: { id: phone.body.session_id }, headers: bearer(at) })).status, 204);
  t.is((await send('delete', '/api/v1/sessions/:id', { params: { id: 'xyz' }, headers: bearer(at) })).status, 404);

  t.is((await send('get', '/api/v1/me/audit', { headers: bearer(at), query: { limit: '5' } })).status, 200);
  t.is((await send('get', '/api/v1/me/audit', { headers: bearer(at), query: { limit: '1e3' } })).status, 400);

  const wrong = await send('put', '/api/v1/me/password', { headers: bearer(at), body: { current_password: 'nope nope nope', new_password: 'a new long passphrase' } });
  t.is(wrong.status, 400);
  const changed = await send('put', '/api/v1/me/password', { headers: bearer(at), body: { current_password: PASSWORD, new_password: 'a new long passphrase' } });
  t.is(changed.status, 200);

  t.is((await send('post', '/api/v1/logout/all', { headers: bearer(pat.token), body: {} })).status, 403, 'a PAT cannot');
  t.is((await send('post', '/api/v1/logout/all', { headers: bearer(at), body: { keep_current: true } })).status, 200);
  t.is((await send('post', '/api/v1/logout', { headers: bearer(pat.token) })).status, 403);
  t.is((await send('post', '/api/v1/logout', { headers: bearer(at) })).status, 200);
  t.is((await send('post', '/api/v1/logout', { headers: bearer(at) })).status, 401, 'token_revoked');
  t.is((await send('put', '/api/v1/me/password', { headers: bearer(at), body: { current_password: 'x', new_password: 'y' } })).status, 401);
});

test.serial('personal access tokens', async (t) => {
  const built = await app(t);
  const { send } = built;
  const admin = await signUpAdmin(built, 'root');
  const { user, tokens } = await signUp(built.request, 'bob');
  const at = tokens.access_token;
  const created = await send('post', '/api/v1/tokens', { headers: bearer(at), body: { name: 'deploy', abilities: ['posts:write', 'posts:write'], expires_in: 3600 } });
  t.is(created.status, 201);
  t.is((await send('post', '/api/v1/tokens', { headers: bearer(at), body: { name: 'x', abilities: ['Bad Ability'] } })).status, 400);
  t.is((await send('post', '/api/v1/tokens', { headers: bearer(at), body: { name: 'x', abilities: ['admin'] } })).status, 403);
  t.is((await send('get', '/api/v1/tokens', { headers: bearer(at) })).status, 200);
  t.is((await send('get', '/api/v1/tokens')).status, 401);
  const other = await createPat(built, at, ['posts:write']);
  t.is((await send('delete', '/api/v1/tokens/:id', { params: { id: created.body.id }, headers: bearer(at) })).status, 204);
  t.is((await send('delete', '/api/v1/tokens/:id', { params: { id: created.body.id }, headers: bearer(at) })).status, 404);

  const root = admin.tokens.access_token;
  t.is((await send('get', '/api/v1/admin/users/:id/tokens', { params: { id: user.id }, headers: bearer(root) })).status, 200);
  t.is((await send('get', '/api/v1/admin/users/:id/tokens', { params: { id: user.id }, headers: bearer(at) })).status, 403);
  t.is((await send('delete', '/api/v1/admin/tokens/:id', { params: { id: other.id }, headers: bearer(root) })).status, 204);
  t.is((await send('delete', '/api/v1/admin/tokens/:id', { params: { id: other.id }, headers: bearer(root) })).status, 404);
});

test.serial('administration', async (t) => {
  const built = await app(t);
  const { send } = built;
  const admin = await signUpAdmin(built, 'root');
  const { user, tokens } = await signUp(built.request, 'carol');
  const root = admin.tokens.access_token;
  const id = user.id;
  t.is((await send('get', '/api/v1/admin/users', { headers: bearer(root), query: { q: 'car' } })).status, 200);
  t.is((await send('get', '/api/v1/admin/users')).status, 401);
  t.is((await send('get', '/api/v1/admin/users/:id/sessions', { params: { id }, headers: bearer(root) })).status, 200);
  t.is((await send('get', '/api/v1/admin/users/:id/sessions', { params: { id }, headers: bearer(tokens.access_token) })).status, 403);
  const carolSession = tokens.session_id;
  t.is((await send('delete', '/api/v1/admin/sessions/:id', { params: { id: carolSession }, headers: bearer(root) })).status, 204);
  t.is((await send('delete', '/api/v1/admin/sessions/:id', { params: { id: carolSession }, headers: bearer(root) })).status, 404);
  t.is((await send('delete', '/api/v1/admin/users/:id/sessions', { params: { id }, headers: bearer(root) })).status, 200);
  t.is((await send('delete', '/api/v1/admin/users/:id/sessions', { params: { id: '99999999999999999999' }, headers: bearer(root) })).status, 404);
  t.is((await send('patch', '/api/v1/admin/users/:id', { params: { id }, headers: bearer(root), body: { disabled: true } })).status, 200);
  t.is((await send('patch', '/api/v1/admin/users/:id', { params: { id }, headers: bearer(root), body: { disabled: 'true' } })).status, 400);
  t.is((await send('patch', '/api/v1/admin/users/:id', { params: { id: '987654' }, headers: bearer(root), body: { disabled: true } })).status, 404);
  t.is((await send('get', '/api/v1/admin/audit', { headers: bearer(root), query: { user_id: id, type: 'user_disabled' } })).status, 200);
  t.is((await send('get', '/api/v1/admin/audit', { headers: bearer(root), query: { type: 'no_such_type' } })).status, 400);
  t.is((await send('post', '/api/v1/login', { body: { username: 'carol', password: PASSWORD } })).status, 403, 'account_disabled');
});

test.serial('service clients, introspection and revocation', async (t) => {
  const built = await app(t);
  const { send } = built;
  const admin = await signUpAdmin(built, 'root');
  const root = admin.tokens.access_token;
  const created = await send('post', '/api/v1/admin/clients', { headers: bearer(root), body: { name: 'reports' } });
  t.is(created.status, 201);
  t.is((await send('post', '/api/v1/admin/clients', { headers: bearer(root), body: { name: '' } })).status, 400);
  t.is((await send('get', '/api/v1/admin/clients', { headers: bearer(root) })).status, 200);
  t.is((await send('get', '/api/v1/admin/clients')).status, 401);

  const basic = { Authorization: `Basic ${Buffer.from(`${created.body.client_id}:${created.body.client_secret}`).toString('base64')}` };
  const badBasic = { Authorization: `Basic ${Buffer.from(`${created.body.client_id}:tsr_cs_wrong`).toString('base64')}` };
  const active = await send('post', '/api/v1/oauth/introspect', { headers: basic, body: { token: root } });
  t.is(active.status, 200);
  t.true(active.body.active);
  const form = await send('post', '/api/v1/oauth/introspect', { headers: basic, raw: 'token=nonsense', contentType: 'application/x-www-form-urlencoded' });
  t.deepEqual(form.body, { active: false });
  t.is((await send('post', '/api/v1/oauth/introspect', { headers: badBasic, body: { token: root } })).status, 401);
  t.is((await send('post', '/api/v1/oauth/introspect', { headers: basic, body: {} })).status, 400);

  const { tokens } = await signUp(built.request, 'dave');
  t.is((await send('post', '/api/v1/oauth/revoke', { body: { token: tokens.refresh_token } })).status, 200);
  t.is((await send('post', '/api/v1/oauth/revoke', { headers: badBasic, body: { token: 'x' } })).status, 401);

  t.is((await send('delete', '/api/v1/admin/clients/:id', { params: { id: created.body.id }, headers: bearer(root) })).status, 204);
  t.is((await send('delete', '/api/v1/admin/clients/:id', { params: { id: created.body.id }, headers: bearer(root) })).status, 404);
});

test.serial('posts', async (t) => {
  const built = await app(t);
  const { send } = built;
  const owner = await signUp(built.request, 'erin');
  const stranger = await signUp(built.request, 'frank');
  const at = owner.tokens.access_token;
  const post = await send('post', '/api/v1/posts', { headers: bearer(at), body: { title: 'Hello', content: 'First.\nSecond line.' } });
  t.is(post.status, 201);
  t.is((await send('post', '/api/v1/posts', { body: { title: 'Hello', content: 'x' } })).status, 401);
  t.is((await send('get', '/api/v1/posts', { query: { user_id: owner.user.id } })).status, 200);
  t.is((await send('get', '/api/v1/posts', { query: { user_id: 'abc' } })).status, 400);
  t.is((await send('get', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(at) })).status, 200);
  t.is((await send('get', '/api/v1/posts/:id', { params: { id: '987654321' } })).status, 404);
  t.is((await send('put', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(at), body: { title: 'Hello again' } })).status, 200);
  t.is((await send('put', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(stranger.tokens.access_token), body: { title: 'Mine' } })).status, 403);
  t.is((await send('delete', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(stranger.tokens.access_token) })).status, 403);
  t.is((await send('delete', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(at) })).status, 204);
  t.is((await send('delete', '/api/v1/posts/:id', { params: { id: post.body.id }, headers: bearer(at) })).status, 404);
});

test.serial('the refresh limit answers 429 with Retry-After; a foreign cookie request is csrf_failed', async (t) => {
  const built = await app(t, { RATE_LIMIT_REFRESH: '1/60' });
  const { send } = built;
  const { tokens } = await signUp(built.request, 'gina');
  t.is((await send('post', '/api/v1/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 200);
  t.is((await send('post', '/api/v1/refresh', { body: { refresh_token: tokens.refresh_token } })).status, 429);
  const csrf = await send('post', '/api/v1/logout', { headers: { Cookie: `__Host-tsr_at=${tokens.access_token}`, Origin: 'https://evil.example' } });
  t.is(csrf.status, 403);
  t.is(csrf.body.error, 'csrf_failed');
});

/** Operations that can fail only by a bug (500): nothing a test can provoke without breaking the app. */
const NO_PROVOKABLE_ERROR = new Set(['get /healthz']);

test.serial('every documented operation was seen succeeding and failing', (t) => {
  for (const op of OPERATIONS) {
    const key = `${op.method} ${op.path}`;
    const statuses = [...(check.seen.get(key) ?? [])];
    t.true(statuses.some((status) => status < 300), `${key}: no success seen (${statuses.join(', ')})`);
    if (!NO_PROVOKABLE_ERROR.has(key)) t.true(statuses.some((status) => status >= 400), `${key}: no error seen`);
  }
});
