/** Profile editing and code resend (hydrated). */
import { expect, test } from './fixtures';
import {
  atPath,
  expectOverview,
  newUser,
  openUserMenu,
  settle,
  signUp,
  signUpAndVerify,
  statusMessage,
  verifyFromMail,
} from './helpers';

test('profile: change name and company name', async ({ page }) => {
  const user = newUser('profile');
  await signUpAndVerify(page, user);

  await openUserMenu(page);
  await page.getByRole('link', { name: 'Profile', exact: true }).click();
  await page.waitForURL(atPath('/settings/profile'));
  await settle(page);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(user.name);

  const renamed = { ...user, name: `${user.name} Renamed` };
  await page.getByLabel('Name', { exact: true }).fill(renamed.name);
  await page.getByLabel('Company name').fill('Acme E2E Ltd');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(statusMessage(page)).toContainText('Profile saved.');

  await page.reload();
  await settle(page);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(renamed.name);
  await expect(page.getByLabel('Company name')).toHaveValue('Acme E2E Ltd');
  await page.goto('/');
  await settle(page);
  await expectOverview(page, renamed);
});

test('verify: "Send a new code" mails a code that works', async ({ page }) => {
  const user = newUser('resend');
  await signUp(page, user);

  const t1 = Date.now();
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await expect(statusMessage(page)).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/verify');
  // The resent mail is the newest after t1; its code verifies.
  await verifyFromMail(page, user, t1);
});
