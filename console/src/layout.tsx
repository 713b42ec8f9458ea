import type { ComponentChildren } from 'preact';
import { useSignedIn } from './context.ts';
import { Link, useLocation } from './router.tsx';

const MINE: [string, string][] = [
  ['/devices', 'My devices'],
  ['/tokens', 'My tokens'],
  ['/activity', 'My activity'],
];
const ADMIN: [string, string][] = [
  ['/admin/users', 'Users'],
  ['/admin/audit', 'Audit log'],
];

/** Header, navigation (admin entries for admins only) and sign-out around every signed-in screen. */
export function Layout(props: { children: ComponentChildren }) {
  const { client, me, signOut } = useSignedIn();
  const { path } = useLocation();
  const item = ([to, label]: [string, string]) => (
    <li key={to}>
      <Link to={to} current={path === to || path.startsWith(`${to}/`)}>
        {label}
      </Link>
    </li>
  );

  async function logout() {
    // The SDK signs out locally even when the server cannot be told.
    await client.logout().catch(() => undefined);
    signOut('logout');
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tessera</span>
        <nav aria-label="Main">
          <ul>
            {MINE.map(item)}
            {me.is_admin && ADMIN.map(item)}
          </ul>
        </nav>
        <div class="who">
          <span>
            {me.username}
            {me.is_admin && <span class="badge">Admin</span>}
          </span>
          <button type="button" onClick={logout}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
