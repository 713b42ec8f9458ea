import type { Db } from '../db/connection.ts';
import { probeDatabase, type OutageMonitor } from '../db/outage.ts';
import type { RedisState, RedisStatus } from '../db/redis-status.ts';

/** `/readyz`'s answer (API.md, "Operations"). */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly database: 'up' | 'down';
  readonly redis: RedisState;
  /** Why the instance is not ready, for the 503 message. */
  readonly reason?: string;
}

/**
 * Whether this instance should get traffic: the database answers (probed
 * on every call, with a deadline under a second so a silent partition is
 * reported in time), and the instance is not draining for shutdown. Redis
 * is reported but never makes an instance unready: it can serve without it.
 */
export interface Readiness {
  check(): Promise<ReadinessReport>;
  /** From now on the instance reports not ready (shutdown has begun). */
  drain(): void;
  isDraining(): boolean;
}

export function createReadiness(deps: {
  db: Db;
  redisStatus: RedisStatus;
  outage: OutageMonitor;
}): Readiness {
  let draining = false;
  return {
    async check() {
      const probe = await probeDatabase(deps.db);
      if (probe.up) deps.outage.reachable();
      else deps.outage.failed(probe.error);
      const database = probe.up ? 'up' : 'down';
      const redis = deps.redisStatus.state();
      if (draining) return { ready: false, database, redis, reason: 'This instance is shutting down.' };
      if (!probe.up) return { ready: false, database, redis, reason: 'The database is not reachable.' };
      return { ready: true, database, redis };
    },
    drain() {
      draining = true;
    },
    isDraining: () => draining,
  };
}
