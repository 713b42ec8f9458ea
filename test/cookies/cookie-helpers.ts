import type { Response } from 'supertest';
import { buildTestApp, PASSWORD, register, type TestApp } from '../helpers/app.ts';
import type { ExecutionContext } from 'ava';

/** The origin the test apps are told they are served from (PUBLIC_URL). */
export const OWN_ORIGIN = 'https://auth.example.com';
export const ACCESS = '__Host-tsr_at';
export const REFRESH = '__Secure-tsr_rt';

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names as sent, in order, with their values ('' for flags). */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly raw: string;
}

/** Every Set-Cookie of a response, parsed exactly (no normalisation beyond splitting). */
export function setCookies(response: Response): SetCookie[] {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return (header ?? []).map((raw) => {
    const [pair, ...rest] = raw.split('; ');
    const at = pair!.indexOf('=');
    return {
      name: pair!.slice(0, at),
      value: pair!.slice(at + 1),
      attributes: rest.map((part) => {
        const eq = part.indexOf('=');
        return eq === -1 ? ([part, ''] as const) : ([part.slice(0, eq), part.slice(eq + 1)] as const);
      }),
      raw,
    };
  });
}

export function cookieNamed(response: Response, name: string): SetCookie | undefined {
  return setCookies(response).find((cookie) => cookie.name === name);
}

/** A fresh app served (PUBLIC_URL) from OWN_ORIGIN; `env` adds or overrides. */
export function buildCookieApp(t: ExecutionContext, env: Record<string, string> = {}): Promise<TestApp> {
  return buildTestApp(t, { env: { PUBLIC_URL: OWN_ORIGIN, ...env } });
}

export interface CookieSession {
  readonly sessionId: string;
  readonly access: string;
  readonly refresh: string;
  /** The Cookie header a browser would send to /refresh (both) or elsewhere (access only). */
  readonly accessCookie: string;
  readonly bothCookies: string;
}

export function sessionFrom(response: Response, names = { access: ACCESS, refresh: REFRESH }): CookieSession {
  const access = cookieNamed(response, names.access)!.value;
  const refresh = cookieNamed(response, names.refresh)!.value;
  return {
    sessionId: (response.body as { session_id: string }).session_id,
    access,
    refresh,
    accessCookie: `${names.access}=${access}`,
    bothCookies: `${names.access}=${access}; ${names.refresh}=${refresh}`,
  };
}

/** Logs `username` in with `use_cookies` from OWN_ORIGIN (registering first when asked). */
export async function cookieLogin(
  app: TestApp,
  username: string,
  options: { register?: boolean } = {},
): Promise<CookieSession> {
  if (options.register) await register(app.request, username);
  const response = await app.request
    .post('/api/v1/login')
    .set('Origin', OWN_ORIGIN)
    .send({ username, password: PASSWORD, use_cookies: true })
    .expect(200);
  return sessionFrom(response);
}

/** Asserts the response tells the browser to drop both cookies (Max-Age=0). */
export function clearsBoth(response: Response, names = { access: ACCESS, refresh: REFRESH }): boolean {
  const access = cookieNamed(response, names.access);
  const refresh = cookieNamed(response, names.refresh);
  const zero = (cookie: SetCookie | undefined) =>
    cookie !== undefined && cookie.value === '' && cookie.attributes.some(([k, v]) => k === 'Max-Age' && v === '0');
  return zero(access) && zero(refresh);
}
