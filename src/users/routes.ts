import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedIn, signedInUser, type TesseraState } from '../auth/state.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { preventCaching } from '../http/no-store.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { ME_ABILITY, meJson, meJsonWithToken } from './me-response.ts';
import { presentUser, toAuthUser } from './present.ts';
import { changePasswordBody, registerBody } from './schemas.ts';
import type { UsersService } from './service.ts';
import { AppError } from '../errors/app-error.ts';
import type { PasswordGuard } from '../rate-limit/password-guard.ts';
import type { RateLimits } from '../rate-limit/policies.ts';
import { accountOfUser } from './account-key.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { Me, PasswordChanged, User } from '../openapi/responses.ts';

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
    preventCaching(ctx); // personal data (API.md, "Conventions")
    ctx.status = 201;
    ctx.body = presentUser(toAuthUser(user));
  });

  router.get('/me', auth.requireAbility(ME_ABILITY), (ctx) => {
    const user = signedInUser(ctx);
    const { session, token } = ctx.state;
    preventCaching(ctx);
    ctx.type = 'application/json';
    ctx.body = session ? meJson(user, session) : meJsonWithToken(user, token!);
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

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const usersOperations: readonly OperationSpec[] = [
  {
    method: 'post', path: `${API_PREFIX}/users`, tag: 'account', access: 'public',
    summary: 'Register a user',
    description: 'Passwords: 8 to 256 characters, not a well-known common password, not the username or email. Usernames: 3 to 32 of `A-Z a-z 0-9 . _ -`, unique ignoring case (NFKC first).',
    body: { schema: registerBody, required: true, example: { username: 'alice', password: 'correct horse battery staple', email: 'alice@example.com' } },
    success: { status: 201, description: 'The new user.', schema: User, noStore: true },
    errors: ['username_taken', 'email_taken'],
  },
  {
    method: 'get', path: `${API_PREFIX}/me`, tag: 'account', access: 'access', ability: 'profile:read',
    summary: 'The caller, with the current session (or, with a PAT, the token in use)',
    success: { status: 200, description: 'The user plus `session` (or `session: null` and `token` with a PAT).', schema: Me, noStore: true },
  },
  {
    method: 'put', path: `${API_PREFIX}/me/password`, tag: 'account', access: 'session',
    summary: 'Change the password; every other session is revoked (and PATs with `revoke_tokens`)',
    description: 'A wrong `current_password` is `400 validation_failed` on that field (a 401 would tell clients their token is bad), counted against the account like a failed login.',
    body: { schema: changePasswordBody, required: true },
    success: { status: 200, description: '`revoked` counts the other sessions ended.', schema: PasswordChanged },
  },
];
