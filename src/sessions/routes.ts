import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedIn, signedInUser, type TesseraState } from '../auth/state.ts';
import { parseSessionId } from '../http/ids.ts';
import { preventCaching } from '../http/no-store.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { AppError } from '../errors/app-error.ts';
import type { RateLimits } from '../rate-limit/policies.ts';
import type { LoginFlow } from './login.ts';
import { deviceNameFromUserAgent } from './device-name.ts';
import { presentSession, presentTokenPair } from './present.ts';
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
}): Router<TesseraState> {
  const { loginFlow, sessions, revocation, auth, limits } = deps;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });

  router.post('/login', limits.login, limits.loginAccount, async (ctx) => {
    const body = parseInput(loginBody, ctx.request.body);
    const name = body.username !== undefined ? { username: body.username } : { email: body.email! };
    const origin = originOf(ctx);
    const deviceName = body.device_name ?? deviceNameFromUserAgent(origin.userAgent);
    const issued = await loginFlow.login(name, body.password, deviceName, origin);
    preventCaching(ctx);
    ctx.body = presentTokenPair(issued);
  });

  router.post('/refresh', limits.refresh, async (ctx) => {
    const body = parseInput(refreshBody, ctx.request.body);
    const issued = await sessions.rotateRefreshToken(body.refresh_token, originOf(ctx));
    preventCaching(ctx);
    ctx.body = presentTokenPair(issued);
  });

  router.post('/logout', auth.requireSession(), async (ctx) => {
    await revocation.logout(signedIn(ctx).session.id, originOf(ctx));
    ctx.body = { message: 'Logged out on this device.' };
  });

  router.post('/logout/all', auth.requireSession(), async (ctx) => {
    const body = parseInput(logoutAllBody, ctx.request.body);
    const { user, session } = signedIn(ctx);
    const keep = body.keep_current === true ? session.id : undefined;
    const revoked = await revocation.logoutEverywhere(Number(user.id), originOf(ctx), keep);
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
