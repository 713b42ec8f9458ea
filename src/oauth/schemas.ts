import { z } from 'zod';
import { isWellFormedText, requiredString } from '../http/validate.ts';

/** POST /admin/clients. */
export const createClientBody = z.object({
  name: requiredString()
    .min(1, { message: 'must be 1 to 100 characters' })
    .max(100, { message: 'must be 1 to 100 characters' })
    .refine(isWellFormedText, { message: 'must be valid Unicode text' })
    .refine((value) => !/[\u0000-\u001F\u007F]/.test(value), { message: 'must not contain control characters' }),
});
