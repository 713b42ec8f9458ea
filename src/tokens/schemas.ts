import { z } from 'zod';
import { isWellFormedText, requiredString } from '../http/validate.ts';
import { ABILITY_PATTERN, ANY_ABILITY } from './abilities.ts';

const ability = z
  .string({ error: 'must be a string' })
  .min(1, { message: 'abilities are 1 to 64 characters' })
  .max(64, { message: 'abilities are 1 to 64 characters' })
  .refine((value) => value === ANY_ABILITY || ABILITY_PATTERN.test(value), {
    message: 'each ability must match ^[a-z0-9_.-]+(:[a-z0-9_.-]+)*$ (or be *)',
  });

/** POST /tokens. Duplicate abilities are merged before the 50 are counted. */
export const createTokenBody = z.object({
  name: requiredString()
    .min(1, { message: 'must be 1 to 100 characters' })
    .max(100, { message: 'must be 1 to 100 characters' })
    .refine(isWellFormedText, { message: 'must be valid Unicode text' })
    .refine((value) => !/[\u0000-\u001F\u007F]/.test(value), { message: 'must not contain control characters' }),
  abilities: z
    .array(ability, { error: 'must be an array of abilities' })
    .transform((values) => [...new Set(values)])
    .pipe(z.array(z.string()).min(1, { message: 'give 1 to 50 abilities' }).max(50, { message: 'give 1 to 50 abilities' })),
  expires_in: z
    .number({ error: 'must be a number of seconds' })
    .int({ message: 'must be a whole number of seconds' })
    .min(60, { message: 'must be at least 60 seconds' })
    .optional(),
});

export type CreateTokenInput = z.output<typeof createTokenBody>;
