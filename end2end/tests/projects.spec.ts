/** Projects, the picker, invitations and roles (hydrated). */
import { expect, type Page, test } from './fixtures';
import { codeFrom, invitePathFrom, waitForMail } from './mail';
import {
  atPath,
  logOut,
  newUser,
  settle,
  signUpAndVerify,
  statusMessage,
  visit,
  type User,
} from './helpers';

function picker(page: Page) {
  return page.getByRole('button', { name: 'Project', exact: true });
}

/** Creates a project through /projects/new; ends on the Overview with it active. */
async function createProject(page: Page, name: string, description = ''): Promise<void> {
  await visit(page, '/projects/new');
  await page.getByLabel('Project name').fill(name);
  if (description) await page.getByLabel('Description').fill(description);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(atPath('/'));
  await expect(picker(page)).toContainText(name);
}

function uniqueName(tag: string): string {
  return `${tag} ${Math.random().toString(36).slice(2, 7)}`;
}

test('a new user creates two projects and switches between them without a reload', async ({ page }) => {
  const user = newUser('projects');
  await signUpAndVerify(page, user);

  // No project yet: the empty state leads to the form.
  await expect(picker(page)).toContainText('No project yet');
  await page.getByRole('link', { name: 'Create your first project' }).click();
  await page.waitForURL(atPath('/projects/new'));
  await settle(page);

  const first = uniqueName('Alpha');
  const second = uniqueName('Beta');
  await page.getByLabel('Project name').fill(first);
  await page.getByLabel('Description').fill('The first one');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(atPath('/'));
  await expect(picker(page)).toContainText(first);
  await expect(page.getByRole('heading', { name: first })).toBeVisible();

  await createProject(page, second);

  // A marker on window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as unknown as { __tdMarker: string }).__tdMarker = 'still here'));

  await picker(page).click();
  await expect(picker(page)).toHaveAttribute('aria-expanded', 'true');
  await page.locator('#project-picker-panel').getByRole('button', { name: first }).click();
  await expect(picker(page)).toContainText(first);
  await expect(page.getByRole('heading', { name: first })).toBeVisible();

  await picker(page).click();
  await page.locator('#project-picker-panel').getByRole('button', { name: second }).click();
  await expect(picker(page)).toContainText(second);

  expect(await page.evaluate(() => (window as unknown as { __tdMarker?: string }).__tdMarker)).toBe('still here');

  // The choice is stored on the server.
  await page.reload();
  await settle(page);
  await expect(picker(page)).toContainText(second);
});

test('an owner invites a new person, who signs up through the link, accepts, and is later made a viewer', async ({
  browser,
}) => {
  const ownerCtx = await browser.newContext();
  const guestCtx = await browser.newContext();
  const owner = await ownerCtx.newPage();
  const guest = await guestCtx.newPage();
  try {
    const ownerUser = newUser('owner');
    await signUpAndVerify(owner, ownerUser);
    const project = uniqueName('Team project');
    await createProject(owner, project);

    // (b) Invite by email.
    const invitee: User = newUser('invitee');
    await visit(owner, '/settings/team');
    const t0 = Date.now();
    await owner.getByLabel('Email', { exact: true }).fill(invitee.email);
    await owner.getByLabel('Role', { exact: true }).selectOption('member');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await expect(statusMessage(owner)).toContainText('Invitation sent');
    await expect(owner.getByText(invitee.email, { exact: true }).first()).toBeVisible();

    const mail = await waitForMail(invitee.email, 'invited you to', t0);
    expect(mail.subject).toContain(project);
    const invitePath = invitePathFrom(mail);

    // The invitee opens the link logged out and signs up from there.
    await visit(guest, invitePath);
    await expect(guest.getByText(`${ownerUser.name} invited you to ${project} as member`)).toBeVisible();
    await guest.getByRole('link', { name: 'Sign up' }).click();
    await guest.waitForURL(atPath('/signup'));
    await settle(guest);
    await expect(guest.getByLabel('Email', { exact: true })).toHaveValue(invitee.email);
    await guest.getByLabel('Name', { exact: true }).fill(invitee.name);
    await guest.getByLabel('Password', { exact: true }).fill(invitee.password);
    const t1 = Date.now();
    await guest.getByRole('button', { name: 'Create account' }).click();
    await guest.waitForURL(/\/verify\?(.*&)?email=/);
    await settle(guest);
    // Verifying brings the invitee back to the invitation (not to the Overview).
    const code = codeFrom(await waitForMail(invitee.email, 'verification code', t1));
    await guest.getByLabel('Verification code').fill(code);
    await guest.getByRole('button', { name: 'Verify email' }).click();
    await guest.waitForURL(atPath('/invitations/accept'));
    await settle(guest);

    await guest.getByRole('button', { name: 'Accept invitation' }).click();
    await guest.waitForURL(atPath('/'));
    await settle(guest);
    await expect(picker(guest)).toContainText(project);
    await picker(guest).click();
    await expect(guest.locator('#project-picker-panel').getByRole('button', { name: project })).toBeVisible();

    // (c) The owner makes the new member a viewer.
    await visit(owner, '/settings/team');
    const row = owner.getByRole('row').filter({ hasText: invitee.email });
    await expect(row).toBeVisible();
    await owner.getByLabel(`Role for ${invitee.email}`).selectOption('viewer');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(statusMessage(owner)).toContainText(`${invitee.email} is now viewer`);

    // The viewer sees the project settings read-only…
    await visit(guest, '/settings/project');
    await expect(guest.getByText('Only admins and owners can change its settings')).toBeVisible();
    await expect(guest.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
    await expect(guest.getByLabel('Project name')).toHaveCount(0);
    await expect(guest.getByRole('button', { name: 'Delete project' })).toHaveCount(0);
    // …and cannot see the team controls either.
    await visit(guest, '/settings/team');
    await expect(guest.getByRole('row').filter({ hasText: ownerUser.email })).toBeVisible();
    await expect(guest.getByRole('button', { name: 'Send invitation' })).toHaveCount(0);
    await expect(guest.getByRole('combobox')).toHaveCount(0);

    // A direct call is refused by the server.
    const projects = await guest.request.post('/rpc/list_projects', { headers: { Accept: 'application/json' } });
    expect(projects.ok()).toBeTruthy();
    const list = (await projects.json()) as Array<{ id: string; name: string }>;
    const target = list.find((p) => p.name === project);
    expect(target).toBeTruthy();
    const res = await guest.request.post('/rpc/update_project', {
      form: { project_id: target?.id ?? '', name: 'Hijacked', description: '', call_status_webhook: '' },
      headers: { Accept: 'application/json' },
    });
    expect(res.status()).toBe(403);

    await logOut(guest);
  } finally {
    await ownerCtx.close();
    await guestCtx.close();
  }
});
