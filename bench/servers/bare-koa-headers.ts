/**
 * Baseline: bare Koa sending the response headers Tessera's GET /me sends
 * (request id, the security headers, no-store), no auth at all. The gap
 * between this and bare Koa is what the headers alone cost; Tessera cannot
 * go below it without dropping one.
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { securityHeaderValues } from '../../src/http/security-headers.ts';
import { meBody, serveBench } from './shared.ts';

const headers = Object.entries({ ...securityHeaderValues(), 'Cache-Control': 'no-store', Pragma: 'no-cache' });

const router = new Router().get('/api/v1/me', (ctx) => {
  ctx.res.setHeader('X-Request-Id', randomUUID());
  for (const [name, value] of headers) ctx.res.setHeader(name, value);
  ctx.body = meBody('1', '00000000-0000-4000-8000-000000000000');
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
