import type { Logger } from '../logger.ts';
import type { Redis } from './redis.ts';

/** What `/readyz` and the logs say of Redis. */
export type RedisState = 'up' | 'down' | 'off';

/**
 * The one place that knows whether Redis can be used right now. Everything
 * that talks to Redis asks it first (`isUp()`) and reports failures to it
 * (`commandFailed()`), so the rate limiters, the login throttle and the
 * cache-invalidation bus agree, and a change of state is logged once, not
 * once per request.
 *
 * "Up" means the command connection is connected and its last command did
 * not time out. A crashed Redis resets the connection (ioredis sees it at
 * once); a network partition is silent, so a command that times out marks
 * Redis down and drops the connection, and ioredis's reconnection (which
 * times out too while the partition lasts) decides when it is back.
 */
export interface RedisStatus {
  state(): RedisState;
  /** True when Redis is configured and reachable. */
  isUp(): boolean;
  /** A command failed (timeout, reset): Redis counts as down until it reconnects. */
  commandFailed(error: unknown): void;
  /** Called on every change of state; returns a function that stops the calls. */
  onChange(listener: (state: RedisState) => void): () => void;
}

/** For a Tessera without Redis. */
export const REDIS_OFF: RedisStatus = {
  state: () => 'off',
  isUp: () => false,
  commandFailed: () => {},
  onChange: () => () => {},
};

export function watchRedis(redis: Redis, logger: Logger): RedisStatus {
  let up = redis.status === 'ready';
  let since = Date.now();
  const listeners = new Set<(state: RedisState) => void>();

  function become(nowUp: boolean, reason?: unknown): void {
    if (nowUp === up) return;
    up = nowUp;
    const lasted = Date.now() - since;
    since = Date.now();
    if (nowUp) logger.info({ downForMs: lasted }, 'redis reachable again');
    else logger.warn({ reason: describe(reason) }, 'redis unreachable: counters per instance, session cache read-through');
    for (const listener of listeners) listener(nowUp ? 'up' : 'down');
  }

  redis.on('ready', () => become(true));
  redis.on('close', () => become(false, 'connection closed'));
  // Without a listener ioredis prints every failed reconnection; the state change is logged above.
  redis.on('error', (error: unknown) => become(false, error));

  return {
    state: () => (up ? 'up' : 'down'),
    isUp: () => up,
    commandFailed(error) {
      if (!up) return;
      become(false, error);
      // A timed-out connection may be silently dead: reconnect rather than trust it.
      if (redis.status === 'ready') redis.disconnect(true);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return String(reason ?? 'unknown');
}
