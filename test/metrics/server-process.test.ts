import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startListeningServer } from '../helpers/server-process.ts';
import { waitFor } from '../helpers/fault-proxy.ts';

/** The port of the server's `metrics listening` log line, if it has written it. */
function metricsPort(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('metrics listening')) continue;
    const { port } = JSON.parse(line) as { port?: unknown };
    if (typeof port === 'number') return port;
  }
  return undefined;
}

test('npm start with METRICS_PORT serves /metrics on that port only, and closes it on SIGTERM', async (t) => {
  t.timeout(90_000);
  const directory = mkdtempSync(join(tmpdir(), 'tessera-metrics-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const { server, port } = await startListeningServer({ DATABASE_URL: join(directory, 'tessera.sqlite'), METRICS_PORT: '0' });
  t.teardown(() => server.kill('SIGKILL'));

  let scrapePort: number | undefined;
  await waitFor('the metrics listening line', () => (scrapePort = metricsPort(server.output())) !== undefined, 10_000);
  t.not(scrapePort, port);

  const publicAnswer = await fetch(`http://127.0.0.1:${port}/metrics`);
  t.is(publicAnswer.status, 404);
  t.is(((await publicAnswer.json()) as { error: string }).error, 'not_found');

  await (await fetch(`http://127.0.0.1:${port}/healthz`)).arrayBuffer();
  const scraped = await fetch(`http://127.0.0.1:${scrapePort}/metrics`);
  t.is(scraped.status, 200);
  const text = await scraped.text();
  t.regex(text, /^tessera_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]/m);
  t.regex(text, /^tessera_database_up 1$/m);
  t.regex(text, /^process_resident_memory_bytes /m);

  server.kill('SIGTERM');
  const [code] = await once(server, 'exit');
  t.is(code, 0);
  await t.throwsAsync(fetch(`http://127.0.0.1:${scrapePort}/metrics`));
});

test('without METRICS_PORT no metrics server is started', async (t) => {
  t.timeout(90_000);
  const directory = mkdtempSync(join(tmpdir(), 'tessera-metrics-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const { server, port } = await startListeningServer({ DATABASE_URL: join(directory, 'tessera.sqlite') });
  t.teardown(() => server.kill('SIGKILL'));
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  t.is(response.status, 404);
  await response.arrayBuffer();
  t.false(server.output().includes('metrics listening'));
});
