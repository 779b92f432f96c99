import { startTestApp, type TestContext } from './support/app';

const DSL = 'dsl@riverside-academy.example';
const TEACHER = 'teacher@riverside-academy.example';
const MASH = 'mash.officer@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const SW = 'social.worker@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const CSE_SUP = 'cse.supervisor@northshire-police.example';

// Monday 30 November 2026, 10:00 in London: the decision is due by the end of Tuesday.
const MONDAY = new Date('2026-11-30T10:00:00Z');

let n = 0;
const uniqueChild = () => ({
  givenName: `Journey${Date.now().toString(36)}${n++}`,
  familyName: 'Pupil',
  dateOfBirth: '2011-06-01',
});

describe('concerns and referrals', () => {
  let t: TestContext;
  let teams: Record<string, string>;
  let orgs: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(MONDAY);
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
  });
  afterAll(() => t.close());

  const post = async (email: string, url: string, body: object, key?: string) => {
    const req = t.http.post(url).set('Authorization', await t.as(email));
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const get = async (email: string, url: string) => t.http.get(url).set('Authorization', await t.as(email));
  const referralBody = (toTeam: string, extra: object = {}) => ({
    toTeamId: teams[toTeam],
    reason: 'Older males collecting her from school; missing overnight twice.',
    rag: 'AMBER',
    consentObtained: false,
    noConsentReason: 'Seeking consent could put the child at risk.',
    lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
    ...extra,
  });

  it('runs the journey: school DSL concern -> council MASH (triaged red) -> police CSE unit accepts; the school sees the outcomes', async () => {
    // The school registers the pupil and logs a CSE concern.
    const child = (await post(DSL, '/api/v1/children', uniqueChild())).body;
    expect(child.id).toBeDefined();
    const concern = await post(DSL, '/api/v1/concerns', {
      childId: child.id,
      category: 'cse',
      whatWasSeen: 'Collected from school by an older male in a grey hatchback, again.',
      childsWords: '"He is my boyfriend, he buys me things."',
      occurredAt: '2026-11-30T08:45:00Z',
      immediateDanger: false,
    });
    expect(concern.status).toBe(201);
    const inbox = await get(DSL, '/api/v1/concerns/inbox');
    expect(inbox.body.data.map((c: any) => c.id)).toContain(concern.body.id);

    // The DSL refers it to the Northshire Council MASH.
    const toCouncil = await post(
      DSL,
      '/api/v1/referrals',
      referralBody('NSC/MASH', { childId: child.id, concernIds: [concern.body.id] }),
    );
    expect(toCouncil.status).toBe(201);
    expect(toCouncil.body).toMatchObject({
      status: 'SUBMITTED',
      to: { id: orgs.NSC },
      subject: { givenName: child.givenName },
    });
    expect(new Date(toCouncil.body.dueAt).toISOString()).toBe('2026-12-01T23:59:59.999Z');
    expect((await get(DSL, `/api/v1/concerns/${concern.body.id}`)).body.status).toBe('REFERRED');

    // The MASH officer sees it in the team inbox, and while triaging reads who the child is: nothing more.
    const mashInbox = await get(MASH, '/api/v1/referrals/inbox');
    expect(mashInbox.body.data.map((r: any) => r.id)).toContain(toCouncil.body.id);
    const triageView = await get(MASH, `/api/v1/children/${child.id}`);
    expect(triageView.status).toBe(200);
    expect(triageView.body).toMatchObject({ givenName: child.givenName, familyName: child.familyName });
    expect(triageView.body.addresses).toBeUndefined();

    // Triage red: a change of RAG needs a reason.
    expect((await post(MASH, `/api/v1/referrals/${toCouncil.body.id}/triage`, { rag: 'RED' })).status).toBe(400);
    const triaged = await post(MASH, `/api/v1/referrals/${toCouncil.body.id}/triage`, {
      rag: 'RED',
      reason: 'CSE indicators: older boyfriend, gifts, missing.',
    });
    expect(triaged.status).toBe(200);
    expect(triaged.body).toMatchObject({ status: 'ACKNOWLEDGED', triageRag: 'RED' });
    // Red: partner checks within 4 working hours of triage (10:00 -> 14:00 London).
    expect(new Date(triaged.body.dueAt).toISOString()).toBe('2026-11-30T14:00:00.000Z');
    const decided = await post(MASH, `/api/v1/referrals/${toCouncil.body.id}/decision`, {
      outcome: 'STRATEGY_DISCUSSION',
      reason: 'Significant harm suspected: strategy discussion with police and health.',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'ACCEPTED', outcome: 'STRATEGY_DISCUSSION' });
    expect((await get(MASH, `/api/v1/children/${child.id}`)).status).toBe(200);

    // The MASH officer refers on to the Northshire Police CSE unit.
    const toPolice = await post(
      MASH,
      '/api/v1/referrals',
      referralBody('NSP/CSE Unit', { childId: child.id, rag: 'RED' }),
    );
    expect(toPolice.status).toBe(201);
    // The CSE unit triages it: identity only, and its decision ends even that.
    const cseTriage = await get(CSE, `/api/v1/children/${child.id}`);
    expect(cseTriage.status).toBe(200);
    expect(cseTriage.body.addresses).toBeUndefined();
    expect(cseTriage.body.pncId).toBeUndefined();
    const cseInbox = await get(CSE, '/api/v1/referrals/inbox?rag=RED');
    expect(cseInbox.body.data.map((r: any) => r.id)).toContain(toPolice.body.id);
    expect((await post(CSE, `/api/v1/referrals/${toPolice.body.id}/transitions`, { to: 'ACKNOWLEDGED' })).status).toBe(
      200,
    );
    const accepted = await post(CSE, `/api/v1/referrals/${toPolice.body.id}/transitions`, { to: 'ACCEPTED' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('ACCEPTED');

    // The CSE officer can now open the record, with only the police-permitted fields.
    const record = await get(CSE, `/api/v1/children/${child.id}`);
    expect(record.status).toBe(200);
    expect(record.body.involvements.map((i: any) => i.organisationId)).toEqual(
      expect.arrayContaining([orgs.RVA, orgs.NSC, orgs.NSP]),
    );
    const chronology = await get(CSE, `/api/v1/children/${child.id}/chronology`);
    for (const e of chronology.body.data) {
      // Its own entries and shareable ones of police classes in full; others' as multi-agency summaries.
      const full =
        e.organisationId === orgs.NSP || ['identity', 'contact', 'police-intelligence'].includes(e.sensitivity);
      expect(full || (e.multiAgency === true && !('detail' in e) && !('sensitivity' in e))).toBe(true);
    }
    expect((await get(CSE, `/api/v1/children/${child.id}/sections/${orgs.NSC}`)).status).toBe(404);

    // The school sees the outcome of its referral, and was told.
    const sent = await get(DSL, '/api/v1/referrals/sent');
    const mine = sent.body.data.find((r: any) => r.id === toCouncil.body.id);
    expect(mine).toMatchObject({
      status: 'ACCEPTED',
      outcome: 'STRATEGY_DISCUSSION',
      outcomeReason: expect.stringContaining('strategy'),
    });
    const notes = await get(DSL, '/api/v1/notifications');
    expect(notes.body.data.filter((x: any) => x.subjectId === toCouncil.body.id).map((x: any) => x.kind)).toContain(
      'referral.status_changed',
    );
    const history = await get(DSL, `/api/v1/referrals/${toCouncil.body.id}`);
    expect(history.body.transitions.map((x: any) => x.toStatus)).toEqual(['SUBMITTED', 'ACKNOWLEDGED', 'ACCEPTED']);

    // Every step is on the child's chronology and in the audit log.
    const entries = await t.db.query(`SELECT category FROM chronology_entry WHERE child_id = $1`, [child.id]);
    expect(entries.filter((e: any) => e.category === 'referral').length).toBeGreaterThanOrEqual(6);
    const actions = (
      await t.db.query(`SELECT action FROM audit_event WHERE child_ids @> ARRAY[$1]::uuid[]`, [child.id])
    ).map((a: any) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'concern.create',
        'referral.create',
        'referral.triage',
        'referral.decide',
        'referral.transition',
      ]),
    );
  });

  it('refuses to decline without a reason (400) and names the allowed moves on an illegal one (409)', async () => {
    const r = (
      await post(
        DSL,
        '/api/v1/referrals',
        referralBody('NSC/MASH', { subject: { givenName: 'Unknown', familyName: 'Girl', approximateAge: 14 } }),
      )
    ).body;
    const illegal = await post(MASH, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACCEPTED' });
    expect(illegal.status).toBe(409);
    expect(illegal.body).toMatchObject({ code: 'REFERRAL.ILLEGAL_TRANSITION', allowed: ['ACKNOWLEDGED'] });
    await post(MASH, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACKNOWLEDGED' });
    const noReason = await post(MASH, `/api/v1/referrals/${r.id}/transitions`, { to: 'DECLINED' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    expect((await get(MASH, `/api/v1/referrals/${r.id}`)).body.status).toBe('ACKNOWLEDGED');
    // The sender cannot accept its own referral; the receiver cannot withdraw it.
    expect((await post(DSL, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACCEPTED' })).status).toBe(409);
    expect((await post(MASH, `/api/v1/referrals/${r.id}/transitions`, { to: 'WITHDRAWN', reason: 'x' })).status).toBe(
      409,
    );
    const withdrawn = await post(DSL, `/api/v1/referrals/${r.id}/transitions`, {
      to: 'WITHDRAWN',
      reason: 'Sent to the wrong council.',
    });
    expect(withdrawn.body.status).toBe('WITHDRAWN');
  });

  it('creates one referral for retries with the same Idempotency-Key, and 422 for the same key with another body', async () => {
    const body = referralBody('NSC/MASH', {
      subject: { givenName: 'Retry', familyName: 'Case', dateOfBirth: '2012-02-02' },
    });
    const count = async () =>
      Number((await t.db.query(`SELECT count(*)::int n FROM referral WHERE subject_given_name = 'Retry'`))[0].n);
    const before = await count();
    const first = await post(DSL, '/api/v1/referrals', body, 'submit-retry-1');
    const again = await post(DSL, '/api/v1/referrals', body, 'submit-retry-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await count()).toBe(before + 1);
    const other = await post(DSL, '/api/v1/referrals', { ...body, reason: 'Something else' }, 'submit-retry-1');
    expect(other.status).toBe(422);
  });

  it('lets exactly one of two concurrent accepts win; the other gets 409', async () => {
    const r = (
      await post(
        MASH,
        '/api/v1/referrals',
        referralBody('NSP/CSE Unit', { subject: { givenName: 'Race', familyName: 'Case', dateOfBirth: '2010-01-01' } }),
      )
    ).body;
    await post(CSE, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACKNOWLEDGED' });
    const child = (
      await post(CSE, '/api/v1/children', {
        givenName: `Race${Date.now()}`,
        familyName: 'Case',
        dateOfBirth: '2010-01-01',
      })
    ).body;
    const [a, b] = await Promise.all([
      post(CSE, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACCEPTED', childId: child.id }),
      post(CSE_SUP, `/api/v1/referrals/${r.id}/transitions`, { to: 'ACCEPTED', childId: child.id }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({ code: 'REFERRAL.ILLEGAL_TRANSITION', allowed: ['CLOSED'] });
    const transitions = await t.db.query(
      `SELECT to_status FROM referral_transition WHERE referral_id = $1 AND to_status = 'ACCEPTED'`,
      [r.id],
    );
    expect(transitions).toHaveLength(1);
  });

  it('puts immediate danger first in the concerns inbox; no further action needs a reason', async () => {
    const routine = (
      await post(TEACHER, '/api/v1/concerns', {
        subject: { givenName: 'Sam', approximateAge: 9, school: 'Riverside Academy' },
        category: 'neglect',
        whatWasSeen: 'Hungry most mornings.',
        occurredAt: '2026-11-30T08:30:00Z',
        immediateDanger: false,
      })
    ).body;
    const urgent = (
      await post(TEACHER, '/api/v1/concerns', {
        subject: { givenName: 'Alex', approximateAge: 12 },
        category: 'physical',
        whatWasSeen: 'Bruising; says they are scared to go home.',
        occurredAt: '2026-11-30T09:00:00Z',
        immediateDanger: true,
      })
    ).body;
    expect(urgent.dueAt).toBe('2026-11-30T11:00:00.000Z');
    const inbox = (await get(DSL, '/api/v1/concerns/inbox')).body.data.map((c: any) => c.id);
    expect(inbox.indexOf(urgent.id)).toBeLessThan(inbox.indexOf(routine.id));
    expect((await get(TEACHER, '/api/v1/concerns/inbox')).status).toBe(403);
    expect((await get(TEACHER, `/api/v1/concerns/${urgent.id}`)).status).toBe(200);
    expect((await post(DSL, `/api/v1/concerns/${routine.id}/decision`, { decision: 'NO_FURTHER_ACTION' })).status).toBe(
      400,
    );
    const nfa = await post(DSL, `/api/v1/concerns/${routine.id}/decision`, {
      decision: 'NO_FURTHER_ACTION',
      reason: 'Breakfast club arranged; no harm.',
    });
    expect(nfa.body.status).toBe('NO_FURTHER_ACTION');
    expect((await post(DSL, `/api/v1/concerns/${routine.id}/decision`, { decision: 'MONITOR' })).status).toBe(409);
  });

  it("marks notifications read for the reader only, and hides other teams' notifications", async () => {
    const concern = (
      await post(SW, '/api/v1/concerns', {
        subject: { givenName: 'Notified', approximateAge: 7 },
        category: 'emotional',
        whatWasSeen: 'Withdrawn and tearful at contact.',
        occurredAt: '2026-11-30T09:30:00Z',
        immediateDanger: false,
      })
    ).body;
    const note = (await get(TM, '/api/v1/notifications?unread=true')).body.data.find(
      (x: any) => x.subjectId === concern.id,
    );
    expect(note).toMatchObject({ kind: 'concern.logged', read: false });
    expect(
      (await t.http.post(`/api/v1/notifications/${note.id}/read`).set('Authorization', await t.as(TM))).status,
    ).toBe(204);
    const after = (await get(TM, '/api/v1/notifications?unread=true')).body.data.map((x: any) => x.id);
    expect(after).not.toContain(note.id);
    // Addressed to the MASH team: the reporting social worker (another team) neither sees nor marks it.
    expect((await get(SW, '/api/v1/notifications')).body.data.map((x: any) => x.id)).not.toContain(note.id);
    expect(
      (await t.http.post(`/api/v1/notifications/${note.id}/read`).set('Authorization', await t.as(SW))).status,
    ).toBe(404);
  });
});
