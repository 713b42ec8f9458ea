import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

/**
 * Stopping an HTTP server without dropping a request that already reached it.
 *
 * `server.close()` alone stops accepting and closes the sockets idle at that
 * moment, but a keep-alive connection in the middle of a request would be
 * kept open after its response and served again for as long as the client
 * likes, until a forced close resets whatever it is doing. So from the
 * moment the drain starts every response that has not been sent yet carries
 * `Connection: close` (Node then closes the socket once it is written), and
 * a socket that becomes idle anyway is closed at once. When `timeoutMs`
 * runs out, the sockets still open are destroyed.
 */
export interface DrainableServer {
  /** Resolves once every connection is closed; `forced` when the timeout cut some. */
  drain(timeoutMs: number): Promise<{ forced: boolean }>;
}

export function makeDrainable(server: Server, logger: Logger): DrainableServer {
  const unsent = new Set<ServerResponse>();
  let draining = false;

  function closeAfterResponse(response: ServerResponse): void {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  }

  // First among the request listeners: the express lane may answer within its own listener.
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (draining) {
      closeAfterResponse(response);
    } else {
      unsent.add(response);
      response.once('finish', () => unsent.delete(response));
      response.once('close', () => unsent.delete(response));
    }
    // A response sent before the drain began may leave its socket idle and open.
    response.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  return {
    drain(timeoutMs) {
      draining = true;
      for (const response of unsent) closeAfterResponse(response);
      unsent.clear();
      return new Promise((resolve) => {
        let forced = false;
        const cut = setTimeout(() => {
          forced = true;
          logger.warn({ timeoutMs }, 'shutdown timeout: closing the connections still open');
          server.closeAllConnections();
        }, timeoutMs);
        cut.unref();
        // close() stops accepting, closes idle sockets, and calls back when the last one is gone.
        server.close(() => {
          clearTimeout(cut);
          resolve({ forced });
        });
        server.closeIdleConnections();
      });
    },
  };
}
