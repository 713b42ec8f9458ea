import { useState } from 'preact/hooks';
import { TesseraError, type Me, type TesseraClient } from '../../../src/client/index.ts';
import { describeError } from '../session.ts';

/** Why a sign-in failed, in the words a person needs (never which of name or password was wrong). */
function signInProblem(error: unknown): string {
  if (error instanceof TesseraError) {
    if (error.code === 'invalid_credentials') return 'Wrong username or password.';
    if (error.code === 'account_disabled') return 'This account has been disabled. Ask an administrator.';
    if (error.code === 'validation_failed') return 'Enter your username (or email) and password.';
  }
  return describeError(error);
}

/** Sign in with a cookie session; `message` says why we are here (an expired session, a sign-out). */
export function SignIn(props: { client: TesseraClient; message: string | undefined; onSignedIn: (me: Me) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const who = name.includes('@') ? { email: name.trim() } : { username: name.trim() };
      await props.client.login({ ...who, password });
      props.onSignedIn(await props.client.me());
    } catch (error) {
      setProblem(signInProblem(error));
      setBusy(false);
    }
  }

  return (
    <main class="sign-in" id="main">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Tessera</h1>
        {props.message && !problem && (
          <p role="status" class="notice info">
            {props.message}
          </p>
        )}
        <div role="alert" class={problem ? 'notice error' : 'notice-empty'}>
          {problem}
        </div>
        <label for="sign-in-name">Username or email</label>
        <input
          id="sign-in-name"
          name="username"
          autoComplete="username"
          required
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <label for="sign-in-password">Password</label>
        <input
          id="sign-in-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword(event.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
