import test, { type ExecutionContext } from 'ava';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { openBrowser } from '../helpers/chromium.ts';
import { fileURLToPath } from 'node:url';
import { PASSWORD, register } from '../helpers/app.ts';
import { serveTessera, type SeenRequest } from './serve.ts';

const ENTRY = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url));

/** The SDK as a browser bundle, built the way an app's bundler would (ESM, no Node built-ins). */
async function sdkBundle(): Promise<string> {
  const result = await build({ entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'browser', write: false });
  return result.outputFiles[0]!.text;
}

/** A page that makes one client and exposes it; `store` is `local` (localStorage) or `memory`. */
function testPage(store: 'local' | 'memory'): string {
  return `<!doctype html><meta charset="utf-8"><title>tab</title>
<script type="module">
  import { TesseraClient, localStorageTokenStore, memoryTokenStore } from '/sdk.js';
  window.ends = [];
  window.client = new TesseraClient({
    store: ${store === 'local' ? 'localStorageTokenStore()' : 'memoryTokenStore()'},
    onSessionEnd: (reason) => window.ends.push(reason),
  });
  window.ready = true;
</script>`;
}

async function openTabs(t: ExecutionContext, baseUrl: string, count: number): Promise<Page[]> {
  const browser = await openBrowser(t);
  const context = await browser.newContext(); // one profile: tabs share storage, locks and channels
  const pages: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    pages.push(page);
  }
  return pages;
}

declare global {
  interface Window {
    client: import('../../src/client/index.ts').TesseraClient;
    ends: string[];
  }
}

test('two tabs whose access token expired call at once: one refresh reaches the server, both continue', async (t) => {
  const bundle = await sdkBundle();
  // Hold the first two expired-token calls until both have arrived, so both tabs really get the
  // 401 and both need a refresh; only the cross-tab lock then keeps it to one.
  const held: Array<() => void> = [];
  let oldToken = '';
  const server = await serveTessera(t, {
    files: { '/': { type: 'text/html', body: testPage('local') }, '/sdk.js': { type: 'text/javascript', body: bundle } },
    before: (seen: SeenRequest) =>
      seen.path === '/api/v1/me' && seen.authorization === `Bearer ${oldToken}` && held.length < 2
        ? new Promise<void>((release) => {
            held.push(release);
            if (held.length === 2) held.forEach((go) => go());
          })
        : Promise.resolve(),
  });
  await register(server.request, 'alice');
  const [first, second] = await openTabs(t, server.baseUrl, 2);

  await first!.evaluate((password) => window.client.login({ username: 'alice', password }), PASSWORD);
  const shared = await second!.evaluate(() => window.client.session());
  t.truthy(shared?.access_token, 'the second tab sees the session through localStorage');
  oldToken = shared!.access_token!;
  server.clock.advance(901);

  const names = await Promise.all(
    [first!, second!].map((page) => page.evaluate(() => window.client.me().then((me) => me.username))),
  );

  t.deepEqual(names, ['alice', 'alice']);
  t.is(server.refreshes().length, 1);
  t.is(server.refreshes()[0]!.status, 200);
  const expiredCalls = server.requests.filter((r) => r.path === '/api/v1/me' && r.authorization === `Bearer ${oldToken}`);
  t.deepEqual(expiredCalls.map((r) => r.status), [401, 401]);
  const [a, b] = await Promise.all([first!, second!].map((page) => page.evaluate(() => window.client.session())));
  t.is(a!.stamp, b!.stamp);
  t.not(a!.access_token, oldToken);
});

test('BroadcastChannel hands a login, a refresh and the end of the session to tabs that keep tokens in memory', async (t) => {
  const bundle = await sdkBundle();
  const server = await serveTessera(t, {
    files: { '/': { type: 'text/html', body: testPage('memory') }, '/sdk.js': { type: 'text/javascript', body: bundle } },
  });
  await register(server.request, 'alice');
  const [first, second] = await openTabs(t, server.baseUrl, 2);

  await first!.evaluate((password) => window.client.login({ username: 'alice', password }), PASSWORD);
  await second!.waitForFunction(() => window.client.session().then((s) => s !== null), undefined, { timeout: 10_000 });
  t.is(await second!.evaluate(() => window.client.me().then((me) => me.username)), 'alice');

  server.clock.advance(901);
  await first!.evaluate(() => window.client.me());
  t.is(server.refreshes().length, 1);
  const fresh = await first!.evaluate(() => window.client.session());
  await second!.waitForFunction((stamp) => window.client.session().then((s) => s?.stamp === stamp), fresh!.stamp);
  t.is(await second!.evaluate(() => window.client.me().then((me) => me.username)), 'alice');
  t.is(server.refreshes().length, 1); // the second tab used the pair it was handed

  await first!.evaluate(() => window.client.logout());
  await second!.waitForFunction(() => window.ends.length === 1, undefined, { timeout: 10_000 });
  t.deepEqual(await second!.evaluate(() => window.ends), ['logout']);
  t.is(await second!.evaluate(() => window.client.session()), null);
});
