import { useEffect, useState } from 'preact/hooks';
import { TesseraError, type TesseraClient } from '../../../src/client/index.ts';
import { useLoad, useSignedIn } from '../context.ts';
import { AuditTable } from '../parts/audit-table.tsx';
import { Empty, LoadError, Loading } from '../parts/notice.tsx';
import { Pager } from '../parts/pager.tsx';
import { navigate, useLocation } from '../router.tsx';
import { PAGE_SIZE, pageOf, TypeFilter, withQuery } from './activity.tsx';

/**
 * The API filters by user id; people know usernames. An id is taken as is,
 * a name is looked up with the users search and must match exactly.
 */
async function userIdOf(client: TesseraClient, user: string, signal: AbortSignal): Promise<string> {
  if (/^\d+$/.test(user)) return user;
  const found = await client.admin.users.list({ q: user, limit: 100 }, { signal });
  const match = found.items.find((candidate) => candidate.username.toLowerCase() === user.toLowerCase());
  if (!match) throw new TesseraError({ status: 404, code: 'not_found', message: `No user is named “${user}”.` });
  return match.id;
}

/** Admin: the whole audit log, filtered by user and type, by page. */
export function AdminAudit() {
  const { client } = useSignedIn();
  const { query } = useLocation();
  const user = query.get('user') ?? '';
  const type = query.get('type') ?? '';
  const offset = pageOf(query);
  const [userInput, setUserInput] = useState(user);
  useEffect(() => setUserInput(user), [user]);
  const page = useLoad(
    async (signal) => {
      const user_id = user ? await userIdOf(client, user, signal) : undefined;
      return client.admin.audit.list(
        { offset, limit: PAGE_SIZE, ...(type ? { type } : {}), ...(user_id ? { user_id } : {}) },
        { signal },
      );
    },
    [user, type, offset],
  );
  const go = (next: { user?: string; type?: string; offset?: number }) =>
    navigate(withQuery('/admin/audit', { user: next.user ?? user, type: next.type ?? type, offset: next.offset }));

  return (
    <section aria-labelledby="title">
      <h1 id="title" tabIndex={-1}>
        Audit log
      </h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ user: userInput.trim(), offset: 0 });
        }}
      >
        <label for="audit-user">User (name or id)</label>
        <input id="audit-user" value={userInput} onInput={(event) => setUserInput(event.currentTarget.value)} />
        <button type="submit">Filter</button>
        <TypeFilter id="audit-type" value={type} onChange={(next) => go({ type: next, offset: 0 })} />
      </form>
      {page.error && <LoadError message={page.error} retry={page.reload} />}
      {!page.data && page.loading && <Loading />}
      {page.data?.items.length === 0 && <Empty>No events match these filters.</Empty>}
      {page.data && page.data.items.length > 0 && (
        <>
          <AuditTable items={page.data.items} showPeople caption="Audit log" />
          <Pager
            offset={page.data.offset}
            limit={page.data.limit}
            total={page.data.total}
            shown={page.data.items.length}
            onPage={(next) => go({ offset: next })}
          />
        </>
      )}
    </section>
  );
}
