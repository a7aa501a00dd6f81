import type { FullConfig } from '@playwright/test';

/** Waits (up to 60 s) for the server started by the Makefile to answer `GET /health` with 200. */
export default async function globalSetup(_config: FullConfig): Promise<void> {
  const base = (process.env.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const url = `${base}/health`;
  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within 60 s (last: ${last})`);
}
