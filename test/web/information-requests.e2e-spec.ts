import type { Browser, Page } from 'playwright-core';
import {
  errorSummary,
  expectAccessible,
  heading,
  launchChromium,
  newContext,
  signIn,
  startWebStack,
  submit,
  type WebStack,
} from '../support/web';

const CSE_OFFICER = 'cse.officer@northshire-police.example';
const NAMED_NURSE = 'safeguarding.nurse@northshire-nhs.example';
const DSL = 'dsl@riverside-academy.example';

describe('web: information requests', () => {
  let stack: WebStack;
  let browser: Browser;
  let leahId: string;

  async function asUser(email: string, javaScript: boolean): Promise<Page> {
    const context = await newContext(browser, javaScript);
    const page = await context.newPage();
    await signIn(page, stack.webUrl, email);
    return page;
  }

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchChromium();
    const police = await stack.api.as(CSE_OFFICER);
    leahId = (await stack.api.http.get('/api/v1/children').query({ q: 'Leah Thompson' }).set('Authorization', police))
      .body.data[0].id;
    // The trust and the force have an agreement in force: the police may receive health information.
    const orgs = (await stack.api.http.get('/api/v1/organisations').set('Authorization', police)).body.data as {
      id: string;
      code: string;
    }[];
    const id = (code: string) => orgs.find((o) => o.code === code)!.id;
    const nurse = await stack.api.as(NAMED_NURSE);
    const today = new Date().toISOString().slice(0, 10);
    const created = await stack.api.http
      .post('/api/v1/sharing/agreements')
      .set('Authorization', nurse)
      .set('Idempotency-Key', `agreement-${Date.now()}`)
      .send({
        name: 'Northshire health and police safeguarding protocol',
        purpose: 'Protecting children at risk of exploitation.',
        lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
        startsOn: today,
        endsOn: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
        parties: [
          { organisationId: id('NNHS'), receivableClasses: ['police-intelligence'] },
          { organisationId: id('NSP'), receivableClasses: ['health'] },
        ],
      });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function ask(page: Page, organisation: string, classes: string[], purpose: string): Promise<void> {
    await page.goto(`${stack.webUrl}/children/${leahId}`);
    await page.getByRole('button', { name: 'Ask another organisation' }).click();
    expect(await heading(page)).toBe('Ask another organisation for information');
    await page.getByLabel('Which organisation?').selectOption({ label: organisation });
    await page.getByLabel('Why do you need it?').fill(purpose);
    for (const c of classes) await page.getByRole('checkbox', { name: c, exact: true }).check();
    await page.getByRole('radio', { name: 'Urgent: within 4 hours' }).check();
    await submit(page, 'Send request');
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('Request sent');
  }

  for (const javaScript of [false, true]) {
    it(`the police ask; health sees what and why and the agreement, and discloses; the school declines (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const police = await asUser(CSE_OFFICER, javaScript);
      await police.goto(`${stack.webUrl}/children/${leahId}/ask`);
      await expectAccessible(police);
      await submit(police, 'Send request');
      const askErrors = await errorSummary(police);
      expect(askErrors).toContain('Select the organisation to ask');
      expect(askErrors).toContain('Select what kind of information you need');
      const purpose = `Strategy discussion ${javaScript ? 'Tuesday' : 'Monday'}: missing episodes and clinic attendance.`;
      await ask(police, 'Northshire NHS Trust', ['Health', 'Sexual health'], purpose);
      await expectAccessible(police);

      // The named nurse decides.
      const nurse = await asUser(NAMED_NURSE, javaScript);
      const row = nurse.locator('[data-test=my-work] tr', { hasText: 'Information request' }).first();
      expect(await row.textContent()).toContain('Urgent');
      await nurse.getByRole('link', { name: 'Information requests', exact: true }).click();
      await expectAccessible(nurse);
      await nurse
        .locator('[data-test=requests] tr', { hasText: 'Northshire Police' })
        .filter({ hasText: 'Awaiting decision' })
        .first()
        .getByRole('link')
        .click();
      const main = (await nurse.locator('main').textContent()) ?? '';
      expect(main).toContain(purpose);
      expect(main).toContain('Health, Sexual health');
      expect(await nurse.locator('[data-test=agreements]').textContent()).toContain(
        'Northshire health and police safeguarding protocol',
      );
      expect(await nurse.locator('[data-test=agreements]').textContent()).toContain(
        'does not cover everything asked for',
      );
      await expectAccessible(nurse);

      await submit(nurse, 'Record decision');
      const errors = await errorSummary(nurse);
      expect(errors).toContain('Select whether you will share the information');
      expect(errors).toContain('Enter the reasons for your decision');
      await nurse.getByRole('radio', { name: 'Yes, share it' }).check();
      await nurse.getByRole('checkbox', { name: 'Sexual health', exact: true }).uncheck();
      const until = new Date(Date.now() + 30 * 86_400_000);
      await nurse.locator('#until-day').fill(String(until.getUTCDate()));
      await nurse.locator('#until-month').fill(String(until.getUTCMonth() + 1));
      await nurse.locator('#until-year').fill(String(until.getUTCFullYear()));
      // Filled in from the agreement that names the police.
      expect(await nurse.getByLabel('Lawful basis').inputValue()).toBe('DPA_2018_SCH1_PARA18_SAFEGUARDING');
      await nurse
        .getByLabel('Reasons for your decision')
        .fill('Health information relevant to exploitation risk; sexual health is not needed.');
      await submit(nurse, 'Record decision');
      expect(await errorSummary(nurse)).toBe('');
      expect(await nurse.locator('.govuk-notification-banner').textContent()).toContain('Information shared');
      expect(await nurse.locator('main').textContent()).toContain('Disclosed');
      await expectAccessible(nurse);

      // The school declines a request, with a reason.
      await ask(police, 'Riverside Academy', ['Education'], `Attendance pattern ${javaScript ? 'B' : 'A'}.`);
      const dsl = await asUser(DSL, javaScript);
      await dsl.goto(`${stack.webUrl}/information-requests`);
      await dsl
        .locator('[data-test=requests] tr', { hasText: 'Northshire Police' })
        .filter({ hasText: 'Awaiting decision' })
        .first()
        .getByRole('link')
        .click();
      expect(await dsl.locator('[data-test=agreements]').textContent()).toContain('No information-sharing agreement');
      await dsl.getByRole('radio', { name: 'No, decline' }).check();
      await dsl.getByLabel('Reasons for your decision').fill('Ask the council: it holds the attendance record.');
      await submit(dsl, 'Record decision');
      expect(await dsl.locator('.govuk-notification-banner').textContent()).toContain('Request declined');

      // The police see their sent requests with the decisions.
      await police.goto(`${stack.webUrl}/information-requests/sent`);
      const sent = (await police.locator('[data-test=requests]').textContent()) ?? '';
      expect(sent).toContain('Shared: Health, until');
      expect(sent).toContain('Declined: Ask the council');
      await expectAccessible(police);
      for (const p of [police, nurse, dsl]) await p.context().close();
    });
  }
});
