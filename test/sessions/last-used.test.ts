import test from 'ava';
import { createLastUsedWriter } from '../../src/sessions/last-used.ts';
import { buildTestApp, countQueries, login, register } from '../helpers/app.ts';

test('sessions that come due together get last_used_at in one UPDATE, and only stale ones change', async (t) => {
  const { request, db, clock } = await buildTestApp(t);
  await register(request, 'amy');
  const ids = [
    (await login(request, 'amy')).session_id,
    (await login(request, 'amy')).session_id,
    (await login(request, 'amy')).session_id,
  ];
  const writer = createLastUsedWriter(db);

  clock.advance(61);
  const touchedEarlier = clock();
  await writer.record(ids[0]!, touchedEarlier);
  clock.advance(30); // the first session was written 30 s ago; the others not since login

  const now = clock();
  const queries = await countQueries(db, () => Promise.all(ids.map((id) => writer.record(id, now))));
  t.is(queries, 1);
  const rows = await db('sessions').whereIn('id', ids).select('id', 'last_used_at');
  const lastUsed = new Map(rows.map((row) => [row.id, row.last_used_at]));
  t.deepEqual(
    ids.map((id) => lastUsed.get(id)),
    [touchedEarlier.toISOString(), now.toISOString(), now.toISOString()],
  );
});
