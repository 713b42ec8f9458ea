import type { Middleware, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { SessionsService } from '../sessions/service.ts';
import { ABILITY_PATTERN, ADMIN_ABILITY, tokenHolds } from '../tokens/abilities.ts';
import type { TokensService } from '../tokens/service.ts';
import { readBearerToken } from './bearer-token.ts';
import type { TesseraContext, TesseraState } from './state.ts';
import { tokenError } from './token-errors.ts';
import { TOKEN_PREFIXES } from '../crypto/tokens.ts';

export interface AuthMiddleware {
  /**
   * 401 unless the request carries a live session access token or personal
   * access token; sets `ctx.state.user` and `.session` (sessions) or
   * `.token` (personal access tokens). A PAT passes whatever its abilities:
   * guard routes a PAT should not reach with `requireAbility`.
   */
  requireAuth(): Middleware<TesseraState>;
  /**
   * `requireAuth()`, then 403 `insufficient_scope` unless the token holds
   * `ability`: session tokens hold every one (`admin` only for admins); a
   * personal access token the ones it was created with (`*`: all but `admin`).
   */
  requireAbility(ability: string): Middleware<TesseraState>;
  /**
   * `requireAuth()`, then 403 `insufficient_scope` for a personal access
   * token: account credentials (password, logout, tokens) need a login session.
   */
  requireSession(): Middleware<TesseraState>;
  /**
   * Lets anonymous requests through; a request that does send a token must
   * send a good one (a bad token is a 401, not silently anonymous).
   */
  optionalAuth(): Middleware<TesseraState>;
  /** `requireAuth()`, then 403 `forbidden` unless the user is an admin (and a PAT holds `admin`). */
  requireAdmin(): Middleware<TesseraState>;
}

/** RFC 6750 §3.1: the challenge for a token that is good but not good enough here. */
function insufficientScope(ability?: string): AppError {
  const scope = ability === undefined ? '' : `, scope="${ability}"`;
  const message =
    ability === undefined
      ? 'This route needs a login session; a personal access token cannot use it.'
      : `The token lacks the "${ability}" ability.`;
  return new AppError('insufficient_scope', message, {
    headers: { 'WWW-Authenticate': `Bearer realm="tessera", error="insufficient_scope"${scope}` },
  });
}

/**
 * Builds the policy middleware that Tessera's routes and embedding apps use.
 *
 * @example
 * const auth = createAuthMiddleware(sessions, tokens);
 * router.get('/reports', auth.requireAbility('reports:read'), (ctx) => {
 *   ctx.body = { owner: ctx.state.user!.username };
 * });
 */
export function createAuthMiddleware(sessions: SessionsService, tokens: TokensService): AuthMiddleware {
  /** Resolves the bearer token onto ctx.state; returns false when none was sent. */
  async function authenticate(ctx: TesseraContext): Promise<boolean> {
    const credential = readBearerToken(ctx.get('Authorization'));
    if (credential.kind === 'none') return false;
    if (credential.kind === 'malformed') throw tokenError('token_invalid');
    if (credential.token.startsWith(TOKEN_PREFIXES.personal)) {
      const { user, token } = await tokens.authenticate(credential.token);
      ctx.state.user = user;
      ctx.state.token = token;
      return true;
    }
    const { user, session } = await sessions.authenticate(credential.token);
    ctx.state.user = user;
    ctx.state.session = session;
    return true;
  }

  /** Whether the request's credential holds `ability` (see requireAbility). */
  function holds(ctx: TesseraContext, ability: string): boolean {
    const { user, token } = ctx.state;
    if (!user) return false;
    if (token) return tokenHolds(token, user, ability);
    return ability !== ADMIN_ABILITY || user.isAdmin;
  }

  const requireAuth = (): Middleware<TesseraState> => async (ctx, next: Next) => {
    if (!(await authenticate(ctx))) throw new AppError('token_missing');
    await next();
  };

  /** `requireAuth()` followed by `check`, as one middleware. */
  const authThen = (check: (ctx: TesseraContext) => void): Middleware<TesseraState> => {
    const authenticated = requireAuth();
    return (ctx, next) =>
      authenticated(ctx, async () => {
        check(ctx);
        await next();
      });
  };

  return {
    requireAuth,

    requireAbility(ability) {
      if (ability.length > 64 || !ABILITY_PATTERN.test(ability)) {
        throw new Error(`requireAbility: "${ability}" is not a valid ability`);
      }
      return authThen((ctx) => {
        if (!holds(ctx, ability)) throw insufficientScope(ability);
      });
    },

    requireSession: () =>
      authThen((ctx) => {
        if (ctx.state.token) throw insufficientScope();
      }),

    optionalAuth: () => async (ctx, next) => {
      await authenticate(ctx);
      await next();
    },

    requireAdmin: () =>
      authThen((ctx) => {
        if (!ctx.state.user?.isAdmin) throw new AppError('forbidden', 'Admin role required.');
        if (!holds(ctx, ADMIN_ABILITY)) throw insufficientScope(ADMIN_ABILITY);
      }),
  };
}
