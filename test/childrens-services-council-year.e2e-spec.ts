/**
 * The generated council year (`npm run seed -- --council-year`, issue 13 item 9) at a small size:
 * every kind of record is there, the CIN census of the year validates with no rule broken and
 * follows the published outline, and the Annex A lists have content.
 */
import { censusStructureErrors } from '@app/childrens-services';
import { seedCouncilYear } from '../apps/api/src/seed/council-year';
import { startTestApp, type TestContext } from './support/app';

const PERF = 'performance@northshire-council.example';

describe("children's services: a generated council year", () => {
  let t: TestContext;
  let year: number;
  beforeAll(async () => {
    t = await startTestApp();
    const progress: string[] = [];
    // A year no other test file writes cases in (files may share a database): their cases, open
    // at its end or with no LA child id, would be in this census too.
    const result = await seedCouncilYear(t.db, { cases: 400, year: 2021, seed: 7, progress: (m) => progress.push(m) });
    year = result.year;
    expect(progress.at(-1)).toMatch(/council year \d{4} .*400 cases/);
    expect(result.cases).toBe(400);
  });
  afterAll(() => t.close());

  it('holds every kind of record: NFA referrals, late assessments, s47s, late ICPCs, plans with reviews, closures', async () => {
    // The year's cases only (the council's, referred in the collection year): other files' cases
    // in the same database must not make a kind of record look present.
    const [n] = await t.db.query(
      `WITH y AS (SELECT c.* FROM cs_case c JOIN organisation o ON o.id = c.organisation_id
                   WHERE o.code = 'NSC' AND c.referral_date BETWEEN $1 AND $2)
      SELECT
        count(*) FILTER (WHERE referral_nfa)::int AS nfa,
        count(*) FILTER (WHERE status = 'CLOSED' AND NOT referral_nfa)::int AS closed,
        count(DISTINCT closure_reason)::int AS reasons,
        (SELECT count(*)::int FROM cs_assessment a WHERE a.case_id IN (SELECT id FROM y)
            AND a.authorised_date > (a.due_at AT TIME ZONE 'Europe/London')::date) AS late,
        (SELECT count(*)::int FROM cs_assessment WHERE case_id IN (SELECT id FROM y) AND status = 'OPEN') AS open,
        (SELECT count(*)::int FROM cs_s47 WHERE case_id IN (SELECT id FROM y) AND joint) AS joint,
        (SELECT count(*)::int FROM cs_conference WHERE case_id IN (SELECT id FROM y)
            AND kind = 'INITIAL' AND late_reason IS NOT NULL) AS late_icpc,
        (SELECT count(*)::int FROM cs_conference WHERE case_id IN (SELECT id FROM y) AND kind = 'REVIEW') AS reviews,
        (SELECT count(*)::int FROM cs_plan WHERE case_id IN (SELECT id FROM y) AND kind = 'CP') AS cp,
        (SELECT count(*)::int FROM cs_plan WHERE case_id IN (SELECT id FROM y) AND kind = 'CIN') AS cin,
        (SELECT count(*)::int FROM (SELECT child_id FROM y GROUP BY child_id HAVING count(*) > 1) x) AS again
      FROM y`,
      [`${year - 1}-04-01`, `${year}-03-31`],
    );
    // Each kind named, so a failure says which is missing.
    const present = Object.fromEntries(Object.entries(n as Record<string, number>).map(([k, v]) => [k, v > 0]));
    expect(present).toEqual(Object.fromEntries(Object.keys(present).map((k) => [k, true])));
    expect((n as { reasons: number }).reasons).toBeGreaterThanOrEqual(3);
  });

  it("keeps the council's status on each child's section as its running plans say (what a nurse's look-up reads)", async () => {
    const rows = await t.db.query(
      `WITH y AS (SELECT DISTINCT c.child_id FROM cs_case c JOIN organisation o ON o.id = c.organisation_id
                   WHERE o.code = 'NSC' AND c.referral_date BETWEEN $1 AND $2)
       SELECT CASE WHEN EXISTS (SELECT 1 FROM cs_plan p WHERE p.child_id = y.child_id AND p.kind = 'CP' AND p.status = 'ACTIVE')
                   THEN 'child_protection_plan'
                   WHEN EXISTS (SELECT 1 FROM cs_looked_after l WHERE l.child_id = y.child_id AND l.end_date IS NULL)
                   THEN 'looked_after'
                   WHEN EXISTS (SELECT 1 FROM cs_plan p WHERE p.child_id = y.child_id AND p.kind = 'CIN' AND p.status = 'ACTIVE')
                   THEN 'child_in_need_plan' END AS running,
              s.plan_status AS recorded
         FROM y LEFT JOIN agency_section s ON s.child_id = y.child_id
              AND s.organisation_id = (SELECT id FROM organisation WHERE code = 'NSC')`,
      [`${year - 1}-04-01`, `${year}-03-31`],
    );
    expect(rows.filter((r: any) => r.running === 'child_protection_plan').length).toBeGreaterThan(0);
    expect(rows.filter((r: any) => (r.running ?? null) !== (r.recorded ?? null))).toEqual([]);
  });

  it('the CIN census of the year validates and follows the published outline', async () => {
    t.clock.set(new Date());
    const res = await t.http.get(`/api/v1/returns/cin-census?year=${year}`).set('Authorization', await t.as(PERF));
    expect([res.status, res.status === 200 ? '' : JSON.stringify(res.body).slice(0, 500)]).toEqual([200, '']);
    expect(censusStructureErrors(res.text)).toEqual([]);
    expect((res.text.match(/<Child>/g) ?? []).length).toBeGreaterThan(300);
  });

  it('the Annex A lists of the year end have rows', async () => {
    for (const list of [1, 3, 4, 5, 6, 7]) {
      const res = await t.http
        .get(`/api/v1/returns/annex-a?list=${list}&at=${year}-03-31`)
        .set('Authorization', await t.as(PERF));
      expect(res.status).toBe(200);
      expect({ list, rows: res.text.trim().split('\r\n').length - 1 > 0 }).toEqual({ list, rows: true });
    }
  });
});
