import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { buildTestApp } from '../helpers/app.ts';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  status?: number;
}

/**
 * A real Tessera (buildTestApp: fresh database, test clock) listening on a
 * free port, with every request it receives written down, so tests count
 * refreshes at the server rather than trusting the client. `before` may
 * hold a request back (a barrier) before Tessera sees it.
 */
export async function serveTessera(
  t: ExecutionContext,
  options: {
    env?: Record<string, string>;
    before?: (request: SeenRequest) => Promise<void>;
    /** Files served beside the API on the same origin (a test page, an SDK bundle), by path. */
    files?: Record<string, { type: string; body: string }>;
  } = {},
) {
  const app = await buildTestApp(t, { env: options.env });
  const requests: SeenRequest[] = [];
  const handle = app.tessera.listener;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const file = options.files?.[req.url ?? ''];
    if (file) {
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
      return;
    }
    const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization };
    requests.push(seen);
    res.on('finish', () => (seen.status = res.statusCode));
    void (options.before ?? (async () => {}))(seen).then(() => handle(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const refreshes = () => requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/refresh');
  return { ...app, baseUrl, requests, refreshes };
}
