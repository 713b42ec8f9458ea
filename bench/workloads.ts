import type autocannon from 'autocannon';
import type { Seeded } from './seed.ts';

/**
 * What a load sends: GET /me with a Bearer token (`me` with session access
 * tokens, `pat` with personal access tokens), or an introspection of an
 * access token by the seeded client (`introspect`).
 */
export type Workload = 'me' | 'pat' | 'introspect';

/** The request a workload sends for `token` (autocannon's per-request fields). */
export function workloadRequest(workload: string, token: string, client: Seeded['client']): Partial<autocannon.Request> {
  if (workload === 'me' || workload === 'pat') return { method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${token}` } };
  if (workload === 'introspect') {
    const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
    return {
      method: 'POST',
      path: '/api/v1/oauth/introspect',
      headers: {
        authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `token=${token}`,
    };
  }
  throw new Error(`unknown workload "${workload}" (me, pat, introspect)`);
}
