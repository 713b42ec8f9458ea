import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';

/** An id that a proxy put on the request is kept if it is short and plain. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of a request: the one a proxy put on it, or a new one. */
export function requestIdFor(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}

/** Gives every request an id, on `ctx.state.requestId` and the `X-Request-Id` header. */
export function requestId(): Middleware<TesseraState> {
  return (ctx, next) => {
    const id = requestIdFor(ctx.req.headers);
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    return next();
  };
}
