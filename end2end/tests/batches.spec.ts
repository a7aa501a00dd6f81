/** Batches: upload a CSV, read the validation report, start, watch the progress reach the end, open a row's call, export the results; and the upload form without JavaScript. */
import { expect, type Page, test } from './fixtures';
import { atPath, callFrom, createProject, newUser, settle, signUpAndVerify, visit } from './helpers';

function rand(): string {
  return Math.random().toString(36).slice(2, 7);
}

/** An outbound agent needing {{name}}, with a number to call from (through the API, with the session cookie). */
async function createCallingAgent(page: Page, projectId: string): Promise<string> {
  const name = `Renewals ${rand()}`;
  const agent = await page.request.post('/api/v1/agents', {
    data: {
      project_id: projectId,
      name,
      system_prompt: 'You call {{name}} about their subscription renewal. Be brief.',
      first_message: 'Hello {{name}}, this is Acme about your renewal.',
    },
  });
  expect(agent.status(), await agent.text()).toBe(201);
  const agentId = (await agent.json()).data.id as string;
  await callFrom(page, projectId, agentId);
  return name;
}

// Three good rows (completed conversations on the simulator), an invalid number and a duplicate.
const CSV = [
  'number,name',
  '+14155552671,Ada',
  'not a number,Bea',
  '+14155552672,Cy',
  '+1 415 555 2671,Ada again',
  '+14155552673,Dee',
].join('\n');

test('upload a CSV, read the report, start, watch it finish, open a call, export the results', async ({ page }) => {
  test.setTimeout(180_000);
  const user = newUser('batches');
  await signUpAndVerify(page, user);
  const projectId = await createProject(page, `Batches project ${rand()}`);
  const agentName = await createCallingAgent(page, projectId);

  await visit(page, '/batches');
  await expect(page.getByRole('heading', { name: 'No batches yet' })).toBeVisible();
  await page.getByRole('link', { name: 'New batch' }).first().click();
  await page.waitForURL(atPath('/batches/new'));
  await settle(page);

  await page.getByLabel('Agent', { exact: true }).selectOption({ label: agentName });
  await page.getByLabel('Name', { exact: true }).fill('Spring renewals');
  await page.getByLabel('Contacts file').setInputFiles({ name: 'renewals.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
  await settle(page);
  const batchUrl = page.url();

  // The report: three good rows, two bad ones with their reasons.
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Spring renewals');
  await expect(page.locator('h1 [data-status]')).toHaveAttribute('data-status', 'draft');
  await expect(page.getByTestId('good-rows')).toContainText('3 good rows will be called');
  const bad = page.getByRole('table', { name: 'Rows that cannot be called' });
  await expect(bad.locator('tbody tr')).toHaveCount(2);
  await expect(bad.locator('tr[data-row="3"]')).toContainText('not a number');
  await expect(bad.locator('tr[data-row="3"] [data-code="invalid_number"]')).toBeVisible();
  await expect(bad.locator('tr[data-row="5"] [data-code="duplicate"]')).toBeVisible();

  // Start with the defaults: any time, every number, no retries.
  await expect(page.getByLabel('Any time (no window)')).toBeChecked();
  await page.getByRole('button', { name: 'Start batch' }).click();
  await expect(page.locator('h1 [data-status]')).not.toHaveAttribute('data-status', 'draft');

  // Live: the bar reaches the end without a reload.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const bar = page.getByRole('progressbar', { name: 'Progress' }).first();
  await expect(bar).toHaveAttribute('aria-valuemax', '3');
  await expect(bar).toHaveAttribute('aria-valuenow', '3', { timeout: 120_000 });
  await expect(page.locator('h1 [data-status]')).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // The rows: filter on done, open a row's call.
  await page.getByLabel('State', { exact: true }).selectOption('done');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/state=done/);
  await expect(page.locator('tr[data-state="done"]')).toHaveCount(3);
  await page.locator('tr[data-row="2"]').getByRole('link', { name: /View call/ }).click();
  await page.waitForURL(/\/calls\/[^/?]+$/);
  await settle(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Call to +14155552671');

  // The list shows the batch finished.
  await visit(page, '/batches');
  const row = page.locator('tr[data-batch-id]').first();
  await expect(row).toContainText('Spring renewals');
  await expect(row).toContainText(agentName);
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '3');

  // Export.
  await page.goto(batchUrl);
  await settle(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const path = await download.path();
  const text = (await import('node:fs')).readFileSync(path, 'utf8');
  const header = text.split(/\r?\n/)[0];
  expect(header).toMatch(/number/);
  expect(text.split(/\r?\n/).filter((l) => l.trim()).length).toBeGreaterThanOrEqual(4);
});

test('the upload form works without JavaScript, errors included', async ({ browser }) => {
  test.setTimeout(90_000);
  const setup = await browser.newContext();
  const page = await setup.newPage();
  const user = newUser('batches-nojs');
  await signUpAndVerify(page, user);
  const projectId = await createProject(page, `No-JS batches ${rand()}`);
  const agentName = await createCallingAgent(page, projectId);
  const state = await setup.storageState();
  await setup.close();

  const ctx = await browser.newContext({ javaScriptEnabled: false, storageState: state });
  const p = await ctx.newPage();
  await p.goto('/batches/new');
  await p.getByLabel('Agent', { exact: true }).selectOption({ label: agentName });
  await p.getByLabel('Name', { exact: true }).fill('No script');
  // A file that is not a spreadsheet comes back with its message and the name kept.
  await p.getByLabel('Contacts file').setInputFiles({ name: 'contacts.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a zip') });
  await p.getByRole('button', { name: 'Upload and check' }).click();
  await p.waitForURL(/\/batches\/new\?error=/);
  await expect(p.locator('#batch-file-error')).toBeVisible();
  await expect(p.getByLabel('Name', { exact: true })).toHaveValue('No script');

  await p.getByLabel('Contacts file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await p.getByRole('button', { name: 'Upload and check' }).click();
  await p.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
  await expect(p.getByTestId('good-rows')).toContainText('3 good rows will be called');
  await ctx.close();
});

test('the do-not-call list: add typed numbers, upload a file, remove one; a listed number is reported at upload', async ({ page }) => {
  test.setTimeout(90_000);
  const user = newUser('dnc');
  await signUpAndVerify(page, user);
  const projectId = await createProject(page, `DNC project ${rand()}`);
  const agentName = await createCallingAgent(page, projectId);

  await visit(page, '/settings');
  await page.getByRole('link', { name: 'Do-not-call list' }).click();
  await page.waitForURL(atPath('/settings/do-not-call'));
  await settle(page);
  await expect(page.getByRole('heading', { name: 'No numbers on the list' })).toBeVisible();

  await page.getByLabel('Numbers', { exact: true }).fill('+1 415 555 2672\nnot a number');
  await page.getByRole('button', { name: 'Add to list' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not a number' })).toBeVisible();
  await page.getByLabel('Numbers', { exact: true }).fill('+1 415 555 2672, +14155552699');
  await page.getByLabel('Note (optional)').fill('asked');
  await page.getByRole('button', { name: 'Add to list' }).click();
  await expect(page.getByTestId('dnc-result')).toHaveText('2 numbers added.');
  const table = page.getByRole('table', { name: 'Do-not-call numbers' });
  await expect(table.locator('tbody tr')).toHaveCount(2);

  await page.getByLabel('Numbers file').setInputFiles({ name: 'dnc.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n+14155552698\n+14155552699\n') });
  await page.getByRole('button', { name: 'Upload numbers' }).click();
  await page.waitForURL(/added=1&already=1/);
  await settle(page);
  await expect(page.getByTestId('dnc-result')).toHaveText('1 number added; 1 already on the list.');
  await expect(table.locator('tbody tr')).toHaveCount(3);

  await table.locator('tr[data-number="+14155552698"]').getByRole('button', { name: /Remove/ }).click();
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tr[data-number="+14155552698"]')).toHaveCount(0);

  // A batch upload reports a listed number with its reason.
  await visit(page, '/batches/new');
  await page.getByLabel('Agent', { exact: true }).selectOption({ label: agentName });
  await page.getByLabel('Name', { exact: true }).fill('With a listed number');
  await page.getByLabel('Contacts file').setInputFiles({ name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from('number,name\n+14155552672,Cy\n+14155552673,Dee\n') });
  await page.getByRole('button', { name: 'Upload and check' }).click();
  await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
  await settle(page);
  const bad = page.getByRole('table', { name: 'Rows that cannot be called' });
  await expect(bad.locator('tr[data-row="2"] [data-code="do_not_call"]')).toBeVisible();
});
