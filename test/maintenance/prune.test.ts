import { randomUUID } from 'node:crypto';
import test from 'ava';
import { pruneExpired } from '../../src/maintenance/prune.ts';
import { buildTestApp, register } from '../helpers/app.ts';

const DAY = 24 * 3600;

test('prune deletes in batches until nothing old is left, and keeps recent rows', async (t) => {
  const app = await buildTestApp(t);
  const user = await register(app.request, 'alice');
  const row = (expiresAt: string) => ({
    id: randomUUID(),
    user_id: Number(user.id),
    device_name: 'x',
    created_at: '2025-01-01T00:00:00.000Z',
    last_used_at: '2025-01-01T00:00:00.000Z',
    expires_at: expiresAt,
    max_expires_at: expiresAt,
    access_token_hash: randomUUID(),
    access_expires_at: expiresAt,
  });
  const dead = Array.from({ length: 1234 }, () => row('2025-06-01T00:00:00.000Z'));
  for (let i = 0; i < dead.length; i += 100) await app.db('sessions').insert(dead.slice(i, i + 100));
  // expired 3 days ago: still inside the 7-day retention
  await app.db('sessions').insert(row(new Date(app.clock().getTime() - 3 * DAY * 1000).toISOString()));

  const counts = await pruneExpired(app.db, app.clock, { sessionRetention: 7 * DAY, auditRetention: 90 * DAY });
  t.deepEqual(counts, { sessions: 1234, auditEvents: 0 });
  t.is((await app.db('sessions').select()).length, 1);
});
