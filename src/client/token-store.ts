import type { CookieSession, TokenPair } from './types.ts';

/**
 * What the client keeps about the signed-in session. In bearer mode it holds
 * the two tokens; in cookie mode the tokens live in HttpOnly cookies and only
 * the non-secret rest is kept (no token ever reaches JavaScript).
 */
export interface StoredSession {
  access_token?: string;
  refresh_token?: string;
  session_id: string;
  /** Epoch milliseconds when the access token runs out (by this device's clock). */
  access_expires_at: number;
  refresh_expires_at: number;
  /**
   * Names this pair: a fresh value for every login and refresh. Callers that
   * failed with one pair compare stamps to learn that somebody else (another
   * call, instance or tab) has already replaced it.
   */
  stamp: string;
}

/**
 * Where the session is kept. `get`, `set` and `clear` may be async (IndexedDB,
 * a native keychain). Client instances, or browser tabs, that share one store
 * share one session: a refresh by one is picked up by the others.
 */
export interface TokenStore {
  get(): StoredSession | null | Promise<StoredSession | null>;
  set(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** The default: this client instance's memory; gone when the process or page goes. */
export function memoryTokenStore(): TokenStore {
  let current: StoredSession | null = null;
  return {
    get: () => current,
    set: (session) => {
      current = session;
    },
    clear: () => {
      current = null;
    },
  };
}

/**
 * `localStorage` (or any Web Storage), shared by every tab of the origin, so
 * a tab that waited for another tab's refresh finds the new pair at once.
 * Scripts on the page can read it: prefer cookie mode where XSS is a concern.
 */
export function localStorageTokenStore(
  key = 'tessera.session',
  storage: Storage = globalThis.localStorage,
): TokenStore {
  return {
    get: () => {
      const text = storage.getItem(key);
      if (text === null) return null;
      try {
        return JSON.parse(text) as StoredSession;
      } catch {
        return null; // someone else's value under our key: treat as signed out
      }
    },
    set: (session) => storage.setItem(key, JSON.stringify(session)),
    clear: () => storage.removeItem(key),
  };
}

let stampCounter = 0;

/** A stamp unique within this page or process, and (with the time and randomness) across tabs. */
export function newStamp(): string {
  stampCounter += 1;
  return `${Date.now().toString(36)}.${stampCounter}.${Math.random().toString(36).slice(2, 10)}`;
}

/** What to store for a login or refresh answer, timed from when it arrived. */
export function toStoredSession(answer: TokenPair | CookieSession, now = Date.now()): StoredSession {
  const stored: StoredSession = {
    session_id: answer.session_id,
    access_expires_at: now + answer.expires_in * 1000,
    refresh_expires_at: now + answer.refresh_expires_in * 1000,
    stamp: newStamp(),
  };
  if (answer.token_type === 'Bearer') {
    stored.access_token = answer.access_token;
    stored.refresh_token = answer.refresh_token;
  }
  return stored;
}
