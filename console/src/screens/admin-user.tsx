import type { PersonalAccessToken, Session } from '../../../src/client/index.ts';
import { useAction, useLoad, useSignedIn } from '../context.ts';
import { count, deviceLabel } from '../format.ts';
import { Empty, LoadError, Loading, NoticeLine } from '../parts/notice.tsx';
import { Link, useLocation } from '../router.tsx';
import { DeviceCard } from './devices.tsx';
import { TokenList } from './tokens.tsx';

/**
 * Admin: one user's devices and tokens, revoked one at a time or all at
 * once. The API has no "get user by id", so the name comes from the link
 * that led here (`?name=`) and the id stands in for it otherwise.
 */
export function AdminUser(props: { id: string }) {
  const { client } = useSignedIn();
  const { query } = useLocation();
  const who = query.get('name') ?? `user #${props.id}`;
  const sessions = useLoad((signal) => client.admin.users.sessions(props.id, { signal }), [props.id]);
  const tokens = useLoad((signal) => client.admin.users.tokens(props.id, { signal }), [props.id]);
  const action = useAction();

  const revokeSession = (session: Session) =>
    action.run(async () => {
      await client.admin.sessions.revoke(session.id);
      sessions.reload();
      return `${deviceLabel(session)} of ${who} was signed out.`;
    });
  const revokeAllSessions = () =>
    action.run(async () => {
      const { revoked } = await client.admin.users.revokeSessions(props.id);
      sessions.reload();
      return `Signed ${who} out of ${count(revoked, 'device')}.`;
    });
  const revokeToken = (token: PersonalAccessToken) =>
    action.run(async () => {
      await client.admin.tokens.revoke(token.id);
      tokens.reload();
      return `The token “${token.name}” of ${who} was revoked.`;
    });
  // No bulk route for tokens: one DELETE each, every one answered before success is shown.
  const revokeAllTokens = (all: PersonalAccessToken[]) =>
    action.run(async () => {
      for (const token of all) await client.admin.tokens.revoke(token.id);
      tokens.reload();
      return `Revoked ${count(all.length, 'token')} of ${who}.`;
    });

  return (
    <section aria-labelledby="title">
      <p class="crumbs">
        <Link to="/admin/users">Users</Link> ›
      </p>
      <h1 id="title" tabIndex={-1}>
        {who}
      </h1>
      <p class="lead">
        <Link to={`/admin/audit?user=${encodeURIComponent(props.id)}`}>See this user’s audit events</Link>
      </p>
      <NoticeLine notice={action.notice} />

      <div class="heading-row">
        <h2>Devices</h2>
        {sessions.data && sessions.data.length > 0 && (
          <button type="button" class="danger" disabled={action.busy} onClick={revokeAllSessions}>
            Sign out all devices
          </button>
        )}
      </div>
      {sessions.error && <LoadError message={sessions.error} retry={sessions.reload} />}
      {!sessions.data && sessions.loading && <Loading />}
      {sessions.data?.length === 0 && <Empty>No device is signed in.</Empty>}
      {sessions.data && sessions.data.length > 0 && (
        <ul class="cards" aria-label="Devices">
          {sessions.data.map((session) => (
            <DeviceCard key={session.id} device={{ ...session, current: false }} busy={action.busy} onRevoke={() => revokeSession(session)} />
          ))}
        </ul>
      )}

      <div class="heading-row">
        <h2>Tokens</h2>
        {tokens.data && tokens.data.length > 0 && (
          <button type="button" class="danger" disabled={action.busy} onClick={() => revokeAllTokens(tokens.data!)}>
            Revoke all tokens
          </button>
        )}
      </div>
      {tokens.error && <LoadError message={tokens.error} retry={tokens.reload} />}
      {!tokens.data && tokens.loading && <Loading />}
      {tokens.data?.length === 0 && <Empty>No personal access tokens.</Empty>}
      {tokens.data && tokens.data.length > 0 && (
        <TokenList tokens={tokens.data} busy={action.busy} onRevoke={revokeToken} />
      )}
    </section>
  );
}
