import ratelimit from 'koa-ratelimit';
import type { Context, Middleware } from 'koa';
import type { RateLimit } from '../config/config.ts';
import type { Redis } from '../db/redis.ts';
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
  /** Called once per refused request (the audit trail's `rate_limited`). */
  readonly onLimited: (ctx: Context, name: string) => Promise<void>;
}

/** koa-ratelimit's clocks may run a hair ahead of Date.now(); never report more than a window. */
function secondsUntil(epochSeconds: number, windowSeconds: number): number {
  return Math.min(windowSeconds, Math.max(0, Math.ceil(epochSeconds - Date.now() / 1000)));
}

/**
 * A koa-ratelimit limiter that speaks the contract: `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window
 * resets, per the IETF RateLimit header draft, where koa-ratelimit would
 * send a timestamp) on every counted response, and a 429 `rate_limited`
 * with `Retry-After` (whole seconds, at least 1) when the limit is reached.
 */
export function createLimiter(options: LimiterOptions): Middleware<TesseraState> {
  const { backend, limit } = options;
  const limiter = ratelimit({
    driver: backend.kind,
    db: backend.kind === 'redis' ? backend.redis : new BoundedMap(MEMORY_CAPACITY),
    namespace: `${backend.kind === 'redis' ? backend.prefix : ''}ratelimit:${options.name}`,
    duration: limit.seconds * 1000,
    max: limit.max,
    id: options.key,
    headers: { total: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' },
  });

  return async (ctx, next) => {
    let admitted = false;
    await limiter(ctx, async () => {
      admitted = true;
      const reset = Number(ctx.response.get('RateLimit-Reset'));
      if (reset) ctx.set('RateLimit-Reset', String(secondsUntil(reset, limit.seconds)));
      await next();
    });
    if (admitted) return;
    const reset = Number(ctx.response.get('RateLimit-Reset'));
    const retryAfter = Math.max(1, secondsUntil(reset, limit.seconds));
    await options.onLimited(ctx, options.name);
    throw new AppError('rate_limited', `Too many requests; try again in ${retryAfter} s.`, {
      headers: { 'Retry-After': String(retryAfter), 'RateLimit-Reset': String(retryAfter) },
    });
  };
}
