/** Forgot password → mailed link → new password → log in; the link works only once. */
import { expect, test } from './fixtures';
import {
  alertMessage,
  atPath,
  expectLoginRefused,
  expectOverview,
  logIn,
  newUser,
  settle,
  signUpAndVerify,
  statusMessage,
  strongPassword,
  visit,
} from './helpers';
import { resetPathFrom, waitForMail } from './mail';

test('forgot password, reset from the mailed link, single use', async ({ page }) => {
  test.slow();
  const user = newUser('reset');
  await signUpAndVerify(page, user);
  await page.context().clearCookies();

  // Ask for a reset link.
  await visit(page, '/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL(atPath('/forgot-password'));
  await settle(page);
  const t0 = Date.now();
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(statusMessage(page)).toContainText('If the email is registered');

  // Follow the mailed link (its host is PUBLIC_URL's; open its path on the server under test).
  const resetPath = resetPathFrom(await waitForMail(user.email, 'Reset your Talkdeck password', t0));
  expect(resetPath).toMatch(/^\/reset-password\?token=[A-Za-z0-9_-]+/);
  const newPassword = strongPassword();
  await visit(page, resetPath);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.waitForURL(/\/login\?(.*&)?reset=1/);
  await settle(page);
  await expect(statusMessage(page)).toContainText('Your password has been reset');

  // The new password works, the old one no longer does.
  await expectLoginRefused(page, user.email, user.password);
  await logIn(page, { email: user.email, password: newPassword });
  await expectOverview(page, user);

  // The same link again: refused (either on load or on submit), password unchanged.
  await page.context().clearCookies();
  await visit(page, resetPath);
  const submit = page.getByRole('button', { name: 'Set new password' });
  await expect(alertMessage(page).or(submit).first()).toBeVisible();
  if (await submit.isVisible()) {
    const another = strongPassword();
    await page.getByLabel('New password', { exact: true }).fill(another);
    await page.getByLabel('Confirm new password').fill(another);
    await submit.click();
  }
  await expect(alertMessage(page)).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/reset-password');
  await logIn(page, { email: user.email, password: newPassword });
  await expectOverview(page, user);
});
