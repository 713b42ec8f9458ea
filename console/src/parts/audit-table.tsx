import type { AuditEvent } from '../../../src/client/index.ts';
import { describeUserAgent } from '../format.ts';
import { describeDetail, eventLabel } from '../events.ts';
import { Link } from '../router.tsx';
import { RelativeTime } from './time.tsx';

/**
 * Audit events as a table on wide screens and as stacked cards on phones
 * (styles.css labels each cell from `data-label`). `showPeople` adds the
 * user and actor columns of the admin's log.
 */
export function AuditTable(props: { items: AuditEvent[]; showPeople?: boolean; caption: string }) {
  return (
    <table class="stack">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Event</th>
          {props.showPeople && <th scope="col">User</th>}
          {props.showPeople && <th scope="col">By</th>}
          <th scope="col">From</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((event) => (
          <tr key={event.id}>
            <td data-label="When">
              <RelativeTime at={event.at} />
            </td>
            <td data-label="Event">
              <span title={event.type}>{eventLabel(event.type)}</span>
            </td>
            {props.showPeople && (
              <td data-label="User">{event.user_id ? <Link to={`/admin/users/${event.user_id}`}>#{event.user_id}</Link> : '—'}</td>
            )}
            {props.showPeople && (
              <td data-label="By">{event.actor_id ? <Link to={`/admin/users/${event.actor_id}`}>#{event.actor_id}</Link> : '—'}</td>
            )}
            <td data-label="From">
              <span title={event.user_agent ?? undefined}>{describeUserAgent(event.user_agent) ?? '—'}</span>
              {event.ip && <span class="muted"> · {event.ip}</span>}
            </td>
            <td data-label="Detail" class="detail">
              {describeDetail(event.detail) || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
