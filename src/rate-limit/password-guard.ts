import type { Origin } from '../audit/events.ts';
import type { RefusalAudit } from '../audit/refusal-summary.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoginThrottle } from './login-throttle.ts';

/** The account a password attempt is counted against (see users/account-key.ts). */
export interface ThrottledAccount {
  /** `user:<id>` for an existing account, a digest of the normalised name otherwise. */
  readonly key: string;
  /** The existing account's id, for the audit trail; null for an unknown name. */
  readonly userId: number | null;
}

/**
 * Runs a password check under the per-account throttle, wherever a password
 * is checked: POST /login, and PUT /me/password (where someone holding a
 * stolen access token could otherwise guess the current password at the
 * request rate). The attempt is counted first, atomically, so a burst sent
 * in parallel cannot overtake the count; a throttled attempt is refused
 * before argon2 runs, with 429 `rate_limited`, `Retry-After` and a summarised
 * `rate_limited` audit event. A right password clears the count, a wrong one
 * stays counted, and any other outcome (a disabled account, a rejected new
 * password) is uncounted.
 */
export type PasswordGuard = <T>(
  account: ThrottledAccount,
  origin: Origin,
  check: () => Promise<T>,
  isWrongPassword: (error: unknown) => boolean,
) => Promise<T>;

export function createPasswordGuard(deps: {
  throttle: LoginThrottle;
  refusals: RefusalAudit;
  settings: Config['loginThrottle'];
}): PasswordGuard {
  const { throttle, refusals, settings } = deps;

  return async (account, origin, check, isWrongPassword) => {
    const ip = origin.ip ?? 'unknown';
    const admission = await throttle.admit(account.key, ip);
    if (!admission.admitted) {
      const { limit, retryAfter } = admission;
      const key = limit === 'login_account_failures' ? account.key : `${account.key}|${ip}`;
      await refusals.record({ limit, key, windowSeconds: settings.maxDelay, userId: account.userId }, origin);
      throw new AppError('rate_limited', `Too many wrong passwords; try again in ${retryAfter} s.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    let result;
    try {
      result = await check();
    } catch (error) {
      if (!isWrongPassword(error)) await throttle.refund(account.key, ip);
      throw error;
    }
    await throttle.succeeded(account.key, ip);
    return result;
  };
}
