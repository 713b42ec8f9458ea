import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoginThrottle } from '../rate-limit/login-throttle.ts';
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
  throttle: LoginThrottle;
  audit: AuditLog;
}) {
  const { users, sessions, throttle, audit } = deps;

  return {
    async login(name: LoginName, password: string, deviceName: string, origin: Origin): Promise<IssuedTokens> {
      const account = loginAccountKey(name);
      const wait = await throttle.retryAfter(account);
      if (wait > 0) {
        const detail = { limit: 'login_account_failures', account };
        await audit.record({ type: 'rate_limited', detail }, origin);
        throw new AppError('rate_limited', `Too many failed logins; try again in ${wait} s.`, {
          headers: { 'Retry-After': String(wait) },
        });
      }
      let user;
      try {
        user = await users.verifyCredentials(name, password, origin);
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid_credentials') {
          await throttle.recordFailure(account);
        }
        throw error;
      }
      await throttle.reset(account);
      return sessions.createSession(user.id, { ...origin, actorId: user.id }, deviceName);
    },
  };
}
