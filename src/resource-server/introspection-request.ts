import http from 'node:http';
import https from 'node:https';
import type { ActiveAnswer } from './answer-cache.ts';
import { ResourceServerError } from './errors.ts';

/** Tessera's answers are a few hundred bytes; anything this large is not one. */
const MOST_ANSWER_BYTES = 64 * 1024;

/**
 * Asks Tessera's `POST /api/v1/oauth/introspect` (RFC 7662) about one token,
 * over keep-alive connections of its own.
 *
 * `node:http`, not `fetch`: measured side by side, a process whose
 * introspections went through `fetch` spent about 7 % more CPU on every
 * later cache hit, long after the last introspection (BENCHMARKS.md). The
 * hits share Node's socket and stream code with the client that made the
 * introspections, and `fetch`'s client (undici) leaves that code slower for
 * the server; `node:http`'s own client costs far less.
 */
export function createIntrospectionRequest(options: {
  /** The introspection endpoint's URL (http: or https:). */
  readonly url: string;
  /** The service client's `Authorization: Basic …` header. */
  readonly authorization: string;
  /** Milliseconds for the whole exchange, answer included. */
  readonly timeoutMs: number;
}) {
  const url = new URL(options.url);
  // Checked here, so a misconfiguration (`localhost:3000` parses as protocol `localhost:`) fails at start-up.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Tessera's URL must start with http: or https:, not ${url.protocol}`);
  }
  const transport = url.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  let closed = false;

  /**
   * The active answer for `token`, or undefined when Tessera says it is not
   * active. Anything short of Tessera's 200 with an introspection answer
   * within `timeoutMs` (unreachable, silent, stalling mid-answer, another
   * status, a body that is not an answer) rejects with a 503
   * `service_unavailable`. Redirects are not followed (also a 503).
   */
  function introspect(token: string): Promise<ActiveAnswer | undefined> {
    return new Promise((resolve, reject) => {
      const body = new URLSearchParams({ token }).toString();
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const unavailable = (message: string) =>
        settle(() => reject(new ResourceServerError(503, 'service_unavailable', message)));
      const unreachable = () => unavailable('Tessera could not be reached, or did not answer in time.');

      let request: http.ClientRequest | undefined;
      let responded = false;
      const timer = setTimeout(() => {
        unreachable();
        request?.destroy();
      }, options.timeoutMs);
      try {
        request = send();
      } catch {
        unreachable();
      }

      function send(): http.ClientRequest {
        const sent = transport.request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              Authorization: options.authorization,
              'Content-Type': 'application/x-www-form-urlencoded',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (response) => {
            responded = true;
            if (response.statusCode !== 200) {
              unavailable(`Tessera answered introspection with ${response.statusCode}.`);
              sent.destroy(); // not drained: nothing would bound that once settled; a failure can afford a new connection
              return;
            }
            const chunks: Buffer[] = [];
            let bytes = 0;
            response.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (bytes > MOST_ANSWER_BYTES) {
                unavailable('Tessera answered introspection with an oversized body.');
                sent.destroy();
              } else chunks.push(chunk);
            });
            response.on('end', () => {
              let answer: unknown;
              try {
                answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              } catch {
                unavailable('Tessera answered introspection with a body that is not JSON.');
                return;
              }
              // Only Tessera's own "not active" is a 401; anything else from a proxy in between is Tessera being unavailable.
              if (isActiveAnswer(answer)) settle(() => resolve(answer));
              else if ((answer as { active?: unknown } | null)?.active === false) settle(() => resolve(undefined));
              else unavailable('Tessera answered introspection with a body that is not an introspection answer.');
            });
            // Cut mid-answer: 'end' never comes.
            response.on('close', unreachable);
            response.on('error', unreachable);
          },
        );
        sent.on('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive connection that Tessera closed just as we reused it (its keep-alive
          // timeout): asking again on another connection is safe, introspection changes nothing.
          // Never once an answer has begun, nor after close().
          if (!settled && !responded && !closed && sent.reusedSocket && error.code === 'ECONNRESET') request = send();
          else unreachable();
        });
        sent.end(body);
        return sent;
      }
    });
  }

  return {
    introspect,
    close(): void {
      closed = true;
      agent.destroy();
    },
  };
}

/** An active answer with every field the verifier reads, as Tessera sends it. */
function isActiveAnswer(answer: unknown): answer is ActiveAnswer {
  const a = answer as Partial<Record<keyof ActiveAnswer, unknown>> | null;
  return (
    a?.active === true &&
    typeof a.token_kind === 'string' &&
    typeof a.scope === 'string' &&
    typeof a.sub === 'string' &&
    typeof a.username === 'string' &&
    typeof a.is_admin === 'boolean' &&
    typeof a.exp === 'number' &&
    typeof a.sid === 'string'
  );
}
