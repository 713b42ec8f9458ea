import { z } from 'zod';
import { isWellFormedText, requiredString } from '../http/validate.ts';

/**
 * POST /oauth/introspect and /oauth/revoke (RFC 7662 §2.1, RFC 7009 §2.1),
 * form-encoded or JSON. Only `token` is checked (a missing one is
 * `invalid_request`): an unknown or wrong hint changes nothing.
 */
export const tokenRequestBody = z.object({
  token: z.string().min(1),
  token_type_hint: z.string().optional().meta({
    description: '`access_token`, `refresh_token` or `personal_access_token`; only speeds up the search.',
  }),
});

/** The request's `token` parameter if it is a usable one (a non-empty string), else undefined. */
export function tokenParameterIn(body: unknown): string | undefined {
  const token = tokenRequestBody.shape.token.safeParse((body as { token?: unknown } | undefined)?.token);
  return token.success ? token.data : undefined;
}

/** POST /admin/clients. */
export const createClientBody = z.object({
  name: requiredString()
    .min(1, { message: 'must be 1 to 100 characters' })
    .max(100, { message: 'must be 1 to 100 characters' })
    .refine(isWellFormedText, { message: 'must be valid Unicode text' })
    .refine((value) => !/[\u0000-\u001F\u007F]/.test(value), { message: 'must not contain control characters' }),
});
