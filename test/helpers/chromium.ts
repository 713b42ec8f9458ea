import type { ExecutionContext } from 'ava';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (`/usr/bin/chromium`, installed by test/helpers/ensure-chromium.sh when missing),
 * headless, never a downloaded browser; closed when the test ends. The flags
 * keep it from reaching for the network this machine does not have.
 */
export async function openBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}
