import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { signUp, signUpAdmin, TEST_ARGON2, type TestApp } from '../helpers/app.ts';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';
import { createClient } from '../oauth/helpers.ts';
import { createVerifier } from '../../src/resource-server/index.ts';

test('a cached answer is one frozen caller, shared by every hit; an uncached one is introspected', async (t) => {
  // The system clock: the verifier never caches an answer past the token's exp, by the real time.
  const db = await openTestDb(t);
  const { listener, tessera } = createApp({ db, config: parseConfig({ DATABASE_URL: TEST_DATABASE_URL }), passwords: createPasswordHasher(TEST_ARGON2) });
  t.teardown(() => tessera.close());
  const app = { request: supertest(listener), db } as TestApp;
  const server = createServer(listener).listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const root = await signUpAdmin(app, 'root');
  const client = await createClient(app, root.tokens.access_token);
  const { tokens } = await signUp(app.request, 'alice');
  const verifier = createVerifier({
    tesseraUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: client.client_id,
    clientSecret: client.client_secret,
  });

  const first = await verifier.verify(tokens.access_token);
  t.is(first.user.username, 'alice');
  t.deepEqual(first.abilities, ['*']);
  t.is(verifier.cacheSize, 1);
  const again = await verifier.verify(tokens.access_token);
  t.is(again, first, 'a hit reuses the caller built when the answer was cached');
  t.true(Object.isFrozen(again) && Object.isFrozen(again.user) && Object.isFrozen(again.abilities));
  t.throws(() => {
    (again.user as { username: string }).username = 'mallory';
  }, { instanceOf: TypeError });
  t.is((await verifier.verify(tokens.access_token)).user.username, 'alice');
});
