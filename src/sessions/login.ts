import type { Origin } from '../audit/events.ts';
import { AppError } from '../errors/app-error.ts';
import type { PasswordGuard } from '../rate-limit/password-guard.ts';
import type { AccountKeys } from '../users/account-key.ts';
import type { LoginName, UsersService } from '../users/service.ts';
import type { IssuedTokens, SessionsService } from './service.ts';

export type LoginFlow = ReturnType<typeof createLoginFlow>;

/**
 * POST /login: the account throttle, the password check, then a new session.
 * The attempt is counted against the account (whichever name it was tried
 * by) before argon2 runs, so guessing costs the attacker time and the
 * server nothing.
 */
export function createLoginFlow(deps: {
  users: UsersService;
  sessions: SessionsService;
  accountKeys: AccountKeys;
  guardPassword: PasswordGuard;
}) {
  const { users, sessions, accountKeys, guardPassword } = deps;

  return {
    async login(name: LoginName, password: string, deviceName: string, origin: Origin): Promise<IssuedTokens> {
      const user = await guardPassword(
        await accountKeys.forLoginName(name),
        origin,
        () => users.verifyCredentials(name, password, origin),
        (error) => error instanceof AppError && error.code === 'invalid_credentials',
      );
      // The version verified travels with the login, so the session is refused if it changed since.
      const credentials = { userId: user.id, credentialVersion: user.credential_version };
      return sessions.createSession(credentials, { ...origin, actorId: user.id }, deviceName);
    },
  };
}
