/**
 * A Koa app in its own process guarding the /me route with the resource-server
 * client (`tessera/resource-server`), against a running Tessera: the same
 * route and body as bare-koa.ts, so the difference is the client's cost.
 * TESSERA_URL, CLIENT_ID and CLIENT_SECRET come from the bench.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { createVerifier, koaAuth, type ResourceServerState } from '../../src/resource-server/index.ts';
import { meBody, serveBench } from './shared.ts';

const verifier = createVerifier({
  tesseraUrl: process.env.TESSERA_URL!,
  clientId: process.env.CLIENT_ID!,
  clientSecret: process.env.CLIENT_SECRET!,
  // Longer than a bench scenario, so the measured requests are cache hits (never past a token's exp).
  cacheTtlSeconds: 600,
});
const auth = koaAuth(verifier);
const router = new Router<ResourceServerState>().get('/api/v1/me', auth.requireAuth(), (ctx) => {
  ctx.body = meBody(ctx.state.user!.id, ctx.state.session!.id);
});
const app = new Koa<ResourceServerState>();
app.use(router.routes());
serveBench(app);
