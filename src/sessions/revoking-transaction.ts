import type { InvalidationBus } from '../auth/invalidation-bus.ts';
import { bumpRevocationEpoch } from '../auth/revocation-epochs.ts';
import type { Invalidation, SessionCache } from '../auth/session-cache.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import type { Logger } from '../logger.ts';

/**
 * Runs a transaction that ends sessions or changes what cached tokens carry
 * (a user's flags), then, once it has committed, makes every instance's token
 * cache forget what changed. Every such change goes through here, so no
 * revocation path can forget a step, and none can turn a committed change
 * into an error.
 *
 * `change` says what it invalidated by calling `invalidate(...)`. Then:
 * 1. Inside the transaction, this process's revocation counter is bumped
 *    (revocation-epochs.ts): every other process polling the database sees
 *    it the moment the change commits, whatever happens next, even if this
 *    process dies right after the commit.
 * 2. After the commit (never before: a request that read the old row in
 *    between is kept out of the cache by the cache's epoch check) the local
 *    cache drops the entries, and the invalidations are published to the
 *    other instances over Redis, which takes about 2 ms instead of a poll.
 *    A publish that fails is logged and otherwise ignored: the other
 *    instances see the counter move without a matching message and empty
 *    their caches (revocation-watch.ts).
 */
export type RevokingTransaction = <Result>(
  change: (trx: Db, invalidate: (invalidation: Invalidation) => void) => Promise<Result>,
) => Promise<Result>;

export function createRevokingTransaction(deps: {
  db: Db;
  clock: Clock;
  /** This process's origin in `revocation_epochs` and on the bus. */
  origin: string;
  cache: SessionCache;
  bus: InvalidationBus | undefined;
  logger: Logger;
}): RevokingTransaction {
  const { db, clock, origin, cache, bus, logger } = deps;

  /** After the commit: must not throw, the client has to hear that its change happened. */
  async function afterCommit(invalidations: readonly Invalidation[], epoch: number): Promise<void> {
    for (const invalidation of invalidations) cache.invalidate(invalidation);
    if (!bus) return;
    try {
      await bus.publish(invalidations, epoch);
    } catch (error) {
      // redis-status.ts logs the outage once; the revocation counter covers this message.
      logger.debug({ err: error }, 'cache invalidation not published; other instances will poll it');
    }
  }

  return async (change) => {
    const invalidations: Invalidation[] = [];
    let epoch = 0;
    const result = await db.transaction(async (trx) => {
      const value = await change(trx, (invalidation) => invalidations.push(invalidation));
      if (invalidations.length > 0) {
        epoch = await bumpRevocationEpoch(trx, origin, clock().toISOString());
      }
      return value;
    });
    if (invalidations.length > 0) await afterCommit(invalidations, epoch);
    return result;
  };
}
