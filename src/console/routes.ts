import type { Context, Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import { readConsoleBuild, type ConsoleFile } from './build-files.ts';

/** Where the console lives (API.md, "Web console"). */
export const CONSOLE_PATH = '/console';

/**
 * The console's own Content-Security-Policy, replacing the API's
 * `default-src 'none'` on its pages: scripts, styles, images and API calls
 * from this origin only, no inline script or style, no plugins, no `<base>`
 * rewriting, no form posting anywhere (the sign-in form is sent by the SDK),
 * and no framing (clickjacking a "Revoke" button).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A year: hashed asset names change whenever their bytes do. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built console (`npm run build:console` → `dist/console/`):
 * hashed assets cached for good, `index.html` revalidated on every load (it
 * names the current assets), and `index.html` for `/console/` and any other
 * path under it that does not name a file, so the console's own routes
 * (`/console/devices`) survive a reload. A path that names a missing file
 * (`/console/assets/old-1234.js`) is a 404, never a page in its place.
 * The build is read on the first request and kept in memory.
 */
export function consoleRoutes(options: { dir: string; logger: Logger }): Middleware<TesseraState> {
  let files: Map<string, ConsoleFile> | undefined;
  let warned = false;

  return async (ctx, next) => {
    if (ctx.path !== CONSOLE_PATH && !ctx.path.startsWith(`${CONSOLE_PATH}/`)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new AppError('method_not_allowed', undefined, { headers: { Allow: 'GET, HEAD' } });
    }
    if (ctx.path === CONSOLE_PATH) {
      // Relative asset and API paths are resolved against /console/, never /.
      ctx.status = 301;
      ctx.redirect(`${CONSOLE_PATH}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      return;
    }
    files ??= readConsoleBuild(options.dir);
    if (!files) {
      if (!warned) options.logger.warn({ dir: options.dir }, 'web console not built: run npm run build:console');
      warned = true;
      throw new AppError('not_found', 'The web console is not built (npm run build:console).');
    }
    const name = ctx.path.slice(CONSOLE_PATH.length + 1);
    const file = files.get(name || 'index.html') ?? (namesAFile(name) ? undefined : files.get('index.html'));
    if (!file) throw new AppError('not_found', 'No such file.');
    send(ctx, file);
  };
}

/** `assets/app.js`, `favicon.svg`: a last segment with an extension is a file, not a console route. */
function namesAFile(name: string): boolean {
  return /\.[A-Za-z0-9]+$/.test(name.slice(name.lastIndexOf('/') + 1));
}

function send(ctx: Context, file: ConsoleFile): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('Cache-Control', file.immutable ? IMMUTABLE : 'no-cache');
  ctx.set('ETag', file.etag);
  if (file.gzipped) ctx.vary('Accept-Encoding');
  ctx.type = file.contentType;
  if (ctx.get('If-None-Match') === file.etag) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  if (file.gzipped && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = file.gzipped;
  } else {
    ctx.body = file.body;
  }
}
