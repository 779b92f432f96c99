import type { Browser, Page } from 'playwright-core';
import {
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

const TEAM_MANAGER = 'team.manager@northshire-council.example';
const INSPECTOR = 'inspector@inspectorate.example';
const SOCIAL_WORKER = 'social.worker@northshire-council.example';
const CSE_OFFICER = 'cse.officer@northshire-police.example';
const DSL = 'dsl@riverside-academy.example';

interface OpenRow {
  organisationId: string;
  organisation: string;
  open: number;
  overdue: number;
  dueSoon: number;
}

describe('web: the partnership dashboard', () => {
  let stack: WebStack;
  let browser: Browser;

  async function asUser(email: string, javaScript: boolean): Promise<Page> {
    const context = await newContext(browser, javaScript);
    const page = await context.newPage();
    await signIn(page, stack.webUrl, email);
    return page;
  }

  /** The API's own figures for this viewer: what the page must show. */
  async function apiTotals(email: string, dueSoonHours = 24) {
    const token = await stack.api.as(email);
    const res = await stack.api.http
      .get('/api/v1/oversight/dashboard')
      .query({ dueSoonHours })
      .set('Authorization', token);
    expect(res.status).toBe(200);
    const open = res.body.open as OpenRow[];
    const sum = (k: keyof OpenRow) => open.reduce((s, r) => s + Number(r[k]), 0);
    return {
      open: sum('open'),
      overdue: sum('overdue'),
      dueSoon: sum('dueSoon'),
      organisations: new Set(open.map((r) => r.organisation)),
    };
  }

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchChromium();
    // Real work that went late: five days ago the police referred a child to the council's MASH, and
    // nobody has decided. The API's clock goes back for the referral, then returns to now.
    const t = stack.api;
    const police = await t.as(CSE_OFFICER);
    const [mash] = await t.db.query(
      `SELECT t.id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.code = 'NSC' AND t.function = 'mash'`,
    );
    const now = t.clock.now();
    t.clock.set(new Date(now.getTime() - 5 * 86_400_000));
    const child = await t.http
      .post('/api/v1/children')
      .set('Authorization', police)
      .send({ givenName: `Kestrel${Date.now().toString(36)}`, familyName: 'Late', dateOfBirth: '2011-06-01' });
    expect(child.status).toBe(201);
    const referral = await t.http
      .post('/api/v1/referrals')
      .set('Authorization', police)
      .set('Idempotency-Key', `web-dashboard-${Date.now()}`)
      .send({
        childId: child.body.id,
        toTeamId: mash.id,
        reason: 'Seen getting into cars with older males after school; missing overnight twice.',
        rag: 'AMBER',
        consentObtained: false,
        noConsentReason: 'Seeking consent could put the child at risk.',
        lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
      });
    expect(referral.status).toBe(201);
    // And a school's safeguarding lead left a concern of their own undecided.
    const dsl = await t.as(DSL);
    const pupil = await t.http
      .post('/api/v1/children')
      .set('Authorization', dsl)
      .send({ givenName: `Merlin${Date.now().toString(36)}`, familyName: 'Late', dateOfBirth: '2012-02-01' });
    expect(pupil.status).toBe(201);
    const concern = await t.http
      .post('/api/v1/concerns')
      .set('Authorization', dsl)
      .send({
        childId: pupil.body.id,
        category: 'neglect',
        whatWasSeen: 'Arrives hungry most mornings; the same clothes all week.',
        occurredAt: new Date(now.getTime() - 6 * 86_400_000).toISOString(),
        immediateDanger: false,
      });
    expect(concern.status).toBe(201);
    t.clock.set(now);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  for (const javaScript of [false, true]) {
    it(`a team manager opens the dashboard from the menu and sees the API's figures for their own organisation, charted and tabled (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const page = await asUser(TEAM_MANAGER, javaScript);
      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      expect(await heading(page)).toBe('Overdue and due-soon work');
      const expected = await apiTotals(TEAM_MANAGER);
      expect(expected.overdue).toBeGreaterThan(0);
      expect(Number(await page.locator('[data-test="total-open"]').textContent())).toBe(expected.open);
      expect(Number(await page.locator('[data-test="total-overdue"]').textContent())).toBe(expected.overdue);
      expect(Number(await page.locator('[data-test="total-due-soon"]').textContent())).toBe(expected.dueSoon);
      // A manager sees their own organisation only: one bar, named in the chart's accessible description.
      expect([...expected.organisations]).toEqual(["Northshire Council Children's Services"]);
      const chart = page.getByRole('img', { name: /Open work by organisation/ });
      await expect(chart.count()).resolves.toBe(1);
      const description = await page.locator('#open-chart-desc').textContent();
      expect(description).toContain(`Northshire Council Children's Services: ${expected.overdue} overdue`);
      expect(await page.locator('[data-test="open-work"] tbody tr').count()).toBeGreaterThan(0);
      await expectAccessible(page);
      if (javaScript) await screenshot(page, 'oversight-dashboard');
    });
  }

  it('the inspector sees every organisation, and choosing "due in the next 7 days" counts more as due soon', async () => {
    const page = await asUser(INSPECTOR, false);
    await page.goto(`${stack.webUrl}/oversight/dashboard`);
    const all = await apiTotals(INSPECTOR);
    expect(all.organisations.size).toBeGreaterThan(1);
    const labels = await page.locator('#open-chart-desc').textContent();
    for (const name of all.organisations) expect(labels).toContain(`${name}:`);
    await page.getByLabel('Due soon means due in').selectOption({ label: 'the next 7 days' });
    await submit(page, 'Show');
    expect(new URL(page.url()).searchParams.get('dueSoonHours')).toBe('168');
    const week = await apiTotals(INSPECTOR, 168);
    expect(Number(await page.locator('[data-test="total-due-soon"]').textContent())).toBe(week.dueSoon);
    expect(week.dueSoon).toBeGreaterThanOrEqual(all.dueSoon);
  });

  it('a social worker has no dashboard: no menu entry, and the address answers as a page they may not see', async () => {
    const page = await asUser(SOCIAL_WORKER, false);
    expect(await page.getByRole('link', { name: 'Dashboard', exact: true }).count()).toBe(0);
    const res = await page.goto(`${stack.webUrl}/oversight/dashboard`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('[data-test="total-open"]').count()).toBe(0);
  });
});
