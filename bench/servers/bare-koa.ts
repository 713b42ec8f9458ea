/** Baseline: a bare Koa route returning the /me JSON, no auth at all. */
import Koa from 'koa';
import Router from '@koa/router';
import { meBody, portFromArgs } from './shared.ts';

const router = new Router().get('/api/v1/me', (ctx) => {
  ctx.body = meBody('1', '00000000-0000-4000-8000-000000000000');
});
const app = new Koa();
app.use(router.routes());
app.listen(portFromArgs(), '127.0.0.1', () => process.send?.('ready'));

// Let a profiler run end the server cleanly, so --cpu-prof files get written.
process.on('message', (message) => {
  if (message === 'exit') process.exit(0);
});
