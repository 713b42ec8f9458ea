import { Redis } from 'ioredis';

export type { Redis };

/**
 * How long one Redis command may take before it counts as failed. Redis
 * answers in well under a millisecond on a healthy network; anything this
 * slow is a partition or an overloaded server, and a request must not wait
 * on it (see redis-status.ts: the first timeout marks Redis down).
 */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * A Redis client for state shared between instances (rate-limit counters,
 * cache invalidations). Redis only ever speeds Tessera up, so the client
 * never makes a request wait for it:
 * - no offline queue: while disconnected a command fails at once instead of
 *   waiting for the reconnection;
 * - no retries of a command, and a short command timeout for the silent
 *   case (a partition keeps the socket open while bytes stop);
 * - reconnection forever, backing off to one attempt a second.
 */
export function createRedis(redisUrl: string): Redis {
  return new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    // ioredis logs unhandled 'error' events itself; redis-status.ts reports them once instead.
    lazyConnect: false,
  });
}
