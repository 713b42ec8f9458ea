import test from 'ava';
import { auditRows } from '../helpers/app.ts';
import { waitFor } from '../helpers/fault-proxy.ts';
import { buildCountingApp as buildTestApp } from '../helpers/memory-counters.ts';

test('a flood of 3,000 refused requests writes one summarised rate_limited event, with the count', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_GLOBAL: '5/60' } });
  for (let i = 0; i < 5; i += 1) await app.request.get('/api/v1/posts').expect(200);
  let refused = 0;
  for (let wave = 0; wave < 30; wave += 1) {
    const responses = await Promise.all(Array.from({ length: 100 }, () => app.request.get('/api/v1/posts')));
    refused += responses.filter((response) => response.status === 429).length;
  }
  t.is(refused, 3000);
  const rows = await auditRows(app.db, 'rate_limited');
  t.is(rows.length, 1);
  t.like(rows[0], { user_id: null });
  // The count is written back within about a second.
  await waitFor('the summary count', async () => {
    const [row] = await auditRows(app.db, 'rate_limited');
    return JSON.parse(row.detail).count === 3000;
  }, 5_000);
  const [row] = await auditRows(app.db, 'rate_limited');
  t.deepEqual(JSON.parse(row.detail), { limit: 'global', count: 3000 });
});

test('a new window starts a new summary event; other limits and clients get their own', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REGISTER: '1/60', TRUST_PROXY: 'true' } });
  const signUp = (ip: string, username: string) =>
    app.request.post('/api/v1/users').set('X-Forwarded-For', ip).send({ username, password: 'x' });
  await signUp('192.0.2.1', 'amy');
  await signUp('192.0.2.2', 'ben');
  for (let i = 0; i < 5; i += 1) {
    t.is((await signUp('192.0.2.1', 'cal')).status, 429);
    t.is((await signUp('192.0.2.2', 'cal')).status, 429);
  }
  t.is((await auditRows(app.db, 'rate_limited')).length, 2, 'one per client');
  app.clock.advance(61); // the audit window follows Tessera's clock
  t.is((await signUp('192.0.2.1', 'dan')).status, 429); // the limiter's own window is real time
  const rows = await auditRows(app.db, 'rate_limited');
  t.deepEqual(rows.map((row) => row.ip), ['192.0.2.1', '192.0.2.2', '192.0.2.1']);
  t.deepEqual(rows.map((row) => JSON.parse(row.detail).limit), ['register', 'register', 'register']);
});
