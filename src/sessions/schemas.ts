import { z } from 'zod';
import { booleanField, isWellFormedText, plainText, requiredString } from '../http/validate.ts';
import { ANY_PASSWORD } from '../users/schemas.ts';

// Printable text only: no control characters (C1 included) in names people will read.
const deviceName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(100, { message: 'must be at most 100 characters' })
  .regex(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' })
  .refine(isWellFormedText, { message: 'must be valid Unicode text (no lone surrogates)' })
  .nullable()
  .optional();

export const loginBody = z
  .object({
    // Only looked up, never stored, but PostgreSQL refuses a NUL even in a WHERE.
    username: plainText(z.string({ error: 'must be a string' }).max(254)).optional(),
    email: plainText(z.string({ error: 'must be a string' }).max(254)).optional(),
    password: ANY_PASSWORD,
    device_name: deviceName,
    /** Browser sessions: the tokens go in HttpOnly cookies, not in the body. */
    use_cookies: booleanField().optional(),
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    path: ['username'],
    message: 'username or email is required',
  });

export const refreshBody = z.object({
  // Absent: the refresh cookie of a browser session (routes.ts).
  refresh_token: requiredString().max(1024, { message: 'is too long' }).optional(),
});

export const logoutAllBody = z.object({
  keep_current: booleanField().optional(),
});
