import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Me, TesseraClient } from '../../src/client/index.ts';
import { describeError, sessionLost } from './session.ts';

/** What every signed-in screen gets: the client, the signed-in user, and the way out. */
export interface Signed {
  client: TesseraClient;
  me: Me;
  /** Back to sign-in, with the message for `reason` (an SDK end reason or an error code). */
  signOut(reason: string): void;
}

export const SignedIn = createContext<Signed | null>(null);

export function useSignedIn(): Signed {
  const value = useContext(SignedIn);
  if (!value) throw new Error('useSignedIn outside a signed-in screen');
  return value;
}

/** Turns a failure that means "signed out" into the sign-in screen; true when it did. */
function useSessionCheck(): (error: unknown) => boolean {
  const { signOut } = useSignedIn();
  return (error) => {
    if (!sessionLost(error)) return false;
    signOut((error as { code: string }).code);
    return true;
  };
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

/** Loads data for a screen; reloads when `deps` change or on `reload()`; aborts what a left screen asked. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const ended = useSessionCheck();
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ data: previous.data, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted || ended(error)) return;
        setState({ error: describeError(error), loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

export interface Notice {
  kind: 'success' | 'error';
  text: string;
}

/**
 * Runs a change (revoke, create, disable) and says how it went. Success is
 * shown only once the API has answered: a revocation is done when the page
 * says so, never before.
 */
export function useAction() {
  const ended = useSessionCheck();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  async function run(action: () => Promise<string>): Promise<boolean> {
    setBusy(true);
    setNotice(null);
    try {
      setNotice({ kind: 'success', text: await action() });
      return true;
    } catch (error) {
      if (!ended(error)) setNotice({ kind: 'error', text: describeError(error) });
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, notice, run, clear: () => setNotice(null) };
}
