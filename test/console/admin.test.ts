import test from 'ava';
import { ADMIN, openBrowser, openPage, PASSWORD, signIn, startConsoleServer } from './browser.ts';

test('Admin: finds a user and disables them; their session and token are refused at once; the audit log shows it', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('alice');
  const bobId = await api.register('bob');
  const bob = await api.login('bob', PASSWORD, { device_name: 'Bob laptop' });
  const pat = await api.call('POST', '/tokens', { token: bob.access_token, body: { name: 'bob-ci', abilities: ['*'] } });
  t.is(pat.status, 201);
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);
  await signIn(page, server.origin, ADMIN.username, ADMIN.password);

  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Search users').fill('bo');
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row').filter({ hasText: 'bob' });
  await row.waitFor();
  // The unfiltered list stays on screen until the search answers (bob is in both): wait for the
  // answer, which must drop alice; a search that did not filter times out here.
  await page.getByRole('row').filter({ hasText: 'alice' }).waitFor({ state: 'detached' });
  t.is(await page.getByRole('row').filter({ hasText: 'alice' }).count(), 0);
  await page.getByRole('button', { name: 'Disable bob' }).click();
  await page.getByRole('status').filter({ hasText: 'bob is disabled' }).waitFor();

  // Both of bob's credentials are refused the moment the page says so.
  t.is((await api.call('GET', '/me', { token: bob.access_token })).body.error, 'token_revoked');
  t.is((await api.call('GET', '/me', { token: pat.body.token })).status, 401);
  t.is((await api.call('POST', '/login', { body: { username: 'bob', password: PASSWORD } })).body.error, 'account_disabled');
  await row.getByText('Disabled').waitFor();

  // Enabled again, and made an admin.
  await page.getByRole('button', { name: 'Enable bob' }).click();
  await page.getByRole('status').filter({ hasText: 'bob is enabled' }).waitFor();
  await page.getByRole('button', { name: 'Make admin: bob' }).click();
  await page.getByRole('status').filter({ hasText: 'bob is now an admin' }).waitFor();
  const bobAgain = await api.login('bob');
  t.is((await api.call('GET', '/me', { token: bobAgain.access_token })).body.is_admin, true);

  // The audit log, filtered by user name and type.
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('User (name or id)').fill('bob');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByLabel('Event type').selectOption({ label: 'Account disabled' });
  const events = page.getByRole('table', { name: 'Audit log' });
  await page.waitForURL(/type=user_disabled/);
  // The unfiltered rows stay on screen until the filtered page arrives; then one is left.
  await events.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
  await events.getByRole('cell', { name: 'Account disabled' }).waitFor();
  t.is(await events.locator('tbody tr').count(), 1);
  t.regex(await events.locator('tbody tr').innerText(), new RegExp(`#${bobId}`));
  await page.getByLabel('Event type').selectOption({ label: 'All events' });
  await events.getByRole('cell', { name: 'Made an admin' }).waitFor();
  await events.getByRole('cell', { name: 'Account enabled' }).waitFor();
  await events.getByRole('cell', { name: 'Token created' }).waitFor();
  t.deepEqual(problems, []);
});

test("Admin: a user's devices and tokens, revoked one at a time and all at once", async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('dave');
  const one = await api.login('dave', PASSWORD, { device_name: 'Desk' });
  const two = await api.login('dave', PASSWORD, { device_name: 'Train' });
  const three = await api.login('dave', PASSWORD, { device_name: 'Home' });
  const tokens = [];
  for (const name of ['first', 'second']) {
    tokens.push((await api.call('POST', '/tokens', { token: one.access_token, body: { name, abilities: ['profile:read'] } })).body.token as string);
  }
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);
  await signIn(page, server.origin, ADMIN.username, ADMIN.password);

  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: 'dave' }).click();
  await page.getByRole('heading', { name: 'dave', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Revoke Train' }).click();
  await page.getByRole('status').filter({ hasText: 'Train of dave was signed out.' }).waitFor();
  t.is((await api.call('GET', '/me', { token: two.access_token })).body.error, 'token_revoked');
  t.is((await api.call('GET', '/me', { token: one.access_token })).status, 200);

  await page.getByRole('button', { name: 'Sign out all devices' }).click();
  await page.getByRole('status').filter({ hasText: 'Signed dave out of 2 devices.' }).waitFor();
  for (const token of [one.access_token, three.access_token]) {
    t.is((await api.call('GET', '/me', { token })).body.error, 'token_revoked');
  }
  await page.getByText('No device is signed in.').waitFor();

  await page.getByRole('button', { name: 'Revoke first' }).click();
  await page.getByRole('status').filter({ hasText: 'The token “first” of dave was revoked.' }).waitFor();
  t.is((await api.call('GET', '/me', { token: tokens[0] })).status, 401);
  t.is((await api.call('GET', '/me', { token: tokens[1] })).status, 200);
  await page.getByRole('button', { name: 'Revoke all tokens' }).click();
  await page.getByRole('status').filter({ hasText: 'Revoked 1 token of dave.' }).waitFor();
  t.is((await api.call('GET', '/me', { token: tokens[1] })).status, 401);
  await page.getByText('No personal access tokens.').waitFor();
  t.deepEqual(problems, []);
});

test('A user who is not an admin sees no admin pages', async (t) => {
  const server = await startConsoleServer(t);
  await server.api.register('erin');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);
  await signIn(page, server.origin, 'erin', PASSWORD);
  t.is(await page.getByRole('link', { name: 'Users' }).count(), 0);
  await page.goto(`${server.origin}/console/admin/users`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  t.deepEqual(problems, []);
});
