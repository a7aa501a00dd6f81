/**
 * The `test` and `expect` every spec imports. `test` fails any test during which a page broke
 * the server's Content-Security-Policy: the page's `securitypolicyviolation` events and
 * Chromium's "Refused to ..." console errors (which also cover violations that fire no event in
 * the page) are collected in `cspViolations`, which must be empty when the test ends. A test
 * that provokes a violation on purpose checks the list and empties it.
 */
import { test as base, expect } from '@playwright/test';

export { expect };
export type { Locator, Page } from '@playwright/test';

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      await context.exposeBinding('__tdCspViolation', ({ page }, text: string) => {
        violations.push(`${page?.url() ?? '?'} :: ${text}`);
      });
      // Init scripts run through the DevTools protocol: the page's CSP does not block them.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const report = (window as unknown as { __tdCspViolation?: (t: string) => void }).__tdCspViolation;
          report?.(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || '?'}:${e.lineNumber}`);
        });
      });
      context.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
          violations.push(`${m.page()?.url() ?? '?'} :: console: ${m.text().slice(0, 300)}`);
        }
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});
