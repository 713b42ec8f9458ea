/**
 * Regenerates docs/screenshots/*.png (README, "Web console"): a real server
 * with demo data, Chromium at desktop and phone widths. Not a test; run it
 * by hand after changing how the console looks:
 *
 *   npx tsx test/console/screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { ADMIN, openBrowser, openPage, PASSWORD, signIn, startConsoleServer } from './browser.ts';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const teardowns: (() => unknown)[] = [];
// The helpers take an ava context only to register clean-ups.
const t = { teardown: (fn: () => unknown) => teardowns.push(fn) } as unknown as ExecutionContext;

try {
  mkdirSync(OUT, { recursive: true });
  const server = await startConsoleServer(t);
  const { api } = server;
  const alice = await api.register('alice');
  await api.register('bob');
  await api.register('carol');
  await api.login('alice', PASSWORD, {}, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15');
  await api.login('alice', PASSWORD, { device_name: 'Work laptop' }, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0');
  const phone = await api.login('alice', PASSWORD, {}, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1');
  await api.call('POST', '/tokens', { token: phone.access_token, body: { name: 'Deploy script', abilities: ['posts:write', 'profile:read'] } });
  await api.call('POST', '/tokens', { token: phone.access_token, body: { name: 'Backup job', abilities: ['*'], expires_in: 7 * 86_400 } });
  await api.call('POST', '/login', { body: { username: 'alice', password: 'not the password' } });

  const browser = await openBrowser(t);
  const shoot = async (width: number, height: number, suffix: string) => {
    const { page } = await openPage(browser, { width, height });
    await page.goto(`${server.origin}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
    await page.screenshot({ path: `${OUT}sign-in${suffix}.png` });
    await signIn(page, server.origin, 'alice', PASSWORD);
    await page.getByRole('listitem', { name: 'Work laptop' }).waitFor();
    await page.screenshot({ path: `${OUT}devices${suffix}.png`, fullPage: true });
    await page.getByRole('link', { name: 'My tokens' }).click();
    await page.getByRole('listitem', { name: 'Backup job' }).waitFor();
    await page.screenshot({ path: `${OUT}tokens${suffix}.png`, fullPage: true });
    await page.getByRole('link', { name: 'My activity' }).click();
    await page.getByRole('cell', { name: 'Sign-in failed' }).waitFor();
    await page.screenshot({ path: `${OUT}activity${suffix}.png`, fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, server.origin, ADMIN.username, ADMIN.password);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'carol' }).waitFor();
    await page.screenshot({ path: `${OUT}admin-users${suffix}.png`, fullPage: true });
    await page.getByRole('link', { name: 'alice' }).click();
    await page.getByRole('listitem', { name: 'Deploy script' }).waitFor();
    await page.screenshot({ path: `${OUT}admin-user${suffix}.png`, fullPage: true });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    await page.screenshot({ path: `${OUT}admin-audit${suffix}.png`, fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
  };
  await shoot(1280, 800, '');
  await shoot(390, 844, '-phone');
  console.log(`screenshots written to ${OUT} (alice is user ${alice})`);
} finally {
  for (const teardown of teardowns.reverse()) await teardown();
}
