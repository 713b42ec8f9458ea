import { Redis } from 'ioredis';

export type { Redis };

/**
 * A Redis client for state shared between instances (rate-limit counters).
 * Commands fail fast instead of queueing forever while Redis is down.
 */
export function createRedis(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
}
