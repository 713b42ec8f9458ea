import type { RefusalAudit } from '../audit/refusal-summary.ts';
import type { SessionCache } from '../auth/session-cache.ts';
import type { PasswordHasher } from '../crypto/passwords.ts';
import { AppError } from '../errors/app-error.ts';
import type { LoginFlow } from '../sessions/login.ts';
import type { TesseraMetrics } from './metrics.ts';

/**
 * Wrappers that count what passes through Tessera's parts without those
 * parts knowing about metrics. createTessera applies them only when metrics
 * are on, so without METRICS_PORT the hot path is exactly what it was.
 */

/** Counts session-cache hits and misses (access tokens and personal access tokens alike). */
export function countingCacheLookups(cache: SessionCache, metrics: TesseraMetrics): SessionCache {
  return {
    get(tokenHash) {
      const entry = cache.get(tokenHash);
      metrics.cacheLookup(entry !== undefined);
      return entry;
    },
    getToken(tokenHash) {
      const entry = cache.getToken(tokenHash);
      metrics.cacheLookup(entry !== undefined);
      return entry;
    },
    epoch: () => cache.epoch(),
    clientEpoch: () => cache.clientEpoch(),
    set: (tokenHash, entry, epochBeforeRead) => cache.set(tokenHash, entry, epochBeforeRead),
    invalidate: (invalidation) => cache.invalidate(invalidation),
    get size() {
      return cache.size;
    },
  };
}

/** The route limiters of POST /login: their refusals are throttled logins too. */
const LOGIN_LIMITS = new Set(['login', 'login_account']);

/** Counts every 429 by the limit that refused it (each refusal is recorded in the audit summary). */
export function countingRefusals(refusals: RefusalAudit, metrics: TesseraMetrics): RefusalAudit {
  return {
    ...refusals,
    record(refusal, origin) {
      metrics.rateLimited(refusal.limit);
      if (LOGIN_LIMITS.has(refusal.limit)) metrics.login('throttled');
      return refusals.record(refusal, origin);
    },
  };
}

/**
 * Counts logins that reached the password check: succeeded, failed (wrong
 * name or password, disabled account), throttled (the per-account throttle
 * refused it before argon2 ran). Refusals by the route's own limiters are
 * counted by `countingRefusals`.
 */
export function countingLogins(flow: LoginFlow, metrics: TesseraMetrics): LoginFlow {
  return {
    async login(...args) {
      try {
        const issued = await flow.login(...args);
        metrics.login('succeeded');
        return issued;
      } catch (error) {
        if (error instanceof AppError) {
          if (error.code === 'rate_limited') metrics.login('throttled');
          else if (error.code === 'invalid_credentials' || error.code === 'account_disabled') metrics.login('failed');
        }
        throw error;
      }
    },
  };
}

/** Times argon2 hash and verify calls, queue wait included (what a login waits for). */
export function timingPasswords(passwords: PasswordHasher, metrics: TesseraMetrics): PasswordHasher {
  async function timed<T>(operation: 'hash' | 'verify', work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      metrics.passwordHashed(operation, (performance.now() - started) / 1000);
    }
  }
  return {
    ...passwords,
    hash: (password) => timed('hash', () => passwords.hash(password)),
    verify: (storedHash, password) => timed('verify', () => passwords.verify(storedHash, password)),
    needsRehash: (storedHash) => passwords.needsRehash(storedHash),
  };
}
