import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { markRefused } from '../auth/middleware.ts';
import { readBearerToken } from '../auth/bearer-token.ts';
import { TOKEN_PREFIXES } from '../crypto/tokens.ts';
import type { Logger } from '../logger.ts';
import type { TesseraMetrics } from '../metrics/metrics.ts';
import type { ClientAuthenticator } from '../oauth/client-auth.ts';
import type { Introspect } from '../oauth/introspection.ts';
import { formatOf, formParameters, markBodyRead, whenSmallBodyRead } from '../oauth/token-request-body.ts';
import { markCounted, UNLIMITED, type Admission, type Limiter } from '../rate-limit/limiter.ts';
import { introspectionKey } from '../rate-limit/policies.ts';
import type { SessionsService } from '../sessions/service.ts';
import { tokenHolds } from '../tokens/abilities.ts';
import type { TokensService } from '../tokens/service.ts';
import { ME_ABILITY, meJson, meJsonWithToken } from '../users/me-response.ts';
import { API_PREFIX } from './api-prefix.ts';
import { clientIpOf } from './client-info.ts';
import { BODY_LIMIT } from './json-body.ts';
import { NO_STORE_HEADERS } from './no-store.ts';
import { requestIdFor } from './request-id.ts';
import { logRequest } from './request-logger.ts';
import { securityHeaderValues } from './security-headers.ts';

const ME_PATH = `${API_PREFIX}/me`;
const INTROSPECTION_PATH = `${API_PREFIX}/oauth/introspect`;

type Handle = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The express lane: the two requests a busy Tessera serves most, answered
 * straight on node:http when they are the common case, `GET /api/v1/me`
 * with a cached bearer token and a resource server's introspection. Koa and
 * the pipeline cost more than these answers do (measured: bare Koa reading
 * a small form POST spends 1.4x bare Koa's GET before any check; the brief
 * holds cached `GET /me` to 1.35x), and neither request needs what they add
 * here: no cookie, no CORS preflight, no route to find.
 *
 * The lane takes a request only when it can answer it exactly as Koa would:
 * the same status, headers and body, the same count against the same rate
 * limit, the same log line and metrics. It never takes a request with an
 * `Origin` or `Cookie` header, a query string, or another method. Anything
 * else goes to Koa as it arrived. A request the lane has started on goes to
 * Koa with what the lane learnt (the body it read, the count it made, the
 * refusal it found), so nothing is read, counted or looked up twice: Koa
 * then answers the 429, the 401 or 403, or the 503 as for any route.
 *
 * Only for an app that runs Tessera's pipeline and routes at its root, as
 * `createApp`'s does (src/app.ts).
 */
export function createExpressLane(deps: {
  sessions: SessionsService;
  tokens: TokensService;
  clientAuth: ClientAuthenticator;
  introspect: Introspect;
  limits: { readonly global: Limiter; readonly introspect: Limiter };
  trustedHops: number;
  /** Whether CORS is on: @koa/cors then adds `Vary: Origin` to every response. */
  cors: boolean;
  logger: Logger;
  metrics: TesseraMetrics | undefined;
}): (koa: RequestListener) => RequestListener {
  const { sessions, tokens, clientAuth, introspect, limits, logger, metrics } = deps;
  const fixedHeaders = Object.entries({
    ...securityHeaderValues(),
    ...(deps.cors ? { Vary: 'Origin' } : {}),
    ...NO_STORE_HEADERS,
  });
  const logging = logger.isLevelEnabled('info');
  const timed = logging || metrics !== undefined;

  /** The 200 JSON answer, with the headers, log line and metric of Koa's pipeline. */
  function send(request: IncomingMessage, response: ServerResponse, path: string, admission: Admission, json: string, started: number) {
    const requestId = requestIdFor(request.headers);
    response.setHeader('X-Request-Id', requestId);
    for (const [name, value] of fixedHeaders) response.setHeader(name, value);
    for (const name in admission.headers) response.setHeader(name, admission.headers[name]!);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    response.end(json);
    if (logging) logRequest(logger, { requestId, method: request.method!, path, status: 200 }, started);
    metrics?.observeRequest(path, request.method!, 200, (performance.now() - started) / 1000);
  }

  /**
   * Counts the request under `key`, then `then(admission)`. Over the limit it
   * goes to Koa with that count (`toKoa`), and Koa answers the 429.
   */
  function counted(
    limiter: Limiter,
    key: string,
    response: ServerResponse,
    toKoa: (admission: Admission) => void,
    then: (admission: Admission) => void,
  ): void {
    if (limiter === UNLIMITED) return then(UNLIMITED_ADMISSION);
    void limiter.count(key).then((admission) => (admission.admitted ? then(admission) : toKoa(admission))).catch((error: unknown) => {
      // A bug here, not the client's doing: logged like the error handler's, and the request ends.
      logger.error({ err: error }, 'unhandled error in the express lane');
      response.destroy();
    });
  }

  /** GET /me with a bearer token: the users router's `requireAbility('profile:read')` and handler. */
  function me(request: IncomingMessage, response: ServerResponse, koa: Handle): void {
    const credential = readBearerToken(request.headers.authorization);
    if (credential.kind !== 'token') return koa(request, response);
    const { token } = credential;
    const started = timed ? performance.now() : 0;
    // Koa gets the count made here, and the refusal found here, if any.
    const toKoa = (admission: Admission, refusal?: unknown) => {
      markCounted(request, admission);
      if (refusal !== undefined) markRefused(request, refusal);
      koa(request, response);
    };
    counted(limits.global, clientIpOf(request, deps.trustedHops), response, toKoa, (admission) => {
      const answered = (json: string | undefined) => {
        if (json === undefined) return toKoa(admission);
        metrics?.authOutcome('ok');
        send(request, response, ME_PATH, admission, json, started);
      };
      const refused = (error: unknown) => toKoa(admission, error);
      let answer: string | undefined | Promise<string | undefined>;
      try {
        answer = token.startsWith(TOKEN_PREFIXES.personal)
          ? whenAnswered(tokens.authenticateNow(token), ({ user, token: pat }) =>
              // Lacking the ability is Koa's 403 to answer (the token is cached by now).
              tokenHolds(pat, user, ME_ABILITY) ? meJsonWithToken(user, pat) : undefined)
          : whenAnswered(sessions.authenticateNow(token), ({ user, session }) => meJson(user, session));
      } catch (error) {
        return refused(error);
      }
      if (answer instanceof Promise) answer.then(answered, refused);
      else answered(answer);
    });
  }

  /** POST /oauth/introspect: the OAuth router's client check, per-client limit, body reader and handler. */
  function introspection(request: IncomingMessage, response: ServerResponse, koa: Handle): void {
    const { headers } = request;
    if (
      !(Number(headers['content-length']) <= BODY_LIMIT) ||
      (headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity' ||
      formatOf(headers['content-type']) !== 'form'
    ) {
      return koa(request, response);
    }
    // Verifying credentials takes the database: Koa's to do, and then they are remembered.
    const client = clientAuth.verifiedNow(headers.authorization);
    if (client === undefined) return koa(request, response);
    const started = timed ? performance.now() : 0;
    whenSmallBodyRead(request, (text) => {
      const parameters = formParameters(text);
      // Koa gets the body read here, and the count made here, if any.
      const toKoa = (admission?: Admission) => {
        markBodyRead(request, parameters);
        if (admission !== undefined) markCounted(request, admission);
        koa(request, response);
      };
      const { token } = parameters;
      if (typeof token !== 'string') return toKoa();
      counted(limits.introspect, introspectionKey(client.client_id), response, toKoa, (admission) => {
        const answer = introspect(token);
        if (typeof answer === 'string') return send(request, response, INTROSPECTION_PATH, admission, answer, started);
        answer.then(
          (json) => send(request, response, INTROSPECTION_PATH, admission, json, started),
          // The database failed: Koa answers the 503.
          () => toKoa(admission),
        );
      });
    });
  }

  return (koa) => (request, response) => {
    const { headers, url, method } = request;
    if (headers.origin === undefined && headers.cookie === undefined) {
      if (method === 'GET' && url === ME_PATH) return me(request, response, koa);
      if (method === 'POST' && url === INTROSPECTION_PATH) return introspection(request, response, koa);
    }
    void koa(request, response);
  };
}

const UNLIMITED_ADMISSION: Admission = Object.freeze({ admitted: true, headers: Object.freeze({}), retryAfter: 0 });

/** `then(value)`, at once when `value` is there already (a cache hit), after it otherwise. */
function whenAnswered<T, R>(value: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}
