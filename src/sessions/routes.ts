import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedIn, signedInUser, type TesseraState } from '../auth/state.ts';
import { parseSessionId } from '../http/ids.ts';
import { preventCaching } from '../http/no-store.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { AppError, validationFailed } from '../errors/app-error.ts';
import {
  clearingCookiesOn401,
  isCookieAuthenticated,
  markCookieAuthenticated,
  type BrowserCookies,
} from '../auth/cookie-token.ts';
import { assertAllowedOrigin, type OriginCheck } from '../http/csrf.ts';
import type { Context, Next } from 'koa';
import type { RateLimits } from '../rate-limit/policies.ts';
import type { LoginFlow } from './login.ts';
import { deviceNameFromUserAgent } from './device-name.ts';
import { presentSession, presentTokenPair } from './present.ts';
import type { IssuedTokens } from './service.ts';
import type { SessionRevocation } from './revocation.ts';
import { loginBody, logoutAllBody, refreshBody } from './schemas.ts';
import { toAuthSession, type SessionsService } from './service.ts';

/** Login, refresh, logout, and the caller's own devices. */
export function sessionsRoutes(deps: {
  loginFlow: LoginFlow;
  sessions: SessionsService;
  revocation: SessionRevocation;
  auth: AuthMiddleware;
  limits: Pick<RateLimits, 'login' | 'loginAccount' | 'refresh'>;
  browser: { cookies: BrowserCookies; originAllowed: OriginCheck };
}): Router<TesseraState> {
  const { loginFlow, sessions, revocation, auth, limits, browser } = deps;
  const { cookies } = browser;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });

  /** The token pair, in the body or (browser sessions) in cookies; never cached. */
  function answer(ctx: Context, issued: IssuedTokens, asCookies: boolean): void {
    preventCaching(ctx);
    const pair = presentTokenPair(issued);
    ctx.body = asCookies ? cookies.issue(ctx, pair) : pair;
  }

  /**
   * Login CSRF: a page on another site must not sign the browser in to an
   * account of the attacker's choosing. Checked before the rate limits count
   * the attempt (the body is parsed; it is validated in the handler).
   */
  const loginOrigin = async (ctx: Context, next: Next) => {
    if ((ctx.request.body as { use_cookies?: unknown }).use_cookies === true) {
      assertAllowedOrigin(browser.originAllowed, ctx);
    }
    await next();
  };

  router.post('/login', loginOrigin, limits.login, limits.loginAccount, async (ctx) => {
    const body = parseInput(loginBody, ctx.request.body);
    const name = body.username !== undefined ? { username: body.username } : { email: body.email! };
    const origin = originOf(ctx);
    const deviceName = body.device_name ?? deviceNameFromUserAgent(origin.userAgent);
    const issued = await loginFlow.login(name, body.password, deviceName, origin);
    answer(ctx, issued, body.use_cookies === true);
  });

  router.post('/refresh', limits.refresh, async (ctx) => {
    const body = parseInput(refreshBody, ctx.request.body);
    if (body.refresh_token !== undefined) {
      answer(ctx, await sessions.rotateRefreshToken(body.refresh_token, originOf(ctx)), false);
      return;
    }
    // No token in the body: the browser session's refresh cookie, answered in cookie form.
    const token = cookies.readRefresh(ctx);
    if (token === undefined) throw validationFailed([{ field: 'refresh_token', message: 'is required' }]);
    markCookieAuthenticated(ctx);
    // The pipeline checked this already (csrf.ts); checked again for apps that mount these routes alone.
    assertAllowedOrigin(browser.originAllowed, ctx);
    const issued = await clearingCookiesOn401(ctx, cookies, () =>
      sessions.rotateRefreshToken(token === 'malformed' ? '' : token, originOf(ctx)),
    );
    answer(ctx, issued, true);
  });

  router.post('/logout', auth.requireSession(), async (ctx) => {
    await revocation.logout(signedIn(ctx).session.id, originOf(ctx));
    if (isCookieAuthenticated(ctx)) cookies.clear(ctx);
    ctx.body = { message: 'Logged out on this device.' };
  });

  router.post('/logout/all', auth.requireSession(), async (ctx) => {
    const body = parseInput(logoutAllBody, ctx.request.body);
    const { user, session } = signedIn(ctx);
    const keep = body.keep_current === true ? session.id : undefined;
    const revoked = await revocation.logoutEverywhere(Number(user.id), originOf(ctx), keep);
    if (keep === undefined && isCookieAuthenticated(ctx)) cookies.clear(ctx);
    ctx.body = { revoked };
  });

  router.get('/sessions', auth.requireAbility('sessions:read'), async (ctx) => {
    const user = signedInUser(ctx);
    const rows = await sessions.listLiveSessions(Number(user.id));
    // With a personal access token no session is `current`.
    ctx.body = { sessions: rows.map((row) => presentSession(toAuthSession(row), ctx.state.session?.id)) };
  });

  router.delete('/sessions/:id', auth.requireAbility('sessions:write'), async (ctx) => {
    const userId = Number(signedInUser(ctx).id);
    const sessionId = parseSessionId(ctx.params.id);
    if (sessionId === undefined) throw new AppError('not_found', 'No such session.');
    await revocation.revokeOwnSession(userId, sessionId, originOf(ctx));
    ctx.status = 204;
  });

  return router;
}
