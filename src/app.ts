import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { TesseraState } from './auth/state.ts';
import { createTessera, type Tessera, type TesseraDependencies } from './tessera.ts';

/**
 * The standalone Tessera server: its pipeline and routes on a Koa app of its
 * own, and the request listener to serve it with (the app's, behind the
 * introspection express lane).
 */
export function createApp(deps: TesseraDependencies): {
  app: Koa<TesseraState>;
  tessera: Tessera;
  listener: RequestListener;
} {
  const tessera = createTessera(deps);
  const app = new Koa<TesseraState>({ proxy: deps.config.trustProxy > 0 });
  app.use(tessera.middleware());
  app.use(tessera.routes());
  return { app, tessera, listener: tessera.expressLane(app.callback()) };
}
