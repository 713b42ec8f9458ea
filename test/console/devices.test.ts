import test from 'ava';
import { openBrowser, openPage, PASSWORD, signIn, startConsoleServer } from './browser.ts';

test('My devices: this device marked, a second one revoked through the page is refused by the API at once', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('alice');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);

  await signIn(page, server.origin, 'alice', PASSWORD);
  // The tokens live in HttpOnly cookies: no script on the page can read them.
  t.false((await page.evaluate(() => document.cookie)).includes('tsr_at'));
  t.false((await page.evaluate(() => JSON.stringify(localStorage))).includes('tsr_'));

  const laptop = await api.login('alice', PASSWORD, { device_name: 'CI laptop' });
  t.is((await api.call('GET', '/me', { token: laptop.access_token })).status, 200);
  await page.reload();

  const devices = page.getByRole('list', { name: 'Devices' });
  const thisOne = devices.getByRole('listitem').filter({ hasText: 'This device' });
  await thisOne.waitFor();
  t.regex(await thisOne.innerText(), /Chrome/);
  t.is(await thisOne.getByRole('button', { name: /Revoke/ }).count(), 0);
  const ciLaptop = devices.getByRole('listitem', { name: 'CI laptop' });
  t.regex(await ciLaptop.innerText(), /curl · 127\.0\.0\.1/);
  // Relative times, with the exact time on hover.
  const signedIn = ciLaptop.locator('time').first();
  t.is(await signedIn.innerText(), 'just now');
  t.regex((await signedIn.getAttribute('title')) ?? '', /\d{4}/);

  await page.getByRole('button', { name: 'Revoke CI laptop' }).click();
  await page.getByRole('status').filter({ hasText: 'CI laptop was signed out.' }).waitFor();
  // The page says so only after the API answered: the token is refused now, not eventually.
  const refused = await api.call('GET', '/me', { token: laptop.access_token });
  t.is(refused.status, 401);
  t.is(refused.body.error, 'token_revoked');
  await ciLaptop.waitFor({ state: 'detached' });
  t.deepEqual(problems, []);
});

test('Log out everywhere else signs out every other device and keeps this one', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('bob');
  const phone = await api.login('bob', PASSWORD, { device_name: 'Phone' });
  const tablet = await api.login('bob', PASSWORD, { device_name: 'Tablet' });
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);

  await signIn(page, server.origin, 'bob', PASSWORD);
  await page.getByRole('listitem', { name: 'Tablet' }).waitFor();
  await page.getByRole('button', { name: 'Log out everywhere else' }).click();
  await page.getByRole('status').filter({ hasText: 'Signed out 2 other devices.' }).waitFor();
  for (const token of [phone.access_token, tablet.access_token]) {
    t.is((await api.call('GET', '/me', { token })).body.error, 'token_revoked');
  }
  await page.getByText('No other device is signed in.').waitFor();
  // Still signed in here.
  await page.getByRole('link', { name: 'My activity' }).click();
  await page.getByRole('heading', { name: 'My activity' }).waitFor();
  await page.getByRole('cell', { name: 'Signed out everywhere' }).waitFor();
  t.deepEqual(problems, []);
});
