import test from 'ava';
import fc from 'fast-check';
import { buildTestApp, login, register, type TestApp } from '../helpers/app.ts';

const ROUTES: Array<[string, string]> = [
  ['post', '/api/v1/users'],
  ['post', '/api/v1/login'],
  ['post', '/api/v1/refresh'],
  ['post', '/api/v1/logout'],
  ['post', '/api/v1/logout/all'],
  ['get', '/api/v1/me'],
  ['put', '/api/v1/me/password'],
  ['get', '/api/v1/me/audit'],
  ['get', '/api/v1/sessions'],
  ['delete', '/api/v1/sessions/:id'],
  ['get', '/api/v1/posts'],
  ['get', '/api/v1/posts/:id'],
  ['post', '/api/v1/posts'],
  ['put', '/api/v1/posts/:id'],
  ['delete', '/api/v1/posts/:id'],
  ['get', '/api/v1/admin/users'],
  ['patch', '/api/v1/admin/users/:id'],
  ['get', '/api/v1/admin/users/:id/sessions'],
  ['delete', '/api/v1/admin/users/:id/sessions'],
  ['delete', '/api/v1/admin/sessions/:id'],
  ['get', '/api/v1/admin/audit'],
];

const TABLES = ['users', 'sessions', 'refresh_tokens', 'posts'];

async function rowCounts(app: TestApp): Promise<number[]> {
  return Promise.all(
    TABLES.map(async (table) => Number((await app.db(table).count({ n: '*' }).first())?.n)),
  );
}

/** A request body: any JSON value, or text that is not JSON at all. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ raw: JSON.stringify(value) ?? 'null' })),
  fc.dictionary(
    fc.constantFrom('username', 'email', 'password', 'refresh_token', 'keep_current', 'title', 'content',
      'current_password', 'new_password', 'disabled', 'is_admin', 'device_name', 'x'),
    fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
  ).map((value) => ({ raw: JSON.stringify(value) })),
  fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
);

test('thousands of random requests: never a 500, always the error shape, no rows from refused requests', async (t) => {
  t.timeout(180_000);
  const app = await buildTestApp(t, {
    env: {
      RATE_LIMIT_GLOBAL: '1000000/60',
      RATE_LIMIT_REGISTER: '1000000/60',
      RATE_LIMIT_LOGIN: '1000000/60',
      RATE_LIMIT_LOGIN_ACCOUNT: '1000000/60',
      RATE_LIMIT_REFRESH: '1000000/60',
    },
  });
  await register(app.request, 'amy');
  const tokens = await login(app.request, 'amy');
  await app.db('users').update({ is_admin: true });

  const authorization = fc.constantFrom(
    undefined,
    `Bearer ${tokens.access_token}`,
    `Bearer ${tokens.refresh_token}`,
    'Bearer ',
    'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
    `Bearer ${tokens.access_token.slice(0, -2)}xx`,
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    undefined,
  );
  const pathParameter = fc.oneof(
    fc.constantFrom('1', '0', '-1', '99999999999999999999', tokens.session_id, 'xyz', '%27%20OR%201%3D1', '..%2F..'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/),
  );
  const query = fc.dictionary(
    fc.constantFrom('offset', 'limit', 'q', 'user_id', 'type'),
    fc.oneof(fc.string({ maxLength: 12 }), fc.nat().map(String)),
  );

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES), body, authorization, contentType, pathParameter, query,
      async ([method, template], payload, auth, type, parameter, search) => {
        const before = await rowCounts(app);
        const path = template.replace(':id', encodeURIComponent(parameter).replace(/%25/g, '%'));
        const call = (app.request as unknown as Record<string, (p: string) => ReturnType<typeof app.request.get>>)[method]!;
        let request = call(path).query(search);
        if (auth) request = request.set('Authorization', auth);
        if (type) request = request.set('Content-Type', type);
        if (method !== 'get') request = request.send(payload.raw);
        const response = await request;

        if (response.status >= 500) return false;
        if (response.status >= 400) {
          if (typeof response.body.error !== 'string' || typeof response.body.message !== 'string') return false;
          if ('details' in response.body && !Array.isArray(response.body.details)) return false;
          if (JSON.stringify(await rowCounts(app)) !== JSON.stringify(before)) return false;
        }
        return typeof response.headers['x-request-id'] === 'string';
      },
    ),
    { numRuns: 2000 },
  );
  t.pass('2000 random requests kept every invariant');
});
