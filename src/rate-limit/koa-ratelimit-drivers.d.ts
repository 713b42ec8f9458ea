/**
 * koa-ratelimit's two counting drivers, which it loads itself but does not
 * declare: the in-memory one, and Redis's (async-ratelimiter). Both count one
 * request per `get()` under `${namespace}:${id}`; `reset` is in epoch seconds.
 */
interface KoaRatelimitCount {
  readonly remaining: number;
  readonly reset: number;
  readonly total: number;
}

interface KoaRatelimitDriverOptions {
  readonly id: string;
  readonly db: unknown;
  readonly max: number;
  readonly duration: number;
  readonly namespace: string;
}

declare module 'koa-ratelimit/limiter/memory.js' {
  export default class MemoryLimiter {
    constructor(options: KoaRatelimitDriverOptions);
    get(): Promise<KoaRatelimitCount>;
  }
}

declare module 'koa-ratelimit/limiter/redis.js' {
  export default class RedisLimiter {
    constructor(options: KoaRatelimitDriverOptions);
    get(): Promise<KoaRatelimitCount>;
  }
}
