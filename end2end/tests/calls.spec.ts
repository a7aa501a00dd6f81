/** Calls: place one from the dialog, follow it live, read it, re-run its analysis; filter and search the history; the Overview charts. */
import { expect, type Page, test } from './fixtures';
import { atPath, callFrom, createProject, newUser, settle, signUpAndVerify, visit } from './helpers';

function rand(): string {
  return Math.random().toString(36).slice(2, 7);
}

/** An outbound agent with two variables and a number to call from, made the active agent (through the API, with the session cookie). */
async function createCallingAgent(page: Page, projectId: string): Promise<string> {
  const agent = await page.request.post('/api/v1/agents', {
    data: {
      project_id: projectId,
      name: `Orders ${rand()}`,
      system_prompt: 'You call {{customer_name}} to confirm the delivery of order {{order_id}}. Be brief and friendly.',
      first_message: 'Hello {{customer_name}}, this is Acme calling about your order {{order_id}}.',
      recording: true,
      analysis: { summary: true, success_criteria: 'The customer confirms the delivery', questions: [] },
    },
  });
  expect(agent.status(), await agent.text()).toBe(201);
  const agentId = (await agent.json()).data.id as string;
  await callFrom(page, projectId, agentId);
  const active = await page.request.put(`/api/v1/projects/${projectId}/active-agent`, { data: { agent_id: agentId } });
  expect(active.ok(), await active.text()).toBeTruthy();
  return agentId;
}

test('place a call from the dialog, watch it complete live, read it, re-run its analysis, find it again', async ({ page }) => {
  test.setTimeout(120_000);
  const user = newUser('calls');
  await signUpAndVerify(page, user);
  const projectId = await createProject(page, `Calls project ${rand()}`);
  await createCallingAgent(page, projectId);

  await visit(page, '/calls');
  await expect(page.getByRole('heading', { name: 'No calls yet' })).toBeVisible();

  // Place the call from the dialog, with both variables.
  await page.getByRole('link', { name: 'New call' }).click();
  const dialog = page.getByRole('dialog', { name: 'New call' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('customer_name', { exact: true }).fill('Ada Lovelace');
  await dialog.getByLabel('order_id', { exact: true }).fill('A-1042');
  await dialog.getByLabel('Number to call').fill('+1 415 555 2671');
  // A marker that a reload would lose: the list must update in place.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(dialog).toBeHidden();

  const row = page.locator('tr[data-call-id]').first();
  await expect(row).toContainText('+14155552671');
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', /queued|initiated|ringing|in-progress/);
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'completed', { timeout: 45_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // Open it: the agent's first turn carries the variables' values.
  await row.getByRole('link').first().click();
  await page.waitForURL(/\/calls\/[^/?]+$/);
  await settle(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Call to +14155552671');
  const firstAgentTurn = page.locator('li[data-role="agent"]').first();
  await expect(firstAgentTurn).toContainText('Hello Ada Lovelace, this is Acme calling about your order A-1042.');
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();

  // The recording plays (setup installs espeak-ng, which renders it).
  const audio = page.getByLabel('Call recording');
  await expect(audio).toBeVisible({ timeout: 20_000 });
  const played = await audio.evaluate(async (el: HTMLAudioElement) => {
    el.muted = true;
    await el.play();
    await new Promise((r) => setTimeout(r, 400));
    return { time: el.currentTime, duration: el.duration };
  });
  expect(played.duration).toBeGreaterThan(1);
  expect(played.time).toBeGreaterThan(0);

  // The analysis arrives, then a re-run with an ad-hoc Selector question adds version 2.
  await expect(page.getByRole('heading', { name: /Version 1/ })).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Extra question (optional)').fill('Which delivery slot did the customer pick?');
  await page.getByLabel('Answer type').selectOption('Selector');
  await page.getByLabel('Options (Selector only, comma-separated)').fill('morning, afternoon, evening');
  await page.getByRole('button', { name: 'Re-run analysis' }).click();
  const v2 = page.getByRole('heading', { name: /Version 2/ });
  await expect(v2).toBeVisible();
  await expect(v2).toContainText('Latest');
  await expect(page.getByRole('cell', { name: 'Which delivery slot did the customer pick?' })).toBeVisible();
  await expect(page.getByText('Earlier versions (1)')).toBeVisible();

  // The history: filter by status, then search a transcript word.
  await visit(page, '/calls');
  await page.getByLabel('Status').selectOption('completed');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/status=completed/);
  await expect(page.locator('tr[data-call-id]')).toHaveCount(1);
  await page.getByLabel('Status').selectOption('busy');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/status=busy/);
  await expect(page.getByRole('heading', { name: 'No call matches these filters' })).toBeVisible();

  await visit(page, '/calls?q=Lovelace');
  await expect(page.locator('tr[data-call-id]')).toHaveCount(1);
  await expect(page.getByLabel('Search')).toHaveValue('Lovelace');
  await visit(page, '/calls?q=xylophonequartet');
  await expect(page.getByRole('heading', { name: 'No call matches these filters' })).toBeVisible();

  // The Overview charts render with text alternatives.
  await visit(page, '/');
  const chart = page.getByRole('img', { name: /Calls per day/ });
  await expect(chart).toBeVisible();
  await expect(page.getByText('Answer rate')).toBeVisible();
});

test('the call pages work without JavaScript: filters in the URL, the New call dialog', async ({ browser }) => {
  test.setTimeout(90_000);
  const ctx = await browser.newContext({ javaScriptEnabled: true });
  const setup = await ctx.newPage();
  const user = newUser('calls-nojs');
  await signUpAndVerify(setup, user);
  const projectId = await createProject(setup, `No-JS calls ${rand()}`);
  await createCallingAgent(setup, projectId);
  const state = await ctx.storageState();
  await ctx.close();

  const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: state });
  const page = await nojs.newPage();
  await page.goto('/calls?new=1');
  const dialog = page.getByRole('dialog', { name: 'New call' });
  await expect(dialog).toBeVisible();
  // A missing variable comes back as an error in the dialog, naming it.
  await dialog.getByLabel('customer_name', { exact: true }).fill('Grace');
  await dialog.getByLabel('order_id', { exact: true }).evaluate((el: HTMLInputElement) => el.removeAttribute('required'));
  await dialog.getByLabel('Number to call').fill('+1 415 555 2671');
  await dialog.getByRole('button', { name: 'Place call' }).click();
  await expect(page.getByText('Missing values for: order_id.')).toBeVisible();

  await page.goto('/calls?new=1');
  await page.getByLabel('customer_name', { exact: true }).fill('Grace');
  await page.getByLabel('order_id', { exact: true }).fill('B-7');
  await page.getByLabel('Number to call').fill('+1 415 555 0001');
  await page.getByRole('button', { name: 'Place call' }).click();
  await page.waitForURL(/\/calls\/[^/?]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Call to +14155550001');

  await page.goto('/calls?status=queued&kind=test');
  await expect(page.getByLabel('Status')).toHaveValue('queued');
  await page.goto('/calls?min_secs=-4');
  await expect(page.getByText('Durations are whole seconds')).toBeVisible();
  await nojs.close();
});
