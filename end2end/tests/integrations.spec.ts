/** Integrations: a webhook endpoint with a test event in its delivery log; HubSpot connected to a local fake and a call synced. */
import { expect, test } from '@playwright/test';
import * as http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { atPath, callFrom, createProject, newUser, settle, signUpAndVerify, visit } from './helpers';

function rand(): string {
  return Math.random().toString(36).slice(2, 8);
}

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/** A local webhook receiver (the e2e server runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true). */
async function receiver(): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.${r.body}`).digest('base64');
  return r.signature.split(' ').includes(`v1,${mac}`);
}

test('add a webhook endpoint, send a test event, see it in the delivery log', async ({ page }) => {
  test.setTimeout(90_000);
  const rx = await receiver();
  try {
    const user = newUser('hooks');
    await signUpAndVerify(page, user);
    await createProject(page, `Webhooks ${rand()}`);

    await visit(page, '/settings');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL(atPath('/settings/webhooks'));
    await settle(page);
    await expect(page.getByRole('heading', { name: 'No webhook endpoints yet' })).toBeVisible();

    // A bad URL is refused next to its field.
    await page.getByLabel('URL').fill('ftp://example.com/x');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.locator('#url-error')).toBeVisible();

    await page.getByLabel('URL').fill(rx.url);
    await page.getByLabel('Description (optional)').fill('E2E receiver');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByTestId('webhook-created')).toBeVisible();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    const list = page.getByRole('list', { name: 'Webhook endpoints' });
    await expect(list.getByText(rx.url)).toBeVisible();

    await list.getByRole('link', { name: `Manage ${rx.url}` }).click();
    await page.waitForURL(/\/settings\/webhooks\/[0-9a-f-]{36}$/);
    await settle(page);
    await expect(page.getByRole('heading', { name: 'No deliveries' })).toBeVisible();

    await page.getByRole('button', { name: 'Send test event' }).click();
    const log = page.getByRole('table', { name: 'Deliveries' });
    const row = log.locator('tr[data-event-type="webhook.test"]');
    // The log follows the delivery live: pending, then succeeded.
    await expect(row.getByText('succeeded')).toBeVisible({ timeout: 20_000 });
    await expect.poll(() => rx.got.length).toBe(1);
    expect(verifies(secret, rx.got[0])).toBe(true);
    expect(JSON.parse(rx.got[0].body).type).toBe('webhook.test');

    await row.getByRole('button', { name: 'Attempts' }).click();
    await expect(page.getByRole('list', { name: 'Attempts' })).toContainText('200');

    // Reveal and rotate the secret; a replay is signed by both during the overlap.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect(page.getByText('New secret; the old one still signs for 24 hours.')).toBeVisible();
    const rotated = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(rotated).not.toBe(secret);
    await row.getByRole('button', { name: /Replay/ }).click();
    await expect.poll(() => rx.got.length, { timeout: 20_000 }).toBe(2);
    expect(rx.got[1].id).toBe(rx.got[0].id);
    expect(verifies(secret, rx.got[1]) && verifies(rotated, rx.got[1])).toBe(true);
  } finally {
    await rx.close();
  }
});

/** A fake of HubSpot's CRM API on the port the e2e server's HUBSPOT_API_BASE names. */
async function fakeHubSpot(token: string): Promise<{ calls: unknown[]; close: () => Promise<void> }> {
  const calls: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { message: 'Authentication credentials not found.' });
      const url = req.url ?? '';
      if (req.method === 'GET' && url.startsWith('/crm/v3/objects/contacts')) return reply(200, { results: [] });
      if (req.method === 'POST' && url === '/crm/v3/objects/contacts/search') return reply(200, { total: 0, results: [] });
      if (req.method === 'POST' && url === '/crm/v3/objects/contacts') return reply(201, { id: '701' });
      if (req.method === 'POST' && url === '/crm/v3/objects/calls') {
        calls.push(JSON.parse(body));
        return reply(201, { id: `90${calls.length}` });
      }
      if (req.method === 'PATCH') return reply(200, { id: url.split('/').pop() });
      return reply(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.HUBSPOT_FAKE_PORT ?? 3199), '127.0.0.1', resolve));
  return { calls, close: () => new Promise((r) => server.close(() => r())) };
}

test("connect HubSpot and see a call's sync in the log", async ({ page }) => {
  test.setTimeout(120_000);
  const token = `pat-e2e-${rand()}-token`;
  const hs = await fakeHubSpot(token);
  try {
    const user = newUser('hubspot');
    await signUpAndVerify(page, user);
    const projectId = await createProject(page, `HubSpot ${rand()}`);

    await visit(page, '/settings');
    await page.getByRole('link', { name: 'HubSpot' }).click();
    await page.waitForURL(atPath('/settings/integrations/hubspot'));
    await settle(page);
    await expect(page.getByRole('heading', { name: 'Nothing synced yet' })).toBeVisible();

    await page.getByLabel('Private app access token').fill('wrong-token');
    await page.getByRole('button', { name: 'Connect HubSpot' }).click();
    await expect(page.locator('#token-error')).toContainText('HubSpot refused this token');

    await page.getByLabel('Private app access token').fill(token);
    await page.getByLabel("Create a contact when none has the call's number").check();
    await page.getByLabel('Analysis answers to contact properties').fill('summary = last_call_summary');
    await page.getByRole('button', { name: 'Connect HubSpot' }).click();
    await expect(page.getByTestId('hubspot-connected')).toBeVisible();
    await expect(page.getByText(`Stored token ends in …${token.slice(-4)}.`)).toBeVisible();

    // A call through the API (the session cookie), then its sync in the log.
    const agent = await page.request.post('/api/v1/agents', {
      data: { project_id: projectId, name: `Sync ${rand()}`, system_prompt: 'You call to confirm a delivery.', first_message: 'Hello, this is Acme.' },
    });
    expect(agent.status(), await agent.text()).toBe(201);
    const agentId = (await agent.json()).data.id as string;
    await callFrom(page, projectId, agentId);
    const call = await page.request.post(`/api/v1/agents/${agentId}/call`, { data: { to: '+1 415 555 2671' } });
    expect(call.status(), await call.text()).toBe(201);

    const log = page.getByRole('table', { name: 'HubSpot sync log' });
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(log.locator('tr[data-outcome="succeeded"]').first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    expect(hs.calls.length).toBe(1);
  } finally {
    await hs.close();
  }
});
