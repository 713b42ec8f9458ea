/** Baseline: a bare Koa route returning the /me JSON, no auth at all. */
import Koa from 'koa';
import Router from '@koa/router';
import { meBody, serveBench } from './shared.ts';

const router = new Router().get('/api/v1/me', (ctx) => {
  ctx.body = meBody('1', '00000000-0000-4000-8000-000000000000');
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
