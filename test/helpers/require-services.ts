/**
 * Run before the PostgreSQL + Redis suite (`npm run test:scale`): fails with
 * instructions, instead of letting every test time out, when either service
 * is down. The suite is never skipped.
 */
import { Redis } from 'ioredis';
import { createDb } from '../../src/db/connection.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './database.ts';

const START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
const START_REDIS =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';

async function checkPostgres(): Promise<string | undefined> {
  const db = createDb(TEST_DATABASE_URL, { poolMax: 1 });
  try {
    await db.raw('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${TEST_DATABASE_URL} is not reachable (${(error as Error).message}). Start it with: ${START_POSTGRES}`;
  } finally {
    await db.destroy();
  }
}

async function checkRedis(): Promise<string | undefined> {
  if (!TEST_REDIS_URL) return 'TEST_REDIS_URL is not set.';
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${TEST_REDIS_URL} is not reachable (${(error as Error).message}). Start it with: ${START_REDIS}`;
  } finally {
    redis.disconnect();
  }
}

if (!TEST_DATABASE_URL.startsWith('postgres')) {
  console.error('TEST_DATABASE_URL must be a postgres:// URL for the scale suite.');
  process.exit(1);
}
const problems = (await Promise.all([checkPostgres(), checkRedis()])).filter(Boolean);
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`PostgreSQL (${TEST_DATABASE_URL}) and Redis (${TEST_REDIS_URL}) are reachable.`);
