import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoginThrottle } from './login-throttle.ts';

/**
 * Runs a password check under the per-account throttle, wherever a password
 * is checked: POST /login, and PUT /me/password (where someone holding a
 * stolen access token could otherwise guess the current password at the
 * request rate). A throttled attempt is refused before argon2 runs, with
 * 429 `rate_limited`, `Retry-After` and a `rate_limited` audit event; a
 * wrong password counts as a failure; a right one clears the count.
 */
export type PasswordGuard = <T>(
  account: string,
  origin: Origin,
  check: () => Promise<T>,
  isWrongPassword: (error: unknown) => boolean,
) => Promise<T>;

export function createPasswordGuard(deps: { throttle: LoginThrottle; audit: AuditLog }): PasswordGuard {
  const { throttle, audit } = deps;

  return async (account, origin, check, isWrongPassword) => {
    const wait = await throttle.retryAfter(account);
    if (wait > 0) {
      const detail = { limit: 'login_account_failures', account };
      await audit.record({ type: 'rate_limited', userId: origin.actorId ?? undefined, detail }, origin);
      throw new AppError('rate_limited', `Too many wrong passwords; try again in ${wait} s.`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    let result;
    try {
      result = await check();
    } catch (error) {
      if (isWrongPassword(error)) await throttle.recordFailure(account);
      throw error;
    }
    await throttle.reset(account);
    return result;
  };
}
