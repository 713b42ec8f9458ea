import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';

/** An id that a proxy put on the request is kept if it is short and plain. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id, on `ctx.state.requestId` and the `X-Request-Id` header. */
export function requestId(): Middleware<TesseraState> {
  return (ctx, next) => {
    const incoming = ctx.req.headers['x-request-id'];
    const id = typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    return next();
  };
}
