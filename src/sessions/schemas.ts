import { z } from 'zod';
import { booleanField, requiredString } from '../http/validate.ts';
import { ANY_PASSWORD } from '../users/schemas.ts';

// Printable text only: no control characters in names people will read.
const deviceName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(100, { message: 'must be at most 100 characters' })
  .regex(/^[^\p{Cc}]*$/u, { message: 'must not contain control characters' })
  .nullable()
  .optional();

export const loginBody = z
  .object({
    username: z.string({ error: 'must be a string' }).max(254).optional(),
    email: z.string({ error: 'must be a string' }).max(254).optional(),
    password: ANY_PASSWORD,
    device_name: deviceName,
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    path: ['username'],
    message: 'username or email is required',
  });

export const refreshBody = z.object({
  refresh_token: requiredString().max(1024, { message: 'is too long' }),
});

export const logoutAllBody = z.object({
  keep_current: booleanField().optional(),
});
