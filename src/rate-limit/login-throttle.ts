import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { BoundedMap } from './bounded-map.ts';
import type { CounterBackend } from './limiter.ts';

/**
 * Slows down password guessing against one account, without a lockout an
 * attacker could use to keep its owner out.
 *
 * After `threshold` consecutive failed logins for an account name, each
 * further attempt must wait `baseDelay × 2^(failures − threshold)` seconds
 * (capped at `maxDelay`) after the last failure; a successful login clears
 * the count, and so does a day without failures. Account names are counted
 * whether or not the account exists, so the throttle reveals nothing about
 * which names are registered. With the defaults (5, 1 s, 900 s) reaching
 * NIST SP 800-63B's ceiling of 100 consecutive failures takes about a day.
 */
export interface LoginThrottle {
  /** Whole seconds until `account` may try again; 0 when it may now. */
  retryAfter(account: string): Promise<number>;
  recordFailure(account: string): Promise<void>;
  reset(account: string): Promise<void>;
}

interface FailureRecord {
  failures: number;
  lastFailureMs: number;
}

/** Failures are forgotten after a day without another one. */
const FORGET_AFTER_SECONDS = 24 * 3600;
const MEMORY_CAPACITY = 100_000;

interface FailureStore {
  get(key: string): Promise<FailureRecord | undefined>;
  increment(key: string, nowMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

function memoryStore(clock: Clock): FailureStore {
  const records = new BoundedMap<string, FailureRecord>(MEMORY_CAPACITY);
  return {
    async get(key) {
      const record = records.get(key);
      if (record && clock().getTime() - record.lastFailureMs > FORGET_AFTER_SECONDS * 1000) {
        records.delete(key);
        return undefined;
      }
      return record;
    },
    async increment(key, nowMs) {
      const failures = ((await this.get(key))?.failures ?? 0) + 1;
      records.delete(key); // re-insert as newest, so eviction takes the stalest
      records.set(key, { failures, lastFailureMs: nowMs });
    },
    async delete(key) {
      records.delete(key);
    },
  };
}

function redisStore(backend: Extract<CounterBackend, { kind: 'redis' }>): FailureStore {
  const redisKey = (key: string) => `${backend.prefix}login-failures:${key}`;
  return {
    async get(key) {
      const fields = await backend.redis.hgetall(redisKey(key));
      if (!fields.failures || !fields.last) return undefined;
      return { failures: Number(fields.failures), lastFailureMs: Number(fields.last) };
    },
    async increment(key, nowMs) {
      // One atomic round trip, so concurrent failures on several instances all count.
      await backend.redis
        .multi()
        .hincrby(redisKey(key), 'failures', 1)
        .hset(redisKey(key), 'last', String(nowMs))
        .expire(redisKey(key), FORGET_AFTER_SECONDS)
        .exec();
    },
    async delete(key) {
      await backend.redis.del(redisKey(key));
    },
  };
}

export function createLoginThrottle(deps: {
  settings: Config['loginThrottle'];
  backend: CounterBackend;
  clock: Clock;
}): LoginThrottle {
  const { settings, clock } = deps;
  const store = deps.backend.kind === 'redis' ? redisStore(deps.backend) : memoryStore(clock);

  function delaySeconds(failures: number): number {
    const doublings = Math.min(failures - settings.threshold, 30);
    return Math.min(settings.maxDelay, settings.baseDelay * 2 ** doublings);
  }

  return {
    async retryAfter(account) {
      const record = await store.get(account);
      if (!record || record.failures < settings.threshold) return 0;
      const allowedAt = record.lastFailureMs + delaySeconds(record.failures) * 1000;
      return Math.max(0, Math.ceil((allowedAt - clock().getTime()) / 1000));
    },
    recordFailure: (account) => store.increment(account, clock().getTime()),
    reset: (account) => store.delete(account),
  };
}

/** A throttle that never throttles, for RATE_LIMIT=off. */
export const NO_LOGIN_THROTTLE: LoginThrottle = {
  retryAfter: async () => 0,
  recordFailure: async () => {},
  reset: async () => {},
};
