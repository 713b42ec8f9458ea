import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { TEST_ARGON2 } from './app.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL, TEST_REDIS_URL } from './database.ts';

/**
 * Two app instances in this process on one database and one Redis (with a
 * key prefix of this test's own), as behind a load balancer. Scale suite only.
 */
export async function twoInstancesOnRedis(t: ExecutionContext, env: Record<string, string> = {}) {
  if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL must be set for the scale suite');
  const db = await openTestDb(t);
  const prefix = `tessera_test_${randomBytes(6).toString('hex')}:`;
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, ...env });
  const instance = async () => {
    const { listener, tessera } = createApp({
      db,
      config,
      passwords: createPasswordHasher(TEST_ARGON2),
      ...(await openTestRedis(t, prefix)),
    });
    t.teardown(() => tessera.close());
    await tessera.ready();
    return { request: supertest(listener), cache: tessera.cache, db };
  };
  return [await instance(), await instance()] as const;
}
