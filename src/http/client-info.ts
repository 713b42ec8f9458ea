import type { Context } from 'koa';

/** Who is calling, as far as the request tells: recorded on sessions. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

const MAX_USER_AGENT_LENGTH = 512;

/**
 * `ctx.ip` honours `X-Forwarded-For` only when the app was created with
 * `proxy = true` (the TRUST_PROXY setting), so a client cannot spoof it.
 */
export function clientInfo(ctx: Context): ClientInfo {
  const userAgent = ctx.get('User-Agent');
  return {
    ip: ctx.ip || null,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}
