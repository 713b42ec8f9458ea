import test from 'ava';
import { openBrowser, openPage, PASSWORD, signIn, startConsoleServer } from './browser.ts';

test('My tokens: a token created with chosen abilities and expiry works through the API, its secret shown once; revoked, it is refused', async (t) => {
  const server = await startConsoleServer(t);
  const { api } = server;
  await api.register('carol');
  const browser = await openBrowser(t);
  const { page, problems } = await openPage(browser);
  await signIn(page, server.origin, 'carol', PASSWORD);

  await page.getByRole('link', { name: 'My tokens' }).click();
  await page.getByText('You have no personal access tokens.').waitFor();
  t.is(await page.getByRole('checkbox', { name: /Administer Tessera/ }).count(), 0); // not an admin: not offered
  await page.getByLabel('Name').fill('Deploy script');
  await page.getByRole('checkbox', { name: /profile:read/ }).check();
  await page.getByRole('checkbox', { name: /sessions:read/ }).check();
  await page.getByLabel('Expires after').selectOption({ label: '7 days' });
  await page.getByRole('button', { name: 'Create token' }).click();

  const secret = await page.getByRole('textbox', { name: 'Token secret' }).inputValue();
  t.regex(secret, /^tsr_pat_/);
  const me = await api.call('GET', '/me', { token: secret });
  t.is(me.status, 200);
  t.is(me.body.username, 'carol');
  t.is(me.body.token.name, 'Deploy script');
  t.deepEqual(me.body.token.abilities.sort(), ['profile:read', 'sessions:read']);
  const days = (Date.parse(me.body.token.expires_at) - Date.now()) / 86_400_000;
  t.true(days > 6.9 && days <= 7, `expires in ${days} days`);
  // Only the abilities chosen: audit:read was not.
  t.is((await api.call('GET', '/me/audit', { token: secret })).body.error, 'insufficient_scope');

  // Shown once: after Done the secret is nowhere on the page.
  await page.getByRole('button', { name: 'Done' }).click();
  const card = page.getByRole('listitem', { name: 'Deploy script' });
  await card.waitFor();
  t.false((await page.content()).includes(secret));
  t.regex(await card.innerText(), /profile:read[\s\S]*sessions:read/);

  await page.getByRole('button', { name: 'Revoke Deploy script' }).click();
  await page.getByRole('status').filter({ hasText: 'no longer works' }).waitFor();
  const refused = await api.call('GET', '/me', { token: secret });
  t.is(refused.status, 401);
  t.is(refused.body.error, 'token_revoked');
  await page.getByText('You have no personal access tokens.').waitFor();
  t.deepEqual(problems, []);
});
