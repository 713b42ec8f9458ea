import type { Session } from '../../../src/client/index.ts';
import { useAction, useLoad, useSignedIn } from '../context.ts';
import { count, describeUserAgent, deviceLabel } from '../format.ts';
import { Empty, LoadError, Loading, NoticeLine } from '../parts/notice.tsx';
import { RelativeTime } from '../parts/time.tsx';

/** My devices: every live session, this one marked; revoke one, or every other one. */
export function Devices() {
  const { client } = useSignedIn();
  const devices = useLoad((signal) => client.sessions.list({ signal }), []);
  const action = useAction();
  const others = devices.data?.filter((device) => !device.current) ?? [];

  const revoke = (device: Session) =>
    action.run(async () => {
      await client.sessions.revoke(device.id);
      devices.reload();
      return `${deviceLabel(device)} was signed out.`;
    });

  const revokeOthers = () =>
    action.run(async () => {
      const { revoked } = await client.logoutAll({ keep_current: true });
      devices.reload();
      return `Signed out ${count(revoked, 'other device')}.`;
    });

  return (
    <section aria-labelledby="title">
      <div class="heading-row">
        <h1 id="title" tabIndex={-1}>
          My devices
        </h1>
        {others.length > 0 && (
          <button type="button" class="danger" disabled={action.busy} onClick={revokeOthers}>
            Log out everywhere else
          </button>
        )}
      </div>
      <p class="lead">Every browser, app and script signed in to your account. Revoking one signs it out at once.</p>
      <NoticeLine notice={action.notice} />
      {devices.error && <LoadError message={devices.error} retry={devices.reload} />}
      {!devices.data && devices.loading && <Loading />}
      {devices.data && (
        <ul class="cards" aria-label="Devices">
          {devices.data.map((device) => (
            <DeviceCard key={device.id} device={device} busy={action.busy} onRevoke={() => revoke(device)} />
          ))}
        </ul>
      )}
      {devices.data && others.length === 0 && <Empty>No other device is signed in.</Empty>}
    </section>
  );
}

/** Whether the device's name already says its browser ("Chrome on Mac OS" and "Chrome on macOS"). */
function sameProgram(name: string, agent: string | null): boolean {
  const program = agent?.split(' on ')[0]?.toLowerCase();
  return !program || name.toLowerCase().includes(program);
}

/** One device; also used by the admin's view of a user (`current` is then never set). */
export function DeviceCard(props: { device: Session; busy: boolean; onRevoke: () => void }) {
  const { device } = props;
  const name = deviceLabel(device);
  const agent = describeUserAgent(device.user_agent);
  return (
    <li class={device.current ? 'card current' : 'card'} aria-label={name}>
      <div class="card-main">
        <h2 class="card-title">
          {name} {device.current && <span class="badge">This device</span>}
        </h2>
        <p class="muted" title={device.user_agent ?? undefined}>
          {[sameProgram(name, agent) ? null : agent, device.ip].filter(Boolean).join(' · ') || 'No browser details'}
        </p>
        <p class="facts">
          <span>
            Signed in <RelativeTime at={device.created_at} />
          </span>
          <span>
            Last active <RelativeTime at={device.last_used_at ?? device.created_at} />
          </span>
          <span>
            Expires <RelativeTime at={device.expires_at} />
          </span>
        </p>
      </div>
      {!device.current && (
        <button type="button" disabled={props.busy} aria-label={`Revoke ${name}`} onClick={props.onRevoke}>
          Revoke
        </button>
      )}
    </li>
  );
}
