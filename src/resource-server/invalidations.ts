import type { AnswerCache } from './answer-cache.ts';

/** The part of an ioredis client this needs (`duplicate()` gives the subscriber its own connection). */
export interface RedisLike {
  duplicate(override: { autoResubscribe: false; lazyConnect: false }): RedisSubscriber;
}
export interface RedisSubscriber {
  readonly status: string;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'close' | 'ready' | 'error', listener: (...args: unknown[]) => void): unknown;
  disconnect(): void;
}

/** Tessera's instances publish a heartbeat every 250 ms; silence this long means the channel is lost. */
const DEAF_AFTER_MS = 1_000;

/**
 * Listens to Tessera's invalidation channel (`<prefix>auth-cache`, see
 * Tessera's src/auth/invalidation-bus.ts): `{origin, invalidations, epoch}`
 * drops the answers of a session, PAT or user at once; `{origin, beat}`
 * heartbeats only prove the channel is alive. While it is not (no
 * subscription, or no heartbeat for a second, as in a network partition),
 * `hearing()` is false and the client does not use its cache; when it
 * hears again the cache is emptied, since messages may have been missed.
 */
export function subscribeToInvalidations(redis: RedisLike, channel: string, cache: AnswerCache) {
  // Subscribed on every 'ready' here, not by ioredis's own resubscription: that drops the promise
  // of its SUBSCRIBE, and a connection lost right after reconnecting then kills the process with
  // an unhandled rejection. Connected at once even when the app's client is lazyConnect: nothing
  // else would ever connect it, and the cache would never be used.
  const subscriber = redis.duplicate({ autoResubscribe: false, lazyConnect: false });
  let lastHeardMs = 0;
  let wasHearing = false;

  const hearing = () => subscriber.status === 'ready' && Date.now() - lastHeardMs < DEAF_AFTER_MS;
  const subscribe = () => void subscriber.subscribe(channel).catch(() => {});
  if (subscriber.status === 'ready') subscribe();
  subscriber.on('ready', subscribe);
  subscriber.on('error', () => {});

  subscriber.on('message', (_channel, text) => {
    lastHeardMs = Date.now();
    if (!wasHearing) {
      wasHearing = true;
      cache.clear();
    }
    let message: { invalidations?: Array<{ kind: string; id?: string }> };
    try {
      message = JSON.parse(text);
    } catch {
      cache.clear();
      return;
    }
    for (const invalidation of message.invalidations ?? []) cache.invalidate(invalidation);
  });

  return {
    hearing(): boolean {
      const now = hearing();
      if (!now) wasHearing = false;
      return now;
    },
    close: () => subscriber.disconnect(),
  };
}
