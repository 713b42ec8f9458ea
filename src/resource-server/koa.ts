import type { Middleware } from 'koa';
import { ResourceServerError } from './errors.ts';
import { holdsAbility, type Verified, type Verifier } from './verifier.ts';

/** What the middleware puts on `ctx.state`: the same names as Tessera's own (`user`, `session`, `token`). */
export interface ResourceServerState {
  user?: Verified['user'];
  session?: Verified['session'];
  token?: Verified['token'];
}

const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

type GuardContext = Parameters<Middleware<ResourceServerState>>[0];

/** Answers like Tessera's error handler: `{error, message}`, status and challenge. */
function respond(ctx: GuardContext, error: ResourceServerError): void {
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = { error: error.code, message: error.message };
}

/**
 * Koa middleware for a resource server in another process, twins of
 * Tessera's own: `requireAuth()` and `requireAbility(ability)`.
 *
 * @example
 * const auth = koaAuth(createVerifier({ tesseraUrl, clientId, clientSecret }));
 * router.get('/reports', auth.requireAbility('reports:read'), (ctx) => {
 *   ctx.body = { owner: ctx.state.user.username };
 * });
 */
export function koaAuth(verifier: Pick<Verifier, 'verifyNow'>) {
  function guard(ability?: string): Middleware<ResourceServerState> {
    const admit = (ctx: GuardContext, next: () => Promise<unknown>, verified: Verified): Promise<unknown> => {
      // Checked on every request, cached answer or not.
      if (ability !== undefined && !holdsAbility(verified, ability)) {
        return refuse(
          ctx,
          new ResourceServerError(403, 'insufficient_scope', `The token lacks the "${ability}" ability.`, {
            'WWW-Authenticate': `Bearer realm="tessera", error="insufficient_scope", scope="${ability}"`,
          }),
        );
      }
      ctx.state.user = verified.user;
      ctx.state.session = verified.session;
      ctx.state.token = verified.token;
      return next();
    };
    /** Answers a ResourceServerError; anything else is the app's error handler's (a 500). */
    const refuse = (ctx: GuardContext, error: unknown): Promise<never> | Promise<void> => {
      if (!(error instanceof ResourceServerError)) return Promise.reject(error);
      respond(ctx, error);
      return Promise.resolve();
    };
    // Not an async function: a cached answer goes on to the route without a promise or an await.
    return (ctx, next) => {
      const token = BEARER.exec(ctx.req.headers.authorization ?? '')?.[1] ?? '';
      let verified: Verified | PromiseLike<Verified>;
      try {
        verified = verifier.verifyNow(token);
      } catch (error) {
        return refuse(ctx, error);
      }
      // Any thenable, not only this realm's Promise: taking a promise for a caller would let the request through without one.
      if (isThenable(verified)) {
        return Promise.resolve(verified).then((caller) => admit(ctx, next, caller), (error: unknown) => refuse(ctx, error));
      }
      return admit(ctx, next, verified);
    };
  }
  return {
    requireAuth: () => guard(),
    requireAbility: (ability: string) => guard(ability),
  };
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T>).then === 'function';
}
