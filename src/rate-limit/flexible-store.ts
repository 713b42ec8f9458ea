import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
} from 'rate-limiter-flexible';
import type { RedisStatus } from '../db/redis-status.ts';
import type { CounterBackend } from './limiter.ts';

/**
 * The operations of a rate-limiter-flexible limiter the login throttle
 * uses, on Redis when it is up and in this process's memory otherwise.
 *
 * Why rate-limiter-flexible: its model is consume-before-check (`consume`
 * increments and returns the new count in one atomic step: a Lua script on
 * Redis, a synchronous update in memory), so concurrent attempts can never
 * all read "below the limit" and then all proceed; and a Redis limiter takes
 * a memory `insuranceLimiter` that answers whenever a Redis command fails,
 * so an outage degrades to per-instance counting instead of errors.
 */
export interface FlexibleStore {
  /** Adds one to `key`'s count; `customDuration` (seconds) applies when the key is created. */
  consume(key: string, customDuration?: number): Promise<RateLimiterRes>;
  reward(key: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A memory limiter that tells Redis's status that it had to stand in (a Redis command failed). */
class ReportingInsurance extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly report: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.report();
    return super.consume(key, points, options);
  }

  override reward(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.report();
    return super.reward(key, points, options);
  }

  override delete(key: string | number, options?: { [key: string]: unknown }) {
    this.report();
    return super.delete(key, options);
  }
}

export function createFlexibleStore(deps: {
  name: string;
  /** Most points a key may consume before `consume` rejects. */
  points: number;
  /** Seconds a key lives from its creation, unless `customDuration` says otherwise. */
  duration: number;
  backend: CounterBackend;
  redisStatus: RedisStatus;
}): FlexibleStore {
  const { backend, redisStatus } = deps;
  const options = { points: deps.points, duration: deps.duration };
  const memory = new ReportingInsurance({ ...options, keyPrefix: deps.name }, () => {
    redisStatus.commandFailed(new Error(`login throttle (${deps.name}): a Redis command failed`));
  });
  const redis =
    backend.kind === 'redis'
      ? new RateLimiterRedis({
          ...options,
          storeClient: backend.redis,
          keyPrefix: `${backend.prefix}throttle:${deps.name}`,
          // Not connected: straight to the insurance limiter, no waiting on a reconnect.
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : undefined;
  // While Redis is known to be down, skip it: no request waits on a command timeout.
  const limiter = () => (redis && redisStatus.isUp() ? redis : memory);

  return {
    async consume(key, customDuration) {
      try {
        return await limiter().consume(key, 1, customDuration === undefined ? {} : { customDuration });
      } catch (refused) {
        if (refused instanceof RateLimiterRes) return refused;
        throw refused;
      }
    },
    async reward(key) {
      await limiter().reward(key, 1);
    },
    async delete(key) {
      await limiter().delete(key);
    },
  };
}
