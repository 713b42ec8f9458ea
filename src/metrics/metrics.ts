import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Tessera's Prometheus metrics (API.md, "Operations"; README, "Metrics").
 * Every family lives in a registry of the Tessera instance's own, never in
 * prom-client's global one, so two instances in one process (tests, an app
 * embedding Tessera beside its own metrics) cannot collide.
 *
 * Label values come from small fixed sets (route patterns, methods, status
 * codes, error codes, limit names), so the number of series stays bounded
 * whatever clients send. What can be read when Prometheus scrapes (cache
 * size, Redis and database state, the hash queue) is read then, by
 * `collect()`, and costs nothing between scrapes.
 */

/** What is read at scrape time. Each source is optional: an absent one leaves its gauge out. */
export interface ScrapeSources {
  /** Entries in the session cache. */
  readonly cacheSize?: () => number;
  /** Whether the Redis invalidation channel hears its own heartbeat; undefined without one. */
  readonly invalidationChannel?: () => boolean | undefined;
  /** Database reachable (probed), and Redis up (false when off). */
  readonly dependencies?: () => Promise<{ readonly database: boolean; readonly redis: boolean }>;
  /** argon2 computations waiting for a slot, and running. */
  readonly passwordQueue?: () => { readonly pending: number; readonly active: number };
}

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled';

/** Seconds; from a cached `GET /me` (well under a millisecond) to a slow login under load. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; argon2id with OWASP parameters takes tens of milliseconds, more when queued. */
const HASH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(registry: Registry = new Registry()) {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status, with their latency; _count is the request count.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const authOutcomes = new Counter({
    name: 'tessera_auth_outcomes_total',
    help: 'Authentications by the auth middleware, by outcome: ok, or the error code (token_missing, token_expired, …).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const logins = new Counter({
    name: 'tessera_logins_total',
    help: 'POST /login attempts by outcome: succeeded, failed (wrong credentials or disabled), throttled.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'tessera_rate_limited_total',
    help: 'Requests refused with 429, by the limit that refused them.',
    labelNames: ['limit'] as const,
    registers,
  });
  const cacheLookups = new Counter({
    name: 'tessera_session_cache_lookups_total',
    help: 'Session cache lookups of access tokens and personal access tokens, by result (hit, miss).',
    labelNames: ['result'] as const,
    registers,
  });
  const hashDuration = new Histogram({
    name: 'tessera_password_hash_duration_seconds',
    help: 'argon2id hash and verify calls, by operation, including time queued for a slot.',
    labelNames: ['operation'] as const,
    buckets: HASH_BUCKETS,
    registers,
  });

  // Labelled children made once: the hot path then skips label validation and hashing.
  const cacheHit = cacheLookups.labels('hit');
  const cacheMiss = cacheLookups.labels('miss');
  const loginCounters = {
    succeeded: logins.labels('succeeded'),
    failed: logins.labels('failed'),
    throttled: logins.labels('throttled'),
  };
  // Outcomes are error codes: a small fixed set, each child made on first use.
  const outcomeCounters = new Map<string, ReturnType<typeof authOutcomes.labels>>();
  // Present at 0 from the start, so ratios and rate() have a series before the first event.
  for (const outcome of ['ok', 'token_missing', 'token_invalid', 'token_expired', 'token_revoked']) {
    authOutcomes.inc({ outcome }, 0);
  }
  for (const counter of [cacheHit, cacheMiss, ...Object.values(loginCounters)]) counter.inc(0);

  return {
    registry,
    observeRequest(route: string, method: string, status: number, seconds: number): void {
      httpDuration.observe({ route, method, status }, seconds);
    },
    authOutcome(outcome: string): void {
      let counter = outcomeCounters.get(outcome);
      if (!counter) outcomeCounters.set(outcome, (counter = authOutcomes.labels(outcome)));
      counter.inc();
    },
    login(outcome: LoginOutcome): void {
      loginCounters[outcome].inc();
    },
    rateLimited(limit: string): void {
      rateLimited.inc({ limit });
    },
    cacheLookup(hit: boolean): void {
      (hit ? cacheHit : cacheMiss).inc();
    },
    passwordHashed(operation: 'hash' | 'verify', seconds: number): void {
      hashDuration.observe({ operation }, seconds);
    },

    /** Registers the gauges read at scrape time. Call once. */
    readAtScrape(sources: ScrapeSources): void {
      const { cacheSize, invalidationChannel, dependencies, passwordQueue } = sources;
      if (cacheSize) {
        new Gauge({
          name: 'tessera_session_cache_entries',
          help: 'Entries in the session cache.',
          registers,
          collect() {
            this.set(cacheSize());
          },
        });
      }
      if (invalidationChannel) {
        new Gauge({
          name: 'tessera_invalidation_channel_connected',
          help: '1 while the Redis invalidation channel hears its own heartbeat; 0 when deaf or not configured.',
          registers,
          collect() {
            this.set(invalidationChannel() ? 1 : 0);
          },
        });
      }
      if (dependencies) {
        // One probe per scrape, shared by both gauges.
        let probe: Promise<{ database: boolean; redis: boolean }> | undefined;
        const probeOnce = () => {
          probe ??= dependencies().finally(() => setImmediate(() => (probe = undefined)));
          return probe;
        };
        new Gauge({
          name: 'tessera_database_up',
          help: '1 when the database answers a probe at scrape time.',
          registers,
          async collect() {
            this.set((await probeOnce()).database ? 1 : 0);
          },
        });
        new Gauge({
          name: 'tessera_redis_up',
          help: '1 when Redis is configured and reachable; 0 when down or not configured.',
          registers,
          async collect() {
            this.set((await probeOnce()).redis ? 1 : 0);
          },
        });
      }
      if (passwordQueue) {
        new Gauge({
          name: 'tessera_password_hash_queue_length',
          help: 'argon2id computations waiting for a slot (PASSWORD_HASH_CONCURRENCY).',
          registers,
          collect() {
            this.set(passwordQueue().pending);
          },
        });
        new Gauge({
          name: 'tessera_password_hash_active',
          help: 'argon2id computations running now.',
          registers,
          collect() {
            this.set(passwordQueue().active);
          },
        });
      }
    },
  };
}

export type TesseraMetrics = ReturnType<typeof createMetrics>;
