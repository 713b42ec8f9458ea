import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { createDb, isPostgresUrl, type Db } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createRedis, type Redis } from '../../src/db/redis.ts';

/**
 * The database the suite runs on: in-memory SQLite by default; PostgreSQL
 * when TEST_DATABASE_URL is a postgres:// URL (`npm run test:scale`).
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? ':memory:';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
export const ON_POSTGRES = isPostgresUrl(TEST_DATABASE_URL);

/**
 * The suite's databases wait longer than DATABASE_TIMEOUT's default: on a
 * busy CI machine a queue for SQLite's one connection can pass 5 s, and these
 * tests are about behaviour, not deadlines (the outage tests set their own).
 */
const TEST_DATABASE_TIMEOUT_SECONDS = 30;

/**
 * Creating and dropping schemas and databases can take longer than
 * DATABASE_TIMEOUT's default on a busy machine (DROP DATABASE … WITH (FORCE)
 * waits for the server processes it ends); they are not requests.
 */
const ADMIN_CONNECTION = { poolMax: 1, timeoutSeconds: 60 } as const;

function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
}

/**
 * A fresh, migrated database for one test, removed when the test ends. On
 * PostgreSQL each test gets a schema of its own, so parallel tests and
 * parallel CI runs never see each other's rows.
 */
export async function openTestDb(t: ExecutionContext): Promise<Db> {
  if (!ON_POSTGRES) {
    const db = createDb(':memory:', { timeoutSeconds: TEST_DATABASE_TIMEOUT_SECONDS });
    t.teardown(() => db.destroy());
    await migrateToLatest(db);
    return db;
  }
  const schema = uniqueName('tessera_test');
  const admin = createDb(TEST_DATABASE_URL, ADMIN_CONNECTION);
  await admin.raw('create schema ??', [schema]);
  const db = createDb(TEST_DATABASE_URL, {
    poolMax: 4,
    searchPath: [schema],
    timeoutSeconds: TEST_DATABASE_TIMEOUT_SECONDS,
  });
  t.teardown(async () => {
    await db.destroy();
    await admin.raw('drop schema ?? cascade', [schema]);
    await admin.destroy();
  });
  await migrateToLatest(db);
  return db;
}

/**
 * A whole PostgreSQL database for tests that start server processes (which
 * take only a DATABASE_URL); dropped when the test ends.
 */
export async function createScratchPostgresDatabase(t: ExecutionContext): Promise<string> {
  if (!ON_POSTGRES) throw new Error('createScratchPostgresDatabase needs TEST_DATABASE_URL');
  const name = uniqueName('tessera_scale');
  const admin = createDb(TEST_DATABASE_URL, ADMIN_CONNECTION);
  await admin.raw('create database ??', [name]);
  t.teardown(async () => {
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.destroy();
  });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Under the scale suite, a Redis client and a key prefix of the test's own
 * (so rate-limit counters of parallel tests never mix); nothing otherwise,
 * and counters stay in memory.
 */
export async function openTestRedis(
  t: ExecutionContext,
  prefix = `${uniqueName('tessera_test')}:`,
): Promise<{ redis?: Redis; redisPrefix?: string }> {
  if (!TEST_REDIS_URL) return {};
  const redis = createRedis(TEST_REDIS_URL);
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return { redis, redisPrefix: prefix };
}
