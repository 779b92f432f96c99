/**
 * The kernel's clocks: every workflow's deadline in the one table, escalated by one sweep, once
 * per level, whoever runs it (two workers at once), to the managers of the team and then of the
 * organisation, never to others. One case per existing workflow: a concern's decision, a
 * referral's decision, MASH checks after triage, an information request's decision.
 */
import { randomUUID } from 'node:crypto';
import { Deadlines, declareDeadlineRules, type DeadlineRulesOf, EscalationService } from '@app/casework';
import { nhsCheckDigit } from '@app/children';
import { startTestApp, type TestContext } from './support/app';

const DSL = 'dsl@riverside-academy.example';
const TEACHER = 'teacher@riverside-academy.example';
const NSC_MASH = 'mash.officer@northshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
const SSC_MASH = 'mash.officer@southshire-council.example';
const SSC_TM = 'team.manager@southshire-council.example';
const SSC_ADMIN = 'admin@southshire-council.example';

export const TEST_RULES = declareDeadlineRules({
  'kernel_test.reply': { description: 'A reply a test waits for.' },
});
declare module '@app/casework' {
  interface DeadlineRules extends DeadlineRulesOf<typeof TEST_RULES> {}
}

// Monday 30 November 2026, 10:00 in London.
const MONDAY = new Date('2026-11-30T10:00:00Z');

function freshNhsNumber(): string {
  for (;;) {
    const first9 = String(Math.floor(100_000_000 + Math.random() * 899_999_999));
    const check = nhsCheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}

describe('deadlines and escalation (the casework kernel)', () => {
  let t: TestContext;
  let svc: EscalationService;
  let teams: Record<string, string>;
  let orgs: Record<string, string>;
  let client: string;

  beforeAll(async () => {
    t = await startTestApp();
    svc = t.app.get(EscalationService, { strict: false });
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${token.body.accessToken as string}`;
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.set(MONDAY));

  const auth = async (who: string) => (who === 'client' ? client : t.as(who));
  const post = async (who: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await auth(who))
      // Partner systems must send one (the hardening issue); people's sessions may.
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await auth(who));
  const notes = async (who: string, subjectId: string) =>
    ((await get(who, '/api/v1/notifications')).body.data as { kind: string; subjectId: string }[]).filter(
      (n) => n.subjectId === subjectId && n.kind.startsWith('escalation'),
    );
  /** The levels raised on the subject's deadlines (of one rule, if named), through the one deadline table. */
  const levels = async (subjectId: string, rule?: string) =>
    (
      await t.db.query(
        `SELECT e.level FROM escalation e JOIN deadline d ON d.id = e.deadline_id
          WHERE d.subject_id = $1 AND ($2::text IS NULL OR d.rule = $2) ORDER BY e.level`,
        [subjectId, rule ?? null],
      )
    ).map((e: any) => e.level);
  const deadlines = async (subjectId: string) =>
    (
      await t.db.query(
        `SELECT subject_type, rule, state, organisation_id, team_id, due_at FROM deadline WHERE subject_id = $1 ORDER BY rule`,
        [subjectId],
      )
    ).map((d: any) => ({ ...d, due_at: new Date(d.due_at).toISOString() }));
  const referralBody = (toTeam: string, extra: object = {}) => ({
    toTeamId: teams[toTeam],
    reason: 'Older males collecting her from school; missing overnight twice.',
    rag: 'AMBER',
    consentObtained: false,
    noConsentReason: 'Seeking consent could put the child at risk.',
    lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
    ...extra,
  });

  it("a referral's decision: marked overdue and escalated once per level, even with two workers", async () => {
    const r = (
      await post(
        DSL,
        '/api/v1/referrals',
        referralBody('SSC/MASH', { subject: { givenName: 'Late', familyName: 'Decision', dateOfBirth: '2013-03-03' } }),
      )
    ).body;
    expect(await deadlines(r.id)).toEqual([
      {
        subject_type: 'Referral',
        rule: 'referral.decision',
        state: 'open',
        organisation_id: orgs.SSC,
        team_id: teams['SSC/MASH'],
        due_at: '2026-12-01T23:59:59.999Z',
      },
    ]);
    await Promise.all([svc.run(), svc.run()]);
    expect(await levels(r.id)).toEqual([]);

    // Wednesday: past Tuesday's deadline.
    t.clock.set(new Date('2026-12-02T09:00:00Z'));
    await Promise.all([svc.run(), svc.run()]);
    await svc.run();
    expect(await levels(r.id)).toEqual([1]);
    const overdue = await get(SSC_MASH, '/api/v1/referrals/inbox?overdue=true');
    expect(overdue.body.data.find((x: any) => x.id === r.id)).toMatchObject({ overdue: true });
    const managerNotes = (await get(SSC_TM, '/api/v1/notifications')).body.data;
    expect(managerNotes.filter((x: any) => x.subjectId === r.id && x.kind === 'escalation.level1')).toHaveLength(1);
    expect(await notes(SSC_MASH, r.id)).toHaveLength(0);

    // Thursday: still undecided a working day later: the next level, once.
    t.clock.set(new Date('2026-12-03T09:00:00Z'));
    await Promise.all([svc.run(), svc.run()]);
    await svc.run();
    expect(await levels(r.id)).toEqual([1, 2]);
    t.clock.set(new Date('2026-12-10T09:00:00Z'));
    await svc.run();
    expect(await levels(r.id)).toEqual([1, 2]);
  });

  it("a concern's decision: the lead's managers hear when it is late; a decision stops the clock", async () => {
    const concern = (
      await post(TEACHER, '/api/v1/concerns', {
        subject: { givenName: 'Clock', approximateAge: 11 },
        category: 'physical',
        whatWasSeen: 'Bruising on both arms; flinches when approached.',
        occurredAt: '2026-11-30T09:00:00Z',
        immediateDanger: true,
      })
    ).body;
    expect(concern.dueAt).toBe('2026-11-30T11:00:00.000Z');
    expect(await deadlines(concern.id)).toEqual([
      {
        subject_type: 'Concern',
        rule: 'concern.decision',
        state: 'open',
        organisation_id: orgs.RVA,
        team_id: teams['RVA/Safeguarding'],
        due_at: '2026-11-30T11:00:00.000Z',
      },
    ]);
    t.clock.set(new Date('2026-11-30T11:30:00Z'));
    await Promise.all([svc.run(), svc.run()]);
    expect(await levels(concern.id)).toEqual([1]);
    expect((await notes(DSL, concern.id)).map((n) => n.kind)).toEqual(['escalation.level1']);
    // The teacher who raised it is not a manager: told nothing of the escalation.
    expect(await notes(TEACHER, concern.id)).toHaveLength(0);

    expect((await post(DSL, `/api/v1/concerns/${concern.id}/decision`, { decision: 'MONITOR' })).status).toBe(200);
    expect((await deadlines(concern.id)).map((d: any) => d.state)).toEqual(['met']);
    t.clock.set(new Date('2026-12-08T09:00:00Z'));
    await svc.run();
    expect(await levels(concern.id)).toEqual([1]);
  });

  it('MASH checks after a RED triage: their own clock, escalated on its own; the decision stops both', async () => {
    const child = (
      await post(DSL, '/api/v1/children', {
        givenName: `Checks${Date.now().toString(36)}`,
        familyName: 'Clock',
        dateOfBirth: '2012-04-04',
      })
    ).body;
    const r = (await post(DSL, '/api/v1/referrals', referralBody('NSC/MASH', { childId: child.id }))).body;
    const triaged = await post(NSC_MASH, `/api/v1/referrals/${r.id}/triage`, {
      rag: 'RED',
      reason: 'Exploitation indicators.',
    });
    expect(triaged.status).toBe(200);
    // Red: partner checks within 4 working hours of triage (10:00 -> 14:00 London).
    expect(await deadlines(r.id)).toEqual([
      expect.objectContaining({ rule: 'mash.checks', state: 'open', due_at: '2026-11-30T14:00:00.000Z' }),
      expect.objectContaining({ rule: 'referral.decision', state: 'open', due_at: '2026-12-01T23:59:59.999Z' }),
    ]);
    // A second triage never pushes the running checks clock out (GREEN would give 72 hours).
    await post(NSC_MASH, `/api/v1/referrals/${r.id}/triage`, { rag: 'GREEN', reason: 'Checks show less risk.' });
    expect((await deadlines(r.id))[0]).toMatchObject({ rule: 'mash.checks', due_at: '2026-11-30T14:00:00.000Z' });

    t.clock.set(new Date('2026-11-30T15:00:00Z'));
    await Promise.all([svc.run(), svc.run()]);
    expect(await levels(r.id, 'mash.checks')).toEqual([1]);
    expect(await levels(r.id, 'referral.decision')).toEqual([]);
    expect((await notes(NSC_TM, r.id)).map((n) => n.kind)).toEqual(['escalation.level1']);
    expect(await notes(NSC_MASH, r.id)).toHaveLength(0);

    const decided = await post(NSC_MASH, `/api/v1/referrals/${r.id}/decision`, {
      outcome: 'S17_ASSESSMENT',
      reason: 'Needs assessment.',
    });
    expect(decided.status).toBe(200);
    expect((await deadlines(r.id)).map((d: any) => [d.rule, d.state])).toEqual([
      ['mash.checks', 'met'],
      ['referral.decision', 'met'],
    ]);
    t.clock.set(new Date('2026-12-10T09:00:00Z'));
    await svc.run();
    expect(await levels(r.id)).toEqual([1]);
  });

  it('a withdrawn referral: its clock is cancelled and never escalates', async () => {
    const r = (
      await post(
        DSL,
        '/api/v1/referrals',
        referralBody('SSC/MASH', {
          subject: { givenName: 'Withdrawn', familyName: 'Clock', dateOfBirth: '2014-05-05' },
        }),
      )
    ).body;
    const withdrawn = await post(DSL, `/api/v1/referrals/${r.id}/transitions`, {
      to: 'WITHDRAWN',
      reason: 'Sent to the wrong council.',
    });
    expect(withdrawn.status).toBe(200);
    expect((await deadlines(r.id)).map((d: any) => d.state)).toEqual(['cancelled']);
    t.clock.set(new Date('2026-12-10T09:00:00Z'));
    await svc.run();
    expect(await levels(r.id)).toEqual([]);
  });

  it("an information request's decision: escalated once per level, using the receiver's local timescales", async () => {
    // The receiver's administrator sets its own time for urgent requests: 2 hours.
    const read = await get(SSC_ADMIN, `/api/v1/organisations/${orgs.SSC}/timescales`);
    const set = await t.http
      .put(`/api/v1/organisations/${orgs.SSC}/timescales`)
      .set('Authorization', await t.as(SSC_ADMIN))
      .set('If-Match', read.headers.etag as string)
      .send({ timescales: { 'information_request.urgent': 2 } });
    expect(set.status).toBe(200);
    const start = t.clock.now();
    const request = (
      await post('client', '/api/v1/information-requests', {
        toOrganisationId: orgs.SSC,
        identifiers: { nhsNumber: freshNhsNumber() },
        purpose: 'Urgent checks.',
        classesRequested: ['identity'],
        urgency: 'urgent',
      })
    ).body;
    expect(new Date(request.dueAt).getTime() - start.getTime()).toBe(2 * 3_600_000);
    expect(await deadlines(request.id)).toEqual([
      expect.objectContaining({
        subject_type: 'InformationRequest',
        rule: 'information_request.decision',
        organisation_id: orgs.SSC,
        team_id: null,
      }),
    ]);
    t.clock.set(new Date(start.getTime() + 3 * 3_600_000));
    await Promise.all([svc.run(), svc.run()]);
    expect(await levels(request.id)).toEqual([1]);
    expect((await get('client', `/api/v1/information-requests/${request.id}`)).body.overdue).toBe(true);
    t.clock.set(new Date(start.getTime() + 5 * 86_400_000));
    await svc.run();
    await svc.run();
    expect(await levels(request.id)).toEqual([1, 2]);
    // No team decides requests: level 1 already went to the organisation's managers (all of them).
    expect((await notes(SSC_TM, request.id)).map((n) => n.kind).sort()).toEqual([
      'escalation.level1',
      'escalation.level2',
    ]);

    const restore = await t.http
      .put(`/api/v1/organisations/${orgs.SSC}/timescales`)
      .set('Authorization', await t.as(SSC_ADMIN))
      .set('If-Match', set.headers.etag as string)
      .send({ timescales: {} });
    expect(restore.status).toBe(200);
  });

  it('Deadlines: one running clock per rule, never extended by opening it again; reschedule and close', async () => {
    const deadlines = t.app.get(Deadlines, { strict: false });
    const subject = { type: 'KernelTest', id: randomUUID() };
    const at = (hours: number) => new Date(MONDAY.getTime() + hours * 3_600_000);
    const spec = (dueAt: Date) => ({ subject, rule: 'kernel_test.reply' as const, dueAt, organisationId: orgs.NSC! });
    await t.db.transaction(async (tx) => {
      expect(await deadlines.open(tx, spec(at(4)))).toEqual(at(4));
      expect(await deadlines.open(tx, spec(at(8)))).toEqual(at(4));
      expect(await deadlines.open(tx, spec(at(2)))).toEqual(at(2));
      expect(await deadlines.running(tx, subject)).toEqual([
        {
          rule: 'kernel_test.reply',
          dueAt: at(2),
          organisationId: orgs.NSC,
          teamId: null,
          responsibleUserId: null,
          overdue: false,
        },
      ]);
      expect(await deadlines.reschedule(tx, subject, 'kernel_test.reply', at(6))).toBe(true);
      expect(await deadlines.reschedule(tx, { ...subject, id: randomUUID() }, 'kernel_test.reply', at(6))).toBe(false);
      expect((await deadlines.running(tx, subject))[0]!.dueAt).toEqual(at(6));
      expect(await deadlines.close(tx, subject, 'met')).toBe(1);
      expect(await deadlines.close(tx, subject, 'met')).toBe(0);
      expect(await deadlines.running(tx, subject)).toEqual([]);
      // A clock closed may start again (the old one stays, closed, for the record).
      await deadlines.open(tx, spec(at(3)));
      expect(await deadlines.running(tx, subject)).toHaveLength(1);
      await expect(
        deadlines.open(tx, { ...spec(at(1)), rule: 'kernel_test.unknown' as 'kernel_test.reply' }),
      ).rejects.toThrow(/No module declared the deadline rule/);
    });
    expect(
      (
        await t.db.query(`SELECT state FROM deadline WHERE subject_id = $1 ORDER BY opened_at, state`, [subject.id])
      ).map((d: any) => d.state),
    ).toEqual(['met', 'open']);

    // Two transactions opening the same clock at once: one clock, the earlier due time.
    const racing = { type: 'KernelTest', id: randomUUID() };
    await Promise.all(
      [at(5), at(7)].map((dueAt) => t.db.transaction((tx) => deadlines.open(tx, { ...spec(dueAt), subject: racing }))),
    );
    expect(await t.db.query(`SELECT due_at FROM deadline WHERE subject_id = $1`, [racing.id])).toEqual([
      { due_at: at(5) },
    ]);
  });

  it('Deadlines: a clock moved out of the past is no longer overdue, and a level raised is not raised twice', async () => {
    const deadlines = t.app.get(Deadlines, { strict: false });
    const subject = { type: 'KernelTest', id: randomUUID() };
    await t.db.transaction((tx) =>
      deadlines.open(tx, {
        subject,
        rule: 'kernel_test.reply',
        dueAt: new Date(MONDAY.getTime() - 3_600_000),
        organisationId: orgs.NSC!,
      }),
    );
    await svc.run();
    expect(await levels(subject.id)).toEqual([1]);
    // No team: level 1 went to the organisation's managers.
    expect((await notes(NSC_TM, subject.id)).map((n) => n.kind)).toEqual(['escalation.level1']);
    const later = new Date(MONDAY.getTime() + 3 * 3_600_000);
    await t.db.transaction(async (tx) => {
      expect(await deadlines.reschedule(tx, subject, 'kernel_test.reply', later)).toBe(true);
      expect((await deadlines.running(tx, subject))[0]).toMatchObject({ dueAt: later, overdue: false });
    });
    expect(
      (await t.db.query(`SELECT overdue_at FROM deadline WHERE subject_id = $1`, [subject.id]))[0].overdue_at,
    ).toBeNull();
    t.clock.set(new Date(MONDAY.getTime() + 4 * 3_600_000));
    await svc.run();
    // Overdue again, from its new due time.
    expect(
      (await t.db.query(`SELECT overdue_at FROM deadline WHERE subject_id = $1`, [subject.id]))[0].overdue_at,
    ).toEqual(new Date(MONDAY.getTime() + 4 * 3_600_000));
    expect(await levels(subject.id)).toEqual([1]);
    expect(await notes(NSC_TM, subject.id)).toHaveLength(1);
  });

  it('a deadline held where nobody is declared to hear of it is escalated on the record, and the sweep goes on', async () => {
    const deadlines = t.app.get(Deadlines, { strict: false });
    // The inspectorate declares no managers for a kernel rule; Northshire Council does.
    const nobody = { type: 'KernelTest', id: randomUUID() };
    const council = { type: 'KernelTest', id: randomUUID() };
    const overdue = new Date(MONDAY.getTime() - 3_600_000);
    await t.db.transaction(async (tx) => {
      await deadlines.open(tx, {
        subject: nobody,
        rule: 'kernel_test.reply',
        dueAt: overdue,
        organisationId: orgs.INSP!,
      });
      await deadlines.open(tx, {
        subject: council,
        rule: 'kernel_test.reply',
        dueAt: overdue,
        organisationId: orgs.NSC!,
      });
    });
    await svc.run();
    expect(await levels(nobody.id)).toEqual([1]);
    expect(await levels(council.id)).toEqual([1]);
    const [note] = await notes(NSC_TM, council.id);
    expect(note).toMatchObject({ kind: 'escalation.level1' });
    // It names who it went to: the council's case managers, not "the team manager" whoever they are.
    expect((note as unknown as { message: string }).message).toMatch(/escalated to the organisation's team manager\./);
  });
});
