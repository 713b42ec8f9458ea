import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Context, Middleware } from 'koa';

/** Who is calling, as far as the request tells: recorded on sessions and audit events. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

const MAX_USER_AGENT_LENGTH = 512;

/** The longest textual IP address (IPv4-mapped IPv6); anything longer is not an address. */
export const MAX_IP_LENGTH = 45;

/**
 * Per request: the trusted hop count `clientAddress()` was configured with,
 * replaced by the address once something asks for it. Most requests (every
 * authenticated GET with rate limits off) never do, so the hot path does
 * not parse addresses it would throw away.
 */
const CLIENT_ADDRESS = Symbol('tessera.clientAddress');
type WithClientAddress = Context & { [CLIENT_ADDRESS]?: number | string };

/**
 * Decides how the client's IP address is found for the rest of the request: the rate
 * limiters' keys, sessions and audit events all read it from here (never
 * from Koa's `ctx.ip`, which takes the left-most `X-Forwarded-For` entry,
 * the one a client writes itself).
 *
 * With `trustedHops` = 0 it is the TCP peer. With N ≥ 1 trusted proxies in
 * front, each of which appends the address it received the request from,
 * the N-th entry from the right of `X-Forwarded-For` is the address the
 * outermost trusted proxy saw: everything left of it was written by the
 * client, so prepending entries cannot choose the address. The entry must
 * be a valid IP address (`net.isIP`); anything else, or too few entries,
 * falls back to the TCP peer, so stored IPs and limiter keys are at most
 * 45 characters.
 */
export function clientAddress(trustedHops: number): Middleware {
  return (ctx, next) => {
    (ctx as WithClientAddress)[CLIENT_ADDRESS] = trustedHops;
    // Node reads the peer address once per connection and remembers it; read it now, so it is
    // still known if the client hangs up before anything asks (a socket closed unread forgets it).
    void ctx.req.socket.remoteAddress;
    return next();
  };
}

/** The client IP of a request, as `clientAddress(trustedHops)` decides it (also without Koa: express-lane.ts). */
export function clientIpOf(request: IncomingMessage, trustedHops: number): string {
  const peer = peerAddress(request);
  if (trustedHops === 0) return peer;
  // Repeated headers arrive joined with ", " by Node: they count as one list.
  const forwarded = request.headers['x-forwarded-for'];
  const entries = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
  if (entries.length < trustedHops) return peer;
  const candidate = entries[entries.length - trustedHops]!.trim();
  return candidate.length <= MAX_IP_LENGTH && isIP(candidate) !== 0 ? candidate : peer;
}

function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.length <= MAX_IP_LENGTH && isIP(address) !== 0 ? address : 'unknown';
}

/** The request's client IP: as `clientAddress()` decides it, or the TCP peer when it did not run. */
export function clientIp(ctx: Context): string {
  const known = (ctx as WithClientAddress)[CLIENT_ADDRESS];
  if (typeof known === 'string') return known;
  const address = clientIpOf(ctx.req, known ?? 0);
  (ctx as WithClientAddress)[CLIENT_ADDRESS] = address;
  return address;
}

export function clientInfo(ctx: Context): ClientInfo {
  const userAgent = ctx.get('User-Agent');
  const ip = clientIp(ctx);
  return {
    ip: ip === 'unknown' ? null : ip,
    // Node's parser already refuses control characters in headers; an app embedding Tessera with
    // insecureHTTPParser would not, and a NUL must never reach a text column (PostgreSQL refuses it).
    userAgent: userAgent ? userAgent.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_USER_AGENT_LENGTH) || null : null,
  };
}
