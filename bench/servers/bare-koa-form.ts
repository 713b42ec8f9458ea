/**
 * Baseline for introspection: bare Koa reading a small form-encoded POST
 * body (raw-body, URLSearchParams) and answering a fixed introspection-sized
 * JSON, with no client check, no token check and no extra headers. The gap
 * between this and bare Koa's GET is what receiving a body costs by itself.
 */
import Koa from 'koa';
import Router from '@koa/router';
import getRawBody from 'raw-body';
import { serveBench } from './shared.ts';

const answer = {
  active: true,
  token_type: 'Bearer',
  token_kind: 'access_token',
  scope: '*',
  sub: '1',
  username: 'user1',
  is_admin: false,
  exp: 1_900_000_000,
  iat: 1_899_999_100,
  sid: '00000000-0000-4000-8000-000000000000',
};

const router = new Router().post('/api/v1/oauth/introspect', async (ctx) => {
  const text = await getRawBody(ctx.req, { limit: 16 * 1024, length: ctx.req.headers['content-length'], encoding: 'utf-8' });
  const token = new URLSearchParams(text).get('token');
  ctx.body = token ? answer : { active: false };
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
