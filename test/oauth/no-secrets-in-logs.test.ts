import test from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { runCommand } from '../../src/cli/commands.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { bearer, createTestClock, PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb, openTestRedis, TEST_DATABASE_URL } from '../helpers/database.ts';
import { capturedLogger } from '../helpers/log-lines.ts';
import { basic } from './helpers.ts';

/**
 * Every way a client secret or a PAT passes through Tessera (created by API
 * and CLI, sent as Basic credentials, in form and JSON bodies, in a query
 * string, wrong, revoked), with the logger at its most talkative: neither
 * plaintext appears in any log line.
 */
test('no client secret or PAT plaintext in the logs', async (t) => {
  const { logger, lines } = capturedLogger();
  logger.level = 'trace';
  const config = parseConfig({ DATABASE_URL: TEST_DATABASE_URL });
  const db = await openTestDb(t);
  const clock = createTestClock();
  const { listener, tessera } = createApp({ db, config, clock, logger, passwords: createPasswordHasher(TEST_ARGON2), ...(await openTestRedis(t)) });
  t.teardown(() => tessera.close());
  await tessera.ready();
  const request = supertest(listener);

  await request.post('/api/v1/users').send({ username: 'root', password: PASSWORD }).expect(201);
  await db('users').where({ username: 'root' }).update({ is_admin: true });
  const admin = (await request.post('/api/v1/login').send({ username: 'root', password: PASSWORD }).expect(200)).body;
  const viaApi = (await request.post('/api/v1/admin/clients').set(bearer(admin.access_token)).send({ name: 'reports' }).expect(201)).body;
  const printed: string[] = [];
  await runCommand(['clients', 'create', 'billing'], {
    tessera, db, config, clock, print: (line) => printed.push(line), readPassword: async () => 'unused',
  });
  const viaCli = /^client_secret: +(\S+)$/m.exec(printed.join('\n'))![1]!;
  const pat = (await request.post('/api/v1/tokens').set(bearer(admin.access_token)).send({ name: 'ci', abilities: ['*'] }).expect(201)).body;

  const client = { client_id: viaApi.client_id, client_secret: viaApi.client_secret };
  await request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token: pat.token }).expect(200);
  await request.post('/api/v1/oauth/introspect').set(basic(client)).send({ token: pat.token }).expect(200);
  const wrongSecret = { client_id: viaApi.client_id, client_secret: viaCli };
  await request.post('/api/v1/oauth/introspect').set(basic(wrongSecret)).type('form').send({ token: pat.token }).expect(401);
  await request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send(`token=${pat.token}&token=${pat.token}`);
  await request.get(`/api/v1/me?access_token=${pat.token}&client_secret=${viaCli}`).set(bearer(pat.token)).expect(200);
  await request.get('/api/v1/me').set(bearer(`${pat.token}x`)).expect(401);
  await request.post('/api/v1/oauth/revoke').set(basic(client)).type('form').send({ token: pat.token }).expect(200);
  await request.get('/api/v1/me').set(bearer(pat.token)).expect(401);
  await request.delete(`/api/v1/admin/clients/${viaApi.id}`).set(bearer(admin.access_token)).expect(204);
  await request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token: pat.token }).expect(401);

  t.true(lines.filter((line) => line.msg === 'request').length >= 14, 'every request should have been logged');
  const logged = JSON.stringify(lines);
  for (const [what, secret] of [['API client secret', viaApi.client_secret], ['CLI client secret', viaCli], ['PAT', pat.token]]) {
    t.false(logged.includes(secret), `${what} logged`);
    // Nor its base64 in a logged Authorization header.
    t.false(logged.includes(Buffer.from(`${viaApi.client_id}:${secret}`).toString('base64')), `${what} logged in Basic form`);
  }
});
