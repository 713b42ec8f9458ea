import type { Config } from '../config/config.ts';
import { isPostgres, sqliteFilename, type Db } from '../db/connection.ts';
import type { Redis } from '../db/redis.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import type { Logger } from '../logger.ts';
import { createInvalidationBus, type InvalidationBus } from './invalidation-bus.ts';
import { createRevocationEpochReader } from './revocation-epochs.ts';
import { watchRevocations, type RevocationWatch } from './revocation-watch.ts';
import { createSessionCache, NO_SESSION_CACHE, type SessionCache } from './session-cache.ts';

/** How often the revocation counters are polled: the bound on cross-process staleness without Redis. */
export const REVOCATION_POLL_MS = 20;
/** Polls older than this (the database unreachable or stuck) no longer vouch for the cache. */
const POLL_STALE_AFTER_MS = 500;

export interface CoherentCache {
  readonly cache: SessionCache;
  /** Present when Redis is configured and the cache is on. */
  readonly bus: InvalidationBus | undefined;
  /** Resolves once the cache can be trusted, or after a short wait (a dead Redis must not block start-up). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The session cache and the two things that keep it honest about
 * revocations made by other processes (see ../../README.md, "Failure modes"):
 *
 * - the invalidation bus (Redis pub/sub): precise and about 2 ms, when Redis
 *   is configured and heard;
 * - the revocation watch (polling `revocation_epochs` every 20 ms): catches
 *   what the bus missed or never carried (the CLI, a lost publish, no Redis).
 *
 * The cache answers only while it can hear: with Redis configured, while the
 * bus hears its own heartbeat; without, while the database polls succeed.
 * Otherwise every lookup reads through to the database, batched as usual.
 *
 * `AUTH_CACHE=auto` keeps it off on PostgreSQL without Redis: there every
 * revocation on one instance would empty every other instance's whole cache.
 */
export function createCoherentCache(deps: {
  db: Db;
  config: Config;
  redis: Redis | undefined;
  redisStatus: RedisStatus;
  redisPrefix: string;
  origin: string;
  logger: Logger;
}): CoherentCache {
  const { db, config, redis, redisStatus, origin, logger } = deps;
  const mode = config.authCache.mode;
  if (mode === 'off' || (mode === 'auto' && isPostgres(db) && !redis)) {
    return { cache: NO_SESSION_CACHE, bus: undefined, ready: async () => {}, close: async () => {} };
  }

  // Nothing but this process can open an in-memory SQLite database: nothing to watch.
  const shared = isPostgres(db) || sqliteFilename(db) !== undefined;
  const emptyCache = () => cache.invalidate({ kind: 'all' });
  const epochs = shared ? createRevocationEpochReader(db, origin) : undefined;
  const watch: RevocationWatch | undefined = epochs
    ? watchRevocations({
        readEpochs: epochs.read,
        intervalMs: REVOCATION_POLL_MS,
        staleAfterMs: POLL_STALE_AFTER_MS,
        deliveryExpected: () => bus?.hearing() ?? false,
        onMissed: emptyCache,
        logger,
      })
    : undefined;
  const bus: InvalidationBus | undefined = redis
    ? createInvalidationBus({
        redis,
        status: redisStatus,
        channel: `${deps.redisPrefix}auth-cache`,
        origin,
        onInvalidation(invalidations, from, epoch) {
          for (const invalidation of invalidations) cache.invalidate(invalidation);
          watch?.heard(from, epoch);
        },
        onHearingAgain: emptyCache,
        logger,
      })
    : undefined;
  const trusted = bus ? bus.hearing : watch ? watch.fresh : () => true;
  const cache = createSessionCache({ ...config.authCache, trusted });

  return {
    cache,
    bus,
    async ready() {
      await watch?.nextPoll();
      await bus?.ready();
    },
    async close() {
      await watch?.stop();
      await epochs?.close();
      await bus?.close();
    },
  };
}
