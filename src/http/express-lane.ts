import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { TesseraMetrics } from '../metrics/metrics.ts';
import type { ClientAuthenticator } from '../oauth/client-auth.ts';
import type { Introspect } from '../oauth/introspection.ts';
import { BODY_LIMIT } from './json-body.ts';
import { whenSmallBodyRead, formatOf, formParameters, markBodyRead } from '../oauth/token-request-body.ts';
import { markCounted, type Admission, type Limiter } from '../rate-limit/limiter.ts';
import { introspectionKey } from '../rate-limit/policies.ts';
import { API_PREFIX } from './api-prefix.ts';
import { NO_STORE_HEADERS } from './no-store.ts';
import { requestIdFor } from './request-id.ts';
import { logRequest } from './request-logger.ts';
import { securityHeaderValues } from './security-headers.ts';

const INTROSPECTION_PATH = `${API_PREFIX}/oauth/introspect`;

/**
 * The express lane: token introspection, a resource server's every request,
 * answered straight on node:http when it is the common case. Koa and the
 * pipeline cost about twice what the answer itself does (measured: bare
 * Koa reading a form POST spends 1.35x bare Koa's GET before any check,
 * node:http doing the whole introspection 0.8x), and no request here needs
 * what they add: no cookie, no CORS, no route to find.
 *
 * The lane takes a request only when it can answer it exactly as Koa would
 * (the same status, headers and body, the same count against the client's
 * rate limit, the same log line and metric):
 * - `POST /api/v1/oauth/introspect`, form-encoded, uncompressed, with no
 *   `Origin` or `Cookie` header;
 * - Basic credentials verified within the last seconds (client-auth.ts);
 * - the whole body already read by Node, with one `token` parameter.
 * Anything else goes to Koa as it arrived. A request the lane has started
 * on goes to Koa with what the lane learnt (the body it read, the count it
 * made), so nothing is read or counted twice: when the client is over its
 * limit (Koa answers the 429 and records it) and when the answer would take
 * the database and that fails (Koa answers the 503 as for any route).
 */
export function createExpressLane(deps: {
  clientAuth: ClientAuthenticator;
  introspect: Introspect;
  limiter: Limiter;
  logger: Logger;
  metrics: TesseraMetrics | undefined;
}): (koa: RequestListener) => RequestListener {
  const { clientAuth, introspect, limiter, logger, metrics } = deps;
  const fixedHeaders = Object.entries({ ...securityHeaderValues(), ...NO_STORE_HEADERS });
  const logging = logger.isLevelEnabled('info');

  function send(request: IncomingMessage, response: ServerResponse, admission: Admission, json: string, started: number) {
    const requestId = requestIdFor(request.headers);
    response.setHeader('X-Request-Id', requestId);
    for (const [name, value] of fixedHeaders) response.setHeader(name, value);
    for (const name in admission.headers) response.setHeader(name, admission.headers[name]!);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    response.end(json);
    if (logging) logRequest(logger, { requestId, method: 'POST', path: INTROSPECTION_PATH, status: 200 }, started);
    metrics?.observeRequest(INTROSPECTION_PATH, 'POST', 200, (performance.now() - started) / 1000);
  }

  return (koa) => (request, response) => {
    const { headers } = request;
    if (
      request.method !== 'POST' ||
      request.url !== INTROSPECTION_PATH ||
      !(Number(headers['content-length']) <= BODY_LIMIT) ||
      headers.origin !== undefined ||
      headers.cookie !== undefined ||
      (headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity' ||
      formatOf(headers['content-type']) !== 'form'
    ) {
      koa(request, response);
      return;
    }
    const client = clientAuth.verifiedNow(headers.authorization);
    if (client === undefined) {
      koa(request, response);
      return;
    }
    const started = logging || metrics ? performance.now() : 0;
    whenSmallBodyRead(request, (text) => {
      const parameters = formParameters(text);
      markBodyRead(request, parameters);
      const { token } = parameters;
      if (typeof token !== 'string') {
        koa(request, response);
        return;
      }
      void limiter.count(introspectionKey(client.client_id)).then((admission) => {
        if (!admission.admitted) {
          markCounted(request, admission);
          koa(request, response);
          return;
        }
        const answer = introspect(token);
        if (typeof answer === 'string') {
          send(request, response, admission, answer, started);
          return;
        }
        return answer.then(
          (json) => send(request, response, admission, json, started),
          () => {
            markCounted(request, admission);
            koa(request, response);
          },
        );
      }).catch((error: unknown) => {
        // A bug here, not the client's doing: logged like the error handler's, and the request ends.
        logger.error({ err: error }, 'unhandled error in the introspection express lane');
        response.destroy();
      });
    });
  };
}
