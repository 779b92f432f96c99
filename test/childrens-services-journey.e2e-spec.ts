/**
 * Children's services' statutory process through HTTP: referral -> MASH decision S17 -> case and
 * assessment authorised STRATEGY_DISCUSSION -> strategy discussion (council, police, health)
 * S47_JOINT -> ICPC within its target (over Easter) -> child protection plan (SAB) -> review due
 * 3 months later; police and health, now working with the child, read the multi-agency chronology.
 * Then: the state machines (409 naming the allowed moves), If-Match, the clocks' escalation, closure.
 */
import { randomUUID } from 'node:crypto';
import { EscalationService } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';
import { freshNhsNumber } from './support/factories';

const DSL = 'dsl@riverside-academy.example';
const MASH = 'mash.officer@northshire-council.example';
const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const CHAIR = 'conference.chair@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const NURSE = 'safeguarding.nurse@northshire-nhs.example';
const SSC_SW = 'social.worker@southshire-council.example';

// Monday 16 March 2026, 10:00 in London (GMT).
const MONDAY = new Date('2026-03-16T10:00:00Z');

describe("children's services: the child-protection journey", () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let teams: Record<string, string>;
  let users: Record<string, string>;
  let escalation: EscalationService;

  beforeAll(async () => {
    t = await startTestApp();
    escalation = t.app.get(EscalationService, { strict: false });
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    users = Object.fromEntries((await t.db.query('SELECT email, id FROM app_user')).map((u: any) => [u.email, u.id]));
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object, version?: number) => {
    const req = t.http
      .post(`/api/v1${url}`)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID());
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send(body);
  };
  const get = async (who: string, url: string) => t.http.get(`/api/v1${url}`).set('Authorization', await t.as(who));
  /** What a nurse's protection-status look-up answers for this child (health reads the council's section). */
  const protectionStatus = async (childId: string) => {
    const [{ nhs_number: nhs }] = await t.db.query('SELECT nhs_number FROM child WHERE id = $1', [childId]);
    const res = await t.http
      .get(`/api/v1/health/protection-status?nhsNumber=${nhs}`)
      .set('Authorization', await t.as(NURSE))
      .set('X-Purpose-Of-Use', 'direct_safeguarding');
    expect(res.status).toBe(200);
    return res.body as { status: string; council: { id: string } | null; planStartDate: string | null };
  };
  const attendees = (...codes: string[]) =>
    codes.map((code, i) => ({ organisationId: orgs[code], name: `Attendee ${i + 1}`, role: `${code} lead` }));
  const multiAgency = async (who: string, childId: string) => {
    const res = await get(who, `/children/${childId}/chronology?view=multi-agency`);
    expect(res.status).toBe(200);
    return (res.body.data as { summary: string }[]).map((e) => e.summary);
  };

  /** A child the school registered and referred to Northshire's MASH, decided with this outcome. */
  async function decidedReferral(outcome: string) {
    t.clock.set(MONDAY);
    const child = await post(DSL, '/children', {
      givenName: 'Jess',
      familyName: `Journey${Math.floor(Math.random() * 1e9)}`,
      dateOfBirth: '2013-05-04',
      nhsNumber: freshNhsNumber(),
    });
    expect(child.status).toBe(201);
    const referral = await post(DSL, '/referrals', {
      childId: child.body.id,
      toTeamId: teams['NSC/MASH'],
      reason: 'Disclosure at school of touching by a family friend.',
      rag: 'RED',
      consentObtained: true,
    });
    expect(referral.status).toBe(201);
    const decided = await post(MASH, `/referrals/${referral.body.id}/decision`, { outcome, reason: 'Threshold met.' });
    expect(decided.status).toBe(200);
    return { childId: child.body.id as string, referralId: referral.body.id as string };
  }

  async function openCase(outcome = 'S17_ASSESSMENT') {
    const { childId, referralId } = await decidedReferral(outcome);
    // The front door (MASH) opens the case on its decision; the assessment team works it.
    const created = await post(MASH, '/cs/cases', { referralId, referralSource: '2A' });
    if (created.status !== 201) throw new Error(`case: ${created.status} ${JSON.stringify(created.body)}`);
    return { childId, referralId, c: created.body };
  }

  /** Case -> assessment authorised STRATEGY -> strategy discussion held S47_JOINT on the day given. */
  async function toS47(heldOn: string) {
    const { childId, c } = await openCase();
    const withAssessment = (await post(SW, `/cs/cases/${c.id}/assessments`, {})).body;
    const a = withAssessment.assessments[0];
    const authorised = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'STRATEGY_DISCUSSION', primaryNeed: 'N1', factors: ['2B', '4A'] },
      a.version,
    );
    expect(authorised.status).toBe(200);
    const sd = authorised.body.strategyDiscussions[0];
    t.clock.set(new Date(`${heldOn}T15:00:00Z`));
    const held = await post(
      SW,
      `/cs/strategy-discussions/${sd.id}/outcome`,
      { heldOn, attendees: attendees('NSC', 'NSP', 'NNHS'), outcome: 'S47_JOINT' },
      sd.version,
    );
    expect(held.status).toBe(200);
    return { childId, c: held.body };
  }

  it('referral -> S17 -> assessment -> strategy discussion -> s47 -> ICPC over Easter -> plan (SAB) -> review due', async () => {
    const { childId, referralId, c } = await openCase();
    expect(c).toMatchObject({ referralId, childId, referralDate: '2026-03-16', status: 'OPEN', referralSource: '2A' });

    // The police and the health trust do not work with the child yet.
    expect((await get(CSE, `/children/${childId}`)).status).toBe(404);
    expect((await get(NURSE, `/children/${childId}`)).status).toBe(404);

    const opened = await post(SW, `/cs/cases/${c.id}/assessments`, {});
    expect(opened.status).toBe(201);
    const a = opened.body.assessments[0];
    // 45 working days from the referral of 16 March 2026, over Good Friday, Easter Monday and both May bank holidays.
    expect(a).toMatchObject({
      status: 'OPEN',
      startDate: '2026-03-16',
      dueAt: '2026-05-21T22:59:59.999Z',
      overdue: false,
    });

    // Only a team manager authorises (the route refuses a social worker), and only with the version read.
    expect(
      (
        await post(
          SW,
          `/cs/assessments/${a.id}/authorisation`,
          { outcome: 'NFA', primaryNeed: 'N1', factors: ['21'] },
          a.version,
        )
      ).status,
    ).toBe(403);
    const stale = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'STRATEGY_DISCUSSION', primaryNeed: 'N1', factors: ['2B'] },
      a.version + 5,
    );
    expect(stale.status).toBe(412);
    // Factors are the CIN census code set's: 14B and 8A are not codes (14A is; 8A never was).
    for (const factor of ['14B', '8A']) {
      const bad = await post(
        TM,
        `/cs/assessments/${a.id}/authorisation`,
        { outcome: 'STRATEGY_DISCUSSION', primaryNeed: 'N1', factors: ['2B', factor] },
        a.version,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toMatch(/^factors/);
    }
    const authorised = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'STRATEGY_DISCUSSION', primaryNeed: 'N1', factors: ['2B', '4A'] },
      a.version,
    );
    expect(authorised.status).toBe(200);
    expect(authorised.body.primaryNeed).toBe('N1');
    expect(authorised.body.assessments[0]).toMatchObject({ status: 'AUTHORISED', outcome: 'STRATEGY_DISCUSSION' });
    const again = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'NFA', primaryNeed: 'N1', factors: ['21'] },
      authorised.body.assessments[0].version,
    );
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CS.ILLEGAL_TRANSITION', allowed: [] });

    // The strategy discussion is convened, due within 2 working days of the decision (local default).
    const sd = authorised.body.strategyDiscussions[0];
    expect(sd).toMatchObject({ status: 'CONVENED', dueAt: '2026-03-18T23:59:59.999Z' });

    // Without health, it is refused naming the field, and nothing is written.
    const noHealth = await post(
      SW,
      `/cs/strategy-discussions/${sd.id}/outcome`,
      { heldOn: '2026-03-16', attendees: attendees('NSC', 'NSP', 'NSC'), outcome: 'S47_JOINT' },
      sd.version,
    );
    expect(noHealth.status).toBe(400);
    expect(noHealth.body.errors[0].field).toBe('attendees');
    expect((await get(SW, `/cs/cases/${c.id}`)).body.strategyDiscussions[0].status).toBe('CONVENED');

    // Wednesday 25 March: held with council, police and health; a joint s47 starts.
    t.clock.set(new Date('2026-03-25T14:00:00Z'));
    const held = await post(
      SW,
      `/cs/strategy-discussions/${sd.id}/outcome`,
      { heldOn: '2026-03-25', attendees: attendees('NSC', 'NSP', 'NNHS'), outcome: 'S47_JOINT' },
      sd.version,
    );
    expect(held.status).toBe(200);
    const s47 = held.body.s47Enquiries[0];
    // 15 working days from 25 March 2026, over Good Friday (3 April) and Easter Monday (6 April): 17 April, not 15.
    expect(s47).toMatchObject({ status: 'OPEN', joint: true, startDate: '2026-03-25', icpcTarget: '2026-04-17' });
    const twice = await post(
      SW,
      `/cs/strategy-discussions/${sd.id}/outcome`,
      { heldOn: '2026-03-25', attendees: attendees('NSC', 'NSP', 'NNHS'), outcome: 'NO_S47' },
      held.body.strategyDiscussions[0].version,
    );
    expect(twice.status).toBe(409);
    expect(twice.body.allowed).toEqual([]);

    // Police and health now work with the child and read the multi-agency chronology.
    for (const who of [CSE, NURSE]) {
      expect((await get(who, `/children/${childId}`)).status).toBe(200);
      expect(await multiAgency(who, childId)).toContain('Strategy discussion held: a section 47 enquiry starts.');
    }
    // Not another council's.
    expect((await get(SSC_SW, `/cs/cases/${c.id}`)).status).toBe(404);

    t.clock.set(new Date('2026-04-08T10:00:00Z'));
    const icpcNeeded = await post(
      SW,
      `/cs/s47/${s47.id}/outcome`,
      { outcome: 'ICPC_REQUIRED', completedDate: '2026-04-08' },
      s47.version,
    );
    expect(icpcNeeded.status).toBe(200);

    // Only the chair records a conference.
    const conference = {
      kind: 'INITIAL',
      heldOn: '2026-04-16',
      attendees: attendees('NSC', 'NSP', 'NNHS', 'RVA'),
      decision: 'PLAN',
      category: 'SAB',
      leadSocialWorkerId: users[SW],
    };
    t.clock.set(new Date('2026-04-16T16:00:00Z'));
    expect((await post(SW, `/cs/cases/${c.id}/conferences`, conference)).status).toBe(403);
    const icpc = await post(CHAIR, `/cs/cases/${c.id}/conferences`, conference);
    expect(icpc.status).toBe(201);
    const plan = icpc.body.plans[0];
    // A nurse's look-up now answers "on a child protection plan", with the council to call and the
    // day the plan started (the conference's).
    expect(await protectionStatus(childId)).toMatchObject({
      status: 'CHILD_PROTECTION_PLAN',
      council: { id: orgs.NSC },
      planStartDate: '2026-04-16',
    });
    expect(plan).toMatchObject({
      kind: 'CP',
      status: 'ACTIVE',
      startDate: '2026-04-16',
      initialCategory: 'SAB',
      latestCategory: 'SAB',
      leadSocialWorkerId: users[SW],
      nextReviewDue: '2026-07-16',
    });
    expect([...plan.coreGroup].sort()).toEqual([orgs.NSC, orgs.NSP, orgs.NNHS, orgs.RVA].sort());
    const clocks = await t.db.query(
      `SELECT rule, state, due_at FROM deadline WHERE subject_id = ANY($1) ORDER BY rule`,
      [[plan.id, s47.id, a.id, sd.id]],
    );
    expect(clocks.map((d: any) => [d.rule, d.state])).toEqual([
      ['assessment.completion', 'met'],
      ['icpc.target', 'met'],
      ['review_conference.due', 'open'],
      ['strategy.discussion', 'met'],
    ]);
    expect(new Date(clocks[2].due_at).toISOString()).toBe('2026-07-16T22:59:59.999Z');

    for (const who of [CSE, NURSE]) {
      expect(await multiAgency(who, childId)).toContain(
        'Initial child protection conference: child protection plan (SAB).',
      );
    }
    // The audit log has each step.
    const steps = await t.db.query(
      `SELECT DISTINCT action FROM audit_event WHERE action LIKE 'cs_%' AND $1 = ANY(subject_ids) ORDER BY action`,
      [c.id],
    );
    expect(steps.map((s: any) => s.action)).toEqual(
      expect.arrayContaining([
        'cs_assessment.authorised',
        'cs_conference.initial_held',
        'cs_s47.started',
        'cs_strategy_discussion.held',
      ]),
    );

    // A first review (3 months later) keeps the plan and is next due in 6 months.
    t.clock.set(new Date('2026-07-10T10:00:00Z'));
    const firstReview = {
      kind: 'REVIEW',
      heldOn: '2026-07-10',
      attendees: attendees('NSC', 'NSP'),
      decision: 'CONTINUE',
      category: 'MUL',
    };
    // A review changes the plan: only with the plan's version read (428 without, 412 if stale).
    const blind = await post(CHAIR, `/cs/cases/${c.id}/conferences`, firstReview);
    expect(blind.status).toBe(428);
    const stalePlan = await post(CHAIR, `/cs/cases/${c.id}/conferences`, firstReview, plan.version + 1);
    expect(stalePlan.status).toBe(412);
    expect((await get(SW, `/cs/cases/${c.id}`)).body.conferences).toHaveLength(1);
    const review = await post(CHAIR, `/cs/cases/${c.id}/conferences`, firstReview, plan.version);
    expect(review.status).toBe(201);
    expect(review.body.plans[0]).toMatchObject({
      initialCategory: 'SAB',
      latestCategory: 'MUL',
      nextReviewDue: '2027-01-10',
    });

    // The case does not close while the plan runs; ending it at a review, then closing, does.
    const early = await post(
      SW,
      `/cs/cases/${c.id}/closure`,
      { closureDate: '2026-07-10', reason: 'RC7' },
      review.body.version,
    );
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'CS.CASE_HAS_OPEN_WORK', open: ['cp_plan'] });
    t.clock.set(new Date('2026-12-01T10:00:00Z'));
    const ended = await post(
      CHAIR,
      `/cs/cases/${c.id}/conferences`,
      {
        kind: 'REVIEW',
        heldOn: '2026-12-01',
        attendees: attendees('NSC'),
        decision: 'END',
        endReason: 'Risk reduced; step down to a child in need plan.',
      },
      review.body.plans[0].version,
    );
    expect(ended.status).toBe(201);
    expect(ended.body.plans[0]).toMatchObject({ status: 'ENDED', endDate: '2026-12-01', nextReviewDue: null });
    expect(await protectionStatus(childId)).toMatchObject({ status: 'NONE_KNOWN', planStartDate: null });
    const version = (await get(SW, `/cs/cases/${c.id}`)).body.version;
    const closed = await post(SW, `/cs/cases/${c.id}/closure`, { closureDate: '2026-12-01', reason: 'RC7' }, version);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'CLOSED', closureReason: 'RC7', closureDate: '2026-12-01' });
    const reclose = await post(
      SW,
      `/cs/cases/${c.id}/closure`,
      { closureDate: '2026-12-01', reason: 'RC8' },
      closed.body.version,
    );
    expect(reclose.status).toBe(409);
    expect(reclose.body).toMatchObject({ code: 'CS.ILLEGAL_TRANSITION', currentStatus: 'CLOSED', allowed: [] });
  });

  it('an ICPC after its target needs a recorded reason', async () => {
    const { c } = await toS47('2026-03-25');
    const s47 = c.s47Enquiries[0];
    t.clock.set(new Date('2026-04-20T10:00:00Z'));
    await post(SW, `/cs/s47/${s47.id}/outcome`, { outcome: 'ICPC_REQUIRED', completedDate: '2026-04-10' }, s47.version);
    const body = {
      kind: 'INITIAL',
      heldOn: '2026-04-20',
      attendees: attendees('NSC', 'NSP'),
      decision: 'CIN',
    };
    const refused = await post(CHAIR, `/cs/cases/${c.id}/conferences`, body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'lateReason' })]);
    const late = await post(CHAIR, `/cs/cases/${c.id}/conferences`, {
      ...body,
      lateReason: 'Police disclosure delayed.',
    });
    expect(late.status).toBe(201);
    expect(late.body.conferences[0]).toMatchObject({ decision: 'CIN', lateReason: 'Police disclosure delayed.' });
    // A second ICPC for the same enquiry has nothing to follow.
    const second = await post(CHAIR, `/cs/cases/${c.id}/conferences`, { ...body, lateReason: 'again' });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CS.NO_ICPC_REQUIRED');
  });

  it('a case needs a decided referral with an outcome for children in need work, and only one case per referral', async () => {
    const { referralId } = await decidedReferral('ADVICE');
    const refused = await post(MASH, '/cs/cases', { referralId, referralSource: '2A' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CS.REFERRAL_NOT_FOR_CASE', outcome: 'ADVICE' });
    const { referralId: strategy } = await decidedReferral('STRATEGY_DISCUSSION');
    const [one, two] = await Promise.all([
      post(TM, '/cs/cases', { referralId: strategy, referralSource: '2A' }),
      post(MASH, '/cs/cases', { referralId: strategy, referralSource: '2A' }),
    ]);
    expect([one.status, two.status].sort()).toEqual([201, 409]);
    const made = one.status === 201 ? one.body : two.body;
    // A STRATEGY_DISCUSSION decision convenes one straight away.
    expect(made.strategyDiscussions).toEqual([expect.objectContaining({ status: 'CONVENED' })]);
  });

  it('escalates an overdue assessment and an overdue review conference to the team managers', async () => {
    const { c } = await openCase();
    const a = (await post(SW, `/cs/cases/${c.id}/assessments`, {})).body.assessments[0];
    const levels = async (id: string) =>
      (
        await t.db.query(
          `SELECT e.level FROM escalation e JOIN deadline d ON d.id = e.deadline_id WHERE d.subject_id = $1 ORDER BY e.level`,
          [id],
        )
      ).map((e: any) => e.level);
    t.clock.set(new Date('2026-05-21T12:00:00Z'));
    await escalation.run();
    expect(await levels(a.id)).toEqual([]);
    t.clock.set(new Date('2026-05-22T09:00:00Z'));
    await escalation.run();
    expect(await levels(a.id)).toEqual([1]);
    expect((await get(SW, `/cs/cases/${c.id}`)).body.assessments[0].overdue).toBe(true);
    // Level 1 went to the managers of the assessment team (the demo world has none there); a working
    // day later it goes up to every manager of the council.
    t.clock.set(new Date('2026-05-26T09:00:00Z'));
    await escalation.run();
    expect(await levels(a.id)).toEqual([1, 2]);
    const notes = (await get(TM, '/notifications')).body.data.filter(
      (n: any) => n.kind === 'escalation.level2' && n.subjectId === a.id,
    );
    expect(notes).toHaveLength(1);

    // A plan whose first review is not held by its due date escalates too.
    const { c: planned } = await toS47('2026-03-25');
    const s47 = planned.s47Enquiries[0];
    t.clock.set(new Date('2026-04-08T10:00:00Z'));
    await post(SW, `/cs/s47/${s47.id}/outcome`, { outcome: 'ICPC_REQUIRED', completedDate: '2026-04-08' }, s47.version);
    const icpc = await post(CHAIR, `/cs/cases/${planned.id}/conferences`, {
      kind: 'INITIAL',
      heldOn: '2026-04-08',
      attendees: attendees('NSC', 'NSP', 'NNHS'),
      decision: 'PLAN',
      category: 'NEG',
      leadSocialWorkerId: users[SW],
    });
    expect(icpc.status).toBe(201);
    const plan = icpc.body.plans[0];
    expect(plan.nextReviewDue).toBe('2026-07-08');
    t.clock.set(new Date('2026-07-08T20:00:00Z'));
    await escalation.run();
    expect(await levels(plan.id)).toEqual([]);
    t.clock.set(new Date('2026-07-09T08:00:00Z'));
    await escalation.run();
    expect(await levels(plan.id)).toEqual([1]);
  });

  it('refuses bad input naming the field, and roles without the permission', async () => {
    const { c } = await openCase();
    const bad = await post(SW, `/cs/cases/${c.id}/closure`, { closureDate: '2026-13-40', reason: 'RC10' }, c.version);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['closureDate', 'reason']);
    expect((await post(SW, `/cs/cases/${c.id}/closure`, { closureDate: '2026-03-16', reason: 'RC8' })).status).toBe(
      428,
    );
    expect((await get(CSE, `/cs/cases/${c.id}`)).status).toBe(403);
    expect((await post(SW, `/cs/cases/${c.id}/cin-plans`, { startDate: '2026-03-01' })).status).toBe(400);
    const cin = await post(SW, `/cs/cases/${c.id}/cin-plans`, { startDate: '2026-03-16' });
    expect(cin.status).toBe(201);
    const plan = cin.body.plans[0];
    const backwards = await post(SW, `/cs/plans/${plan.id}/end`, { endDate: '2026-03-15', reason: 'x' }, plan.version);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('endDate');
    const la = await post(SW, `/cs/cases/${c.id}/looked-after`, { startDate: '2026-03-16' });
    expect(la.status).toBe(201);
    const period = la.body.lookedAfter[0];
    expect(
      (await post(SW, `/cs/looked-after/${period.id}/end`, { endDate: '2026-03-16' }, period.version)).status,
    ).toBe(200);
    expect(
      (await post(SW, `/cs/looked-after/${period.id}/end`, { endDate: '2026-03-16' }, period.version + 1)).status,
    ).toBe(409);
  });

  it('refuses what the census would: a second open case for the child, an assessment authorised with no factor', async () => {
    const { childId, c } = await openCase();
    const second = await post(SW, '/cs/cases', { childId, referralDate: '2026-03-16', referralSource: '1A' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'CS.CASE_OPEN', openCaseId: c.id });
    // Nor through the MASH: a new referral on an open case is recorded on it, not a new episode.
    const referral = await post(DSL, '/referrals', {
      childId,
      toTeamId: teams['NSC/MASH'],
      reason: 'A second disclosure.',
      rag: 'AMBER',
      consentObtained: true,
    });
    expect(referral.status).toBe(201);
    expect(
      (await post(MASH, `/referrals/${referral.body.id}/decision`, { outcome: 'S17_ASSESSMENT', reason: 'Met.' }))
        .status,
    ).toBe(200);
    const viaMash = await post(MASH, '/cs/cases', { referralId: referral.body.id, referralSource: '2A' });
    expect(viaMash.status).toBe(409);
    expect(viaMash.body).toMatchObject({ code: 'CS.CASE_OPEN', openCaseId: c.id });

    const a = (await post(SW, `/cs/cases/${c.id}/assessments`, {})).body.assessments[0];
    const none = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'NFA', primaryNeed: 'N1', factors: [] },
      a.version,
    );
    expect(none.status).toBe(400);
    expect(none.body.errors.map((e: any) => e.field)).toEqual(['factors']);
    const noneFound = await post(
      TM,
      `/cs/assessments/${a.id}/authorisation`,
      { outcome: 'NFA', primaryNeed: 'N1', factors: ['21'] },
      a.version,
    );
    expect(noneFound.status).toBe(200);
    // Closed, the child may be referred again: a new episode.
    const closed = await post(
      SW,
      `/cs/cases/${c.id}/closure`,
      { closureDate: '2026-03-16', reason: 'RC8' },
      noneFound.body.version,
    );
    expect(closed.status).toBe(200);
    const again = await post(SW, '/cs/cases', { childId, referralDate: '2026-03-16', referralSource: '1A' });
    expect(again.status).toBe(201);
  });

  it('an s47 and a plan move only as their tables allow (409 naming the moves); a CP plan ends at a conference; a closed case takes none', async () => {
    const { c } = await toS47('2026-03-18');
    const s47 = c.s47Enquiries[0];
    t.clock.set(new Date('2026-03-20T10:00:00Z'));
    const done = await post(
      SW,
      `/cs/s47/${s47.id}/outcome`,
      { outcome: 'ICPC_REQUIRED', completedDate: '2026-03-20' },
      s47.version,
    );
    expect(done.status).toBe(200);
    const completed = done.body.s47Enquiries[0];
    const again = await post(
      SW,
      `/cs/s47/${s47.id}/outcome`,
      { outcome: 'NFA', completedDate: '2026-03-20' },
      completed.version,
    );
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CS.ILLEGAL_TRANSITION', currentStatus: 'COMPLETED', allowed: [] });

    const icpc = await post(CHAIR, `/cs/cases/${c.id}/conferences`, {
      kind: 'INITIAL',
      heldOn: '2026-03-20',
      attendees: attendees('NSC', 'NSP'),
      decision: 'PLAN',
      category: 'NEG',
      leadSocialWorkerId: users[SW],
    });
    expect(icpc.status).toBe(201);
    const cp = icpc.body.plans.find((p: any) => p.kind === 'CP');
    // No child in need plan while the child protection plan runs (the census refuses the overlap).
    const cin = await post(SW, `/cs/cases/${c.id}/cin-plans`, { startDate: '2026-03-20' });
    expect(cin.status).toBe(409);
    expect(cin.body).toMatchObject({ code: 'CS.CP_PLAN_ACTIVE', planId: cp.id });
    const byHand = await post(SW, `/cs/plans/${cp.id}/end`, { endDate: '2026-03-20', reason: 'x' }, cp.version);
    expect(byHand.status).toBe(409);
    expect(byHand.body.code).toBe('CS.PLAN_ENDS_AT_CONFERENCE');
    const review = {
      kind: 'REVIEW',
      heldOn: '2026-03-20',
      attendees: attendees('NSC'),
      decision: 'END',
      endReason: 'Risk reduced.',
    };
    const ended = await post(CHAIR, `/cs/cases/${c.id}/conferences`, review, cp.version);
    expect(ended.status).toBe(201);
    const plan = ended.body.plans.find((p: any) => p.id === cp.id);
    expect(plan.status).toBe('ENDED');
    const endAgain = await post(SW, `/cs/plans/${plan.id}/end`, { endDate: '2026-03-20', reason: 'x' }, plan.version);
    expect(endAgain.status).toBe(409);
    expect(endAgain.body).toMatchObject({ code: 'CS.ILLEGAL_TRANSITION', currentStatus: 'ENDED', allowed: [] });

    const closed = await post(
      SW,
      `/cs/cases/${c.id}/closure`,
      { closureDate: '2026-03-20', reason: 'RC7' },
      ended.body.version,
    );
    expect(closed.status).toBe(200);
    // A conference on a closed case answers as every other step on one does.
    const late = await post(CHAIR, `/cs/cases/${c.id}/conferences`, { ...review, decision: 'CONTINUE' }, plan.version);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'CS.CASE_CLOSED', currentStatus: 'CLOSED', allowed: [] });
  });
});
