import test from 'ava';
import { hashToken } from '../../src/crypto/tokens.ts';
import { buildTestApp, login, PASSWORD, register } from '../helpers/app.ts';

test('the database holds no plaintext token or password, only SHA-256 hashes', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'alice', { email: 'alice@example.com' });
  const issued = [await login(request, 'alice'), await login(request, 'alice')];
  const refreshed = await request
    .post('/api/v1/refresh')
    .send({ refresh_token: issued[0]!.refresh_token })
    .expect(200);
  issued.push(refreshed.body);

  const tables = ['users', 'sessions', 'refresh_tokens'];
  const dump = JSON.stringify(
    await Promise.all(tables.map((table) => db(table).select())),
  );
  const secrets = issued.flatMap((pair) => [pair.access_token, pair.refresh_token]);
  for (const secret of [...secrets, PASSWORD]) {
    t.false(dump.includes(secret), 'a plaintext secret is stored');
    // nor any recognisable part of one
    t.false(dump.includes(secret.slice(8, 40)));
  }

  const latest = issued[2]!;
  const session = await db('sessions').where({ id: latest.session_id }).first();
  t.is(session.access_token_hash, hashToken(latest.access_token));
  const current = await db('refresh_tokens').where({ token_hash: hashToken(latest.refresh_token) }).first();
  t.is(current.rotated_at, null);
  const rotated = await db('refresh_tokens')
    .where({ token_hash: hashToken(issued[0]!.refresh_token) })
    .first();
  t.not(rotated.rotated_at, null);
});
