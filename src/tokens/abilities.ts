import type { AuthToken, AuthUser } from '../auth/state.ts';

/** An ability: `resource:action` and the like (API.md, "Personal access tokens and abilities"). */
export const ABILITY_PATTERN = /^[a-z0-9_.-]+(:[a-z0-9_.-]+)*$/;

/** Every ability but `admin`. */
export const ANY_ABILITY = '*';

/** The one ability `*` does not cover, and that works only while its owner is an admin. */
export const ADMIN_ABILITY = 'admin';

/**
 * Whether a personal access token may do what `ability` guards. `admin` must
 * be named explicitly and is checked against the owner's role as of this
 * request (the cached user is dropped whenever the role changes), so a
 * token outlives nobody's demotion. Session tokens hold every ability and
 * never come here.
 */
export function tokenHolds(token: AuthToken, user: AuthUser, ability: string): boolean {
  if (ability === ADMIN_ABILITY) return user.isAdmin && token.abilities.includes(ADMIN_ABILITY);
  return token.abilities.includes(ability) || token.abilities.includes(ANY_ABILITY);
}
