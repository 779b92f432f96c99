/**
 * Partnership dashboards (issue 16): overdue and due-soon work by organisation, team and clock,
 * computed in SQL and scoped to the viewer. On generated deadlines, the counts equal a direct SQL
 * count; a manager sees only its own organisation, an inspector all of them.
 */
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestContext } from './support/app';

const INSPECTOR = 'inspector@inspectorate.example';
const NSC_TM = 'team.manager@northshire-council.example';
const NSC_DPO = 'dpo@northshire-council.example';
const NSP_SUP = 'cse.supervisor@northshire-police.example';
const TEACHER = 'teacher@riverside-academy.example';
const SW = 'social.worker@northshire-council.example';
const NOW = new Date('2026-11-30T10:00:00Z');
const RULES = ['concern.decision', 'referral.decision', 'mash.checks', 'information_request.decision'];

interface Row {
  organisationId: string;
  teamId: string | null;
  rule: string;
  open: number;
  overdue: number;
  dueSoon: number;
  oldestOverdueSince: string | null;
}

describe('partnership dashboard (oversight)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  /** The same figures straight from the table, for the organisations given (all when none). */
  const direct = async (organisationIds?: string[]) =>
    t.db.query(
      `SELECT organisation_id AS "organisationId", team_id AS "teamId", rule, count(*)::int AS open,
              count(*) FILTER (WHERE due_at < $1)::int AS overdue,
              count(*) FILTER (WHERE due_at >= $1 AND due_at < $2)::int AS "dueSoon"
         FROM deadline WHERE state = 'open' AND ($3::uuid[] IS NULL OR organisation_id = ANY($3))
        GROUP BY 1, 2, 3`,
      [NOW, new Date(NOW.getTime() + 24 * 3_600_000), organisationIds ?? null],
    );
  const key = (r: { organisationId: string; teamId: string | null; rule: string }) =>
    `${r.organisationId}/${r.teamId ?? '-'}/${r.rule}`;
  const figures = (rows: Row[]) => Object.fromEntries(rows.map((r) => [key(r), [r.open, r.overdue, r.dueSoon]]));

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(NOW);
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    // Agencies' teams only: the inspectorate holds no case work (its sweep audience is empty).
    const teams: { id: string; organisation_id: string }[] = await t.db.query(
      `SELECT t.id, t.organisation_id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.type <> 'oversight'`,
    );
    // Generated work: 400 deadlines over every organisation, some teams, every clock, due from 5 days ago to 3 days on.
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let i = 0; i < 400; i++) {
      const team = teams[i % teams.length]!;
      const due = new Date(NOW.getTime() + ((i * 7919) % (8 * 24)) * 3_600_000 - 5 * 86_400_000);
      const state = i % 5 === 0 ? 'met' : 'open';
      values.push(
        'DashboardTest',
        randomUUID(),
        team.organisation_id,
        i % 3 === 0 ? null : team.id,
        RULES[i % RULES.length],
        due,
        state,
        new Date(due.getTime() - 86_400_000),
        state === 'met' ? due : null,
      );
      const n = rows.length * 9;
      rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9})`);
    }
    await t.db.query(
      `INSERT INTO deadline (subject_type, subject_id, organisation_id, team_id, rule, due_at, state, opened_at, closed_at)
       VALUES ${rows.join(', ')}`,
      values,
    );
  });
  afterAll(async () => {
    // The generated work must not reach the other tests' escalation sweeps.
    await t.db.query(`DELETE FROM deadline WHERE subject_type = 'DashboardTest'`);
    await t.close();
  });

  it('equals a direct SQL count for the inspector, across every organisation, oldest overdue first', async () => {
    const res = await get(INSPECTOR, '/api/v1/oversight/dashboard');
    expect(res.status).toBe(200);
    const rows = res.body.open as Row[];
    expect(figures(rows)).toEqual(figures(await direct()));
    expect(new Set(rows.map((r) => r.organisationId)).size).toBeGreaterThan(3);
    const overdue = rows.filter((r) => r.oldestOverdueSince !== null).map((r) => r.oldestOverdueSince!);
    expect(overdue).toEqual([...overdue].sort());
    expect(rows.slice(0, overdue.length).every((r) => r.oldestOverdueSince !== null)).toBe(true);
  });

  it('shows a manager or data protection officer only their own organisation', async () => {
    for (const [who, code] of [
      [NSC_TM, 'NSC'],
      [NSC_DPO, 'NSC'],
      [NSP_SUP, 'NSP'],
    ] as const) {
      const res = await get(who, '/api/v1/oversight/dashboard?dueSoonHours=24');
      expect(res.status).toBe(200);
      const rows = res.body.open as Row[];
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.organisationId))).toEqual(new Set([orgs[code]]));
      expect(figures(rows)).toEqual(figures(await direct([orgs[code]!])));
      for (const part of ['timeliness', 'referrals', 'requests'] as const) {
        for (const r of res.body[part] as { organisationId: string }[]) expect(r.organisationId).toBe(orgs[code]);
      }
    }
  });

  it('counts closed work met in time and late, in SQL', async () => {
    const res = await get(INSPECTOR, '/api/v1/oversight/dashboard?sinceDays=30');
    const [expected] = await t.db.query(
      `SELECT count(*) FILTER (WHERE state = 'met' AND closed_at <= due_at)::int AS "metInTime"
         FROM deadline WHERE state <> 'open' AND closed_at >= $1`,
      [new Date(NOW.getTime() - 30 * 86_400_000)],
    );
    const sum = (res.body.timeliness as { metInTime: number }[]).reduce((s, r) => s + r.metInTime, 0);
    expect(sum).toBe(expected.metInTime);
  });

  it('refuses those who supervise no work, and bad input as problem+json', async () => {
    expect((await get(TEACHER, '/api/v1/oversight/dashboard')).status).toBe(403);
    expect((await get(SW, '/api/v1/oversight/dashboard')).status).toBe(403);
    const bad = await get(INSPECTOR, '/api/v1/oversight/dashboard?dueSoonHours=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('dueSoonHours');
  });
});
