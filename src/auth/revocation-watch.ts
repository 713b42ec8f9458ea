import type { Logger } from '../logger.ts';
import type { RevocationEpoch } from './revocation-epochs.ts';

/**
 * Notices revocations made by other processes that share the database, so a
 * token cached here stops working within one poll interval whatever happened
 * to Redis: the CLI on SQLite, an instance whose publish was lost in a
 * partition, an embedding app without Redis.
 *
 * Every revoking transaction bumps its process's counter in
 * `revocation_epochs` (revocation-epochs.ts). This polls the counters every
 * `intervalMs`. A counter that moved is fine when the invalidation bus
 * already delivered every one of those revocations (each message carries the
 * counter value it committed with); otherwise something was missed and the
 * whole cache is emptied (`onMissed`), at the latest two polls after the
 * commit. Nothing is known about what the
 * missed revocation was, so emptying is the only safe answer; it costs one
 * database read per active token, once.
 *
 * `fresh()` says whether the last successful poll is recent: while polls
 * fail (the database is unreachable) the cache cannot rely on them.
 */
export interface RevocationWatch {
  /** The invalidation bus delivered revocation number `epoch` of `origin`. */
  heard(origin: string, epoch: number): void;
  /** True while the last successful poll finished less than `staleAfterMs` ago. */
  fresh(): boolean;
  /** Resolves after the next complete poll (tests; start-up). */
  nextPoll(): Promise<void>;
  /** Stops polling; resolves once no poll is in flight, or after a second at most. */
  stop(): Promise<void>;
}

/** How long `stop()` waits for a poll in flight. */
const STOP_WAIT_MS = 1_000;

export function watchRevocations(deps: {
  /** Every other process's counter (this process's own revocations are already applied here). */
  readEpochs: () => Promise<RevocationEpoch[]>;
  intervalMs: number;
  staleAfterMs: number;
  /**
   * True while the bus is expected to deliver (Redis heard). A message is
   * published a moment after its commit, so a poll can see a counter move
   * just before its message arrives; the counter then gets one more poll
   * before it counts as missed, instead of emptying the cache for nothing.
   */
  deliveryExpected: () => boolean;
  onMissed: () => void;
  logger: Logger;
}): RevocationWatch {
  const { readEpochs, intervalMs, staleAfterMs, deliveryExpected, onMissed, logger } = deps;
  /** The counter value of each origin that this process has accounted for. */
  const known = new Map<string, number>();
  /** Values delivered by the bus above `known`, per origin. */
  const delivered = new Map<string, Set<number>>();
  /** Origins whose counter moved without all its messages at the last poll (given one more poll). */
  const awaiting = new Set<string>();
  let lastSuccessMs = 0;
  let first = true;
  let failing = false;
  let stopped = false;
  let waiters: Array<() => void> = [];

  /** Whether the bus delivered every revocation of `origin` after `from`, up to `to`. */
  function allDelivered(source: string, from: number, to: number): boolean {
    const values = delivered.get(source);
    for (let epoch = from + 1; epoch <= to; epoch += 1) if (!values?.has(epoch)) return false;
    return true;
  }

  function account(rows: ReadonlyArray<{ origin: string; epoch: number }>): void {
    let missed = false;
    for (const row of rows) {
      const before = known.get(row.origin);
      if (before === row.epoch) continue;
      // A counter seen for the first time starts from 0; one that went down was pruned and re-created.
      const from = before === undefined ? 0 : before;
      if (!first && (row.epoch < from || !allDelivered(row.origin, from, row.epoch))) {
        if (row.epoch > from && deliveryExpected() && !awaiting.has(row.origin)) {
          awaiting.add(row.origin);
          continue;
        }
        missed = true;
      }
      awaiting.delete(row.origin);
      known.set(row.origin, row.epoch);
      const values = delivered.get(row.origin);
      if (values) for (const epoch of values) if (epoch <= row.epoch) values.delete(epoch);
    }
    // A counter pruned away (its process idle for a day) starts from 0 if it ever comes back.
    if (known.size > rows.length) {
      const present = new Set(rows.map((row) => row.origin));
      for (const source of known.keys()) if (!present.has(source)) known.delete(source);
    }
    first = false;
    if (missed) onMissed();
  }

  async function poll(): Promise<void> {
    try {
      account(await readEpochs());
      lastSuccessMs = Date.now();
      if (failing) logger.info('revocation watch: polling the database again');
      failing = false;
    } catch (error) {
      if (!failing) logger.warn({ err: error }, 'revocation watch: cannot poll the database');
      failing = true;
    }
    for (const wake of waiters.splice(0)) wake();
  }

  let wakeEarly: (() => void) | undefined;
  async function loop(): Promise<void> {
    while (!stopped) {
      await poll();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs).unref();
        wakeEarly = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  const looping = loop();

  return {
    heard(source, epoch) {
      if ((known.get(source) ?? 0) >= epoch) return;
      let values = delivered.get(source);
      if (!values) delivered.set(source, (values = new Set()));
      values.add(epoch);
    },
    fresh: () => Date.now() - lastSuccessMs < staleAfterMs,
    nextPoll: () => new Promise<void>((resolve) => waiters.push(resolve)),
    async stop() {
      stopped = true;
      wakeEarly?.();
      for (const wake of waiters.splice(0)) wake();
      // A poll stuck on an unreachable database must not hold shutdown for its whole timeout.
      let giveUp: NodeJS.Timeout | undefined;
      await Promise.race([looping, new Promise((resolve) => (giveUp = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(giveUp);
    },
  };
}
