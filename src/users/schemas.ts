import { z } from 'zod';
import { requiredString } from '../http/validate.ts';
import { emailField, usernameField } from './identity.ts';

/** Bounds the work an attacker can make argon2 do; the policy checks the real limits. */
const ANY_PASSWORD = requiredString().max(1024, { message: 'is too long' });

export const registerBody = z.object({
  username: usernameField,
  password: ANY_PASSWORD,
  email: emailField,
});

export const changePasswordBody = z.object({
  current_password: ANY_PASSWORD,
  new_password: ANY_PASSWORD,
});

export { ANY_PASSWORD };
