/**
 * A minimal keep-alive HTTP client for latency measurements. `fetch`
 * (undici) adds about a millisecond of its own per request on this
 * machine, which would be charged to the server; node:http on one reused
 * connection adds a few microseconds.
 */
import http from 'node:http';

export interface TimedResponse {
  readonly status: number;
  readonly body: string;
  /** Milliseconds from sending the request to the end of the response body. */
  readonly ms: number;
}

export function createTimingClient(baseUrl: string) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  function send(method: string, path: string, headers: Record<string, string>, body?: string) {
    return new Promise<TimedResponse>((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        { host: url.hostname, port: url.port, path, method, agent, headers },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: text, ms: performance.now() - started }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  return {
    get: (path: string, headers: Record<string, string> = {}) => send('GET', path, headers),
    postJson: (path: string, value: unknown) => {
      const body = JSON.stringify(value);
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      return send('POST', path, headers, body);
    },
    close: () => agent.destroy(),
  };
}

/** The `fraction` quantile (0..1) of `values`, by nearest rank. */
export function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}
