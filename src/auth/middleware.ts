import type { Middleware, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { Authenticated, SessionsService } from '../sessions/service.ts';
import { ABILITY_PATTERN, ADMIN_ABILITY, tokenHolds } from '../tokens/abilities.ts';
import type { AuthenticatedToken, TokensService } from '../tokens/service.ts';
import { readBearerToken } from './bearer-token.ts';
import type { TesseraContext, TesseraState } from './state.ts';
import { tokenError } from './token-errors.ts';
import { TOKEN_PREFIXES } from '../crypto/tokens.ts';
import { handOverOf } from '../http/hand-over.ts';
import { assertAllowedOrigin, isUnsafeMethod, type OriginCheck } from '../http/csrf.ts';
import { clearingCookiesOn401, markCookieAuthenticated, type BrowserCookies } from './cookie-token.ts';

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

export interface AuthOptions {
  /**
   * Browser sessions: the access cookie authenticates a request that sends
   * no `Authorization` header (a header always wins), under the CSRF rule.
   */
  readonly browser?: { readonly cookies: BrowserCookies; readonly originAllowed: OriginCheck };
  /** Told how each authentication ended: `ok`, or the error code (metrics). */
  readonly onOutcome?: (outcome: string) => void;
}

/**
 * `then(answer)`, at once when `answer` is already there, after it otherwise:
 * a cache hit goes through authentication without a promise or an await.
 */
export function whenAnswered<T, R>(answer: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return answer instanceof Promise ? answer.then(then) : then(answer);
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
export function createAuthMiddleware(
  sessions: SessionsService,
  tokens: TokensService,
  options: AuthOptions = {},
): AuthMiddleware {
  const { browser, onOutcome } = options;

  /**
   * Resolves the bearer token (or the access cookie) onto ctx.state; false
   * when none was sent. Answers at once when the session cache knows the
   * token (the hot path awaits nothing), otherwise with a promise.
   */
  function authenticate(ctx: TesseraContext): boolean | Promise<boolean> {
    const refusedInTheLane = handOverOf(ctx.req)?.refusal;
    if (refusedInTheLane !== undefined) throw refusedInTheLane;
    const header = ctx.req.headers.authorization;
    if (!header && browser) return authenticateByCookie(ctx, browser);
    const credential = readBearerToken(header);
    if (credential.kind === 'none') return false;
    if (credential.kind === 'malformed') throw tokenError('token_invalid');
    if (credential.token.startsWith(TOKEN_PREFIXES.personal)) {
      return whenAnswered(tokens.authenticateNow(credential.token), (found) => signInToken(ctx, found));
    }
    return whenAnswered(sessions.authenticateNow(credential.token), (found) => signIn(ctx, found));
  }

  function signIn(ctx: TesseraContext, { user, session }: Authenticated): true {
    ctx.state.user = user;
    ctx.state.session = session;
    return true;
  }

  function signInToken(ctx: TesseraContext, { user, token }: AuthenticatedToken): true {
    ctx.state.user = user;
    ctx.state.token = token;
    return true;
  }

  /** The access cookie, resolved by the same sessions service as a bearer token (API.md, "Browser sessions"). */
  async function authenticateByCookie(
    ctx: TesseraContext,
    { cookies, originAllowed }: NonNullable<AuthOptions['browser']>,
  ): Promise<boolean> {
    const token = cookies.readAccess(ctx);
    if (token === undefined) return false;
    markCookieAuthenticated(ctx);
    // The pipeline checked this already (csrf.ts); checked again for apps that mount these middleware alone.
    if (isUnsafeMethod(ctx.method)) assertAllowedOrigin(originAllowed, ctx);
    return clearingCookiesOn401(ctx, cookies, async () => {
      if (token === 'malformed') throw tokenError('token_invalid');
      const { user, session } = await sessions.authenticate(token);
      ctx.state.user = user;
      ctx.state.session = session;
      return true;
    });
  }

  /**
   * Authenticates (401 `token_missing` without a credential), runs `check`,
   * and reports how it ended. At once on a cache hit, like `authenticate`.
   */
  function admit(ctx: TesseraContext, check?: (ctx: TesseraContext) => void): void | Promise<void> {
    let sent: boolean | Promise<boolean>;
    try {
      sent = authenticate(ctx);
    } catch (error) {
      return refuse(error);
    }
    if (sent instanceof Promise) return sent.then((found) => admitted(ctx, found, check), refuse);
    return admitted(ctx, sent, check);
  }

  function admitted(ctx: TesseraContext, sent: boolean, check?: (ctx: TesseraContext) => void): void {
    try {
      if (!sent) throw new AppError('token_missing');
      check?.(ctx);
    } catch (error) {
      refuse(error);
    }
    onOutcome?.('ok');
  }

  function refuse(error: unknown): never {
    onOutcome?.(error instanceof AppError ? error.code : 'error');
    throw error;
  }

  /** Whether the request's credential holds `ability` (see requireAbility). */
  function holds(ctx: TesseraContext, ability: string): boolean {
    const { user, token } = ctx.state;
    if (!user) return false;
    if (token) return tokenHolds(token, user, ability);
    return ability !== ADMIN_ABILITY || user.isAdmin;
  }

  /** `requireAuth()` followed by `check`, as one middleware. */
  const authThen = (check?: (ctx: TesseraContext) => void): Middleware<TesseraState> => (ctx, next: Next) => {
    let admission: void | Promise<void>;
    try {
      admission = admit(ctx, check);
    } catch (error) {
      // A middleware answers with a promise, refusals included (apps may call it directly).
      return Promise.reject(error);
    }
    return admission ? admission.then(() => next()) : next();
  };

  const requireAuth = (): Middleware<TesseraState> => authThen();

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
      let sent: boolean;
      try {
        sent = await authenticate(ctx);
      } catch (error) {
        refuse(error);
      }
      if (sent) onOutcome?.('ok');
      await next();
    },

    requireAdmin: () =>
      authThen((ctx) => {
        if (!ctx.state.user?.isAdmin) throw new AppError('forbidden', 'Admin role required.');
        if (!holds(ctx, ADMIN_ABILITY)) throw insufficientScope(ADMIN_ABILITY);
      }),
  };
}
