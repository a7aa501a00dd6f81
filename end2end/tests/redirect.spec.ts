/** App pages need a session: logged-out visits go to /login?next=… and come back after login. */
import { expect, test } from './fixtures';
import { atPath, logOut, newUser, settle, signUpAndVerify, submitLogin, visit } from './helpers';

test('logged-out visit to /calls goes to login and comes back after login', async ({ page, baseURL }) => {
  const user = newUser('next');
  await signUpAndVerify(page, user);
  await page.context().clearCookies();

  await page.goto('/calls');
  await page.waitForURL(/\/login\?(.*&)?next=(%2F|\/)calls(&|$)/);
  await settle(page);
  await submitLogin(page, user.email, user.password);
  await page.waitForURL(atPath('/calls'));
  await expect(page.locator('nav[aria-label="Main"]')).toBeVisible();

  // `next` never leads off-site.
  await logOut(page);
  await visit(page, '/login?next=' + encodeURIComponent('//evil.example.com/x'));
  await submitLogin(page, user.email, user.password);
  await page.waitForURL((url) => url.origin === new URL(baseURL!).origin && url.pathname !== '/login');
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
});
