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
import type { OperationSpec } from '../openapi/operation.ts';
import { LoginResult, Message, Revoked, SessionList } from '../openapi/responses.ts';

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
    preventCaching(ctx);
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

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const sessionsOperations: readonly OperationSpec[] = [
  {
    method: 'post', path: `${API_PREFIX}/login`, tag: 'sessions', access: 'public',
    summary: 'Log in: one new session (device)',
    description: '`username` or `email`. Failed logins are throttled per account (`429` with `Retry-After`). With `use_cookies: true` the tokens go in HttpOnly cookies and the request needs an allowed `Origin` (login CSRF).',
    body: { schema: loginBody, required: true, example: { username: 'alice', password: 'correct horse battery staple', device_name: 'Laptop' } },
    success: { status: 200, description: 'The token pair (or its cookie form).', schema: LoginResult, noStore: true, setsCookies: true },
    errors: ['invalid_credentials', 'account_disabled'],
  },
  {
    method: 'post', path: `${API_PREFIX}/refresh`, tag: 'sessions', access: 'public',
    summary: 'Rotate the token pair',
    description: 'The old pair stops working at once. An already-rotated refresh token within `REFRESH_REUSE_LEEWAY` is `refresh_token_rotated`; after it, `refresh_token_reused` and the session is revoked. Without `refresh_token`, the refresh cookie is used and the answer is in cookie form.',
    body: { schema: refreshBody, required: false, example: { refresh_token: 'tsr_rt_1…' } },
    success: { status: 200, description: 'The new token pair (or its cookie form).', schema: LoginResult, noStore: true, setsCookies: true },
    errors: ['token_invalid', 'token_expired', 'token_revoked', 'refresh_token_rotated', 'refresh_token_reused'],
  },
  {
    method: 'post', path: `${API_PREFIX}/logout`, tag: 'sessions', access: 'session',
    summary: 'Log out this device',
    success: { status: 200, description: 'Logged out; by cookie, both cookies are cleared.', schema: Message, setsCookies: true },
  },
  {
    method: 'post', path: `${API_PREFIX}/logout/all`, tag: 'sessions', access: 'session',
    summary: 'Log out every device (or every other one, with `keep_current`)',
    body: { schema: logoutAllBody, required: false },
    success: { status: 200, description: '`revoked` counts the sessions ended, the caller\'s included when it is.', schema: Revoked, setsCookies: true },
  },
  {
    method: 'get', path: `${API_PREFIX}/sessions`, tag: 'sessions', access: 'access', ability: 'sessions:read',
    summary: 'The caller\'s live sessions, newest first',
    success: { status: 200, description: 'With a PAT no session is `current`.', schema: SessionList, noStore: true },
  },
  {
    method: 'delete', path: `${API_PREFIX}/sessions/:id`, tag: 'sessions', access: 'access', ability: 'sessions:write',
    summary: 'Revoke one of the caller\'s sessions',
    success: { status: 204, description: 'Revoked; `404` if it is not the caller\'s live session.' },
  },
];
