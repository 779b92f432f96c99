/**
 * The kernel hands a running clock to a new holder (Deadlines.handOver): the old clock closes as
 * 'handed_over' naming the new one, which runs on with the same rule and due time; escalation
 * follows the holder (an overdue clock handed over goes to the NEW holder's managers); safe beside
 * a concurrent hand-over or close; responsibility and the child's timeline show who held it when.
 */
import { randomUUID } from 'node:crypto';
import { Deadlines, declareDeadlineRules, type DeadlineRulesOf, EscalationService } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

const NSC_TM = 'team.manager@northshire-council.example';
const SSC_TM = 'team.manager@southshire-council.example';
const SW = 'social.worker@northshire-council.example';
const DSL = 'dsl@riverside-academy.example';
const INSPECTOR = 'inspector@inspectorate.example';
const SUBJECT = 'HandOverTest';

export const HANDOVER_RULES = declareDeadlineRules({
  'kernel_test.handover': { description: 'A clock a test hands from one holder to another.' },
});
declare module '@app/casework' {
  interface DeadlineRules extends DeadlineRulesOf<typeof HANDOVER_RULES> {}
}

// Monday 7 February 2028, 10:00 in London: a month no other file of the suite writes clocks in.
const MONDAY = new Date('2028-02-07T10:00:00Z');
const at = (hours: number) => new Date(MONDAY.getTime() + hours * 3_600_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('handing a running clock over (the casework kernel)', () => {
  let t: TestContext;
  let deadlines: Deadlines;
  let sweep: EscalationService;
  let orgs: Record<string, string>;
  let teams: Record<string, string>;
  let users: Record<string, string>;
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  /**
   * A subject's clocks in the order they held it: each chain from its first clock along handed_over_to.
   * Under the test clock several rows share opened_at and closed_at, so the time alone does not order them.
   */
  const inChainOrder = (all: any[]) => {
    const handedTo = new Set(all.map((d) => d.handed_over_to).filter(Boolean));
    const ordered: any[] = [];
    for (const first of all.filter((d) => !handedTo.has(d.id))) {
      for (let d = first; d; d = all.find((x) => x.id === d.handed_over_to)) ordered.push(d);
    }
    return ordered;
  };
  const rows = async (subjectId: string) =>
    inChainOrder(
      await t.db.query(
        `SELECT id, state, organisation_id, team_id, responsible_user_id, due_at, opened_at, closed_at, handed_over_to
           FROM deadline WHERE subject_id = $1 ORDER BY opened_at, closed_at NULLS LAST`,
        [subjectId],
      ),
    ).map((d: any) => ({ ...d, due_at: new Date(d.due_at).toISOString() }));
  const levels = async (deadlineId: string) =>
    (await t.db.query('SELECT level FROM escalation WHERE deadline_id = $1 ORDER BY level', [deadlineId])).map(
      (e: any) => e.level,
    );
  const escalationNotes = async (who: string, subjectId: string) =>
    ((await get(who, '/api/v1/notifications')).body.data as { kind: string; subjectId: string }[])
      .filter((n) => n.subjectId === subjectId && n.kind.startsWith('escalation'))
      .map((n) => n.kind);
  const open = (subject: { type: string; id: string }, dueAt: Date, holder: object, childId?: string) =>
    t.db.transaction((tx) =>
      deadlines.open(tx, {
        subject,
        rule: 'kernel_test.handover',
        dueAt,
        organisationId: orgs.NSC!,
        childId: childId ?? null,
        ...holder,
      }),
    );

  beforeAll(async () => {
    t = await startTestApp();
    deadlines = t.app.get(Deadlines, { strict: false });
    sweep = t.app.get(EscalationService, { strict: false });
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    users = Object.fromEntries(
      (await t.db.query('SELECT email, id FROM app_user WHERE email = ANY($1)', [[NSC_TM, SSC_TM, SW]])).map(
        (u: any) => [u.email, u.id],
      ),
    );
  });
  beforeEach(() => t.clock.set(MONDAY));
  afterAll(async () => {
    // The clocks must not reach the other files' sweeps, dashboards or responsibility lists.
    await t.db.query(
      `DELETE FROM escalation WHERE deadline_id IN (SELECT id FROM deadline WHERE subject_type = '${SUBJECT}')`,
    );
    await t.db.query(`DELETE FROM deadline WHERE subject_type = '${SUBJECT}'`);
    await t.close();
  });

  it('closes the running clock as handed_over and starts the same clock for the new holder', async () => {
    const subject = { type: SUBJECT, id: randomUUID() };
    await open(subject, at(48), { teamId: teams['NSC/MASH'], responsibleUserId: users[SW] });
    t.clock.set(at(1));
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, subject, { responsibleUserId: users[NSC_TM] }))).toBe(
      1,
    );
    const [old, now] = await rows(subject.id);
    expect(old).toMatchObject({
      state: 'handed_over',
      team_id: teams['NSC/MASH'],
      responsible_user_id: users[SW],
      closed_at: at(1),
      handed_over_to: now.id,
    });
    // Same rule and due time; the team kept (left out), the person changed.
    expect(now).toMatchObject({
      state: 'open',
      organisation_id: orgs.NSC,
      team_id: teams['NSC/MASH'],
      responsible_user_id: users[NSC_TM],
      due_at: at(48).toISOString(),
      opened_at: at(1),
      closed_at: null,
      handed_over_to: null,
    });
    // To the holder it already has: nothing happens.
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, subject, { responsibleUserId: users[NSC_TM] }))).toBe(
      0,
    );
    // To another organisation: the old one's team and person do not follow unless named.
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, subject, { organisationId: orgs.SSC! }))).toBe(1);
    await t.db.transaction(async (tx) => {
      expect(await deadlines.running(tx, subject)).toEqual([
        {
          rule: 'kernel_test.handover',
          dueAt: at(48),
          organisationId: orgs.SSC,
          teamId: null,
          responsibleUserId: null,
          overdue: false,
        },
      ]);
      // One rule only, and a rule nobody declared is refused.
      expect(await deadlines.handOver(tx, subject, { teamId: teams['SSC/MASH'] }, 'kernel_test.handover')).toBe(1);
      await expect(
        deadlines.handOver(tx, subject, { teamId: null }, 'kernel_test.unknown' as 'kernel_test.handover'),
      ).rejects.toThrow(/No module declared the deadline rule/);
    });
    expect((await rows(subject.id)).map((d: any) => d.state)).toEqual([
      'handed_over',
      'handed_over',
      'handed_over',
      'open',
    ]);
    // Done before the next tests' period (their counts hold their own clocks only).
    expect(await t.db.transaction((tx) => deadlines.close(tx, subject, 'met'))).toBe(1);
    // Nothing running: nothing handed over.
    const none = { type: SUBJECT, id: randomUUID() };
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, none, { organisationId: orgs.SSC! }))).toBe(0);
  });

  it("an overdue clock handed over starts un-escalated: the sweep tells the new holder's managers", async () => {
    const subject = { type: SUBJECT, id: randomUUID() };
    await open(subject, at(-1), {});
    await sweep.run();
    const [first] = await rows(subject.id);
    expect(await levels(first.id)).toEqual([1]);
    expect(await escalationNotes(NSC_TM, subject.id)).toEqual(['escalation.level1']);

    t.clock.set(at(1));
    expect(await t.db.transaction((tx) => deadlines.handOver(tx, subject, { organisationId: orgs.SSC! }))).toBe(1);
    const [old, now] = await rows(subject.id);
    expect(old).toMatchObject({ state: 'handed_over', handed_over_to: now.id });
    expect(now).toMatchObject({ state: 'open', organisation_id: orgs.SSC, due_at: at(-1).toISOString() });
    expect((await t.db.query('SELECT overdue_at FROM deadline WHERE id = $1', [now.id]))[0].overdue_at).toBeNull();

    t.clock.set(at(2));
    await Promise.all([sweep.run(), sweep.run()]);
    expect(await levels(now.id)).toEqual([1]);
    expect(await escalationNotes(SSC_TM, subject.id)).toEqual(['escalation.level1']);
    // The old holder's escalation stays on the old clock, and its managers are not told again.
    expect(await levels(old.id)).toEqual([1]);
    expect(await escalationNotes(NSC_TM, subject.id)).toEqual(['escalation.level1']);
    // A working day after the due time, the new holder's level 2 (and never the old one's).
    t.clock.set(new Date('2028-02-09T09:00:00Z'));
    await sweep.run();
    expect(await levels(now.id)).toEqual([1, 2]);
    expect(await levels(old.id)).toEqual([1]);
  });

  it('two hand-overs at once: one clock runs, held by the later; a close beside a hand-over stops it', async () => {
    const subject = { type: SUBJECT, id: randomUUID() };
    await open(subject, at(24), { teamId: teams['NSC/MASH'] });
    /** The first transaction hands over and waits; the second starts, blocks on the clock, then runs. */
    const race = async (second: (tx: any) => Promise<number>) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let done!: () => void;
      const handed = new Promise<void>((r) => (done = r));
      const first = t.db.transaction(async (tx) => {
        const n = await deadlines.handOver(tx, subject, { organisationId: orgs.SSC! });
        done();
        await gate;
        return n;
      });
      await handed;
      const other = t.db.transaction(second);
      await sleep(300);
      release();
      return Promise.all([first, other]);
    };
    expect(await race((tx) => deadlines.handOver(tx, subject, { organisationId: orgs.NSC! }))).toEqual([1, 1]);
    const after = await rows(subject.id);
    expect(after.map((d: any) => [d.state, d.organisation_id])).toEqual([
      ['handed_over', orgs.NSC],
      ['handed_over', orgs.SSC],
      ['open', orgs.NSC],
    ]);
    expect(after[0].handed_over_to).toBe(after[1].id);
    expect(after[1].handed_over_to).toBe(after[2].id);

    expect(await race((tx) => deadlines.close(tx, subject, 'met'))).toEqual([1, 1]);
    expect((await rows(subject.id)).map((d: any) => d.state)).toEqual([
      'handed_over',
      'handed_over',
      'handed_over',
      'met',
    ]);
  });

  it("shows who held the clock when: responsibility at a moment, a period's counts, the child's timeline", async () => {
    const child = (
      await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(DSL))
        .set('Idempotency-Key', randomUUID())
        .send({ givenName: `Handed${Date.now().toString(36)}`, familyName: 'Over', dateOfBirth: '2015-06-06' })
    ).body;
    // A week later: the period's counts hold this test's clocks only.
    const w = (hours: number) => at(7 * 24 + hours);
    t.clock.set(w(0));
    const subject = { type: SUBJECT, id: randomUUID() };
    await open(subject, w(-2), { teamId: teams['NSC/MASH'], responsibleUserId: users[SW] }, child.id);
    await sweep.run();
    t.clock.set(w(3));
    await t.db.transaction((tx) =>
      deadlines.handOver(tx, subject, { organisationId: orgs.SSC!, teamId: teams['SSC/MASH'] }),
    );
    const [old, now] = await rows(subject.id);
    t.clock.set(w(5));

    const heldAt = async (when: Date) =>
      (await get(INSPECTOR, `/api/v1/oversight/responsibility?at=${when.toISOString()}&limit=200`)).body.data.filter(
        (i: any) => i.subjectId === subject.id,
      );
    expect(await heldAt(w(1))).toEqual([
      expect.objectContaining({
        deadlineId: old.id,
        team: { id: teams['NSC/MASH'], name: 'MASH' },
        responsible: { id: users[SW], name: 'Sam Walker' },
        heldUntil: w(3).toISOString(),
        overdueThen: true,
        state: 'handed_over',
        handedOverFrom: null,
        handedOverTo: {
          deadlineId: now.id,
          organisation: { id: orgs.SSC, name: expect.any(String) },
          team: { id: teams['SSC/MASH'], name: 'MASH' },
          responsible: null,
        },
      }),
    ]);
    expect(await heldAt(w(4))).toEqual([
      expect.objectContaining({
        deadlineId: now.id,
        organisation: { id: orgs.SSC, name: expect.any(String) },
        heldFrom: w(3).toISOString(),
        heldUntil: null,
        state: 'open',
        handedOverFrom: expect.objectContaining({
          deadlineId: old.id,
          responsible: { id: users[SW], name: 'Sam Walker' },
        }),
        handedOverTo: null,
      }),
    ]);

    const period = `from=${w(-24).toISOString()}&to=${w(24).toISOString()}`;
    const history = async (filter: string) =>
      (await get(INSPECTOR, `/api/v1/oversight/responsibility/history?${period}&${filter}`)).body.rows.filter(
        (r: any) => r.rule === 'kernel_test.handover',
      );
    // Sam let it go overdue and handed it on; the Southshire team took it over already overdue.
    expect(await history(`userId=${users[SW]}`)).toEqual([
      expect.objectContaining({ held: 1, wentOverdue: 1, handedOver: 1, takenOver: 0, stillOpen: 0 }),
    ]);
    expect(await history(`teamId=${teams['SSC/MASH']}`)).toEqual([
      expect.objectContaining({
        held: 1,
        wentOverdue: 0,
        handedOver: 0,
        takenOver: 1,
        takenOverOverdue: 1,
        stillOpen: 1,
      }),
    ]);

    const timeline = await get(INSPECTOR, `/api/v1/oversight/children/${child.id}/timeline`);
    expect(timeline.status).toBe(200);
    const mine = timeline.body.events.filter((e: any) => e.subjectId === subject.id);
    expect(mine.map((e: any) => e.kind)).toEqual(['deadline.missed', 'escalation.level1', 'deadline.handed_over']);
    expect(mine[2]).toMatchObject({
      at: w(3).toISOString(),
      organisation: { id: orgs.NSC },
      what: 'kernel_test.handover',
      why: expect.stringMatching(/^from .*, MASH, Sam Walker to .*, MASH \(overdue since 2028-02-14T08:00:00Z\)$/),
    });
  });
});
