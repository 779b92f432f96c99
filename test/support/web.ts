import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Pool } from 'pg';
import pino from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createWebApp } from '../../apps/web/src/web-app';
import { loadWebConfig } from '../../apps/web/src/web-config';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './app';

// A browser journey is tens of pages, each checked with axe: on this 2-core machine it takes 30-110 s
// (more while other work runs), so the files that drive the browser get 4 minutes per test, not 60 s.
jest.setTimeout(240_000);

/** Debian's Chromium (apt-get install chromium; .ci/run installs it): Playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WebStack {
  api: TestContext;
  webUrl: string;
  /** Everything the web service logged, as text: tests look for what must never be there. */
  logs(): string;
  close(): Promise<void>;
}

/** The real API and the real web service on the run's database, each on a free port. */
export async function startWebStack(
  overrides: Record<string, string> = {},
  apiOverrides: Record<string, string> = {},
): Promise<WebStack> {
  const databaseUrl = process.env.TEST_WEB_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_WEB_DATABASE_URL is not set: run the browser tests through jest.');
  const api = await startTestApp(apiOverrides, { databaseUrl });
  const apiServer = await api.app.listen(0, '127.0.0.1');
  const apiPort = (apiServer.address() as AddressInfo).port;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const sessionPool = new Pool({ connectionString: databaseUrl, max: 4 });
  const config = loadWebConfig({
    NODE_ENV: 'test',
    API_URL: `http://127.0.0.1:${apiPort}`,
    SESSION_SECRET: 'web-test-session-secret-0123456789abcdef',
    DATABASE_URL: databaseUrl,
    ...overrides,
  });
  const web = createWebApp({ config, sessionPool, logger });
  const server = web.app.listen(0, '127.0.0.1');
  await new Promise<void>((done) => server.once('listening', () => done()));
  const webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api,
    webUrl,
    logs: () => lines.join(''),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await web.close();
      await sessionPool.end();
      await api.close();
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run "apt-get install -y chromium" (.ci/run does this).`);
  }
  // Playwright gives every launch a fresh, temporary user-data-dir.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export async function newContext(browser: Browser, javaScript: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width: 1280, height: 900 } });
  // Fail on the step that hangs, well inside Jest's own timeout.
  context.setDefaultTimeout(15_000);
  if (!javaScript) noScript.set(context, browser);
  return context;
}

export async function signIn(page: Page, webUrl: string, email: string): Promise<void> {
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await submit(page, 'Sign in');
  if (new URL(page.url()).pathname === '/sign-in') throw new Error(`${email} could not sign in`);
}

const noScript = new WeakMap<BrowserContext, Browser>();

/**
 * axe on the page as it is now: no serious or critical violation of WCAG 2.2 A and AA. axe runs
 * as a script, so a page rendered with JavaScript off is checked as a copy of its HTML served at
 * the same address in a scripted context (same stylesheets, same origin).
 */
export async function expectAccessible(page: Page): Promise<void> {
  const browser = noScript.get(page.context());
  if (!browser) return axeCheck(page, page.url());
  const html = await page.content();
  const url = page.url();
  const copy = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const copyPage = await copy.newPage();
    await copyPage.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
    await copyPage.goto(url);
    await axeCheck(copyPage, url);
  } finally {
    await copy.close();
  }
}

async function axeCheck(page: Page, url: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      ...v,
      nodes: v.nodes.filter((n) => !(v.id === 'aria-allowed-attr' && isGovukConditionalReveal(n))),
    }))
    .filter((v) => v.nodes.length > 0)
    .map((v) => `${v.id} (${v.impact}) at ${url}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

/**
 * GOV.UK Frontend's one known axe finding, kept on purpose by the Design System after research
 * with screen reader users: `aria-expanded` on a radio or checkbox that reveals conditional
 * content (alphagov/govuk-frontend#979, known issues #1280). Only that attribute on those inputs.
 */
function isGovukConditionalReveal(node: { html: string; any: { data?: unknown }[]; all: { data?: unknown }[] }) {
  if (!/class="govuk-(radios|checkboxes)__input"/.test(node.html)) return false;
  const attrs = [...node.any, ...node.all].flatMap((c) => {
    const values = (c.data as { values?: unknown } | undefined)?.values;
    return Array.isArray(values) ? (values as string[]) : [];
  });
  return attrs.length > 0 && attrs.every((a) => a.startsWith('aria-expanded='));
}

export const SCREENS = join(__dirname, '..', '..', 'docs', 'screens');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

/** The page's main heading, once the page has loaded. */
export async function heading(page: Page): Promise<string> {
  await page.waitForLoadState('load');
  return ((await page.locator('h1').first().textContent()) ?? '').trim();
}

/** The text of the error summary ('' when there is none). */
export async function errorSummary(page: Page): Promise<string> {
  const summary = page.locator('.govuk-error-summary');
  return (await summary.count()) ? ((await summary.textContent()) ?? '').replace(/\s+/g, ' ').trim() : '';
}

/**
 * Submits a form by its button and waits for the page it leads to: forms post and redirect, so
 * that is the GET the navigation ends on (a page read before it arrived would be the old one).
 */
export async function submit(page: Page, button: string, expectStatus = 200): Promise<void> {
  const landed = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.request().method() === 'GET' && r.status() === expectStatus,
  );
  await page.getByRole('button', { name: button, exact: true }).click();
  await landed;
  await page.waitForLoadState('load');
}
