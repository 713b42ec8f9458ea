import { useLoad, useSignedIn } from '../context.ts';
import { EVENT_LABELS } from '../events.ts';
import { AuditTable } from '../parts/audit-table.tsx';
import { Empty, LoadError, Loading } from '../parts/notice.tsx';
import { Pager } from '../parts/pager.tsx';
import { navigate, useLocation } from '../router.tsx';

export const PAGE_SIZE = 20;

/** Filters and page live in the URL, so back, reload and links keep them. */
export function pageOf(query: URLSearchParams): number {
  const offset = Number(query.get('offset'));
  return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

export function withQuery(path: string, values: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A select of event types, "All events" first. */
export function TypeFilter(props: { id: string; value: string; onChange: (type: string) => void }) {
  return (
    <>
      <label for={props.id}>Event type</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        <option value="">All events</option>
        {Object.entries(EVENT_LABELS).map(([type, label]) => (
          <option key={type} value={type}>
            {label}
          </option>
        ))}
      </select>
    </>
  );
}

/** My activity: audit events about me, newest first, by page. */
export function Activity() {
  const { client } = useSignedIn();
  const { query } = useLocation();
  const offset = pageOf(query);
  // No type filter here: GET /me/audit does not apply `type` yet (the admin's log does).
  const page = useLoad((signal) => client.audit.list({ offset, limit: PAGE_SIZE }, { signal }), [offset]);

  return (
    <section aria-labelledby="title">
      <h1 id="title" tabIndex={-1}>
        My activity
      </h1>
      <p class="lead">Sign-ins, sign-outs and changes to your account, newest first.</p>
      {page.error && <LoadError message={page.error} retry={page.reload} />}
      {!page.data && page.loading && <Loading />}
      {page.data?.items.length === 0 && <Empty>No events yet.</Empty>}
      {page.data && page.data.items.length > 0 && (
        <>
          <AuditTable items={page.data.items} caption="My activity" />
          <Pager
            offset={page.data.offset}
            limit={page.data.limit}
            total={page.data.total}
            shown={page.data.items.length}
            onPage={(next) => navigate(withQuery('/activity', { offset: next }))}
          />
        </>
      )}
    </section>
  );
}
