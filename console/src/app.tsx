import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Me } from '../../src/client/index.ts';
import { SignedIn, type Signed } from './context.ts';
import { Layout } from './layout.tsx';
import { Activity } from './screens/activity.tsx';
import { AdminAudit } from './screens/admin-audit.tsx';
import { AdminUser } from './screens/admin-user.tsx';
import { AdminUsers } from './screens/admin-users.tsx';
import { Devices } from './screens/devices.tsx';
import { SignIn } from './screens/sign-in.tsx';
import { Tokens } from './screens/tokens.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { createConsoleClient, describeError, endMessage, lastSessionEnd, sessionLost } from './session.ts';

/** The one piece of state the console keeps: who is signed in (or why nobody is). */
type Phase =
  | { kind: 'starting' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signed-out'; message: string | undefined }
  | { kind: 'signed-in'; me: Me };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'starting' });
  const [attempt, setAttempt] = useState(0);
  const signOut = (reason: string) => {
    lastSessionEnd.remember(reason);
    setPhase({ kind: 'signed-out', message: endMessage(reason) });
  };
  const signInAs = (me: Me) => {
    lastSessionEnd.forget();
    setPhase({ kind: 'signed-in', me });
  };
  // One client for the page's life; the SDK reports a session that ends (here or in another tab).
  const client = useMemo(() => createConsoleClient(signOut), []);

  useEffect(() => {
    let stop = false;
    (async () => {
      const hadSession = (await client.session()) !== null;
      try {
        const me = await client.me();
        if (!stop) signInAs(me);
      } catch (error) {
        if (stop) return;
        if (!sessionLost(error)) setPhase({ kind: 'unreachable', message: describeError(error) });
        // Somebody who was signed in is told why they are not any more; a first visit just signs in.
        else {
          const ended = hadSession ? 'token_expired' : lastSessionEnd.recall();
          setPhase({ kind: 'signed-out', message: ended === null ? undefined : endMessage(ended) });
        }
      }
    })();
    return () => {
      stop = true;
    };
  }, [client, attempt]);

  const signed: Signed | null = useMemo(
    () => (phase.kind === 'signed-in' ? { client, me: phase.me, signOut } : null),
    [phase],
  );

  if (phase.kind === 'starting') return <p class="loading">Loading…</p>;
  if (phase.kind === 'unreachable') {
    return (
      <main class="sign-in" id="main">
        <div class="card" role="alert">
          <h1>The console cannot reach Tessera</h1>
          <p>{phase.message}</p>
          <button type="button" class="primary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (phase.kind === 'signed-out' || !signed) {
    return (
      <SignIn
        client={client}
        message={phase.kind === 'signed-out' ? phase.message : undefined}
        onSignedIn={signInAs}
      />
    );
  }
  return (
    <SignedIn.Provider value={signed}>
      <Layout>
        <Screen isAdmin={signed.me.is_admin} />
      </Layout>
    </SignedIn.Provider>
  );
}

/** The screen for the current path; `/` goes to My devices. */
function Screen(props: { isAdmin: boolean }) {
  const { path } = useLocation();
  useEffect(() => {
    if (path === '/') navigate('/devices', { replace: true });
  }, [path]);
  // Keyboard and screen-reader users land on the new screen's heading, as after a page load.
  useEffect(() => document.getElementById('title')?.focus({ preventScroll: true }), [path]);

  if (path === '/' || path === '/devices') return <Devices />;
  if (path === '/tokens') return <Tokens />;
  if (path === '/activity') return <Activity />;
  if (props.isAdmin) {
    if (path === '/admin/users') return <AdminUsers />;
    if (path === '/admin/audit') return <AdminAudit />;
    const user = /^\/admin\/users\/(\d+)$/.exec(path);
    if (user) return <AdminUser id={user[1]!} />;
  }
  return (
    <section aria-labelledby="title">
      <h1 id="title" tabIndex={-1}>
        Page not found
      </h1>
      <p>
        There is nothing at this address{path.startsWith('/admin') ? ' for your account' : ''}.{' '}
        <Link to="/devices">Go to my devices</Link>.
      </p>
    </section>
  );
}
