/**
 * Baseline: bare Koa again, but each reply waits one event-loop turn
 * (setImmediate) before it is sent. It does no more work than bare Koa; it
 * shows how much this machine rewards replies that leave together: on
 * loopback each reply that wakes the sleeping load generator costs the
 * server far more than one sent while it is already awake. Tessera's
 * batched cache misses send their replies together too, so read their
 * figure against this row as well as against bare Koa.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { meBody, serveBench } from './shared.ts';

const router = new Router().get('/api/v1/me', async (ctx) => {
  await new Promise((resolve) => setImmediate(resolve));
  ctx.body = meBody('1', '00000000-0000-4000-8000-000000000000');
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
