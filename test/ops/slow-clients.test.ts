import test from 'ava';
import { openRaw, parseResponses, type RawConnection } from '../helpers/raw-http.ts';
import { startListeningServer } from '../helpers/server-process.ts';

/**
 * A client that trickles its request holds a socket (and a slot of every
 * proxy in front) for as long as the server lets it: Node's default is five
 * minutes. HTTP_HEADERS_TIMEOUT and HTTP_REQUEST_TIMEOUT cut it; short values
 * here so the test is quick.
 */
async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<void> {
  for (const character of text) {
    if (connection.socket.destroyed) return;
    await connection.send(character).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

test('a body sent a byte at a time is cut at HTTP_REQUEST_TIMEOUT, headers at HTTP_HEADERS_TIMEOUT', async (t) => {
  t.timeout(60_000);
  const { server, port } = await startListeningServer({
    DATABASE_URL: ':memory:',
    HTTP_HEADERS_TIMEOUT: '1',
    HTTP_REQUEST_TIMEOUT: '2',
  });
  t.teardown(() => server.kill('SIGKILL'));

  const slowBody = await openRaw(port);
  const bodyStarted = Date.now();
  const body = JSON.stringify({ username: 'amy', password: 'a long enough password', device_name: 'x'.repeat(200) });
  await slowBody.send(
    `POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  void trickle(slowBody, body, 50);

  const slowHeaders = await openRaw(port);
  const headersStarted = Date.now();
  void trickle(slowHeaders, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ' + 'y'.repeat(200) + '\r\n\r\n', 50);

  const [bodyCut, headersCut] = await Promise.all([
    slowBody.closed.then((text) => ({ text, ms: Date.now() - bodyStarted })),
    slowHeaders.closed.then((text) => ({ text, ms: Date.now() - headersStarted })),
  ]);
  // Cut within about a second of the limit (Node checks the timeouts once a second), never minutes.
  t.true(bodyCut.ms >= 2_000 && bodyCut.ms < 4_500, `body cut after ${bodyCut.ms} ms`);
  t.true(headersCut.ms >= 1_000 && headersCut.ms < 3_500, `headers cut after ${headersCut.ms} ms`);
  t.is(parseResponses(bodyCut.text)[0]?.status, 408);
  t.is(parseResponses(headersCut.text)[0]?.status, 408);

  // The server is fine and serves others meanwhile.
  t.is((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
});
