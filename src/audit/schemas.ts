import { z } from 'zod';
import { paginationQuery } from '../http/pagination.ts';
import { AUDIT_EVENT_TYPES } from './events.ts';

/** GET /me/audit?type&offset&limit (API.md, Accounts and sessions). */
export const myAuditQuery = paginationQuery.extend({
  type: z.enum(AUDIT_EVENT_TYPES, { error: 'is not a known event type' }).optional(),
});
