import type { Context } from 'koa';
import type { Origin } from '../audit/events.ts';
import { clientInfo } from './client-info.ts';

/** Where a request's changes come from, for the audit trail: client and signed-in actor. */
export function originOf(ctx: Context): Origin {
  const user = ctx.state.user as { id: string } | undefined;
  return { ...clientInfo(ctx), actorId: user ? Number(user.id) : null };
}
