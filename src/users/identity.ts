import { z } from 'zod';
import { requiredString } from '../http/validate.ts';

/**
 * Usernames are NFKC-normalised before anything else, so look-alike forms
 * (full-width letters, ligatures) collapse to one spelling, and are unique
 * ignoring case through a lower-cased key. Emails compare ignoring case too.
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;

export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function emailKey(email: string): string {
  return email.toLowerCase();
}

export const usernameField = requiredString()
  .transform((value) => value.normalize('NFKC'))
  .pipe(
    z.string().regex(USERNAME_PATTERN, {
      message: 'must be 3 to 32 characters of A-Z a-z 0-9 . _ -',
    }),
  );

/** Optional email: absent or null both mean "no email". */
export const emailField = z
  .email({ message: 'must be an email address' })
  .max(254, { message: 'must be at most 254 characters' })
  .nullable()
  .optional()
  .transform((value) => value ?? null);

/** The key that login throttling counts under: the normalised name, existing or not. */
export function loginAccountKey(name: { username: string } | { email: string }): string {
  return 'username' in name ? `username:${usernameKey(name.username)}` : `email:${emailKey(name.email)}`;
}
