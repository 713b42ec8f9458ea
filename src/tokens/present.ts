import type { AuthToken, AuthUser } from '../auth/state.ts';
import { presentUser } from '../users/present.ts';
import type { TokenRow } from './repository.ts';

/** The contract's *Token*, without its secret. */
export function presentToken(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    abilities: JSON.parse(row.abilities) as string[],
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
  };
}

/** GET /me with a personal access token: the *User*, no session, and the token in use. */
export function presentMeWithToken(user: AuthUser, token: AuthToken) {
  return Object.assign(presentUser(user), {
    session: null,
    token: { id: token.id, name: token.name, abilities: [...token.abilities], expires_at: token.expiresAt },
  });
}
