import MemoryLimiter from 'koa-ratelimit/limiter/memory.js';
import RedisLimiter from 'koa-ratelimit/limiter/redis.js';
import type { Context, Middleware } from 'koa';
import type { RateLimit } from '../config/config.ts';
import type { Redis } from '../db/redis.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import { AppError } from '../errors/app-error.ts';
import { handOverOf } from '../http/hand-over.ts';
import { passThrough } from '../http/pass-through.ts';
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

/** The outcome of counting one request. */
export interface Admission {
  readonly admitted: boolean;
  /** `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, for the response. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whole seconds until the window resets (at least 1), for `Retry-After` when refused. */
  readonly retryAfter: number;
}

/** A limiter: Koa middleware, and the count behind it for a request served without Koa. */
export interface Limiter extends Middleware<TesseraState> {
  /** Counts one request under `key`. A failing Redis falls back to memory: it rejects only on a bug. */
  count(key: string): Promise<Admission>;
}

/** What an uncounted request is told: admitted, and no header. */
export const ADMITTED: Admission = Object.freeze({ admitted: true, headers: Object.freeze({}), retryAfter: 0 });

/**
 * The limiter of a limit that is off (RATE_LIMIT=off): admits everything and
 * sets no header. Pipelines leave it out (a pass-through), and the express
 * lane does not wait for its count.
 */
export const UNLIMITED: Limiter = Object.assign(passThrough((_ctx, next) => next()), {
  count: () => Promise.resolve(ADMITTED),
});

/** The drivers may run a hair ahead of Date.now(); never report more than a window. */
function secondsUntil(epochSeconds: number, windowSeconds: number): number {
  return Math.min(windowSeconds, Math.max(0, Math.ceil(epochSeconds - Date.now() / 1000)));
}

/**
 * A limiter that speaks the contract: `RateLimit-Limit`, `RateLimit-Remaining`
 * and `RateLimit-Reset` (seconds until the window resets, per the IETF
 * RateLimit header draft, where koa-ratelimit would send a timestamp) on
 * every counted response, and a 429 `rate_limited` with `Retry-After` (whole
 * seconds, at least 1) when the limit is reached. Counting is koa-ratelimit's
 * own drivers; its middleware is not used, because the express lane must
 * count a request without a Koa context.
 *
 * With Redis configured, counters live there while it is up; while it is
 * down (`redisStatus`), or when a Redis command fails during a request, the
 * request is counted in this instance's memory instead: limits hold per
 * instance, never turn into 500s, and no request waits on a reconnection.
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const { backend, limit, redisStatus } = options;
  const { max } = limit;
  const duration = limit.seconds * 1000;
  const memoryDb = new BoundedMap(MEMORY_CAPACITY);
  const memoryNamespace = `ratelimit:${options.name}`;
  const redisNamespace = backend.kind === 'redis' ? `${backend.prefix}ratelimit:${options.name}` : '';

  // A driver per request, as koa-ratelimit makes them; the counters are in `db`. Written out, not
  // spread from a template: this runs on every request of the hot paths.
  const countInMemory = (id: string) =>
    new MemoryLimiter({ id, db: memoryDb, max, duration, namespace: memoryNamespace }).get();

  async function countIn(key: string): Promise<KoaRatelimitCount> {
    if (backend.kind !== 'redis' || !redisStatus.isUp()) return countInMemory(key);
    try {
      return await new RedisLimiter({ id: key, db: backend.redis, max, duration, namespace: redisNamespace }).get();
    } catch (error) {
      redisStatus.commandFailed(error);
      return countInMemory(key);
    }
  }

  async function count(key: string): Promise<Admission> {
    const counted = await countIn(key);
    const reset = secondsUntil(counted.reset, limit.seconds);
    return {
      // koa-ratelimit's rule: `remaining` is what was left before this request.
      admitted: counted.remaining > 0,
      headers: {
        'RateLimit-Limit': String(counted.total),
        'RateLimit-Remaining': String(Math.max(0, counted.remaining - 1)),
        'RateLimit-Reset': String(reset),
      },
      retryAfter: Math.max(1, reset),
    };
  }

  const middleware: Middleware<TesseraState> = async (ctx, next) => {
    const key = options.key(ctx);
    if (key === false) return next();
    const countedInTheLane = handOverOf(ctx.req)?.counted;
    const admission = countedInTheLane?.limiter === limiter ? countedInTheLane.admission : await count(key);
    ctx.set(admission.headers);
    if (admission.admitted) return next();
    await options.onLimited(ctx, options.name, key);
    const { retryAfter } = admission;
    throw new AppError('rate_limited', `Too many requests; try again in ${retryAfter} s.`, {
      headers: { 'Retry-After': String(retryAfter), 'RateLimit-Reset': String(retryAfter) },
    });
  };
  const limiter: Limiter = Object.assign(middleware, { count });
  return limiter;
}
