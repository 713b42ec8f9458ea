import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/**
 * A raw TCP client for what fetch hides: several requests on one keep-alive
 * socket, a request sent in pieces, and whether the server closed the socket.
 */
export interface RawConnection {
  readonly socket: Socket;
  send(text: string): Promise<void>;
  /** Everything received until the server closed the socket. */
  closed: Promise<string>;
  /** Resolves with the received text once it contains `count` complete responses. */
  responses(count: number): Promise<RawResponse[]>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (const waiter of waiters.splice(0)) waiter();
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => {
    for (const waiter of waiters.splice(0)) waiter();
    resolve(received);
  }));
  socket.on('error', () => {});
  return {
    socket,
    send: (text) => new Promise((resolve, reject) => socket.write(text, (error) => (error ? reject(error) : resolve()))),
    closed,
    async responses(count) {
      for (;;) {
        const parsed = parseResponses(received);
        if (parsed.length >= count) return parsed;
        if (socket.destroyed) throw new Error(`socket closed after ${parsed.length} responses: ${received}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** Complete HTTP/1.1 responses (Content-Length bodies) at the start of `text`. */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine, ...headerLines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return responses;
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
}

/** An HTTP/1.1 request as text; keep-alive is HTTP/1.1's default. */
export function rawRequest(method: string, path: string, body?: unknown): string {
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  if (body !== undefined) headers.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`);
  return `${headers.join('\r\n')}\r\n\r\n${payload}`;
}

/**
 * Waits until the server process has read every byte sent to it on `port`
 * (the kernel's receive queues of its sockets are empty), so a request
 * counts as having reached the server, not as being on its way.
 */
export async function waitUntilServerRead(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const table = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
    const queued = table
      .split('\n')
      .filter(Boolean)
      .some((line) => Number(line.trim().split(/\s+/)[0]) > 0);
    if (!queued) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server on port ${port} did not read its input within ${timeoutMs} ms`);
}
