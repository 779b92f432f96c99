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
import { DEMO_PASSWORD } from '../support/app';

const TEACHER = 'teacher@riverside-academy.example';
const DSL = 'dsl@riverside-academy.example';
const MASH = 'mash.officer@northshire-council.example';
const CSE_OFFICER = 'cse.officer@northshire-police.example';

async function asUser(browser: Browser, stack: WebStack, email: string, javaScript: boolean): Promise<Page> {
  const context = await newContext(browser, javaScript);
  const page = await context.newPage();
  await signIn(page, stack.webUrl, email);
  return page;
}

/** Today in the UK, as a person types it. */
function today(): { day: string; month: string; year: string } {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' })
    .format(new Date())
    .split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

async function fillDate(page: Page, prefix: string, date = today()): Promise<void> {
  await page.locator(`#${prefix}-day`).fill(date.day);
  await page.locator(`#${prefix}-month`).fill(date.month);
  await page.locator(`#${prefix}-year`).fill(date.year);
}

describe('web: log a concern, decide it, refer, and work the referral', () => {
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

  for (const javaScript of [false, true]) {
    it(`a teacher logs a concern about a child not on the system, the DSL refers it to the police, who accept it (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const family = javaScript ? 'Okonkwo' : 'Haddad';
      // Journey 2: the teacher cannot search records: they describe the child.
      const teacher = await asUser(browser, stack, TEACHER, javaScript);
      await teacher.getByRole('link', { name: 'Log a concern' }).first().click();
      expect(await heading(teacher)).toBe('Which child is it about?');
      await expectAccessible(teacher);
      await teacher.getByRole('link', { name: 'Tell us about the child' }).click();
      await submit(teacher, 'Continue');
      expect(await errorSummary(teacher)).toContain("Enter the child's name, date of birth or approximate age");
      await expectAccessible(teacher);
      await teacher.getByLabel('First name').fill('Zara');
      await teacher.getByLabel('Last name').fill(family);
      await teacher.getByLabel(/Approximate age/).fill('13');
      await submit(teacher, 'Continue');
      expect(await heading(teacher)).toBe('What happened');
      await expectAccessible(teacher);

      await submit(teacher, 'Log concern');
      const errors = await errorSummary(teacher);
      expect(errors).toContain('Select yes if the child is in immediate danger');
      expect(errors).toContain('Select the kind of concern');
      expect(errors).toContain('Enter what you saw or heard');
      expect(errors).toContain('Enter the date it happened');
      await expectAccessible(teacher);

      await teacher.getByRole('radio', { name: 'Yes', exact: true }).check();
      // The emergency guidance shows at once (with JavaScript it is revealed; without, always there).
      expect(await teacher.getByText('Call 999 now if you have not already').first().isVisible()).toBe(true);
      await teacher.getByRole('radio', { name: 'Child sexual exploitation', exact: true }).check();
      await teacher
        .getByLabel('What did you see or hear?')
        .fill('Collected from school by an older man in a car; new phone and gifts.');
      await teacher.getByLabel(/What did the child say/).fill('"He says he is my boyfriend."');
      await fillDate(teacher, 'occurredAt');
      await submit(teacher, 'Log concern');
      expect((await heading(teacher)) + (await errorSummary(teacher))).toContain('Concern logged');
      const reference = await teacher.locator('[data-test=reference]').textContent();
      expect(reference).toMatch(/^C-[0-9A-F]{8}$/);
      expect(await teacher.locator('main').textContent()).toContain('Call 999 now');
      await expectAccessible(teacher);

      // Journey 1 and 3: the DSL sees it first in my work (immediate danger), and refers it.
      const dsl = await asUser(browser, stack, DSL, javaScript);
      const row = dsl.locator('[data-test=my-work] tr', { hasText: `Zara ${family}` });
      expect(await row.textContent()).toContain('Immediate danger');
      await row.getByRole('link').click();
      expect(await heading(dsl)).toBe(`Zara ${family}`);
      await expectAccessible(dsl);
      await dsl.getByRole('radio', { name: 'No further action', exact: true }).check();
      await submit(dsl, 'Continue');
      expect(await errorSummary(dsl)).toContain('Enter why no further action is needed');
      await dsl.getByRole('radio', { name: 'Refer to another agency', exact: true }).check();
      await submit(dsl, 'Continue');
      expect(await heading(dsl)).toBe(`Refer Zara ${family}`);
      expect(await dsl.getByLabel('Why are you referring the child?').inputValue()).toContain('older man in a car');
      await expectAccessible(dsl);
      await dsl.getByLabel('Who are you referring to?').selectOption({ label: 'Northshire Police: CSE Unit' });
      await dsl.getByRole('radio', { name: 'Red: act within 4 working hours', exact: true }).check();
      await dsl.locator('#immediateDanger').check();
      await dsl.locator('#consentObtained-2').check();
      await dsl
        .getByLabel('Why was consent not sought or obtained?')
        .fill('Telling the family could put her at further risk.');
      await dsl
        .getByLabel('Lawful basis for sharing without consent')
        .selectOption('DPA_2018_SCH1_PARA18_SAFEGUARDING');
      await submit(dsl, 'Send referral');
      expect(await heading(dsl)).toBe(`Zara ${family}`);
      expect(await dsl.locator('.govuk-notification-banner').textContent()).toContain('Referral sent');
      const referralUrl = dsl.url();

      // Journey 4, a receiver outside children's services: the police CSE unit accepts, and
      // registers the child the referral describes.
      const police = await asUser(browser, stack, CSE_OFFICER, javaScript);
      await police.getByRole('link', { name: 'Referrals', exact: true }).click();
      await expectAccessible(police);
      await police
        .locator('[data-test=referrals]')
        .getByRole('link', { name: `Zara ${family}` })
        .click();
      expect(await heading(police)).toBe(`Zara ${family}`);
      await submit(police, 'Acknowledge referral');
      expect(await police.locator('.govuk-notification-banner').textContent()).toContain('Referral acknowledged');
      await submit(police, 'Accept referral');
      expect(await errorSummary(police)).toContain("Select the child's record, or register a new one");
      await expectAccessible(police);
      await police.getByRole('radio', { name: `Register a new record for Zara ${family}` }).check();
      await fillDate(police, 'newDateOfBirth', { day: '3', month: '9', year: '2012' });
      await submit(police, 'Accept referral');
      expect(await errorSummary(police)).toBe('');
      expect(await police.locator('.govuk-notification-banner').textContent()).toContain('Referral accepted');
      expect(await police.locator('[data-test=referral-history]').textContent()).toContain('Accepted');
      await expectAccessible(police);

      // The sender sees the status of what it sent.
      await dsl.goto(`${stack.webUrl}/referrals/sent`);
      expect(await dsl.locator('[data-test=referrals] tr', { hasText: `Zara ${family}` }).textContent()).toContain(
        'Accepted',
      );
      await expectAccessible(dsl);
      await dsl.goto(referralUrl);
      expect(await dsl.locator('main').textContent()).toContain('Accepted');
      for (const p of [teacher, dsl, police]) await p.context().close();
    });
  }

  it('keyboard only: the DSL logs a concern about a pupil found by name; it is referred to MASH, who triage and decide', async () => {
    const context = await newContext(browser, true);
    const dsl = await context.newPage();
    await dsl.goto(`${stack.webUrl}/sign-in`);
    await tabTo(dsl, (el) => el.id === 'email');
    await dsl.keyboard.type(DSL);
    await dsl.keyboard.press('Tab');
    await dsl.keyboard.type(DEMO_PASSWORD);
    await pressEnter(dsl);
    expect(await heading(dsl)).toBe('My work');

    await tabTo(dsl, (el) => el.text === 'Log a concern');
    await pressEnter(dsl);
    expect(await heading(dsl)).toBe('Which child is it about?');
    await tabTo(dsl, (el) => el.id === 'name');
    await dsl.keyboard.type('Amelia Clarke');
    await pressEnter(dsl);
    expect(await heading(dsl)).toBe('Choose the child');
    expect(await dsl.locator('[data-test=child-results]').textContent()).toContain('Exact name match');
    await tabTo(dsl, (el) => el.text === 'Select Amelia Clarke');
    await pressEnter(dsl);
    expect(await heading(dsl)).toBe('What happened');

    await tabTo(dsl, (el) => el.id === 'immediateDanger');
    await dsl.keyboard.press('ArrowDown'); // "No"
    await tabTo(dsl, (el) => el.name === 'category');
    await dsl.keyboard.press('Space'); // the first: neglect
    await tabTo(dsl, (el) => el.id === 'whatWasSeen');
    await dsl.keyboard.type('Arrives hungry most days; uniform unwashed for two weeks.');
    await tabTo(dsl, (el) => el.id === 'occurredAt-day');
    const d = today();
    await dsl.keyboard.type(d.day);
    await dsl.keyboard.press('Tab');
    await dsl.keyboard.type(d.month);
    await dsl.keyboard.press('Tab');
    await dsl.keyboard.type(d.year);
    await tabTo(dsl, (el) => el.text === 'Log concern');
    await pressEnter(dsl);
    expect(await heading(dsl)).toContain('Concern logged');

    // Decide it: refer to Northshire Council's MASH.
    await dsl.getByRole('link', { name: 'view your concern' }).click();
    await dsl.getByRole('radio', { name: 'Refer to another agency', exact: true }).check();
    await submit(dsl, 'Continue');
    await dsl
      .getByLabel('Who are you referring to?')
      .selectOption({ label: "Northshire Council Children's Services: MASH" });
    await dsl.getByRole('radio', { name: 'Amber: within 24 working hours', exact: true }).check();
    await dsl.locator('#immediateDanger-2').check();
    await dsl.locator('#consentObtained').check();
    await submit(dsl, 'Send referral');
    expect(await dsl.locator('.govuk-notification-banner').textContent()).toContain('Referral sent');

    // Journey 4, children's services: acknowledge, triage with RAG, decide with an outcome.
    const mash = await asUser(browser, stack, MASH, true);
    await mash.getByRole('link', { name: 'Referrals', exact: true }).click();
    await mash.locator('[data-test=referrals]').getByRole('link', { name: 'Amelia Clarke' }).first().click();
    await submit(mash, 'Acknowledge referral');
    await mash.getByRole('radio', { name: 'Red: act within 4 working hours', exact: true }).check();
    await submit(mash, 'Save triage');
    expect(await errorSummary(mash)).toMatch(/reason/i);
    await mash.getByRole('radio', { name: 'Red: act within 4 working hours', exact: true }).check();
    await mash
      .getByLabel('Reason for a change (if you change it)')
      .fill('Sibling on a child protection plan for neglect.');
    await submit(mash, 'Save triage');
    expect(await mash.locator('.govuk-notification-banner').textContent()).toContain('Triage recorded');
    await mash.getByRole('radio', { name: 'Child in need assessment (section 17)', exact: true }).check();
    await mash.getByLabel('Reasons for the decision').fill('Needs assessment: neglect indicators at school.');
    await submit(mash, 'Record decision');
    expect(await errorSummary(mash)).toBe('');
    expect(await mash.locator('.govuk-notification-banner').textContent()).toContain('Decision recorded');
    expect(await mash.locator('.govuk-summary-list').textContent()).toContain('Child in need assessment (section 17)');
    expect(await mash.locator('[data-test=referral-history]').textContent()).toContain('Accepted');
    await expectAccessible(mash);
    await screenshot(mash, 'referral');

    await dsl.goto(`${stack.webUrl}/referrals/sent`);
    expect(await dsl.locator('[data-test=referrals] tr', { hasText: 'Amelia Clarke' }).first().textContent()).toContain(
      'Child in need assessment (section 17)',
    );
    await context.close();
    await mash.context().close();
  });
});

interface Focused {
  id: string;
  name: string;
  text: string;
}

/** Presses Tab until the focused element is the one wanted (at most 80 times): the keyboard alone. */
async function tabTo(page: Page, wanted: (el: Focused) => boolean): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      // Runs in the page: its document, typed here without the DOM library.
      type Active = { id?: string; name?: string; textContent: string | null } | null;
      const a = (globalThis as unknown as { document: { activeElement: Active } }).document.activeElement;
      return { id: a?.id ?? '', name: a?.name ?? '', text: (a?.textContent ?? '').replace(/\s+/g, ' ').trim() };
    });
    if (wanted(el)) return;
  }
  throw new Error('The keyboard never reached the element wanted');
}

async function pressEnter(page: Page): Promise<void> {
  const landed = page.waitForResponse((r) => r.request().isNavigationRequest() && r.status() === 200);
  await page.keyboard.press('Enter');
  await landed;
  await page.waitForLoadState('load');
}
