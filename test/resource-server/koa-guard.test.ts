import { runInNewContext } from 'node:vm';
import Koa from 'koa';
import test from 'ava';
import supertest from 'supertest';
import { koaAuth, ResourceServerError, type ResourceServerState, type Verified } from '../../src/resource-server/index.ts';

/**
 * `koaAuth()`'s guards against a stand-in verifier, for what a real one
 * rarely does: answer with a promise from another realm (a `vm` context, a
 * test double), throw at once, or throw something that is not a
 * ResourceServerError.
 */

const ALICE: Verified = Object.freeze({
  user: Object.freeze({ id: '7', username: 'alice', isAdmin: false }),
  session: Object.freeze({ id: 's1' }),
  token: undefined,
  abilities: Object.freeze(['*']),
  expiresAt: new Date(Date.now() + 60_000),
});

function appWith(verifyNow: (token: string) => unknown, ability?: string) {
  const auth = koaAuth({ verifyNow: verifyNow as (token: string) => Verified });
  const app = new Koa<ResourceServerState>();
  app.silent = true;
  app.use(ability === undefined ? auth.requireAuth() : auth.requireAbility(ability));
  app.use((ctx) => {
    ctx.body = { user: ctx.state.user?.username ?? null };
  });
  return supertest(app.callback());
}

const inactive = () => new ResourceServerError(401, 'token_invalid', 'The token is not active.', { 'WWW-Authenticate': 'Bearer realm="tessera"' });

test('a caller in a promise from another realm is awaited, never taken for the caller itself', async (t) => {
  const fromElsewhere = () => runInNewContext('Promise.resolve(caller)', { caller: ALICE }) as PromiseLike<Verified>;
  t.false(fromElsewhere() instanceof Promise, 'the stand-in is not this realm\'s Promise');
  const admitted = await appWith(fromElsewhere).get('/').set('Authorization', 'Bearer abc');
  t.is(admitted.status, 200);
  t.deepEqual(admitted.body, { user: 'alice' });

  const refusedElsewhere = () => runInNewContext('Promise.reject(error)', { error: inactive() }) as PromiseLike<Verified>;
  const refused = await appWith(refusedElsewhere).get('/').set('Authorization', 'Bearer abc');
  t.is(refused.status, 401);
  t.deepEqual(refused.body, { error: 'token_invalid', message: 'The token is not active.' });
  t.is(refused.headers['www-authenticate'], 'Bearer realm="tessera"');

  const lacking = await appWith(fromElsewhere, 'admin').get('/').set('Authorization', 'Bearer abc');
  t.is(lacking.status, 403);
  t.is(lacking.body.error, 'insufficient_scope');
});

test('a cached caller (a value) and a refusal thrown at once are answered; other errors are the app\'s 500', async (t) => {
  const hit = await appWith(() => ALICE).get('/').set('Authorization', 'Bearer abc');
  t.deepEqual([hit.status, hit.body], [200, { user: 'alice' }]);

  const missing = await appWith(() => {
    throw new ResourceServerError(401, 'token_missing', 'No bearer token was sent.');
  }).get('/');
  t.deepEqual([missing.status, missing.body], [401, { error: 'token_missing', message: 'No bearer token was sent.' }]);

  const broken = await appWith(() => {
    throw new Error('a bug');
  }).get('/').set('Authorization', 'Bearer abc');
  t.is(broken.status, 500);
  t.notRegex(broken.text, /a bug/);
});

test('the guard always returns a promise, as Koa middleware does, whether it admits or refuses', async (t) => {
  const ctx = { req: { headers: { authorization: 'Bearer abc' } }, state: {}, set: () => {} } as never;
  const next = () => Promise.resolve();
  const admitting = koaAuth({ verifyNow: () => ALICE }).requireAuth();
  const refusing = koaAuth({ verifyNow: () => ALICE }).requireAbility('admin');
  const failing = koaAuth({
    verifyNow: () => {
      throw new Error('a bug');
    },
  }).requireAuth();
  t.true(admitting(ctx, next) instanceof Promise);
  t.true(refusing(ctx, next) instanceof Promise);
  const failed = failing(ctx, next);
  t.true(failed instanceof Promise);
  await t.throwsAsync(failed as Promise<unknown>, { message: 'a bug' });
});
