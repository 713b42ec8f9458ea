import type { StoredSession } from './token-store.ts';

/** What one tab tells the others. */
export type TabMessage =
  | { type: 'session'; session: StoredSession }
  | { type: 'ended'; reason: string };

/**
 * Coordination between browser tabs, after SuperTokens' cross-tab lock: the
 * Web Locks API makes one refresh at a time across every tab of the origin,
 * and a BroadcastChannel hands the new pair (or the end of the session) to
 * the other tabs. Where either API is missing (Node, old browsers) the lock
 * is a no-op and nothing is sent: the refresh coordinator's in-process
 * single flight still holds within this instance.
 */
export interface TabSync {
  readonly enabled: boolean;
  withLock<T>(run: () => Promise<T>): Promise<T>;
  publish(message: TabMessage): void;
  close(): void;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export function createTabSync(
  name: string,
  wanted: boolean | 'auto',
  onMessage: (message: TabMessage) => void,
): TabSync {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  // Both or neither: a channel without the lock would let two tabs refresh at once anyway, and in
  // Node a BroadcastChannel keeps the process alive for nothing.
  const enabled = wanted !== false && locks !== undefined && Channel !== undefined;
  if (!enabled) {
    return { enabled, withLock: (run) => run(), publish: () => {}, close: () => {} };
  }
  const channel = new Channel(name);
  channel.onmessage = (event: MessageEvent<TabMessage>) => onMessage(event.data);
  return {
    enabled,
    withLock: (run) => locks.request(`${name}:refresh`, run),
    publish: (message) => channel.postMessage(message),
    close: () => channel.close(),
  };
}
