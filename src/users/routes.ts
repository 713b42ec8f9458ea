import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedIn, signedInUser, type TesseraState } from '../auth/state.ts';
import { presentMeWithToken } from '../tokens/present.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { meJson } from './me-response.ts';
import { presentUser, toAuthUser } from './present.ts';
import { changePasswordBody, registerBody } from './schemas.ts';
import type { UsersService } from './service.ts';
import { AppError } from '../errors/app-error.ts';
import type { PasswordGuard } from '../rate-limit/password-guard.ts';
import type { RateLimits } from '../rate-limit/policies.ts';
import { accountOfUser } from './account-key.ts';

/** Registration and the caller's own account. */
export function usersRoutes(deps: {
  users: UsersService;
  auth: AuthMiddleware;
  limits: Pick<RateLimits, 'register'>;
  guardPassword: PasswordGuard;
}): Router<TesseraState> {
  const { users, auth, limits, guardPassword } = deps;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });

  router.post('/users', limits.register, async (ctx) => {
    const body = parseInput(registerBody, ctx.request.body);
    const user = await users.register(body, originOf(ctx));
    ctx.status = 201;
    ctx.body = presentUser(toAuthUser(user));
  });

  router.get('/me', auth.requireAbility('profile:read'), (ctx) => {
    const user = signedInUser(ctx);
    const { session, token } = ctx.state;
    ctx.type = 'application/json';
    ctx.body = session ? meJson(user, session) : JSON.stringify(presentMeWithToken(user, token!));
  });

  router.put('/me/password', auth.requireSession(), async (ctx) => {
    const body = parseInput(changePasswordBody, ctx.request.body);
    const { user, session } = signedIn(ctx);
    const origin = originOf(ctx);
    // Guessing the current password counts against the account like failed logins.
    const revoked = await guardPassword(
      accountOfUser(user.id),
      origin,
      () =>
        users.changePassword(
          Number(user.id),
          session.id,
          { current: body.current_password, next: body.new_password },
          origin,
          { revokeTokens: body.revoke_tokens === true },
        ),
      isWrongCurrentPassword,
    );
    ctx.body = { message: 'Password changed; every other session was logged out.', revoked };
  });

  return router;
}

function isWrongCurrentPassword(error: unknown): boolean {
  return (
    error instanceof AppError &&
    error.code === 'validation_failed' &&
    (error.details ?? []).some((detail) => detail.field === 'current_password')
  );
}
