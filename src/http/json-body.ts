import type { IncomingMessage } from 'node:http';
import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { TesseraState } from '../auth/state.ts';

/** The contract's default body limit, in bytes (a number: readers need not parse '16kb' per request). */
export const BODY_LIMIT = 16 * 1024;

/** True when the request says it carries a body (chunked, or a Content-Length other than 0). */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses JSON bodies into `ctx.request.body` (`{}` when there is none) and
 * maps every way a body can be wrong to the contract's codes:
 * a body with another content type, or none, is 415; more than 16 KiB is
 * 413; JSON that does not parse (or is not an object or array) is 400.
 */
export function jsonBody(options: {
  /**
   * Paths whose router parses its own bodies: the OAuth endpoints, which
   * also take form encoding (oauth/routes.ts). Everywhere else stays JSON only.
   */
  readonly ownParserPaths?: ReadonlySet<string>;
} = {}): Middleware<TesseraState> {
  const ownParserPaths = options.ownParserPaths ?? new Set<string>();
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: `${BODY_LIMIT}b`,
    strict: true,
    onerror: (error: Error & { status?: number; type?: string }) => {
      if (error.status === 413) throw new AppError('payload_too_large');
      if (error.status === 415) throw new AppError('unsupported_media_type');
      throw new AppError('invalid_json');
    },
  });

  return (ctx, next) => {
    if (ownParserPaths.has(ctx.path)) return next();
    if (!hasBody(ctx.req.headers)) {
      // Most requests (every GET) have no body: skip the parser on the hot path.
      ctx.request.body = {};
      return next();
    }
    if (!ctx.request.is('application/json')) throw new AppError('unsupported_media_type');
    const encoding = ctx.req.headers['content-encoding'];
    if (encoding === undefined || encoding.toLowerCase() === 'identity') return parse(ctx, next);
    // A compressed body is read through a decompressor that never hears that the client hung up,
    // so the parser would wait forever: end the request when the body can no longer arrive.
    return Promise.race([parse(ctx, next), bodyCutShort(ctx.req)]);
  };
}

/** Rejects (400 invalid_json, as a body cut short is) if the request closes before its body is complete. */
function bodyCutShort(request: IncomingMessage): Promise<never> {
  return new Promise((_, reject) => {
    request.once('close', () => {
      if (!request.complete) reject(new AppError('invalid_json'));
    });
  });
}
