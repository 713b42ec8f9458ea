import test, { type ExecutionContext } from 'ava';
import { bumpRevocationEpoch, createRevocationEpochReader, readRevocationEpochs } from '../../src/auth/revocation-epochs.ts';
import { watchRevocations } from '../../src/auth/revocation-watch.ts';
import { createSilentLogger } from '../../src/logger.ts';
import { pruneExpired } from '../../src/maintenance/prune.ts';
import { openTestDb } from '../helpers/database.ts';
import { waitFor } from '../helpers/fault-proxy.ts';

/**
 * The revocation watch decides when a cache must be emptied: when another
 * process's counter moved without the bus delivering each of those
 * revocations. Driven here with real counters in a real database and a bus
 * played by the test (`heard`), so each decision is checked exactly.
 */

const NOW = () => new Date().toISOString();

async function watching(t: ExecutionContext, deliveryExpected = false, staleAfterMs = 1_000) {
  const db = await openTestDb(t);
  let emptied = 0;
  const epochs = createRevocationEpochReader(db, 'this-instance');
  const watch = watchRevocations({
    readEpochs: epochs.read,
    intervalMs: 5,
    staleAfterMs,
    deliveryExpected: () => deliveryExpected,
    onMissed: () => (emptied += 1),
    logger: createSilentLogger(),
  });
  t.teardown(async () => {
    await watch.stop();
    await epochs.close();
  });
  await watch.nextPoll();
  const polls = async (count: number) => {
    for (let i = 0; i < count; i += 1) await watch.nextPoll();
  };
  return { db, watch, emptied: () => emptied, polls };
}

test('a counter that moves without its message empties the cache; its own process\'s counter never does', async (t) => {
  const { db, emptied, polls } = await watching(t);
  await bumpRevocationEpoch(db, 'this-instance', NOW());
  await polls(3);
  t.is(emptied(), 0, 'our own revocations are already applied here');

  await bumpRevocationEpoch(db, 'the-cli', NOW());
  await polls(2);
  t.is(emptied(), 1);
  await polls(3);
  t.is(emptied(), 1, 'once per change, not once per poll');
});

test('revocations the bus delivered empty nothing; one it lost does', async (t) => {
  const { db, watch, emptied, polls } = await watching(t, true);
  for (let i = 0; i < 3; i += 1) {
    const epoch = await bumpRevocationEpoch(db, 'instance-a', NOW());
    watch.heard('instance-a', epoch);
  }
  await polls(3);
  t.is(emptied(), 0);

  // Epoch 4 is delivered, 5 is lost (say, its publish timed out), 6 is delivered. Each message
  // arrives as soon as its commit, as the bus delivers them: delivering 4 only after 5 and 6 were
  // written would make it late by more than the one poll the watch waits, on a slow database.
  const four = await bumpRevocationEpoch(db, 'instance-a', NOW());
  watch.heard('instance-a', four);
  await bumpRevocationEpoch(db, 'instance-a', NOW());
  const six = await bumpRevocationEpoch(db, 'instance-a', NOW());
  watch.heard('instance-a', six);
  await polls(3);
  t.is(emptied(), 1, 'a gap in the delivered counters is a missed revocation');
});

test('a message late by less than one poll is waited for, not treated as lost', async (t) => {
  const { db, watch, emptied, polls } = await watching(t, true);
  const epoch = await bumpRevocationEpoch(db, 'instance-a', NOW());
  await polls(1); // the counter is seen before its message arrives
  watch.heard('instance-a', epoch);
  await polls(3);
  t.is(emptied(), 0);
});

test('polls that fail make the watch stale; the next success makes it fresh', async (t) => {
  const { db, watch } = await watching(t, false, 100);
  t.true(watch.fresh());
  // The table disappears for a moment, as the whole database would in an outage.
  await db.schema.renameTable('revocation_epochs', 'revocation_epochs_away');
  await waitFor('the watch to go stale', () => !watch.fresh(), 5_000);
  await db.schema.renameTable('revocation_epochs_away', 'revocation_epochs');
  await waitFor('the watch to be fresh again', () => watch.fresh(), 5_000);
  t.true(watch.fresh());
});

test('pruning forgets counters idle for a day; a forgotten counter that comes back counts as news', async (t) => {
  const { db, emptied, polls } = await watching(t);
  await bumpRevocationEpoch(db, 'old-cli-run', '2020-01-01T00:00:00.000Z');
  await polls(2);
  t.is(emptied(), 1);
  await pruneExpired(db, () => new Date(), { sessionRetention: 3600, auditRetention: 3600 });
  t.deepEqual(await readRevocationEpochs(db, 'this-instance'), []);
  await polls(2);
  t.is(emptied(), 1, 'a counter disappearing is not a revocation');
  await bumpRevocationEpoch(db, 'old-cli-run', NOW());
  await polls(2);
  t.is(emptied(), 2);
});

test('stop() waits for a poll in flight, but not for one stuck on an unreachable database', async (t) => {
  let polls = 0;
  const watch = watchRevocations({
    // The second poll never answers, as against a database that went silent.
    readEpochs: () => (++polls === 1 ? Promise.resolve([]) : new Promise<never>(() => {})),
    intervalMs: 5,
    staleAfterMs: 1_000,
    deliveryExpected: () => false,
    onMissed: () => {},
    logger: createSilentLogger(),
  });
  await waitFor('the stuck poll', () => polls === 2);
  const started = Date.now();
  await watch.stop();
  const waited = Date.now() - started;
  t.true(waited >= 900 && waited < 5_000, `stop() took ${waited} ms`);
});
