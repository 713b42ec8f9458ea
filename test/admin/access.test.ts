import test from 'ava';
import { bearer, buildTestApp, signUp } from '../helpers/app.ts';

const ADMIN_ROUTES: Array<[string, string]> = [
  ['get', '/api/v1/admin/users'],
  ['patch', '/api/v1/admin/users/1'],
  ['get', '/api/v1/admin/users/1/sessions'],
  ['delete', '/api/v1/admin/users/1/sessions'],
  ['delete', '/api/v1/admin/sessions/abc'],
  ['get', '/api/v1/admin/audit'],
  ['get', '/api/v1/admin/anything-else'],
];

for (const [method, path] of ADMIN_ROUTES) {
  test(`${method.toUpperCase()} ${path}: 403 forbidden for a non-admin, 401 without a token`, async (t) => {
    const { request, db } = await buildTestApp(t);
    const { tokens } = await signUp(request, 'mallory');
    const before = await db('sessions').select();
    const call = (request as unknown as Record<string, (path: string) => ReturnType<typeof request.get>>)[method]!;
    const forbidden = await call(path).set(bearer(tokens.access_token)).send({ disabled: true });
    t.is(forbidden.status, 403);
    t.is(forbidden.body.error, 'forbidden');
    const anonymous = await call(path);
    t.is(anonymous.status, 401);
    t.is(anonymous.body.error, 'token_missing');
    t.deepEqual(await db('sessions').select(), before);
  });
}
