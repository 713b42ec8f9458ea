import type { Middleware, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { SessionsService } from '../sessions/service.ts';
import { readBearerToken } from './bearer-token.ts';
import type { TesseraContext, TesseraState } from './state.ts';
import { tokenError } from './token-errors.ts';

export interface AuthMiddleware {
  /** 401 unless the request carries a live access token; sets `ctx.state.user` and `.session`. */
  requireAuth(): Middleware<TesseraState>;
  /**
   * Lets anonymous requests through; a request that does send a token must
   * send a good one (a bad token is a 401, not silently anonymous).
   */
  optionalAuth(): Middleware<TesseraState>;
  /** `requireAuth()`, then 403 `forbidden` unless the user is an admin. */
  requireAdmin(): Middleware<TesseraState>;
}

/**
 * Builds the policy middleware that Tessera's routes and embedding apps use.
 *
 * @example
 * const auth = createAuthMiddleware(sessions);
 * router.get('/reports', auth.requireAuth(), (ctx) => {
 *   ctx.body = { owner: ctx.state.user!.username };
 * });
 */
export function createAuthMiddleware(sessions: SessionsService): AuthMiddleware {
  /** Resolves the bearer token onto ctx.state; returns false when none was sent. */
  async function authenticate(ctx: TesseraContext): Promise<boolean> {
    const credential = readBearerToken(ctx.get('Authorization'));
    if (credential.kind === 'none') return false;
    if (credential.kind === 'malformed') throw tokenError('token_invalid');
    const { user, session } = await sessions.authenticate(credential.token);
    ctx.state.user = user;
    ctx.state.session = session;
    return true;
  }

  const requireAuth = (): Middleware<TesseraState> => async (ctx, next: Next) => {
    if (!(await authenticate(ctx))) throw new AppError('token_missing');
    await next();
  };

  return {
    requireAuth,

    optionalAuth: () => async (ctx, next) => {
      await authenticate(ctx);
      await next();
    },

    requireAdmin: () => {
      const authenticated = requireAuth();
      return (ctx, next) =>
        authenticated(ctx, async () => {
          if (!ctx.state.user?.isAdmin) throw new AppError('forbidden', 'Admin role required.');
          await next();
        });
    },
  };
}
