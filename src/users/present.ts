import type { AuthUser } from '../auth/state.ts';
import type { UserRow } from './repository.ts';

/** The contract's *User*. Never the password hash. */
export interface UserResponse {
  id: string;
  username: string;
  email: string | null;
  is_admin: boolean;
  disabled: boolean;
  created_at: string;
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    id: String(row.id),
    username: row.username,
    email: row.email,
    isAdmin: Boolean(row.is_admin),
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
  };
}

export function presentUser(user: AuthUser): UserResponse {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    is_admin: user.isAdmin,
    disabled: user.disabled,
    created_at: user.createdAt,
  };
}
