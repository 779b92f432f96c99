import type { Browser } from 'playwright-core';
import {
  errorSummary,
  expectAccessible,
  heading,
  launchChromium,
  newContext,
  screenshot,
  signIn,
  startWebStack,
  submit,
  type WebStack,
} from '../support/web';

const SOCIAL_WORKER = 'social.worker@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';

describe('web: signing in and out, and my work', () => {
  let stack: WebStack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchChromium();
  });
  afterAll(async () => {
    if (process.env.WEB_DEBUG) console.log(stack.logs());
    await browser?.close();
    await stack?.close();
  });

  for (const javaScript of [true, false]) {
    it(`signs in, shows my work, signs out (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const context = await newContext(browser, javaScript);
      const page = await context.newPage();
      await page.goto(stack.webUrl);
      expect(await heading(page)).toBe('Sign in to Safeguarding Hub');
      await expectAccessible(page);

      await signIn(page, stack.webUrl, MASH);
      expect(await heading(page)).toBe('My work');
      expect(await page.locator('main').textContent()).toContain('Maya Ashford');
      expect(await page.locator('body').getAttribute('class')).toContain(
        javaScript ? 'js-enabled' : 'govuk-template__body',
      );
      await expectAccessible(page);
      if (javaScript) await screenshot(page, 'home');

      await submit(page, 'Sign out');
      expect(await heading(page)).toBe('You have signed out');
      await page.goto(`${stack.webUrl}/notifications`);
      expect(await heading(page)).toBe('Sign in to Safeguarding Hub');
      await context.close();
    });
  }

  it('refuses a wrong password with an error summary naming the field', async () => {
    const context = await newContext(browser, false);
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/sign-in`);
    await page.getByLabel('Email address').fill(SOCIAL_WORKER);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await submit(page, 'Sign in');
    expect(await page.title()).toMatch(/^Error: Sign in/);
    expect(await errorSummary(page)).toContain('Enter a correct email address and password');
    expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#email');
    expect(await page.getByLabel('Email address').inputValue()).toBe(SOCIAL_WORKER);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await expectAccessible(page);
    await context.close();
  });

  it('returns to the page asked for after signing in', async () => {
    const context = await newContext(browser, false);
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/notifications`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await signIn(page, stack.webUrl, SOCIAL_WORKER);
    expect(new URL(page.url()).pathname).toBe('/notifications');
    await context.close();
  });
});
