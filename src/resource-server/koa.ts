import type { Middleware } from 'koa';
import { holdsAbility, ResourceServerError, type Verified, type Verifier } from './verifier.ts';

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
export function koaAuth(verifier: Verifier) {
  function guard(ability?: string): Middleware<ResourceServerState> {
    const admit = (ctx: GuardContext, next: () => Promise<unknown>, verified: Verified) => {
      // Checked on every request, cached answer or not.
      if (ability !== undefined && !holdsAbility(verified, ability)) {
        return respond(
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
    const refuse = (ctx: GuardContext, error: unknown) => {
      if (error instanceof ResourceServerError) return respond(ctx, error);
      throw error;
    };
    // Not an async function: a cached answer goes on to the route without a promise or an await.
    return (ctx, next) => {
      const token = BEARER.exec(ctx.req.headers.authorization ?? '')?.[1] ?? '';
      let verified: Verified | Promise<Verified>;
      try {
        verified = verifier.verifyNow(token);
      } catch (error) {
        return refuse(ctx, error);
      }
      if (verified instanceof Promise) {
        return verified.then((caller) => admit(ctx, next, caller), (error: unknown) => refuse(ctx, error));
      }
      return admit(ctx, next, verified);
    };
  }
  return {
    requireAuth: () => guard(),
    requireAbility: (ability: string) => guard(ability),
  };
}
