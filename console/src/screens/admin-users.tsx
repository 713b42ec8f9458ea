import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../src/client/index.ts';
import { useAction, useLoad, useSignedIn } from '../context.ts';
import { Empty, LoadError, Loading, NoticeLine } from '../parts/notice.tsx';
import { Pager } from '../parts/pager.tsx';
import { RelativeTime } from '../parts/time.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { PAGE_SIZE, pageOf, withQuery } from './activity.tsx';

/** Admin: find users; disable or enable them, grant or remove admin. */
export function AdminUsers() {
  const { client, me } = useSignedIn();
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const offset = pageOf(query);
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);
  const users = useLoad(
    (signal) => client.admin.users.list({ offset, limit: PAGE_SIZE, ...(q ? { q } : {}) }, { signal }),
    [q, offset],
  );
  const action = useAction();

  const update = (user: User, change: { disabled?: boolean; is_admin?: boolean }, done: string) =>
    action.run(async () => {
      await client.admin.users.update(user.id, change);
      users.reload();
      return done;
    });

  return (
    <section aria-labelledby="title">
      <h1 id="title" tabIndex={-1}>
        Users
      </h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(withQuery('/admin/users', { q: search.trim() }));
        }}
      >
        <label for="user-search">Search users</label>
        <input
          id="user-search"
          type="search"
          placeholder="Username or email"
          value={search}
          onInput={(event) => setSearch(event.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <NoticeLine notice={action.notice} />
      {users.error && <LoadError message={users.error} retry={users.reload} />}
      {!users.data && users.loading && <Loading />}
      {users.data?.items.length === 0 && <Empty>{q ? `No user matches “${q}”.` : 'No users yet.'}</Empty>}
      {users.data && users.data.items.length > 0 && (
        <>
          <table class="stack">
            <caption class="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <tr key={user.id}>
                  <td data-label="User">
                    <Link to={`/admin/users/${user.id}?name=${encodeURIComponent(user.username)}`}>{user.username}</Link>
                    {user.email && <div class="muted">{user.email}</div>}
                  </td>
                  <td data-label="Status">
                    {user.disabled ? <span class="badge warn">Disabled</span> : <span class="badge ok">Active</span>}{' '}
                    {user.is_admin && <span class="badge">Admin</span>}
                  </td>
                  <td data-label="Joined">
                    <RelativeTime at={user.created_at} />
                  </td>
                  <td data-label="Actions" class="actions">
                    {user.id === me.id ? (
                      <span class="muted">You</span>
                    ) : (
                      <>
                        <button
                          type="button"
                          class={user.disabled ? undefined : 'danger'}
                          disabled={action.busy}
                          aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
                          onClick={() =>
                            update(
                              user,
                              { disabled: !user.disabled },
                              user.disabled
                                ? `${user.username} is enabled and can sign in again.`
                                : `${user.username} is disabled; their sessions and tokens were revoked.`,
                            )
                          }
                        >
                          {user.disabled ? 'Enable' : 'Disable'}
                        </button>
                        <button
                          type="button"
                          disabled={action.busy}
                          aria-label={`${user.is_admin ? 'Remove admin from' : 'Make admin:'} ${user.username}`}
                          onClick={() =>
                            update(
                              user,
                              { is_admin: !user.is_admin },
                              user.is_admin ? `${user.username} is no longer an admin.` : `${user.username} is now an admin.`,
                            )
                          }
                        >
                          {user.is_admin ? 'Remove admin' : 'Make admin'}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            offset={users.data.offset}
            limit={users.data.limit}
            total={users.data.total}
            shown={users.data.items.length}
            onPage={(next) => navigate(withQuery('/admin/users', { q, offset: next }))}
          />
        </>
      )}
    </section>
  );
}
