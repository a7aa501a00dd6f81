/** Agents, the editor (prompt preview, voice picker, calling settings), phone numbers and the active agent picker (hydrated). */
import { expect, type Page, test } from './fixtures';
import { atPath, newUser, settle, signUpAndVerify, statusMessage, visit } from './helpers';

function uniqueName(tag: string): string {
  return `${tag} ${Math.random().toString(36).slice(2, 7)}`;
}

/** Creates a project through /projects/new; ends on the Overview with it active. */
async function createProject(page: Page, name: string): Promise<void> {
  await visit(page, '/projects/new');
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(atPath('/'));
  await expect(page.getByRole('button', { name: 'Project', exact: true })).toContainText(name);
}

function agentPicker(page: Page) {
  return page.getByRole('button', { name: 'Active agent', exact: true });
}

/** Adds a number on /phone-numbers as typed, for `country`. Does not wait for the result. */
async function submitNumber(page: Page, number: string, country = 'US'): Promise<void> {
  await page.getByLabel('Country', { exact: true }).selectOption(country);
  await page.getByLabel('Phone number', { exact: true }).fill(number);
  await page.getByRole('button', { name: 'Add number' }).click();
}

test('a member builds an agent: prompt preview, voice, save, number, calling settings, active agent', async ({ page }) => {
  test.slow();
  const user = newUser('agents');
  await signUpAndVerify(page, user);
  await createProject(page, uniqueName('Agents project'));

  // The top bar shows that nothing is active yet.
  await expect(agentPicker(page)).toContainText('No active agent');

  // Create an agent: it opens in the editor.
  await visit(page, '/agents');
  await expect(page.getByRole('heading', { name: 'No agents yet' })).toBeVisible();
  const name = uniqueName('Reminders');
  await page.getByLabel('Agent name').fill(name);
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.waitForURL(/\/agents\/[^/?]+$/);
  await settle(page);
  const editorPath = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('agent-version')).toHaveText('Version 1');
  await expect(page.getByText('The editor is loading')).toBeHidden();

  // Variables are detected and previewed as the user types.
  await page.getByLabel('System prompt').fill('Hello {{customer_name}}, your appointment is on {{date}}.');
  const chips = page.getByRole('list', { name: 'Detected variables' }).getByRole('listitem');
  await expect(chips).toHaveText(['{{customer_name}}', '{{date}}']);
  await expect(page.getByTestId('preview-missing')).toHaveText('Missing values: customer_name, date');
  await page.getByLabel('customer_name', { exact: true }).fill('Ada');
  await expect(page.getByTestId('preview-missing')).toHaveText('Missing values: date');
  await page.getByLabel('date', { exact: true }).fill('Monday at 10');
  await expect(page.getByTestId('preview-prompt')).toHaveText('Hello Ada, your appointment is on Monday at 10.');
  await expect(page.getByText('Every variable has a value.')).toBeVisible();
  await expect(page.getByText('Unsaved changes')).toBeVisible();

  // The voice picker filters the catalog and plays previews.
  await page.getByRole('button', { name: 'Choose voice' }).click();
  const picker = page.getByRole('region', { name: 'Voice picker' });
  await expect(picker).toBeVisible();
  await expect(picker.getByRole('button', { name: 'Play preview of Rachel' })).toBeVisible();
  await picker.getByLabel('Language').selectOption('en-GB');
  await picker.getByLabel('Gender').selectOption('female');
  await expect(picker.getByRole('button', { name: 'Play preview of Rachel' })).toHaveCount(0);
  const play = picker.getByRole('button', { name: 'Play preview of Sonia' });
  await expect(play).toBeVisible();
  await play.click();
  await expect(picker.getByRole('button', { name: 'Pause preview of Sonia' })).toHaveAttribute('aria-pressed', 'true');
  await expect
    .poll(() =>
      page.evaluate(() => {
        const audio = document.querySelector('audio');
        return !!audio && !audio.paused && audio.src.includes('/assets/voices/');
      }),
    )
    .toBe(true);
  await picker.getByRole('button', { name: 'Use Sonia' }).click();
  await expect(picker).toHaveCount(0);
  await expect(page.getByTestId('current-voice')).toContainText('Sonia');

  // Save: the version goes up.
  await page.getByRole('button', { name: 'Save agent' }).click();
  await expect(statusMessage(page)).toContainText('Saved. This is version 2.');
  await expect(page.getByTestId('agent-version')).toHaveText('Version 2');

  // The saved prompt and voice are there after a reload.
  await page.reload();
  await settle(page);
  await expect(page.getByLabel('System prompt')).toHaveValue('Hello {{customer_name}}, your appointment is on {{date}}.');
  await expect(page.getByTestId('current-voice')).toContainText('Sonia');

  // Add a number in national format.
  await visit(page, '/phone-numbers');
  await submitNumber(page, '(415) 555-2671');
  await expect(statusMessage(page)).toContainText('+14155552671');
  const row = page.getByRole('row').filter({ hasText: '+14155552671' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('(415) 555-2671');
  await expect(row).toContainText('+1 415-555-2671');

  // Use it from the agent's calling settings.
  await visit(page, editorPath);
  const numbersUsed = page.getByRole('list', { name: 'Numbers this agent uses' });
  await expect(numbersUsed).toHaveCount(0);
  await page.getByRole('checkbox', { name: /\+14155552671/ }).check();
  await page.getByRole('button', { name: 'Save calling settings' }).click();
  await expect(page.getByText('Calling settings saved.')).toBeVisible();
  await expect(numbersUsed).toContainText('+14155552671');
  await expect(numbersUsed).toContainText('(415) 555-2671');

  // The number lists the agent too.
  await visit(page, '/phone-numbers');
  await expect(page.getByRole('row').filter({ hasText: '+14155552671' })).toContainText(name);

  // Make it the active agent from the top bar.
  await agentPicker(page).click();
  await expect(agentPicker(page)).toHaveAttribute('aria-expanded', 'true');
  await page.locator('#agent-picker-panel').getByRole('button', { name }).click();
  await expect(agentPicker(page)).toContainText(name);
  await page.reload();
  await settle(page);
  await expect(agentPicker(page)).toContainText(name);
  await visit(page, '/agents');
  await expect(page.getByRole('row').filter({ hasText: name })).toContainText('Active');
});

test('an invalid phone number is refused with a clear message and nothing is added', async ({ page }) => {
  const user = newUser('numbers');
  await signUpAndVerify(page, user);
  await createProject(page, uniqueName('Numbers project'));

  await visit(page, '/phone-numbers');
  await expect(page.getByRole('heading', { name: 'No phone numbers yet' })).toBeVisible();
  await submitNumber(page, '555');
  const input = page.getByLabel('Phone number', { exact: true });
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#number-input-error')).toContainText('not a valid phone number');
  await expect(page.getByRole('heading', { name: 'No phone numbers yet' })).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(0);
  await expect(input).toHaveValue('555');
});

test('every dashboard page hydrates after a full load, without console errors', async ({ page }) => {
  test.slow();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`${page.url()} :: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${page.url()} :: ${m.text().slice(0, 300)}`);
  });
  await signUpAndVerify(page, newUser('hydrate'));
  await createProject(page, uniqueName('Hydration project'));
  await visit(page, '/agents');
  await page.getByLabel('Agent name').fill('Hydration agent');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.waitForURL(/\/agents\/[^/?]+$/);
  const editor = new URL(page.url()).pathname;
  for (const path of [editor, '/agents', '/voices', '/phone-numbers', '/', '/settings/team', '/settings/project', '/settings/api-keys']) {
    await visit(page, path);
    // A hydrated page answers to the agent picker (a JS-only toggle).
    await agentPicker(page).click();
    await expect(agentPicker(page)).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('Escape');
  }
  expect(problems).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('agents, numbers and the active agent work as plain form posts', async ({ page }) => {
    test.slow();
    await signUpAndVerify(page, newUser('agents-nojs'));
    await visit(page, '/projects/new');
    await page.getByLabel('Project name').fill(uniqueName('Plain project'));
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(atPath('/'));
    // A new agent opens in the editor, which says that saving needs JavaScript.
    await visit(page, '/agents');
    const name = uniqueName('Plain agent');
    await page.getByLabel('Agent name').fill(name);
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents\/[^/?]+$/);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(page.getByText('The editor is loading')).toBeVisible();
    // A number typed nationally is normalised.
    await visit(page, '/phone-numbers');
    await page.getByLabel('Phone number', { exact: true }).fill('(650) 253-0000');
    await page.getByRole('button', { name: 'Add number' }).click();
    await settle(page);
    await expect(page.getByRole('row').filter({ hasText: '+16502530000' })).toContainText('(650) 253-0000');
    // The agent becomes active from the list.
    await visit(page, '/agents');
    await page.getByRole('row').filter({ hasText: name }).getByRole('button', { name: /Set active/ }).click();
    await settle(page);
    await visit(page, '/agents');
    await expect(page.getByRole('row').filter({ hasText: name })).toContainText('Active');
    await expect(agentPicker(page)).toContainText(name);
  });
});
