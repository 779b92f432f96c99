import type { Browser, Page } from 'playwright-core';
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
const TEAM_MANAGER = 'team.manager@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';
const INSPECTOR = 'inspector@inspectorate.example';
const SOUTHSHIRE_SOCIAL_WORKER = 'social.worker@southshire-council.example';

describe("web: find a child and read the child's record", () => {
  let stack: WebStack;
  let browser: Browser;
  let leahId: string;
  let kaiId: string;
  /** Every URL the browsers asked for: no child's name may be in one. */
  const urls: string[] = [];

  async function asUser(email: string, javaScript: boolean): Promise<Page> {
    const context = await newContext(browser, javaScript);
    const page = await context.newPage();
    page.on('request', (r) => urls.push(r.url()));
    await signIn(page, stack.webUrl, email);
    return page;
  }

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchChromium();
    const police = await stack.api.as('cse.officer@northshire-police.example');
    const found = async (q: string) =>
      (await stack.api.http.get('/api/v1/children').query({ q }).set('Authorization', police)).body.data[0]
        .id as string;
    leahId = await found('Leah Thompson');
    kaiId = await found('Kai Robinson');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  for (const javaScript of [false, true]) {
    it(`finds a child by a misspelt name, labelled a similar match, and reads the record and chronology (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const page = await asUser(SOCIAL_WORKER, javaScript);
      await page.getByRole('link', { name: 'Find a child' }).click();
      expect(await heading(page)).toBe('Find a child');
      await expectAccessible(page);
      await submit(page, 'Search');
      expect(await errorSummary(page)).toContain('Enter a name, an identifier or a date of birth');

      await page.getByLabel('Name').fill('Leah Tompson');
      await submit(page, 'Search');
      const results = page.locator('[data-test=child-results]');
      expect(await results.textContent()).toContain('Leah Thompson');
      expect(await results.textContent()).toContain('Similar name match');
      await expectAccessible(page);
      await page.getByLabel('Name').fill('leah THOMPSON');
      await submit(page, 'Search');
      expect(await results.textContent()).toContain('Exact name match');
      await page.getByLabel('Name').fill('');
      await page.getByLabel('Identifier').fill('NSC-100877');
      await submit(page, 'Search');
      expect(await results.textContent()).toContain('Identifier match');

      // Journey 5: the record.
      await results.getByRole('link', { name: 'Leah Thompson' }).click();
      expect(await heading(page)).toBe('Leah Thompson');
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain("Lead agency: Northshire Council Children's Services");
      expect(main).toContain('Northshire Police');
      expect(main).toContain("Northshire Council Children's Services's section");
      // Another agency's section is not shown without a disclosure; nor the police-only PNC ID.
      expect(main).not.toContain('grey hatchback');
      expect(main).not.toContain('21/654321M');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Chronology' }).click();
      const timeline = page.locator('[data-test=chronology]');
      expect(await timeline.textContent()).toContain("by Northshire Council Children's Services");
      await expectAccessible(page);

      // Add an entry.
      await page.goto(`${stack.webUrl}/children/${leahId}/chronology/new`);
      await expectAccessible(page);
      await submit(page, 'Add entry');
      const errors = await errorSummary(page);
      expect(errors).toContain('Enter the date it happened');
      expect(errors).toContain('Select a category');
      expect(errors).toContain('Enter a summary');
      const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date()).split('-');
      await page.locator('#occurredAt-day').fill(String(Number(d)));
      await page.locator('#occurredAt-month').fill(String(Number(m)));
      await page.locator('#occurredAt-year').fill(y);
      await page.getByLabel('Category').selectOption('contact');
      const summary = `Home visit ${javaScript ? 'A' : 'B'}: Leah not at home; carer says she stays with a friend.`;
      await page.getByLabel('Summary').fill(summary);
      await page.getByRole('radio', { name: 'Social care' }).check();
      await page
        .getByRole('group', { name: 'May other agencies working with the child see it?' })
        .getByRole('radio', { name: 'Yes', exact: true })
        .check();
      await page
        .getByRole('group', { name: 'Add it to the multi-agency chronology?' })
        .getByRole('radio', { name: 'Yes', exact: true })
        .check();
      await submit(page, 'Add entry');
      expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Chronology entry added');
      expect(await timeline.textContent()).toContain(summary);
      await page.context().close();
    });
  }

  it('shows the chronology as a timeline with the recording agency on each entry, filtered by agency and category', async () => {
    // The inspector reads every agency's entries of the classes inspection covers.
    const page = await asUser(INSPECTOR, true);
    await page.goto(`${stack.webUrl}/children/${leahId}/chronology`);
    const timeline = page.locator('[data-test=chronology]');
    const all = (await timeline.textContent()) ?? '';
    expect(all).toContain('by Riverside Academy');
    expect(all).toContain("by Northshire Council Children's Services");
    await expectAccessible(page);
    await screenshot(page, 'chronology');
    await page.getByLabel('Recorded by').selectOption({ label: 'Riverside Academy' });
    await submit(page, 'Apply filters');
    expect(await timeline.textContent()).not.toContain("by Northshire Council Children's Services");
    expect(await timeline.textContent()).toContain('boyfriend');
    await page.getByLabel('Recorded by').selectOption({ label: 'All agencies' });
    await page.getByLabel('Category').selectOption({ label: 'Strategy discussion' });
    await submit(page, 'Apply filters');
    expect(await timeline.textContent()).toContain('s47 enquiry');
    expect(await timeline.textContent()).not.toContain('boyfriend');
    await expectAccessible(page);
    await page.context().close();
  });

  it('shows the access log to those allowed: who looked, from where, why', async () => {
    const page = await asUser(TEAM_MANAGER, false);
    await page.goto(`${stack.webUrl}/children/${leahId}/access-log`);
    expect(await heading(page)).toBe('Leah Thompson');
    const log = (await page.locator('[data-test=access-log]').textContent()) ?? '';
    expect(log).toContain('Sam Walker');
    expect(log).toContain('child.read');
    await expectAccessible(page);
    // A social worker has no access-log permission: the API's 403 is a page saying so.
    const worker = await asUser(SOCIAL_WORKER, false);
    const res = await worker.goto(`${stack.webUrl}/children/${leahId}/access-log`);
    expect(res?.status()).toBe(403);
    await page.context().close();
    await worker.context().close();
  });

  it('a child the user may not see is 404, as the API says; break-glass opens it with a recorded reason', async () => {
    const other = await asUser(SOUTHSHIRE_SOCIAL_WORKER, false);
    const notFound = await other.goto(`${stack.webUrl}/children/${leahId}`);
    expect(notFound?.status()).toBe(404);
    expect(await heading(other)).toBe('Page not found');
    expect(await other.locator('main').textContent()).not.toContain('Leah');
    // The same answer for a child that does not exist at all.
    const missing = await other.goto(`${stack.webUrl}/children/00000000-0000-4000-8000-000000000000/chronology`);
    expect(missing?.status()).toBe(404);
    await other.context().close();

    const mash = await asUser(MASH, false);
    const res = await mash.goto(`${stack.webUrl}/children/${kaiId}`);
    expect(res?.status()).toBe(404);
    await mash.getByRole('link', { name: 'open it in an emergency (break-glass)' }).click();
    expect(await heading(mash)).toBe('Open a record in an emergency');
    expect(await mash.locator('main').textContent()).toContain('the lead agency for the child is told');
    await expectAccessible(mash);
    await mash.getByLabel('Why do you need to open this record now?').fill('urgent');
    await submit(mash, 'Open the record');
    expect(await errorSummary(mash)).toContain('The reason must be 10 characters or more');
    await mash
      .getByLabel('Why do you need to open this record now?')
      .fill('Found at a county lines address out of hours; checking for a plan.');
    await submit(mash, 'Open the record');
    expect(await heading(mash)).toBe('Kai Robinson');
    expect(await mash.locator('.govuk-notification-banner').textContent()).toContain('Emergency access is open');
    await mash.context().close();
  });

  it('never puts a child in a URL or in the web log', async () => {
    const names = ['Leah', 'Thompson', 'Tompson', 'NSC-100877', 'Kai', 'Robinson'];
    for (const url of urls) for (const n of names) expect(url.toLowerCase()).not.toContain(n.toLowerCase());
    const logs = stack.logs().toLowerCase();
    expect(logs).toContain('/children/search');
    for (const n of names) expect(logs).not.toContain(n.toLowerCase());
  });
});
