import { segment, type Caller, type CallOptions } from './caller.ts';
import type {
  AuditEvent,
  AuditQuery,
  CreatedPersonalAccessToken,
  CreateTokenInput,
  Page,
  PersonalAccessToken,
  Session,
} from './types.ts';

/** The caller's devices: `GET /sessions`, `DELETE /sessions/:id`. */
export function sessionsApi(caller: Caller) {
  return {
    /** Live sessions, newest first; `current` marks this device. */
    list: async (options?: CallOptions) =>
      (await caller.call<{ sessions: Session[] }>({ method: 'GET', path: '/sessions' }, 'required', options))
        .sessions,
    /** Logs one device out (404 `not_found` if it is not the caller's). */
    revoke: (id: string, options?: CallOptions) =>
      caller.call<void>({ method: 'DELETE', path: `/sessions/${segment(id)}` }, 'required', options),
  };
}

/** The caller's personal access tokens (`/tokens`); a login session is needed, never a PAT. */
export function tokensApi(caller: Caller) {
  return {
    /** Creates a token; its secret (`token`) is in this answer only. */
    create: (input: CreateTokenInput, options?: CallOptions) =>
      caller.call<CreatedPersonalAccessToken>({ method: 'POST', path: '/tokens', body: input }, 'required', options),
    list: async (options?: CallOptions) =>
      (await caller.call<{ tokens: PersonalAccessToken[] }>({ method: 'GET', path: '/tokens' }, 'required', options))
        .tokens,
    revoke: (id: string, options?: CallOptions) =>
      caller.call<void>({ method: 'DELETE', path: `/tokens/${segment(id)}` }, 'required', options),
  };
}

/** `GET /me/audit`: audit events about the caller, newest first. */
export function myAuditApi(caller: Caller) {
  return {
    list: (query: AuditQuery = {}, options?: CallOptions) =>
      caller.call<Page<AuditEvent>>({ method: 'GET', path: '/me/audit', query: { ...query } }, 'required', options),
  };
}
