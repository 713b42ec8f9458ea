import { createServer, connect, type Server, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';

/**
 * A TCP proxy between Tessera and PostgreSQL or Redis that a test can cut
 * and restore, so faults are real network faults and the machine's shared
 * services are never stopped.
 *
 * - `cut('reset')` is a crash: every open connection is reset and new ones
 *   are refused (closed at once) until `restore()`.
 * - `cut('silent')` is a network partition: connections stay open but no
 *   byte crosses in either direction, and new connections hang. Nothing is
 *   lost: like TCP retransmission after a partition heals, `restore()`
 *   delivers what was held, in order.
 */
export interface FaultProxy {
  readonly port: number;
  /** `target` URL with its host and port replaced by the proxy's. */
  readonly url: string;
  cut(mode: 'reset' | 'silent'): void;
  restore(): void;
  close(): Promise<void>;
}

type Mode = 'open' | 'reset' | 'silent';

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
}

export async function startFaultProxy(t: ExecutionContext, targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432));
  const targetHost = target.hostname;
  let mode: Mode = 'open';
  const links = new Set<Link>();
  const held: Array<() => void> = [];

  function forward(from: Socket, to: () => Socket | undefined): void {
    from.on('data', (chunk: Buffer) => {
      if (mode === 'silent') {
        from.pause();
        held.push(() => {
          to()?.write(chunk);
          from.resume();
        });
        return;
      }
      to()?.write(chunk);
    });
  }

  function connectUpstream(link: Link): void {
    const upstream = connect(targetPort, targetHost);
    link.upstream = upstream;
    forward(upstream, () => link.client);
    const end = () => {
      link.client.destroy();
      upstream.destroy();
      links.delete(link);
    };
    upstream.on('close', end);
    upstream.on('error', end);
  }

  const server: Server = createServer((client) => {
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, upstream: undefined };
    links.add(link);
    forward(client, () => link.upstream);
    client.on('close', () => {
      link.upstream?.destroy();
      links.delete(link);
    });
    client.on('error', () => link.upstream?.destroy());
    if (mode === 'silent') {
      client.pause();
      held.push(() => {
        connectUpstream(link);
        client.resume();
      });
    } else {
      connectUpstream(link);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const proxy: FaultProxy = {
    port,
    url: url.toString(),
    cut(how) {
      mode = how;
      if (how === 'reset') {
        held.length = 0;
        for (const link of links) {
          link.client.resetAndDestroy();
          link.upstream?.destroy();
        }
        links.clear();
      }
    },
    restore() {
      mode = 'open';
      for (const release of held.splice(0)) release();
    },
    async close() {
      proxy.cut('reset');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  t.teardown(() => proxy.close());
  return proxy;
}

/** Polls `check` every 10 ms until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
