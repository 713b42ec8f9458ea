import type { ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/passwords.ts';
import { createTestClock, TEST_ARGON2 } from './app.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL } from './database.ts';

/**
 * An app whose argon2 verifications are counted, and whose rate-limit
 * counters live in memory even under the scale suite (`redis: true` to use
 * the test Redis when there is one). Tests of the throttle's and the audit
 * summary's rules use memory: on a loaded machine a Redis command can exceed
 * its 250 ms timeout, and the limiters then rightly fall back to fresh
 * per-instance counters, which would make rule tests flaky. Redis itself is
 * covered by test/scale/.
 */
export async function buildCountingApp(
  t: ExecutionContext,
  options: { env?: Record<string, string>; redis?: boolean } = {},
) {
  const inner = createPasswordHasher(TEST_ARGON2);
  const counted = { verifications: 0, redisDowns: 0 };
  const passwords: PasswordHasher = {
    hash: (password) => inner.hash(password),
    needsRehash: (hash) => inner.needsRehash(hash),
    verify: (hash, password) => {
      counted.verifications += 1;
      return inner.verify(hash, password);
    },
  };
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, ...options.env });
  const db = await openTestDb(t);
  const clock = createTestClock();
  const redis = options.redis ? await openTestRedis(t) : {};
  const { listener, tessera } = createApp({ db, config, clock, passwords, ...redis });
  t.teardown(() => tessera.close());
  await tessera.ready();
  tessera.redisStatus.onChange((state) => {
    if (state === 'down') counted.redisDowns += 1;
  });
  return { request: supertest(listener), db, clock, counted, tessera };
}
