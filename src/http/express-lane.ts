import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { whenAnswered } from '../auth/middleware.ts';
import { readBearerToken } from '../auth/bearer-token.ts';
import { TOKEN_PREFIXES } from '../crypto/tokens.ts';
import type { Logger } from '../logger.ts';
import type { TesseraMetrics } from '../metrics/metrics.ts';
import type { ClientAuthenticator } from '../oauth/client-auth.ts';
import type { Introspect } from '../oauth/introspection.ts';
import { tokenParameterIn } from '../oauth/schemas.ts';
import { formatOf, formParameters, whenSmallBodyRead } from '../oauth/token-request-body.ts';
import { ADMITTED, UNLIMITED, type Admission, type Limiter } from '../rate-limit/limiter.ts';
import { introspectionKey } from '../rate-limit/policies.ts';
import type { SessionsService } from '../sessions/service.ts';
import { tokenHolds } from '../tokens/abilities.ts';
import type { TokensService } from '../tokens/service.ts';
import { ME_ABILITY, meJson, meJsonWithToken } from '../users/me-response.ts';
import { API_PREFIX } from './api-prefix.ts';
import { clientIpOf } from './client-info.ts';
import { noteHandOver, type HandOver } from './hand-over.ts';
import { BODY_LIMIT, hasBody } from './json-body.ts';
import { NO_STORE_HEADERS } from './no-store.ts';
import { requestIdFor } from './request-id.ts';
import { logRequest } from './request-logger.ts';
import { securityHeaderValues } from './security-headers.ts';

const ME_PATH = `${API_PREFIX}/me`;
const INTROSPECTION_PATH = `${API_PREFIX}/oauth/introspect`;

/**
 * Hands a request the lane started on to Koa (hand-over.ts), with what the
 * lane learnt: the count it made (`admission`), and the failure it met
 * (`failure`), which Koa then answers as it answers any.
 */
type ToKoa = (admission?: Admission, failure?: unknown) => void;

/**
 * The express lane: the two requests a busy Tessera serves most, answered
 * straight on node:http when they are the common case: `GET /api/v1/me`
 * with a cached bearer token, and a resource server's introspection. Koa
 * and the pipeline cost more than these answers do (measured side by side:
 * bare Koa reading a small form POST spends 1.4x what its GET does, and
 * Tessera's cached GET /me through Koa cost 1.5-1.7x bare Koa's), and
 * neither request needs what they add: no cookie, no CORS, no route to find.
 *
 * The lane takes a request only when it can answer it exactly as Koa would:
 * the same status, headers and body, the same count against the same rate
 * limit, the same log line and metrics. It never takes a request with an
 * `Origin` or `Cookie` header, another method, or another request target
 * (a query string included: the target must be the path itself). Anything
 * else goes to Koa as it arrived. A request the lane has started on goes to
 * Koa with what the lane learnt (`ToKoa`: the body it read, the count it
 * made, the refusal or failure it met), so nothing is read, counted or
 * looked up twice, and Koa answers the 401, 403, 429, 503 or 500.
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
  // In the order Koa's pipeline sets them: security headers (and CORS's Vary), then the
  // limiter's, then the route's no-store.
  const pipelineHeaders = Object.entries({ ...securityHeaderValues(), ...(deps.cors ? { Vary: 'Origin' } : {}) });
  const routeHeaders = Object.entries(NO_STORE_HEADERS);
  const logging = logger.isLevelEnabled('info');
  const timed = logging || metrics !== undefined;

  /** Answers 200 with `json` as Koa would, and writes the log line and metric its pipeline writes. */
  function answer(request: IncomingMessage, response: ServerResponse, path: string, admission: Admission, json: string, started: number) {
    const requestId = requestIdFor(request.headers);
    response.setHeader('X-Request-Id', requestId);
    for (const [name, value] of pipelineHeaders) response.setHeader(name, value);
    for (const name in admission.headers) response.setHeader(name, admission.headers[name]!);
    for (const [name, value] of routeHeaders) response.setHeader(name, value);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    response.end(json);
    if (logging) logRequest(logger, { requestId, method: request.method!, path, status: 200 }, started);
    metrics?.observeRequest(path, request.method!, 200, (performance.now() - started) / 1000);
  }

  /**
   * Counts the request under `key` with `limiter`, then runs `then`. Over
   * the limit, the request goes to Koa with that count, and Koa answers the
   * 429. Whatever `then` throws goes to Koa as a failure, to answer as a 500;
   * a count that fails (a bug) goes to `failed`.
   */
  function countThen(
    limiter: Limiter,
    key: string,
    toKoa: ToKoa,
    then: (admission: Admission) => void,
    failed: (error: unknown) => void = (error) => toKoa(undefined, error),
  ): void {
    const run = (admission: Admission) => {
      try {
        then(admission);
      } catch (error) {
        toKoa(admission, error);
      }
    };
    if (limiter === UNLIMITED) return run(ADMITTED);
    limiter.count(key).then((admission) => (admission.admitted ? run(admission) : toKoa(admission)), failed);
  }

  /** GET /me with a bearer token: the users router's `requireAbility('profile:read')` and handler. */
  function me(request: IncomingMessage, response: ServerResponse, koa: RequestListener): void {
    const { headers } = request;
    // A GET with a body is the JSON body parser's to refuse (415, 400 or 413).
    if (hasBody(headers)) return void koa(request, response);
    const credential = readBearerToken(headers.authorization);
    if (credential.kind !== 'token') return void koa(request, response);
    const { token } = credential;
    const started = timed ? performance.now() : 0;
    // The auth middleware answers a refusal: a 401 for a refused token, the error handler's 503 or 500 for the rest.
    const toKoa: ToKoa = (admission, refusal) =>
      handOver(request, response, koa, { counted: admission && { limiter: limits.global, admission }, refusal });
    countThen(limits.global, clientIpOf(request, deps.trustedHops), toKoa, (admission) => {
      const authenticated = token.startsWith(TOKEN_PREFIXES.personal)
        ? whenAnswered(tokens.authenticateNow(token), ({ user, token: pat }) =>
            // Lacking the ability is Koa's 403 to answer (the token is cached by now).
            tokenHolds(pat, user, ME_ABILITY) ? meJsonWithToken(user, pat) : undefined)
        : whenAnswered(sessions.authenticateNow(token), ({ user, session }) => meJson(user, session));
      const answered = (json: string | undefined) => {
        if (json === undefined) return toKoa(admission);
        metrics?.authOutcome('ok');
        answer(request, response, ME_PATH, admission, json, started);
      };
      if (!(authenticated instanceof Promise)) return answered(authenticated);
      authenticated.then(answered).catch((error: unknown) => toKoa(admission, error));
    });
  }

  /** POST /oauth/introspect: the OAuth router's client check, per-client limit, body reader and handler. */
  function introspection(request: IncomingMessage, response: ServerResponse, koa: RequestListener): void {
    const { headers } = request;
    if (
      // Also true for no Content-Length at all (NaN): a chunked body is raw-body's to read.
      !(Number(headers['content-length']) <= BODY_LIMIT) ||
      (headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity' ||
      formatOf(headers['content-type']) !== 'form'
    ) {
      return void koa(request, response);
    }
    // Verifying credentials takes the database: Koa's to do, and then they are remembered.
    const client = clientAuth.verifiedNow(headers.authorization);
    if (client === undefined) return void koa(request, response);
    const started = timed ? performance.now() : 0;
    let parameters: Record<string, string | string[]> | undefined;
    const toKoa: ToKoa = (admission, failure) =>
      handOver(request, response, koa, {
        body: parameters,
        counted: admission && { limiter: limits.introspect, admission },
        introspectionFailure: failure,
      });
    const respond = (admission: Admission, text: string) => {
      parameters = formParameters(text);
      const token = tokenParameterIn(parameters);
      if (token === undefined) return toKoa(admission);
      const introspected = introspect(token);
      if (typeof introspected === 'string') return answer(request, response, INTROSPECTION_PATH, admission, introspected, started);
      introspected
        .then((json) => answer(request, response, INTROSPECTION_PATH, admission, json, started))
        .catch((error: unknown) => toKoa(admission, error));
    };
    // The body is read while the request is counted; it is answered once both are done. Every
    // request is counted, as on Koa's route, also one whose body never ends: Koa then reads what
    // is left and answers (and logs) the 400.
    let counted: Admission | undefined;
    let countFailure: { error: unknown } | undefined;
    let body: string | undefined;
    let cut = false;
    const next = () => {
      // Koa answers a failed count (a 500), once the body it would have read is in.
      if (countFailure !== undefined && (body !== undefined || cut)) {
        if (body !== undefined) parameters = formParameters(body);
        return toKoa(undefined, countFailure.error);
      }
      if (counted === undefined) return;
      try {
        if (body !== undefined) respond(counted, body);
        else if (cut) toKoa(counted);
      } catch (error) {
        // Run from the request's events, where a throw would end the process: Koa answers it instead.
        toKoa(counted, error);
      }
    };
    const ended = whenSmallBodyRead(request, (text) => {
      body = text;
      next();
    });
    request.once('close', () => {
      if (ended()) return;
      cut = true;
      next();
    });
    countThen(
      limits.introspect,
      introspectionKey(client.client_id),
      toKoa,
      (admission) => {
        counted = admission;
        next();
      },
      (error) => {
        countFailure = { error };
        next();
      },
    );
  }

  /** Koa takes the request over with what the lane learnt, unless the lane answered it already (then a failure is only logged). */
  function handOver(request: IncomingMessage, response: ServerResponse, koa: RequestListener, learnt: HandOver): void {
    if (response.headersSent) {
      logger.error({ err: learnt.refusal ?? learnt.introspectionFailure }, 'express lane: failed after answering');
      return;
    }
    noteHandOver(request, learnt);
    void koa(request, response);
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
