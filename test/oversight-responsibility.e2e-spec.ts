/**
 * Whose was it? (issue 16, item 2): for a past moment, the work each team and person held, whether
 * it was overdue then, who had been told (escalation levels) and what became of it; and a team's or
 * person's overdue history over a period, counted in SQL. Scoped to the viewer (for supervision,
 * not blame), every read audited.
 */
import { startTestApp, type TestContext } from './support/app';
import { DEMO_USERS, EDUCATION_DEMO_USERS } from '../apps/api/src/seed/demo-world';

// The demo world's people only: the suite's other files add users of their own (other passwords).
const DEMO_EMAILS = [...DEMO_USERS, ...EDUCATION_DEMO_USERS].map(([email]) => email);

const INSPECTOR = 'inspector@inspectorate.example';
const REVIEW_LEAD = 'review.lead@northshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
const NSC_DPO = 'dpo@northshire-council.example';
const SW = 'social.worker@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const TEACHER = 'teacher@riverside-academy.example';
const NOW = new Date('2026-11-30T10:00:00Z');
const SUBJECT = 'ResponsibilityTest';
// October 2016: a month no other file of the suite writes clocks in (the database is shared).
const d = (day: number, hour = 0) => new Date(Date.UTC(2016, 9, day, hour));

describe('responsibility over time (oversight)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let users: Record<string, string>;
  let teams: Record<string, string>;
  const held: Record<string, string> = {};
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const mine = (items: { subjectType: string }[]) => items.filter((i) => i.subjectType === SUBJECT);

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(NOW);
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    users = Object.fromEntries((await t.db.query('SELECT email, id FROM app_user')).map((u: any) => [u.email, u.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    const clock = async (
      key: string,
      spec: { org: string; team: string; user: string; rule: string; opened: Date; due: Date; closed?: [string, Date] },
      escalations: [number, Date][] = [],
    ) => {
      const [{ id }] = await t.db.query(
        `INSERT INTO deadline (subject_type, subject_id, organisation_id, team_id, responsible_user_id, rule, due_at,
                               state, opened_at, closed_at, overdue_at)
         VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          SUBJECT,
          orgs[spec.org],
          teams[spec.team],
          users[spec.user],
          spec.rule,
          spec.due,
          spec.closed?.[0] ?? 'open',
          spec.opened,
          spec.closed?.[1] ?? null,
          escalations.length ? spec.due : null,
        ],
      );
      for (const [level, at] of escalations) {
        await t.db.query(
          `INSERT INTO escalation (deadline_id, level, organisation_id, team_id, due_at, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, level, orgs[spec.org], teams[spec.team], spec.due, at],
        );
      }
      held[key] = id;
    };
    // Sam's concern decision: due 3 October, escalated that day, done late on the 5th.
    await clock(
      'late',
      {
        org: 'NSC',
        team: 'NSC/MASH',
        user: SW,
        rule: 'concern.decision',
        opened: d(1),
        due: d(3),
        closed: ['met', d(5)],
      },
      [[1, d(3, 12)]],
    );
    // Tariq's referral decision: done in time.
    await clock('inTime', {
      org: 'NSC',
      team: 'NSC/MASH',
      user: NSC_TM,
      rule: 'referral.decision',
      opened: d(2),
      due: d(10),
      closed: ['met', d(4, 12)],
    });
    // The police CSE unit's: overdue since 2 October, escalated twice, still open.
    await clock(
      'police',
      { org: 'NSP', team: 'NSP/CSE Unit', user: CSE, rule: 'referral.decision', opened: d(1), due: d(2) },
      [
        [1, d(2, 12)],
        [2, d(3, 12)],
      ],
    );
  });
  afterAll(async () => {
    // The generated work must not reach the other tests' escalation sweeps or dashboards.
    await t.db.query(
      `DELETE FROM escalation WHERE deadline_id IN (SELECT id FROM deadline WHERE subject_type = '${SUBJECT}')`,
    );
    await t.db.query(`DELETE FROM deadline WHERE subject_type = '${SUBJECT}'`);
    await t.close();
  });

  it('answers whose the work was at a past moment: holder, overdue then, who had been told, what became of it', async () => {
    const res = await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${d(4).toISOString()}`);
    expect(res.status).toBe(200);
    expect(res.body.at).toBe(d(4).toISOString());
    const items = mine(res.body.data);
    // Oldest due first: the police clock (2 Oct), Sam's (3 Oct), Tariq's (10 Oct).
    expect(items.map((i: any) => i.deadlineId)).toEqual([held.police, held.late, held.inTime]);
    const [police, late, inTime] = items as any[];
    expect(late).toMatchObject({
      rule: 'concern.decision',
      organisation: { id: orgs.NSC },
      team: { id: teams['NSC/MASH'], name: 'MASH' },
      responsible: { id: users[SW], name: 'Sam Walker' },
      heldFrom: d(1).toISOString(),
      heldUntil: d(5).toISOString(),
      dueAt: d(3).toISOString(),
      overdueThen: true,
      state: 'met',
      escalations: [{ level: 1, raisedAt: d(3, 12).toISOString(), told: ['team_manager'] }],
    });
    expect(inTime).toMatchObject({ responsible: { name: 'Tariq Manning' }, overdueThen: false, escalations: [] });
    expect(police.escalations.map((e: any) => e.level)).toEqual([1, 2]);
    expect(police.state).toBe('open');

    // Earlier, before the escalation: overdue not yet told; later, Sam's was done and is no longer held.
    const before = mine(
      (await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${d(3, 6).toISOString()}`)).body.data,
    );
    expect(before.find((i: any) => i.deadlineId === held.late)).toMatchObject({ overdueThen: true, escalations: [] });
    const after = await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${d(6).toISOString()}&userId=${users[SW]}`);
    expect(mine(after.body.data)).toEqual([]);
    const overdue = await get(
      INSPECTOR,
      `/api/v1/oversight/responsibility?at=${d(4).toISOString()}&teamId=${teams['NSC/MASH']}&overdue=true`,
    );
    expect(mine(overdue.body.data).map((i: any) => i.deadlineId)).toEqual([held.late]);
  });

  it('pages without gaps or repeats', async () => {
    const at = d(4).toISOString();
    const all = (await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${at}&limit=200`)).body.data;
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        INSPECTOR,
        `/api/v1/oversight/responsibility?at=${at}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      paged.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged.map((i) => i.deadlineId)).toEqual(all.map((i: any) => i.deadlineId));
  });

  it("reports a person's and a team's overdue history over a period, counted in SQL", async () => {
    const period = `from=${d(1).toISOString()}&to=${d(31).toISOString()}`;
    const sam = await get(INSPECTOR, `/api/v1/oversight/responsibility/history?${period}&userId=${users[SW]}`);
    expect(sam.status).toBe(200);
    expect(sam.body.rows).toEqual([
      {
        organisation: { id: orgs.NSC, name: expect.any(String) },
        team: { id: teams['NSC/MASH'], name: 'MASH' },
        responsible: { id: users[SW], name: 'Sam Walker' },
        rule: 'concern.decision',
        held: 1,
        wentOverdue: 1,
        metInTime: 0,
        metLate: 1,
        cancelled: 0,
        handedOver: 0,
        takenOver: 0,
        takenOverOverdue: 0,
        stillOpen: 0,
        escalatedLevel1: 1,
        escalatedLevel2: 0,
      },
    ]);
    const team = await get(
      INSPECTOR,
      `/api/v1/oversight/responsibility/history?${period}&teamId=${teams['NSP/CSE Unit']}`,
    );
    expect(team.body.rows).toEqual([
      expect.objectContaining({ rule: 'referral.decision', held: 1, wentOverdue: 1, stillOpen: 1, escalatedLevel2: 1 }),
    ]);
    // A period before any of it: nothing held.
    const empty = await get(
      INSPECTOR,
      `/api/v1/oversight/responsibility/history?from=${d(-20).toISOString()}&to=${d(-10).toISOString()}&userId=${users[SW]}`,
    );
    expect(empty.body.rows).toEqual([]);
  });

  it('is scoped to the viewer: managers and DPOs their own organisation, review leads all, others 403', async () => {
    const at = d(4).toISOString();
    for (const who of [NSC_TM, NSC_DPO]) {
      const res = await get(who, `/api/v1/oversight/responsibility?at=${at}`);
      expect(res.status).toBe(200);
      expect(mine(res.body.data).map((i: any) => i.deadlineId)).toEqual([held.late, held.inTime]);
      expect(res.body.data.every((i: any) => i.organisation.id === orgs.NSC)).toBe(true);
      const hist = await get(
        who,
        `/api/v1/oversight/responsibility/history?from=${d(1).toISOString()}&to=${d(31).toISOString()}`,
      );
      expect(hist.body.rows.every((r: any) => r.organisation.id === orgs.NSC)).toBe(true);
    }
    const lead = await get(REVIEW_LEAD, `/api/v1/oversight/responsibility?at=${at}`);
    expect(mine(lead.body.data)).toHaveLength(3);
    for (const who of [SW, TEACHER, CSE]) {
      expect((await get(who, `/api/v1/oversight/responsibility?at=${at}`)).status).toBe(403);
      expect(
        (await get(who, `/api/v1/oversight/responsibility/history?from=${at}&to=${d(31).toISOString()}`)).status,
      ).toBe(403);
    }
  });

  it('answers every demo user by role: the oversight roles and managers 200, everybody else 403', async () => {
    const READERS = [
      'inspector',
      'review_lead',
      'data_protection_officer',
      'team_manager',
      'cse_supervisor',
      'dsl',
      'named_safeguarding_professional',
    ];
    const all: { email: string; roles: string[] }[] = await t.db.query(
      `SELECT email, roles FROM app_user WHERE active AND email LIKE '%.example' AND email = ANY($1)`,
      [DEMO_EMAILS],
    );
    const failures: string[] = [];
    for (const u of all) {
      const want = u.roles.some((r) => READERS.includes(r)) ? 200 : 403;
      const res = await get(u.email, `/api/v1/oversight/responsibility?at=${d(4).toISOString()}`);
      if (res.status !== want) failures.push(`${u.email}: ${res.status} != ${want}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a future moment and a bad period, naming the field; audits every read', async () => {
    const future = await get(INSPECTOR, '/api/v1/oversight/responsibility?at=2027-06-01T00:00:00Z');
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('"at"');
    const backwards = await get(
      INSPECTOR,
      `/api/v1/oversight/responsibility/history?from=${d(10).toISOString()}&to=${d(1).toISOString()}`,
    );
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('"to"');
    const long = await get(
      INSPECTOR,
      `/api/v1/oversight/responsibility/history?from=2025-01-01T00:00:00Z&to=${d(1).toISOString()}`,
    );
    expect(long.status).toBe(400);

    const res = await get(NSC_TM, `/api/v1/oversight/responsibility?at=${d(4).toISOString()}&userId=${users[SW]}`);
    const [event] = await t.db.query(
      `SELECT subject_ids, details, actor_id FROM audit_event WHERE action = 'oversight.responsibility'
        ORDER BY seq DESC LIMIT 1`,
    );
    expect(event.actor_id).toBe(users[NSC_TM]);
    expect(event.subject_ids).toEqual(res.body.data.map((i: any) => i.deadlineId));
    expect(event.details).toMatchObject({ userId: users[SW], at: d(4).toISOString() });
  });
});
