/** Progressive enhancement: the account pages work as plain HTML form posts. */
import { expect, test } from './fixtures';
import {
  atPath,
  expectLoginRefused,
  expectOverview,
  logIn,
  logOut,
  newUser,
  settle,
  signUpAndVerify,
  submitLogin,
} from './helpers';

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign up, verify, log out, wrong password, log in', async ({ page }) => {
    test.slow();
    const user = newUser('nojs');
    await signUpAndVerify(page, user);
    await logOut(page);
    await expectLoginRefused(page, user.email, user.password + '-wrong');
    await logIn(page, user);
    await expectOverview(page, user);
  });

  test('logged-out visit to /calls goes to login and back', async ({ page }) => {
    const user = newUser('nojs-next');
    await signUpAndVerify(page, user);
    await page.context().clearCookies();
    await page.goto('/calls');
    await page.waitForURL(/\/login\?(.*&)?next=(%2F|\/)calls(&|$)/);
    await settle(page);
    await submitLogin(page, user.email, user.password);
    await page.waitForURL(atPath('/calls'));
    await expect(page.locator('nav[aria-label="Main"]')).toBeVisible();
  });
});
