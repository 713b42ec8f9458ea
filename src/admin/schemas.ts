import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../audit/events.ts';
import { paginationQuery, queryId } from '../http/pagination.ts';
import { booleanField, plainText } from '../http/validate.ts';

export const updateUserBody = z
  .object({
    disabled: booleanField().optional(),
    is_admin: booleanField().optional(),
  })
  .refine((body) => body.disabled !== undefined || body.is_admin !== undefined, {
    path: ['disabled'],
    message: 'give disabled, is_admin, or both',
  });

export const listUsersQuery = paginationQuery.extend({
  q: plainText(z.string({ error: 'must be given once' }).max(254)).optional(),
});

export const auditQuery = paginationQuery.extend({
  user_id: queryId().optional(),
  type: z.enum(AUDIT_EVENT_TYPES, { error: 'is not a known event type' }).optional(),
});
