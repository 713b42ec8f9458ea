import type { Redis } from '../db/redis.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import type { Logger } from '../logger.ts';
import type { Invalidation } from './session-cache.ts';

/**
 * Carries session-cache invalidations between instances over Redis pub/sub.
 *
 * PUBLISH answers once Redis has handed the message to every subscriber's
 * connection, so when a revocation answers, the other instances have it in
 * their socket buffers (about 2 ms in tests).
 *
 * Hearing is checked, not assumed. A crashed Redis resets the connection,
 * but a network partition is silent: the socket stays open and messages
 * stop. So every instance publishes a heartbeat every HEARTBEAT_MS and
 * listens for its own; an instance that has not heard one for DEAF_AFTER_MS
 * (or whose subscription is down, or for which redis-status.ts counts Redis
 * down) is deaf: `hearing()` is false, and the
 * cache stops trusting itself (session-cache.ts). When it hears again it may
 * have missed messages, so `onHearingAgain` empties the cache.
 */
export interface InvalidationBus {
  /** Sends the invalidations of one commit, with the revocation counter it committed with, to the other instances. */
  publish(invalidations: readonly Invalidation[], epoch: number): Promise<void>;
  /** True while the subscription is up and our own heartbeat came back recently. */
  hearing(): boolean;
  /** Resolves once hearing, or after `timeoutMs` (start-up must not wait for a dead Redis). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 250;
const DEAF_AFTER_MS = 1_000;

type Message =
  | { readonly origin: string; readonly beat: number }
  | { readonly origin: string; readonly invalidations: readonly Invalidation[]; readonly epoch: number };

export function createInvalidationBus(deps: {
  redis: Redis;
  status: RedisStatus;
  channel: string;
  /** This process's origin (the same one its revocation counter uses). */
  origin: string;
  /** Invalidations of one commit by another instance, with the revocation counter it committed with. */
  onInvalidation: (invalidations: readonly Invalidation[], origin: string, epoch: number) => void;
  /** Called when the bus hears again after being deaf (or on a bad message): empty the cache. */
  onHearingAgain: () => void;
  logger: Logger;
}): InvalidationBus {
  const { redis, status, channel, origin, logger } = deps;
  const subscriber = redis.duplicate({ autoResubscribe: false }); // see `subscribe` below
  let lastBeatHeardMs = 0;
  let wasHearing = false;
  let beat = 0;
  let waiters: Array<() => void> = [];

  // Redis counted down (a command failed or timed out) means deaf at once, before the heartbeat says so.
  const hearing = () =>
    status.isUp() && subscriber.status === 'ready' && Date.now() - lastBeatHeardMs < DEAF_AFTER_MS;

  /** Notices changes of `hearing()`: logs them once and empties the cache on recovery. */
  function check(): void {
    const now = hearing();
    if (now === wasHearing) return;
    wasHearing = now;
    if (now) {
      logger.info('cache invalidation: hearing other instances; cache emptied and trusted again');
      deps.onHearingAgain();
      for (const wake of waiters.splice(0)) wake();
    } else {
      logger.warn('cache invalidation: deaf (no heartbeat); the session cache reads through to the database');
    }
  }

  // Subscribing needs a connected client (no offline queue), so it happens on every 'ready'. Not
  // ioredis's own resubscription: it drops the promise of its SUBSCRIBE, and a connection lost
  // between the ready check and that command then kills the process with an unhandled rejection.
  const subscribe = () =>
    subscriber
      .subscribe(channel)
      .then(sendBeat)
      .catch((error: unknown) => logger.debug({ err: error }, 'cache invalidation: subscribe failed'));
  if (subscriber.status === 'ready') void subscribe();
  subscriber.on('ready', () => void subscribe());
  subscriber.on('error', () => {}); // state is read from `status`; redis-status.ts logs outages
  subscriber.on('close', check);

  subscriber.on('message', (_channel: string, text: string) => {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      logger.error('cache invalidation: unreadable message; emptying the cache');
      deps.onHearingAgain();
      return;
    }
    if ('beat' in message) {
      if (message.origin === origin) lastBeatHeardMs = Date.now();
      check();
    } else if (message.origin !== origin) {
      deps.onInvalidation(message.invalidations, message.origin, message.epoch);
    }
  });

  function sendBeat(): void {
    check();
    if (!status.isUp()) return;
    redis
      .publish(channel, JSON.stringify({ origin, beat: (beat += 1) }))
      .catch((error: unknown) => status.commandFailed(error));
  }
  const heartbeat = setInterval(sendBeat, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    async publish(invalidations, epoch) {
      if (!status.isUp()) throw new Error('redis is down');
      try {
        await redis.publish(channel, JSON.stringify({ origin, invalidations, epoch }));
      } catch (error) {
        status.commandFailed(error);
        throw error;
      }
    },
    hearing,
    ready: (timeoutMs = 2_000) =>
      hearing()
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, timeoutMs).unref();
          }),
    async close() {
      clearInterval(heartbeat);
      for (const wake of waiters.splice(0)) wake();
      subscriber.disconnect();
    },
  };
}
