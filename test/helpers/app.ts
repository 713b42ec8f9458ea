import type { ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher, type Argon2Parameters } from '../../src/crypto/passwords.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL } from './database.ts';

/** Cheap argon2id so tests are fast; production uses OWASP's parameters. */
export const TEST_ARGON2: Argon2Parameters = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export const START = new Date('2026-01-01T00:00:00.000Z');

/** A clock that stands still until a test moves it. */
export function createTestClock(start: Date = START) {
  let now = start.getTime();
  const clock = () => new Date(now);
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return clock;
}

export interface TestApp {
  request: ReturnType<typeof supertest>;
  db: Db;
  clock: ReturnType<typeof createTestClock>;
  tessera: ReturnType<typeof createApp>;
}

/**
 * A fresh app on its own migrated database (in-memory SQLite, or a private
 * PostgreSQL schema under `npm run test:scale`), with a test
 * clock; `env` overrides configuration variables. Closed when the test ends.
 */
export async function buildTestApp(
  t: ExecutionContext,
  options: { env?: Record<string, string>; argon2?: Argon2Parameters } = {},
): Promise<TestApp> {
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL, ...options.env });
  const db = await openTestDb(t);
  const clock = createTestClock();
  const tessera = createApp({
    db,
    config,
    clock,
    passwords: createPasswordHasher(options.argon2 ?? TEST_ARGON2),
    ...(await openTestRedis(t)),
  });
  t.teardown(() => tessera.tessera.close());
  await tessera.tessera.ready();
  return { request: supertest(tessera.listener), db, clock, tessera };
}

export const PASSWORD = 'correct horse battery staple';

export async function register(
  request: TestApp['request'],
  username: string,
  extra: Record<string, unknown> = {},
) {
  const response = await request
    .post('/api/v1/users')
    .send({ username, password: PASSWORD, ...extra })
    .expect(201);
  return response.body as { id: string; username: string };
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  session_id: string;
  expires_in: number;
  refresh_expires_in: number;
}

export async function login(
  request: TestApp['request'],
  username: string,
  extra: Record<string, unknown> = {},
): Promise<TokenPair> {
  const response = await request
    .post('/api/v1/login')
    .send({ username, password: PASSWORD, ...extra })
    .expect(200);
  return response.body as TokenPair;
}

/** Registers `username` and logs in once. */
export async function signUp(request: TestApp['request'], username: string) {
  const user = await register(request, username);
  const tokens = await login(request, username);
  return { user, tokens };
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** Counts the SQL statements `db` runs while `action` runs. */
export async function countQueries(db: Db, action: () => Promise<unknown>): Promise<number> {
  let count = 0;
  // The revocation watch polls in the background (auth/revocation-watch.ts): not the request's work.
  const listener = (query: { sql?: string }) => {
    if (!query.sql?.includes('revocation_epochs')) count += 1;
  };
  db.on('query', listener);
  try {
    await action();
  } finally {
    db.off('query', listener);
  }
  return count;
}

/** Registers `username` as an admin (set directly in the database) and logs in. */
export async function signUpAdmin(app: TestApp, username: string) {
  const user = await register(app.request, username);
  await app.db('users').where({ id: Number(user.id) }).update({ is_admin: true });
  const tokens = await login(app.request, username);
  return { user, tokens };
}

/** The audit events of one type, oldest first, as rows. */
export function auditRows(db: Db, type: string) {
  return db('audit_events').where({ type }).orderBy('id');
}

/**
 * An app on a SQLite file of its own (not `:memory:`), for what only a file
 * has: WAL, the read connections of the lookup, several connections at once.
 * Removed when the test ends.
 */
export async function buildSqliteFileApp(t: ExecutionContext, env: Record<string, string> = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-file-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const config = parseConfig({ ...env, DATABASE_URL: join(directory, 'tessera.sqlite') });
  const db = createDb(config.databaseUrl, { timeoutSeconds: 30 });
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const { app, tessera } = createApp({ db, config, passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  return { app, db };
}
