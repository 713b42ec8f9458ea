/**
 * Baseline: the hand-rolled JWT setup people compare us with — Koa plus
 * `jose` verifying an HS256 bearer token, then the /me JSON from its claims.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { jwtVerify } from 'jose';
import { JWT_SECRET, meBody, serveBench } from './shared.ts';

const router = new Router().get('/api/v1/me', async (ctx) => {
  const match = /^Bearer (.+)$/i.exec(ctx.get('Authorization'));
  if (!match?.[1]) {
    ctx.status = 401;
    return;
  }
  try {
    const { payload } = await jwtVerify(match[1], JWT_SECRET, { algorithms: ['HS256'] });
    ctx.body = meBody(String(payload.sub), String(payload.sid));
  } catch {
    ctx.status = 401;
  }
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
