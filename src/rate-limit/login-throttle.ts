import type { Config } from '../config/config.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import { createFlexibleStore, type FlexibleStore } from './flexible-store.ts';
import type { CounterBackend } from './limiter.ts';

/**
 * Slows down password guessing against one account, without a lockout an
 * attacker could use to keep its owner out.
 *
 * Every attempt is counted *before* its password is checked (see
 * flexible-store.ts), at two levels:
 * - per (account, client address): after `threshold` consecutive attempts
 *   that were not successes, each further attempt must wait
 *   `baseDelay × 2^(attempts − threshold)` seconds (capped at `maxDelay`)
 *   after the previous admitted one;
 * - per account, from every address: the same delays, but only from
 *   `accountThreshold` (at most 100, NIST SP 800-63B's ceiling), so
 *   guessing from one network does not keep the owner out from another.
 * A success clears both counts; counts are forgotten a day after they
 * started. Unknown account names are counted the same way under their
 * normalised name, so the throttle reveals nothing about which exist.
 */
export interface LoginThrottle {
  /** Counts an attempt, or refuses it (then it is not counted). */
  admit(account: string, ip: string): Promise<Admission>;
  /** The password was right: both counts start again. */
  succeeded(account: string, ip: string): Promise<void>;
  /** The attempt ended before it said anything about the password: uncount it. */
  refund(account: string, ip: string): Promise<void>;
}

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly limit: ThrottleLimit; readonly retryAfter: number };

/** The names refusals carry in the audit trail. */
export type ThrottleLimit = 'login_address_failures' | 'login_account_failures';

/** Counts are forgotten this long after their first attempt. */
const FORGET_AFTER_SECONDS = 24 * 3600;

/**
 * One level of the throttle: a counter of attempts and a gate. Below the
 * threshold attempts pass; from it on, an attempt must also take the gate
 * (a one-point limiter whose key lives for the delay), atomically, so of a
 * burst exactly one gets through per delay and the rest are refused with
 * the gate's remaining time. A refused attempt is given back to the counter
 * so waiting clients do not lengthen their own delays.
 */
function createBackoff(deps: {
  name: string;
  threshold: number;
  settings: Config['loginThrottle'];
  backend: CounterBackend;
  redisStatus: RedisStatus;
}) {
  const { threshold, settings } = deps;
  const store = (suffix: string, points: number, duration: number): FlexibleStore =>
    createFlexibleStore({ ...deps, name: `${deps.name}:${suffix}`, points, duration });
  const attempts = store('attempts', Number.MAX_SAFE_INTEGER, FORGET_AFTER_SECONDS);
  const gate = store('gate', 1, settings.maxDelay);

  function delaySeconds(attempt: number): number {
    const doublings = Math.min(attempt - threshold, 30);
    return Math.min(settings.maxDelay, settings.baseDelay * 2 ** doublings);
  }

  return {
    /** 0 when admitted, else whole seconds (≥ 1) to wait. */
    async admit(key: string): Promise<number> {
      const attempt = (await attempts.consume(key)).consumedPoints;
      if (attempt < threshold) return 0;
      const entry = await gate.consume(key, delaySeconds(attempt));
      if (entry.consumedPoints <= 1) return 0;
      await attempts.reward(key);
      return Math.max(1, Math.ceil(entry.msBeforeNext / 1000));
    },
    refund: (key: string) => attempts.reward(key),
    async reset(key: string): Promise<void> {
      await Promise.all([attempts.delete(key), gate.delete(key)]);
    },
  };
}

export function createLoginThrottle(deps: {
  settings: Config['loginThrottle'];
  backend: CounterBackend;
  redisStatus: RedisStatus;
}): LoginThrottle {
  const { settings } = deps;
  const byAddress = createBackoff({ ...deps, name: 'address', threshold: settings.threshold });
  const byAccount = createBackoff({ ...deps, name: 'account', threshold: settings.accountThreshold });
  // The client IP is at most 45 characters (client-info.ts), the account key short and fixed.
  const pair = (account: string, ip: string) => `${account}|${ip}`;

  return {
    async admit(account, ip) {
      const addressWait = await byAddress.admit(pair(account, ip));
      if (addressWait > 0) return { admitted: false, limit: 'login_address_failures', retryAfter: addressWait };
      const accountWait = await byAccount.admit(account);
      if (accountWait === 0) return { admitted: true };
      await byAddress.refund(pair(account, ip));
      return { admitted: false, limit: 'login_account_failures', retryAfter: accountWait };
    },
    async succeeded(account, ip) {
      await Promise.all([byAddress.reset(pair(account, ip)), byAccount.reset(account)]);
    },
    async refund(account, ip) {
      await Promise.all([byAddress.refund(pair(account, ip)), byAccount.refund(account)]);
    },
  };
}

/** A throttle that never throttles, for RATE_LIMIT=off. */
export const NO_LOGIN_THROTTLE: LoginThrottle = {
  admit: async () => ({ admitted: true }),
  succeeded: async () => {},
  refund: async () => {},
};
