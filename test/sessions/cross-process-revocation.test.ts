import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createDb } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { bearer, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { refusedWithinBound } from '../helpers/revocation-bound.ts';

/**
 * A revocation made by another process sharing the SQLite file (the CLI, a
 * second server) is refused by a running server within 100 ms, though no
 * Redis carries the news and the token sits in the server's cache (API.md,
 * Tokens). The server polls the revocation counters (revocation-watch.ts).
 */

/** A Tessera with its own knex instance (its own connection) on `file`. */
async function instanceOn(t: ExecutionContext, file: string) {
  const config = parseConfig({ DATABASE_URL: file, AUTH_CACHE: 'on', AUTH_CACHE_TTL: '3600' });
  const db = createDb(file);
  await migrateToLatest(db);
  const { app, tessera } = createApp({ db, config, passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(async () => {
    await tessera.close();
    await db.destroy();
  });
  await tessera.ready();
  return { request: supertest(app.callback()), cache: tessera.cache };
}

function sqliteFile(t: ExecutionContext): string {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-xproc-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, 'tessera.sqlite');
}

test('a revocation by another process on the same SQLite file is refused within 100 ms, cache and all', async (t) => {
  const file = sqliteFile(t);
  const server = await instanceOn(t, file);
  const other = await instanceOn(t, file);
  await server.request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);

  const delays: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    const victim = (await server.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
    const owner = (await server.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
    await server.request.get('/api/v1/me').set(bearer(victim.access_token)).expect(200);
    t.true(server.cache.size > 0, 'the server should hold the token in its cache');

    await other.request.delete(`/api/v1/sessions/${victim.session_id}`).set(bearer(owner.access_token)).expect(204);
    delays.push(await refusedWithinBound(t, server.request, victim.access_token, 'token_revoked'));
  }
  t.log(`refused after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);
});

test('a session revoked with the CLI stops working on the running server within 100 ms', async (t) => {
  const file = sqliteFile(t);
  const server = await instanceOn(t, file);
  await server.request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const victim = (await server.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
  await server.request.get('/api/v1/me').set(bearer(victim.access_token)).expect(200);

  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'revoke-session', victim.session_id],
    { env: { ...process.env, DATABASE_URL: file, REDIS_URL: '' }, timeout: 30_000 },
  );
  t.regex(stdout, /revoked session/);
  const delay = await refusedWithinBound(t, server.request, victim.access_token, 'token_revoked');
  t.log(`refused ${delay.toFixed(1)} ms after the CLI exited`);
});
