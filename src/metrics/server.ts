import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';

export interface MetricsServer {
  /** The bound port (METRICS_PORT=0 asks the system for one). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus's text format on a port of its own: the
 * public port never serves it, so metrics are exposed only where the
 * operator's network lets Prometheus in. Anything else is a 404.
 */
export async function startMetricsServer(
  registry: Registry,
  options: { readonly host: string; readonly port: number; readonly logger?: Logger },
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        options.logger?.error({ err: error }, 'metrics: collecting failed');
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Collecting metrics failed.\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  options.logger?.info({ host: options.host, port }, 'metrics listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection must not hold shutdown up.
        server.closeAllConnections();
      }),
  };
}
