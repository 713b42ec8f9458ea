import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createDb } from '../../src/db/connection.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { bearer, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';

test('an embedding app\'s own knex instance is the one source of truth, whatever DATABASE_URL says', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-embed-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const db = createDb(join(directory, 'app.sqlite'));
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  // DATABASE_URL names another file that does not exist: nothing may open it.
  const config = parseConfig({ DATABASE_URL: join(directory, 'elsewhere', 'other.sqlite'), AUTH_CACHE: 'off' });
  const { app, tessera } = createApp({ db, config, passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  const request = supertest(app.callback());

  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const tokens = (await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200)).body;
  const me = await request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  t.is(me.body.username, 'amy');
  t.is(me.body.session.id, tokens.session_id);
});
