import { defineConfig } from '@playwright/test';

/**
 * The server under test is started by the Makefile (`make e2e`), not by Playwright.
 *   BASE_URL  where it listens (default http://127.0.0.1:3000)
 *   DATA_DIR  its data directory; the specs read outgoing mail from `${DATA_DIR}/mail/`
 *             (or from MAIL_DIR when that is set)
 *   CHROMIUM  browser binary (default /usr/bin/chromium, Debian's; Playwright's own
 *             browser download is skipped with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1)
 */
const BASE_URL = (process.env.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
process.env.BASE_URL = BASE_URL;

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  // One shared server on a small machine: run the specs one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: './test-results',
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
