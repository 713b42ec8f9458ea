import ratelimit from 'koa-ratelimit';
import type { Context, Middleware } from 'koa';
import type { RateLimit } from '../config/config.ts';
import type { Redis } from '../db/redis.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import { AppError } from '../errors/app-error.ts';
import type { TesseraState } from '../auth/state.ts';
import { BoundedMap } from './bounded-map.ts';

/** Where counters live: one process's memory, or Redis shared by every instance. */
export type CounterBackend =
  | { readonly kind: 'memory' }
  | { readonly kind: 'redis'; readonly redis: Redis; readonly prefix: string };

/** Most client keys one in-memory limiter remembers. */
const MEMORY_CAPACITY = 100_000;

export interface LimiterOptions {
  /** Names the limiter in keys, headers' policy and the audit trail. */
  readonly name: string;
  readonly limit: RateLimit;
  /** The client key to count under; `false` skips the limiter for this request. */
  readonly key: (ctx: Context) => string | false;
  readonly backend: CounterBackend;
  /** Called once per refused request, with the key it was counted under (the audit trail's summary). */
  readonly onLimited: (ctx: Context, name: string, key: string) => Promise<void>;
  /** Whether Redis can be used now; reported to when a Redis command fails. */
  readonly redisStatus: RedisStatus;
}

/** koa-ratelimit's clocks may run a hair ahead of Date.now(); never report more than a window. */
function secondsUntil(epochSeconds: number, windowSeconds: number): number {
  return Math.min(windowSeconds, Math.max(0, Math.ceil(epochSeconds - Date.now() / 1000)));
}

type KoaRateLimit = ReturnType<typeof ratelimit>;

/**
 * A koa-ratelimit limiter that speaks the contract: `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window
 * resets, per the IETF RateLimit header draft, where koa-ratelimit would
 * send a timestamp) on every counted response, and a 429 `rate_limited`
 * with `Retry-After` (whole seconds, at least 1) when the limit is reached.
 *
 * With Redis configured, counters live there while it is up; while it is
 * down (`redisStatus`), or when a Redis command fails during a request, the
 * request is counted in this instance's memory instead: limits hold per
 * instance, never turn into 500s, and no request waits on a reconnection.
 */
export function createLimiter(options: LimiterOptions): Middleware<TesseraState> {
  const { backend, limit } = options;
  const common = {
    duration: limit.seconds * 1000,
    max: limit.max,
    id: options.key,
    headers: { total: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  };
  const memory = ratelimit({
    ...common,
    driver: 'memory',
    db: new BoundedMap(MEMORY_CAPACITY),
    namespace: `ratelimit:${options.name}`,
  });
  const redis =
    backend.kind === 'redis'
      ? ratelimit({ ...common, driver: 'redis', db: backend.redis, namespace: `${backend.prefix}ratelimit:${options.name}` })
      : undefined;

  return async (ctx, next) => {
    let admitted = false;
    const admit = async () => {
      admitted = true;
      const reset = Number(ctx.response.get('RateLimit-Reset'));
      if (reset) ctx.set('RateLimit-Reset', String(secondsUntil(reset, limit.seconds)));
      await next();
    };
    const useRedis = redis !== undefined && options.redisStatus.isUp();
    try {
      await (useRedis ? redis : memory)(ctx, admit);
    } catch (error) {
      // Thrown after admission: the route's own error, not the limiter's.
      if (admitted || !useRedis) throw error;
      options.redisStatus.commandFailed(error);
      await memory(ctx, admit);
    }
    if (admitted) return;
    const reset = Number(ctx.response.get('RateLimit-Reset'));
    const retryAfter = Math.max(1, secondsUntil(reset, limit.seconds));
    const key = options.key(ctx);
    if (key !== false) await options.onLimited(ctx, options.name, key);
    throw new AppError('rate_limited', `Too many requests; try again in ${retryAfter} s.`, {
      headers: { 'Retry-After': String(retryAfter), 'RateLimit-Reset': String(retryAfter) },
    });
  };
}
