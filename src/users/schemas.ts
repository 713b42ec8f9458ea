import { z } from 'zod';
import { isWellFormedText, requiredString } from '../http/validate.ts';
import { emailField, usernameField } from './identity.ts';

/**
 * Bounds the work an attacker can make argon2 do; the policy checks the real
 * limits. Any character is allowed, but a lone surrogate would be hashed as
 * U+FFFD, so "\ud800…" and "\udfff…" would be one password: refused instead.
 */
const ANY_PASSWORD = requiredString()
  .max(1024, { message: 'is too long' })
  .refine(isWellFormedText, { message: 'must be valid Unicode text (no lone surrogates)' });

export const registerBody = z.object({
  username: usernameField,
  password: ANY_PASSWORD,
  email: emailField,
});

export const changePasswordBody = z.object({
  current_password: ANY_PASSWORD,
  new_password: ANY_PASSWORD,
  /** Also revoke every personal access token of the account. */
  revoke_tokens: z.boolean({ error: 'must be a boolean' }).optional(),
});

export { ANY_PASSWORD };
