import test from 'ava';
import { openBrowser, openPage, PASSWORD, signIn, startConsoleServer } from './browser.ts';

// Long enough for sign-in to finish on a loaded CI machine, short enough to wait out.
const SESSION_SECONDS = 8;

test('An expired session returns to sign-in with a message, on the next click and on a reload', async (t) => {
  // Sessions of a few seconds: the expiry is real, in the server and in the cookies' Max-Age.
  const lifetime = String(SESSION_SECONDS);
  const server = await startConsoleServer(t, {
    ACCESS_TOKEN_TTL: lifetime,
    SESSION_IDLE_TTL: lifetime,
    SESSION_MAX_TTL: lifetime,
  });
  await server.api.register('frank');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);

  await signIn(page, server.origin, 'frank', PASSWORD);
  // The session began before signIn returned. Waiting it out is the behaviour under test, so
  // this test lets real time pass (the cookies' Max-Age runs on the browser's own clock).
  await page.waitForTimeout(SESSION_SECONDS * 1000 + 1000);

  await page.getByRole('link', { name: 'My activity' }).click();
  await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Your session has expired. Sign in again.' }).waitFor();

  await page.goto(`${server.origin}/console/activity`);
  await page.getByRole('status').filter({ hasText: 'Your session has expired. Sign in again.' }).waitFor();

  // Signing in again lands on a working console.
  await page.getByLabel('Username or email').fill('frank');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My activity', level: 1 }).waitFor();
  t.deepEqual(problems, []);
});

test('A session revoked from another device returns to sign-in saying so; a first visit just asks to sign in', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('gina');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);

  await page.goto(`${server.origin}/console/`);
  await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
  t.is(await page.locator('.notice').count(), 0);

  await signIn(page, server.origin, 'gina', PASSWORD);
  const phone = await api.login('gina');
  const { sessions } = (await api.call('GET', '/sessions', { token: phone.access_token })).body;
  const browserSession = sessions.find((session: { current: boolean }) => !session.current);
  t.is((await api.call('DELETE', `/sessions/${browserSession.id}`, { token: phone.access_token })).status, 204);

  await page.getByRole('link', { name: 'My tokens' }).click();
  await page.getByRole('status').filter({ hasText: 'signed out from another device or by an administrator' }).waitFor();
  await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();

  // And signing out says so.
  await signIn(page, server.origin, 'gina', PASSWORD);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
  t.deepEqual(problems, []);
});

test('My activity pages through my audit events, at phone width', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('hank');
  for (let i = 0; i < 24; i += 1) await api.login('hank');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser, { width: 390, height: 844 });
  await signIn(page, server.origin, 'hank', PASSWORD);

  await page.getByRole('link', { name: 'My activity' }).click();
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await pages.getByText('1–20 of 26').waitFor();
  await pages.getByRole('button', { name: 'Next' }).click();
  await pages.getByText('21–26 of 26').waitFor();
  t.true(await pages.getByRole('button', { name: 'Next' }).isDisabled());
  await page.getByRole('cell', { name: 'Account created' }).waitFor();
  await page.waitForURL(/\/console\/activity\?offset=20$/);
  await pages.getByRole('button', { name: 'Previous' }).click();
  await pages.getByText('1–20 of 26').waitFor();
  t.deepEqual(problems, []);
});
