import { segment, type Caller, type CallOptions } from './caller.ts';
import type {
  AdminAuditQuery,
  AdminUsersQuery,
  AuditEvent,
  CreatedServiceClient,
  Page,
  PersonalAccessToken,
  ServiceClient,
  Session,
  UpdateUserInput,
  User,
} from './types.ts';

/** `/admin/*`: 403 `forbidden` unless the caller is an admin. */
export function adminApi(caller: Caller) {
  const get = <T>(path: string, options?: CallOptions, query?: object) =>
    caller.call<T>({ method: 'GET', path, query: { ...query } }, 'required', options);
  const remove = <T>(path: string, options?: CallOptions) =>
    caller.call<T>({ method: 'DELETE', path }, 'required', options);

  return {
    users: {
      list: (query: AdminUsersQuery = {}, options?: CallOptions) => get<Page<User>>('/admin/users', options, query),
      /** Disabling revokes every session (and PAT) of the user. */
      update: (id: string, input: UpdateUserInput, options?: CallOptions) =>
        caller.call<User>({ method: 'PATCH', path: `/admin/users/${segment(id)}`, body: input }, 'required', options),
      sessions: async (id: string, options?: CallOptions) =>
        (await get<{ sessions: Session[] }>(`/admin/users/${segment(id)}/sessions`, options)).sessions,
      revokeSessions: (id: string, options?: CallOptions) =>
        remove<{ revoked: number }>(`/admin/users/${segment(id)}/sessions`, options),
      tokens: async (id: string, options?: CallOptions) =>
        (await get<{ tokens: PersonalAccessToken[] }>(`/admin/users/${segment(id)}/tokens`, options)).tokens,
    },
    sessions: {
      revoke: (id: string, options?: CallOptions) => remove<void>(`/admin/sessions/${segment(id)}`, options),
    },
    tokens: {
      revoke: (id: string, options?: CallOptions) => remove<void>(`/admin/tokens/${segment(id)}`, options),
    },
    audit: {
      list: (query: AdminAuditQuery = {}, options?: CallOptions) =>
        get<Page<AuditEvent>>('/admin/audit', options, query),
    },
    /** Service clients: credentials for resource servers calling `/oauth/introspect`. */
    clients: {
      /** The secret (`client_secret`) is in this answer only. */
      create: (input: { name: string }, options?: CallOptions) =>
        caller.call<CreatedServiceClient>({ method: 'POST', path: '/admin/clients', body: input }, 'required', options),
      list: async (options?: CallOptions) => (await get<{ clients: ServiceClient[] }>('/admin/clients', options)).clients,
      delete: (id: string, options?: CallOptions) => remove<void>(`/admin/clients/${segment(id)}`, options),
    },
  };
}
