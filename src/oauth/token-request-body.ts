import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import type { TesseraState } from '../auth/state.ts';
import { AppError } from '../errors/app-error.ts';
import { handOverOf } from '../http/hand-over.ts';
import { BODY_LIMIT, hasBody } from '../http/json-body.ts';

/**
 * Reads the body of POST /oauth/introspect and /oauth/revoke into
 * `ctx.request.body`: form-encoded (RFC 7662 §2.1, RFC 7009 §2.1) or JSON.
 *
 * Why not koa-bodyparser, as everywhere else: these bodies only ever carry
 * `token` and `token_type_hint`, and its general machinery (type-is, co-body,
 * qs) cost about a tenth of introspection's CPU. This keeps what it did here:
 * no body is `{}` (so the route answers 400 invalid_request), another content
 * type is 415, more than 16 KiB is 413, broken JSON is 400 invalid_json.
 */
export const readTokenRequestBody: Middleware<TesseraState> = async (ctx, next) => {
  const { headers } = ctx.req;
  if (!hasBody(headers)) {
    ctx.request.body = {};
    return next();
  }
  const format = formatOf(headers['content-type']);
  if (format === undefined) throw new AppError('unsupported_media_type', 'Send the body form-encoded or as JSON.');
  // Read already by the express lane, which then left the request to Koa.
  const readAhead = handOverOf(ctx.req)?.body;
  if (readAhead !== undefined) ctx.request.body = readAhead;
  // An app embedding Tessera may have read the body with its own parser already.
  if (ctx.request.body === undefined) {
    const text = await readText(ctx.req);
    ctx.request.body = format === 'json' ? jsonParameters(text) : formParameters(text);
  }
  return next();
};

/** The two media types these endpoints take, whatever their parameters (`; charset=UTF-8`) and case. */
export function formatOf(contentType: string | undefined): 'json' | 'form' | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (essence === 'application/x-www-form-urlencoded') return 'form';
  if (essence === 'application/json') return 'json';
  return undefined;
}

const UTF8 = new TextDecoder('utf-8');

/**
 * The body as UTF-8 text, refused with 413 once it passes 16 KiB: at once when
 * Content-Length says so, otherwise as soon as that many bytes have arrived,
 * so an oversized body is never held in memory.
 */
async function readText(request: IncomingMessage): Promise<string> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const buffered = encoding === 'identity' ? bufferedText(request) : undefined;
  if (buffered !== undefined) return buffered;
  const body = decompressed(request, encoding);
  try {
    return await getRawBody(body, {
      limit: BODY_LIMIT,
      // The declared length is that of the compressed bytes; the limit applies to what they expand to.
      length: encoding === 'identity' ? request.headers['content-length'] : undefined,
      encoding: 'utf-8',
    });
  } catch (error) {
    if ((error as { status?: unknown }).status === 413) throw new AppError('payload_too_large');
    // Like koa-bodyparser before: a body that cannot be read (cut short, bad compression) is malformed.
    throw new AppError('invalid_json');
  }
}

/**
 * A small body usually arrives in the packet of its headers, so once the
 * parser is done with that packet Node has all of it buffered (`complete`):
 * the whole uncompressed body, taken at once instead of through raw-body's
 * listeners and promise; undefined while more is to come, or past 16 KiB.
 */
function bufferedText(request: IncomingMessage): string | undefined {
  if (!request.complete || request.readableLength > BODY_LIMIT) return undefined;
  const buffered = request.read() as Buffer | null;
  // TextDecoder drops a leading byte-order mark, as raw-body's decoding does.
  return buffered === null ? '' : UTF8.decode(buffered);
}

/**
 * Calls `then` with the text of an uncompressed body that declared its
 * length (at most 16 KiB, which the caller checked), once all of it is in;
 * never if the client hangs up first. Returns whether it has all come in.
 */
export function whenSmallBodyRead(request: IncomingMessage, then: (text: string) => void): () => boolean {
  const chunks: Buffer[] = [];
  let ended = false;
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', () => {
    ended = true;
    then(UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  });
  return () => ended;
}

/** The pipeline's own callback: raw-body hears the error from the decompressor it reads. */
const ignoreError = () => {};

/** The body stream with its Content-Encoding undone; koa-bodyparser accepted these three, and so do we. */
function decompressed(request: IncomingMessage, encoding: string): Readable {
  switch (encoding) {
    case 'identity':
      return request;
    // pipeline(), not pipe(): a client that hangs up mid-body must end the read with an error,
    // or the request would wait forever on a decompressor that never ends.
    case 'gzip':
    case 'deflate':
      return pipeline(request, createUnzip(), ignoreError);
    case 'br':
      return pipeline(request, createBrotliDecompress(), ignoreError);
    default:
      throw new AppError('unsupported_media_type', 'Send the body uncompressed, or compressed with gzip, deflate or br.');
  }
}

/**
 * Strict JSON, as koa-bodyparser's `strict: true`: the body must be an object
 * or an array (an array has no `token`, so the route answers invalid_request).
 * A `__proto__` key is refused as @hapi/bourne refused it there, so that no
 * later copy of the body can change an object's prototype.
 */
function jsonParameters(text: string): object {
  // Sent with Transfer-Encoding and no bytes: no body after all.
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text, refusePrototypeKey);
  } catch {
    throw new AppError('invalid_json');
  }
  if (typeof value !== 'object' || value === null) throw new AppError('invalid_json');
  return value;
}

function refusePrototypeKey(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('a "__proto__" key');
  return value;
}

/**
 * `application/x-www-form-urlencoded` parameters. RFC 6749 §3.1 forbids
 * sending a parameter more than once: a repeated one becomes an array of its
 * values (as qs made it), which the route's string check refuses with
 * invalid_request, after the same credential checks as before.
 */
export function formParameters(text: string): Record<string, string | string[]> {
  const parameters: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    // Like qs: names such as `__proto__` or `toString` would shadow or replace Object.prototype's.
    if (Object.hasOwn(Object.prototype, name)) continue;
    const earlier = parameters[name];
    if (earlier === undefined) parameters[name] = value;
    else if (typeof earlier === 'string') parameters[name] = [earlier, value];
    else earlier.push(value);
  }
  return parameters;
}
