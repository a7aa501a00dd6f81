/**
 * The release build under its security headers: the page's CSP names the nonce its inline
 * scripts carry, the bundle is served under hashed names as immutable, and the CSP really
 * blocks an injected inline script (which the `cspViolations` guard of every test reports).
 */
import { expect, test } from './fixtures';
import { settle } from './helpers';

test('hashed bundle, immutable caching and the nonce of the inline scripts', async ({ page }) => {
  const bundle: { url: string; cacheControl: string }[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/pkg/')) {
      bundle.push({ url: new URL(r.url()).pathname, cacheControl: r.headers()['cache-control'] ?? '' });
    }
  });
  const res = await page.goto('/login');
  expect(res).not.toBeNull();
  const headers = res!.headers();
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("'unsafe-eval'");
  expect(csp).not.toContain("'unsafe-inline'");
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  // The browser hides nonce attributes from the DOM after parsing; the served HTML shows them.
  const html = await res!.text();
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
  await settle(page);

  // JS, WASM and CSS under content-hashed names, cached for a year without revalidation.
  for (const ext of ['js', 'wasm', 'css']) {
    const file = bundle.find((b) => b.url.endsWith(`.${ext}`));
    expect(file, `a /pkg .${ext} file was loaded: ${JSON.stringify(bundle)}`).toBeTruthy();
    expect(file!.url).toMatch(new RegExp(`^/pkg/talkdeck\\.[A-Za-z0-9_-]{10,}\\.${ext}$`));
    expect(file!.cacheControl).toBe('public, max-age=31536000, immutable');
  }

  // A second load gets a new nonce.
  const again = await page.request.get('/login');
  const nonce2 = /'nonce-([^']+)'/.exec(again.headers()['content-security-policy'] ?? '')?.[1];
  expect(nonce2).toBeTruthy();
  expect(nonce2).not.toBe(nonce);
});

test('an injected inline script is refused and reported as a violation', async ({ page, cspViolations }) => {
  await page.goto('/login');
  await settle(page);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__tdInjected = true;';
    document.head.appendChild(s);
  });
  // Both channels of the guard see it: the page's event and Chromium's console error.
  await expect.poll(() => cspViolations.some((v) => v.includes(' :: console: '))).toBe(true);
  await expect.poll(() => cspViolations.some((v) => !v.includes(' :: console: '))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { __tdInjected?: boolean }).__tdInjected)).toBeUndefined();
  expect(cspViolations.join('\n')).toMatch(/script-src/);
  // Provoked on purpose: not a failure of this test.
  cspViolations.length = 0;
});

test('the API reference at /docs renders under the CSP from vendored assets', async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  const res = await page.goto('/docs');
  expect(res?.status()).toBe(200);
  expect(res!.headers()['content-security-policy'] ?? '').toContain("frame-ancestors 'none'");
  // Swagger UI fetched the generated document and lists its operations.
  await expect(page.getByRole('heading', { name: /Talkdeck/ }).first()).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('.opblock').first()).toBeVisible();
  expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
  const origin = new URL(page.url()).origin;
  const external = requested.filter((u) => /^https?:/.test(u) && new URL(u).origin !== origin);
  expect(external, 'no CDN or other origin').toEqual([]);
});
