import type { AuthSession, AuthToken, AuthUser } from './state.ts';

/**
 * A response body built from the session cache's objects, serialised once per
 * (user, credential) pair. The cache hands out the same frozen user and
 * session (or token) objects until something in them changes, and then new
 * ones (a `last_used_at` write, a reload after a miss), so object identity is
 * a safe key and the WeakMap forgets a pair with its objects. A cache hit
 * then answers without building or serialising anything.
 *
 * Each kind of body needs its own (GET /me's, introspection's). `present`
 * must give the same body for the same pair every time; `detail` is for what
 * the pair determines but does not carry (an access token's expiry).
 */
export function serialisedOnce<Credential extends AuthSession | AuthToken, Detail = void>(
  present: (user: AuthUser, credential: Credential, detail: Detail) => object,
): (user: AuthUser, credential: Credential, detail: Detail) => string {
  const serialised = new WeakMap<Credential, { readonly user: AuthUser; readonly json: string }>();
  return (user, credential, detail) => {
    const known = serialised.get(credential);
    if (known?.user === user) return known.json;
    const json = JSON.stringify(present(user, credential, detail));
    serialised.set(credential, { user, json });
    return json;
  };
}
