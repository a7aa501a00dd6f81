/**
 * The account flow in a normal (JavaScript-enabled, hydrated) browser: sign up, verify with the
 * mailed code, Overview, log out, log in, change the password, and log in with the new one.
 */
import { expect, test, type Page } from './fixtures';
import {
  alertMessage,
  atPath,
  expectLoginRefused,
  expectOverview,
  logIn,
  logOut,
  mainNav,
  newUser,
  openUserMenu,
  settle,
  signUp,
  statusMessage,
  strongPassword,
  verifyFromMail,
  visit,
} from './helpers';

/**
 * Hydration proof #1: inline validation is client-side code. Typing a too-short password and
 * leaving the field shows "at least 8 ..." without any submit. Retried (refill + blur) so a
 * page that hydrates a moment later still passes; a server-rendered-only page never does.
 */
async function expectInlinePasswordValidation(page: Page): Promise<void> {
  const password = page.getByLabel('Password', { exact: true });
  const hint = page.getByText(/at least 8/i);
  // A static hint ("Use at least 8 characters") may be rendered by the server already.
  const staticHints = await hint.count();
  await expect(async () => {
    await password.fill('');
    await password.fill('short');
    await password.blur();
    const shown = await hint.count();
    const invalid = (await password.getAttribute('aria-invalid')) === 'true';
    expect(shown > staticHints || (invalid && shown > 0), 'inline validation (client-side, needs hydration) should show "at least 8"').toBe(true);
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1_000] });
  await expect(hint.last()).toBeVisible();
  // Nothing was submitted.
  expect(new URL(page.url()).pathname).toBe('/signup');
}

test('sign up, verify, log out, log in, change password (hydrated)', async ({ page }) => {
  test.slow();
  const user = newUser('js');

  // Sign up, with the inline validation proving the page hydrated.
  await visit(page, '/signup');
  await expectInlinePasswordValidation(page);
  const t0 = Date.now();
  await signUp(page, user);

  // Verify with the code from the outbox; lands on the Overview, logged in.
  await verifyFromMail(page, user, t0);
  await expect(page).toHaveTitle(/Talkdeck/);

  // The authenticated shell.
  const nav = await mainNav(page);
  for (const name of ['Overview', 'Agents', 'Calls', 'Batches', 'Phone numbers', 'Voices', 'Settings']) {
    await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  }

  // Hydration proof #2: the router navigates client-side (no document reload) once hydrated.
  await page.evaluate(() => {
    (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload = true;
  });
  await nav.getByRole('link', { name: 'Calls', exact: true }).click();
  await page.waitForURL(atPath('/calls'));
  await nav.getByRole('link', { name: 'Overview', exact: true }).click();
  await page.waitForURL(atPath('/'));
  await expectOverview(page, user);
  expect(
    await page.evaluate(() => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload),
    'nav links should navigate without reloading the document',
  ).toBe(true);

  // Log out and back in.
  await logOut(page);
  await logIn(page, user);
  await expectOverview(page, user);

  // Change the password from the user menu; a wrong current password is refused first.
  await openUserMenu(page);
  await expect(page.getByRole('link', { name: 'Profile', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Change password', exact: true }).click();
  await page.waitForURL(atPath('/settings/password'));
  await settle(page);

  const newPassword = strongPassword();
  await page.getByLabel('Current password').fill(`${user.password}-wrong`);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(alertMessage(page)).toBeVisible();
  await expect(page.getByText('Password changed')).toHaveCount(0);

  await page.getByLabel('Current password').fill(user.password);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(statusMessage(page)).toContainText('Password changed');

  // Only the new password works now.
  await logOut(page);
  await expectLoginRefused(page, user.email, user.password);
  await logIn(page, { email: user.email, password: newPassword });
  await expectOverview(page, user);
});

test('wrong password shows the error (hydrated)', async ({ page }) => {
  await visit(page, '/login');
  await expect(page.getByRole('link', { name: 'Forgot your password?' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign up' })).toBeVisible();
  await expectLoginRefused(page, newUser('nobody').email, strongPassword());
});
