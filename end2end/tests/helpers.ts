/** Shared steps for the Talkdeck specs: unique users, page settling, and the account flows. */
import { expect, type Locator, type Page } from '@playwright/test';
import { codeFrom, waitForMail } from './mail';

export interface User {
  name: string;
  email: string;
  password: string;
}

function rand(): string {
  return Math.random().toString(36).slice(2, 8);
}

export function uniqueEmail(tag = 'user'): string {
  return `e2e-${tag}-${Date.now()}-${rand()}@example.com`;
}

/** Long, mixed, and not on any common-password list. */
export function strongPassword(): string {
  return `Tdk-e2e-${rand()}${rand()}-pass`;
}

export function newUser(tag = 'user'): User {
  return { name: `E2E ${tag} ${rand()}`, email: uniqueEmail(tag), password: strongPassword() };
}

/**
 * Opens `path` and lets the page settle. With JavaScript on this waits for the network to go
 * quiet, i.e. for the WASM bundle to load and the page to hydrate, so typed values are not
 * overwritten by hydration and submits go through the hydrated forms.
 */
export async function visit(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await settle(page);
}

export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle').catch(() => {
    /* a long-poll or websocket must not fail the test; 'load' has been reached */
  });
}

/** A URL predicate on the path only (query ignored unless given in the regex). */
export function atPath(path: string): (url: URL) => boolean {
  return (url) => url.pathname === path;
}

export async function signUp(page: Page, user: User): Promise<void> {
  await visit(page, '/signup');
  await page.getByLabel('Name', { exact: true }).fill(user.name);
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/verify\?(.*&)?email=/);
  await settle(page);
}

/**
 * On /verify: reads the newest code mailed to the user since `after` and submits it.
 * Ends on the Overview, logged in.
 */
export async function verifyFromMail(page: Page, user: User, after: number): Promise<string> {
  const mail = await waitForMail(user.email, 'verification code', after);
  const code = codeFrom(mail);
  // .first(): the "Send a new code" form may carry its own Email field.
  await expect(page.getByLabel('Email', { exact: true }).first()).toHaveValue(user.email);
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify email' }).click();
  await page.waitForURL(atPath('/'));
  await settle(page);
  await expectOverview(page, user);
  return code;
}

/** Signs a new user up through the UI, verifies with the mailed code; ends logged in on `/`. */
export async function signUpAndVerify(page: Page, user: User): Promise<void> {
  const t0 = Date.now();
  await signUp(page, user);
  await verifyFromMail(page, user, t0);
}

export async function expectOverview(page: Page, user: User): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Overview', exact: true })).toBeVisible();
  await expect(page.getByText(`Welcome, ${user.name}`).first()).toBeVisible();
}

/** Fills and submits the login form (on /login already, or opens it). Does not wait for a result. */
export async function submitLogin(page: Page, email: string, password: string, path = '/login'): Promise<void> {
  if (new URL(page.url(), 'http://x').pathname !== '/login') await visit(page, path);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Logs in from a fresh /login and waits for the home page (or `expectPath`). */
export async function logIn(page: Page, user: Pick<User, 'email' | 'password'>, expectPath = '/'): Promise<void> {
  await visit(page, '/login');
  await submitLogin(page, user.email, user.password);
  await page.waitForURL(atPath(expectPath));
  await settle(page);
}

export async function expectLoginRefused(page: Page, email: string, password: string): Promise<void> {
  await visit(page, '/login');
  await submitLogin(page, email, password);
  await expect(alertMessage(page)).toContainText('Invalid email or password');
  expect(new URL(page.url()).pathname).toBe('/login');
}

/** The "User menu" toggle: a button, or a <summary> (which has no implicit ARIA role). */
export function userMenuToggle(page: Page): Locator {
  return page
    .getByRole('button', { name: 'User menu' })
    .or(page.locator('summary[aria-label="User menu"]'))
    .first();
}

/** Opens the user menu (idempotent for a <details> menu that is already open). */
export async function openUserMenu(page: Page): Promise<void> {
  const logout = page.getByRole('button', { name: 'Log out' });
  if (await logout.isVisible()) return;
  await userMenuToggle(page).click();
  await expect(logout).toBeVisible();
}

export async function logOut(page: Page): Promise<void> {
  await openUserMenu(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(atPath('/login'));
  await settle(page);
}

export async function mainNav(page: Page): Promise<Locator> {
  const nav = page.locator('nav[aria-label="Main"]');
  await expect(nav).toBeVisible();
  return nav;
}

/** A role="alert" region with some text (empty live regions that are always present don't count). */
export function alertMessage(page: Page): Locator {
  return page.getByRole('alert').filter({ hasText: /\S/ }).first();
}

/** A role="status" region with some text. */
export function statusMessage(page: Page): Locator {
  return page.getByRole('status').filter({ hasText: /\S/ }).first();
}

/** A US number nobody else uses in this run (the simulator only looks at the last four digits). */
export function randomNumber(): string {
  // Exchanges 220-999 without the N11 service codes (211, 311, ...), which are not valid numbers.
  let exchange = 220 + Math.floor(Math.random() * 780);
  if (exchange % 100 === 11) exchange += 1;
  const line = Math.floor(1000 + Math.random() * 9000);
  return `+1415${exchange}${line}`;
}

/** Creates a project through the form (it becomes the active one) and returns its id. */
export async function createProject(page: Page, name: string): Promise<string> {
  await visit(page, '/projects/new');
  await page.getByLabel('Project name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(atPath('/'));
  const res = await page.request.get('/api/v1/projects?limit=100');
  expect(res.ok()).toBeTruthy();
  const project = (await res.json()).data.find((p: { name: string }) => p.name === name);
  expect(project).toBeTruthy();
  return project.id as string;
}

/** Adds a new number to the project and makes the agent call out from it (through the API, with the session cookie). */
export async function callFrom(page: Page, projectId: string, agentId: string): Promise<void> {
  const number = await page.request.post('/api/v1/phone-numbers', { data: { project_id: projectId, number: randomNumber() } });
  expect(number.status(), await number.text()).toBe(201);
  const numberId = (await number.json()).data.id as string;
  const calling = await page.request.put(`/api/v1/agents/${agentId}/calling`, { data: { direction: 'outbound', phone_number_ids: [numberId] } });
  expect(calling.ok(), await calling.text()).toBeTruthy();
}
