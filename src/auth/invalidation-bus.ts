import { randomUUID } from 'node:crypto';
import type { Redis } from '../db/redis.ts';
import type { Logger } from '../logger.ts';
import type { Invalidation, SessionCache } from './session-cache.ts';

/**
 * Carries session-cache invalidations between instances over Redis pub/sub.
 *
 * PUBLISH answers once Redis has handed the message to every subscriber's
 * connection, so by the time a revocation responds the other instances have
 * it in their socket buffers (the tests bound the delay at 100 ms). If the
 * subscription drops, messages could be missed, so each instance empties
 * its cache whenever it (re)subscribes.
 */
export interface InvalidationBus {
  publish(invalidation: Invalidation): Promise<void>;
  /** Resolves once the subscription is active. */
  ready(): Promise<void>;
  close(): Promise<void>;
}



export function createInvalidationBus(deps: {
  redis: Redis;
  channel: string;
  cache: () => SessionCache;
  logger: Logger;
}): InvalidationBus {
  const { redis, channel, logger } = deps;
  // Our own messages come back to us; this tells them apart (per instance, not per process).
  const origin = randomUUID();
  const subscriber = redis.duplicate();
  const subscribed = subscriber.subscribe(channel);
  subscribed.catch((error: unknown) => logger.error({ err: error }, 'cache invalidation: subscribe failed'));

  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const message = JSON.parse(text) as { origin: string; invalidation: Invalidation };
      if (message.origin !== origin) deps.cache().applyLocally(message.invalidation);
    } catch (error) {
      logger.error({ err: error }, 'cache invalidation: bad message; clearing the cache');
      deps.cache().applyLocally({ kind: 'all' });
    }
  });
  // A reconnection may have missed messages while the old connection was down.
  let connections = 0;
  subscriber.on('ready', () => {
    connections += 1;
    if (connections > 1) deps.cache().applyLocally({ kind: 'all' });
  });

  return {
    async publish(invalidation) {
      await redis.publish(channel, JSON.stringify({ origin, invalidation }));
    },
    ready: async () => {
      await subscribed;
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
