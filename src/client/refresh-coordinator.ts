import { isTransient, TesseraError } from './errors.ts';
import { createTabSync, type TabMessage } from './tab-sync.ts';
import { toStoredSession, type StoredSession, type TokenStore } from './token-store.ts';
import type { Transport } from './transport.ts';
import type { CookieSession, TokenPair } from './types.ts';

export type AuthMode = 'bearer' | 'cookie';

/** Why a session ended: `logout`, or the error code that ended it (`refresh_token_reused`, `token_revoked`, …). */
export type SessionEndReason = string;

export interface CoordinatorOptions {
  mode: AuthMode;
  store: TokenStore;
  transport: Transport;
  /** Called once per session when it ends, here or in another tab. */
  onSessionEnd?: (reason: SessionEndReason, error?: TesseraError) => void;
  /** Refresh before a call when the access token has less than this left (ms); 0 = only on 401. */
  refreshBeforeMs: number;
  /** Cross-tab lock and channel: `'auto'` uses them where the browser has them. */
  tabSync: boolean | 'auto';
  channelName: string;
  /** How long to wait for the winner's pair after `refresh_token_rotated`. */
  rotatedWaitMs: number;
}

export type RefreshCoordinator = ReturnType<typeof createRefreshCoordinator>;

/**
 * Keeps one session alive for any number of concurrent callers, after
 * keycloak-js's refresh queue: the first caller that needs a refresh starts
 * it, everyone else waits on the same promise, and all continue with the one
 * new pair. Every decision compares the *stamp* of the pair a caller used
 * with the stored one, so a caller that failed with a pair somebody has
 * already replaced simply takes the replacement instead of refreshing again.
 *
 * A session that cannot be refreshed ends exactly once: the store is
 * cleared, `onSessionEnd` runs, and waiting callers get the error. Nothing is
 * retried after that, so a dead refresh token can never loop.
 */
export function createRefreshCoordinator(options: CoordinatorOptions) {
  const { mode, store, transport } = options;
  let inFlight: Promise<StoredSession> | null = null;
  let ended: TesseraError | null = null;
  const tabs = createTabSync(options.channelName, options.tabSync, (message) => void receive(message));

  /** Ends the session once; later calls (and other tabs' echoes) change nothing. */
  async function end(reason: SessionEndReason, error: TesseraError, broadcast = true): Promise<void> {
    if (ended) return;
    ended = error;
    await store.clear();
    if (broadcast) tabs.publish({ type: 'ended', reason });
    if (!options.onSessionEnd) return;
    try {
      options.onSessionEnd(reason, error);
    } catch (callbackError) {
      // Reported like a throwing event listener, without disturbing the calls waiting here.
      queueMicrotask(() => {
        throw callbackError;
      });
    }
  }

  /** Another tab refreshed, logged in, or ended the session. */
  async function receive(message: TabMessage): Promise<void> {
    if (message.type === 'ended') {
      await end(message.reason, sessionEnded(message.reason), false);
      return;
    }
    const current = await store.get();
    // Messages can arrive late: never replace a pair with an older one.
    if (current && current.access_expires_at > message.session.access_expires_at) return;
    if (current?.stamp !== message.session.stamp) await store.set(message.session);
    ended = null;
  }

  async function refreshUnderLock(used: StoredSession | null): Promise<StoredSession> {
    const stored = await store.get();
    if (ended) throw ended;
    if (stored && used && stored.stamp !== used.stamp) return stored; // somebody refreshed already
    if (mode === 'bearer' && !stored?.refresh_token) {
      // Another instance sharing the store signed out or ended the session.
      const error = sessionEnded('not_signed_in');
      await end('not_signed_in', error);
      throw error;
    }
    let answer: TokenPair | CookieSession;
    try {
      answer = await transport.send<TokenPair | CookieSession>({
        method: 'POST',
        path: '/refresh',
        // Cookie mode: no body, the browser sends the refresh cookie.
        ...(mode === 'bearer' ? { body: { refresh_token: stored!.refresh_token } } : {}),
      });
    } catch (error) {
      if (mode === 'cookie' && isMissingRefreshCookie(error)) {
        // The browser sent no refresh cookie: both cookies ran out (their Max-Age is the session's
        // lifetime) or an earlier 401 cleared them. The session is over, as after a 401.
        // A browser that never signed in here (nothing stored) is simply signed out: no session ended.
        const signedOut = sessionEnded('not_signed_in');
        if (stored) await end('not_signed_in', signedOut);
        throw signedOut;
      }
      // Timeouts, 429 and 5xx say nothing about the session: fail this call, keep the session.
      if (!(error instanceof TesseraError) || isTransient(error) || error.status !== 401) throw error;
      if (error.code === 'refresh_token_rotated') {
        // Another caller with the same refresh token won the race: its pair is about to be stored.
        const winner = await waitForReplacement(stored);
        if (winner) return winner;
      }
      await end(error.code, error);
      throw error;
    }
    return begin(answer);
  }

  async function waitForReplacement(stored: StoredSession | null): Promise<StoredSession | null> {
    const deadline = Date.now() + options.rotatedWaitMs;
    while (Date.now() < deadline) {
      const current = await store.get();
      if (current && current.stamp !== stored?.stamp) return current;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  }

  /** Stores a login or refresh answer and hands it to the other tabs. */
  async function begin(answer: TokenPair | CookieSession): Promise<StoredSession> {
    const session = toStoredSession(answer);
    await store.set(session);
    ended = null;
    tabs.publish({ type: 'session', session });
    return session;
  }

  /** The single flight: at most one refresh per instance, and per origin where tabs can lock. */
  function refresh(used: StoredSession | null, signal?: AbortSignal): Promise<StoredSession> {
    inFlight ??= new Promise<StoredSession>((resolve, reject) => {
      tabs
        .withLock(async () => {
          try {
            resolve(await refreshUnderLock(used));
          } catch (error) {
            reject(error);
            return;
          }
          // Callers here have their pair; the lock is held a moment longer because the new pair
          // reaches other tabs asynchronously (storage events, the channel): a tab that got the
          // lock at once could still read the old pair and refresh a second time.
          await new Promise((wait) => setTimeout(wait, LOCK_HANDOVER_MS));
        })
        .catch(reject);
    }).finally(() => {
      inFlight = null;
    });
    return abortable(inFlight, signal);
  }

  return {
    begin,
    end,
    refresh,
    close: () => tabs.close(),
    /** The error that ended the session, until a new one begins. */
    get ended(): TesseraError | null {
      return ended;
    },

    /** The session to send a call with; a session found in the store means we are signed in again. */
    async current(): Promise<StoredSession | null> {
      const session = await store.get();
      if (session) ended = null;
      return session;
    },

    /** Proactive refresh: a session about to expire is refreshed before the call, not after a 401. */
    async refreshIfDue(session: StoredSession | null, signal?: AbortSignal) {
      if (!session || options.refreshBeforeMs <= 0) return session;
      if (session.access_expires_at - Date.now() > options.refreshBeforeMs) return session;
      try {
        return await refresh(session, signal);
      } catch (error) {
        if (isTransient(error)) return session; // the token still works for a while: try the call
        throw error;
      }
    },

    /**
     * After a 401 to a call made with `used`: the session to retry with, or
     * the error that ended the session. Revoked is final without asking the
     * server again, unless a newer pair exists (the call used a stale one).
     */
    async recover(used: StoredSession | null, error: TesseraError, signal?: AbortSignal) {
      if (error.code === 'token_revoked') {
        const stored = await store.get();
        if (stored && used && stored.stamp !== used.stamp) return stored;
        await end(error.code, error);
        throw ended ?? error;
      }
      return refresh(used, signal);
    },
  };
}

/** How long the cross-tab lock outlives a refresh, so the other tabs see the new pair first. */
const LOCK_HANDOVER_MS = 100;

/** A body-less `POST /refresh` answered 400 on `refresh_token`: the request carried no refresh cookie. */
function isMissingRefreshCookie(error: unknown): boolean {
  return (
    error instanceof TesseraError &&
    error.code === 'validation_failed' &&
    error.details.some((detail) => detail.field === 'refresh_token')
  );
}

/** The error waiting calls get when the session ended elsewhere (another tab, another instance). */
function sessionEnded(reason: string): TesseraError {
  return new TesseraError({ status: 401, code: reason, message: 'The session has ended; sign in again.' });
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
