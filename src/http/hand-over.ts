import type { IncomingMessage } from 'node:http';
import type { Admission, Limiter } from '../rate-limit/limiter.ts';

/**
 * What the express lane (express-lane.ts) learnt about a request it started
 * on and then left to Koa. Each step of Koa's pipeline picks up its part
 * where it would have found it itself, so nothing is read, counted or looked
 * up twice, and Koa answers what the lane met:
 * - `body`: the parameters of the body the lane read, since the stream is
 *   spent (oauth/token-request-body.ts);
 * - `counted`: the count one limiter made; that limiter uses it, the others
 *   count as usual (rate-limit/limiter.ts);
 * - `refusal`: why the bearer token was refused, or its lookup failed; the
 *   auth middleware throws it (auth/middleware.ts);
 * - `introspectionFailure`: why introspecting failed; the route throws it (a
 *   503 while the database is down) instead of asking the database a second
 *   time, which could answer differently (oauth/routes.ts).
 */
export interface HandOver {
  readonly body?: object | undefined;
  readonly counted?: { readonly limiter: Limiter; readonly admission: Admission } | undefined;
  readonly refusal?: unknown;
  readonly introspectionFailure?: unknown;
}

const handedOver = new WeakMap<IncomingMessage, HandOver>();

/** Notes what the lane learnt about `request`, before Koa takes it. */
export function noteHandOver(request: IncomingMessage, learnt: HandOver): void {
  handedOver.set(request, learnt);
}

/** What the lane learnt about `request`, if it started on it. */
export function handOverOf(request: IncomingMessage): HandOver | undefined {
  return handedOver.get(request);
}
