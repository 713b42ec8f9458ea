import type { Origin } from '../audit/events.ts';
import { AppError } from '../errors/app-error.ts';
import type { PasswordGuard } from '../rate-limit/password-guard.ts';
import { loginAccountKey } from '../users/identity.ts';
import type { LoginName, UsersService } from '../users/service.ts';
import type { IssuedTokens, SessionsService } from './service.ts';

export type LoginFlow = ReturnType<typeof createLoginFlow>;

/**
 * POST /login: the account throttle, the password check, then a new session.
 * A throttled attempt is refused before argon2 runs, so guessing costs the
 * attacker time and the server nothing.
 */
export function createLoginFlow(deps: {
  users: UsersService;
  sessions: SessionsService;
  guardPassword: PasswordGuard;
}) {
  const { users, sessions, guardPassword } = deps;

  return {
    async login(name: LoginName, password: string, deviceName: string, origin: Origin): Promise<IssuedTokens> {
      const user = await guardPassword(
        loginAccountKey(name),
        origin,
        () => users.verifyCredentials(name, password, origin),
        (error) => error instanceof AppError && error.code === 'invalid_credentials',
      );
      return sessions.createSession(user.id, { ...origin, actorId: user.id }, deviceName);
    },
  };
}
