/**
 * Survivors' therapeutic support (issue 15): consent recorded, a key worker, reviews every 3
 * months on a clock that escalates to the service's managers when overdue, a plan that survives
 * the 18th birthday and ends only with a reason and the person's view; If-Match on every change;
 * read only by the key worker and the service's managers.
 */
import { type DomainEvent, Events, EscalationService } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';
import { freshNhsNumber } from './support/factories';

const NAMED = 'safeguarding.nurse@northshire-nhs.example';
const NURSE = 'nurse@northshire-nhs.example';
const SW = 'social.worker@northshire-council.example';
const DSL = 'dsl@riverside-academy.example';
const ANALYST = 'analyst@northshire-police.example';
const INSPECTOR = 'inspector@inspectorate.example';

describe('therapeutic support plans', () => {
  let t: TestContext;
  let escalation: EscalationService;
  let childId: string;
  let planId: string;

  beforeAll(async () => {
    t = await startTestApp();
    escalation = t.app.get(EscalationService, { strict: false });
    t.clock.set(new Date('2026-01-15T10:00:00Z'));
    // A survivor of 17, registered by the trust: her 18th birthday falls on 1 March 2026.
    const child = await t.http
      .post('/api/v1/children')
      .set('Authorization', await t.as(NAMED))
      .send({
        givenName: `Tsp${Date.now().toString(36)}`,
        familyName: 'Survivor',
        dateOfBirth: '2008-03-01',
        nhsNumber: freshNhsNumber(),
      });
    expect(child.status).toBe(201);
    childId = child.body.id;
  });
  afterAll(() => t.close());

  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const post = async (who: string, url: string, body: object, ifMatch?: string) => {
    const req = t.http.post(url).set('Authorization', await t.as(who));
    if (ifMatch) req.set('If-Match', ifMatch);
    return req.send(body);
  };
  const notes = async (who: string, id: string) =>
    ((await get(who, '/api/v1/notifications?limit=200')).body.data as any[])
      .filter((n) => n.subjectId === id)
      .map((n) => n.kind);
  const plan = (over: object = {}) => ({
    childId,
    service: 'Northshire CSE Recovery Service',
    consent: { givenBy: 'young_person', givenOn: '2026-01-14', notes: 'Agreed at the drop-in, with her mother.' },
    startDate: '2026-01-15',
    ...over,
  });

  it('starts only with consent recorded as the person can give it, and names the field that failed', async () => {
    const noConsent = await post(NURSE, '/api/v1/support-plans', { ...plan(), consent: undefined });
    expect(noConsent.status).toBe(400);
    expect(noConsent.body.errors.map((e: any) => e.field)).toContain('consent');
    const adult = await post(
      NURSE,
      '/api/v1/support-plans',
      plan({ consent: { givenBy: 'adult', givenOn: '2026-01-14' } }),
    );
    expect(adult.status).toBe(400);
    expect(adult.body.errors).toEqual([
      { field: 'consent.givenBy', message: 'under 18: the child, the young person or a parent or carer consents' },
    ]);
    const stranger = await post(
      NURSE,
      '/api/v1/support-plans',
      plan({ keyWorkerId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(stranger.status).toBe(400);
    expect(stranger.body.errors[0].field).toBe('keyWorkerId');
    // Not a child the council works with: 404, as for a child that does not exist.
    expect((await post(SW, '/api/v1/support-plans', plan())).status).toBe(404);
  });

  it('records the plan with its key worker and first review due in 3 months; only the key worker and managers read it', async () => {
    const created = await post(NURSE, '/api/v1/support-plans', plan());
    expect(created.status).toBe(201);
    planId = created.body.id;
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      childId,
      status: 'ACTIVE',
      startDate: '2026-01-15',
      reviewIntervalMonths: 3,
      nextReviewDue: '2026-04-15',
      reviewOverdue: false,
      consent: { givenBy: 'young_person', givenOn: '2026-01-14' },
      endedOn: null,
      reviews: [],
    });
    expect((await get(NAMED, `/api/v1/support-plans/${planId}`)).status).toBe(200);
    for (const who of [SW, DSL]) expect((await get(who, `/api/v1/support-plans/${planId}`)).status).toBe(404);
    for (const who of [ANALYST, INSPECTOR])
      expect((await get(who, `/api/v1/support-plans/${planId}`)).status).toBe(403);
    const listed = await get(NURSE, `/api/v1/support-plans?childId=${childId}`);
    expect(listed.body.data.map((p: any) => p.id)).toEqual([planId]);
    expect((await get(SW, `/api/v1/support-plans?childId=${childId}`)).body.data).toEqual([]);
    const audit = await t.db.query(
      `SELECT action FROM audit_event WHERE $1 = ANY(subject_ids) AND action LIKE 'support_plan.%' ORDER BY seq`,
      [planId],
    );
    expect(audit.map((a: any) => a.action)).toEqual(['support_plan.create', 'support_plan.read', 'support_plan.list']);
  });

  it('a review needs If-Match; it restarts the clock an interval after it was held', async () => {
    const review = { heldOn: '2026-04-10', outcome: 'Engaging well; sleeping better.' };
    t.clock.set(new Date('2026-04-10T15:00:00Z'));
    expect((await post(NURSE, `/api/v1/support-plans/${planId}/reviews`, review)).status).toBe(428);
    expect((await post(NURSE, `/api/v1/support-plans/${planId}/reviews`, review, '"7"')).status).toBe(412);
    const done = await post(NURSE, `/api/v1/support-plans/${planId}/reviews`, review, '"1"');
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ nextReviewDue: '2026-07-10', version: 2 });
    expect(done.body.reviews).toHaveLength(1);
    const clocks = await t.db.query(
      `SELECT state, to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due FROM deadline
        WHERE subject_id = $1 ORDER BY opened_at, due_at`,
      [planId],
    );
    expect(clocks).toEqual([
      { state: 'met', due: '2026-04-15' },
      { state: 'open', due: '2026-07-10' },
    ]);
  });

  it('survives the 18th birthday; an overdue review escalates to the service managers, each level once', async () => {
    t.clock.set(new Date('2026-07-20T09:00:00Z'));
    await escalation.run();
    await escalation.run();
    // Ten days overdue: up to the team's managers, then the organisation's; each level once, however many sweeps.
    expect((await notes(NAMED, planId)).sort()).toEqual(['escalation.level1', 'escalation.level2']);
    const now = await get(NURSE, `/api/v1/support-plans/${planId}`);
    expect(now.body).toMatchObject({ status: 'ACTIVE', reviewOverdue: true, nextReviewDue: '2026-07-10' });
    // Now an adult: the second review goes on as before, and stops the overdue clock.
    const second = await post(
      NURSE,
      `/api/v1/support-plans/${planId}/reviews`,
      { heldOn: '2026-07-20', outcome: 'Turned 18; wants support to continue.' },
      now.headers.etag,
    );
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'ACTIVE', nextReviewDue: '2026-10-20', reviewOverdue: false });
    expect(second.body.reviews.map((r: any) => r.heldOn)).toEqual(['2026-04-10', '2026-07-20']);
  });

  it("a review's outcome is sealed: an edit is refused (409 naming why); a correction is a new entry naming it", async () => {
    const read = await get(NURSE, `/api/v1/support-plans/${planId}`);
    const [first] = read.body.reviews;
    const patch = async (who: string, reviewId: string) =>
      t.http
        .patch(`/api/v1/support-plans/${planId}/reviews/${reviewId}`)
        .set('Authorization', await t.as(who))
        .set('If-Match', read.headers.etag)
        .send({ outcome: 'Rewritten.' });
    const edit = await patch(NURSE, first.id);
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('SUPPORT_REVIEW.SEALED');
    expect(edit.body.detail).toMatch(/sealed once recorded: record a correction/);
    // Not the viewer's plan, or not a review of it: 404 before anything is said of the review.
    expect((await patch(SW, first.id)).status).toBe(404);
    expect((await patch(NURSE, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    // The database refuses too.
    await expect(
      t.db.query(`UPDATE therapeutic_support_review SET outcome = 'x' WHERE id = $1`, [first.id]),
    ).rejects.toThrow(/sealed/);

    const url = `/api/v1/support-plans/${planId}/reviews/${first.id}/corrections`;
    const body = {
      outcome: 'Engaging well; sleeping better; disclosed a new contact.',
      reason: 'The contact was left out.',
    };
    expect((await post(NURSE, url, { outcome: 'x' }, read.headers.etag)).body.errors[0].field).toBe('reason');
    expect((await post(NURSE, url, body, '"1"')).status).toBe(412);
    const corrected = await post(NURSE, url, body, read.headers.etag);
    expect(corrected.status).toBe(200);
    // The original stays; the correction keeps its day and names it; the clock is not touched.
    expect(corrected.body.nextReviewDue).toBe(read.body.nextReviewDue);
    const [original, correction] = corrected.body.reviews;
    expect(original).toMatchObject({ id: first.id, outcome: first.outcome, correctsReviewId: null });
    expect(correction).toMatchObject({
      heldOn: first.heldOn,
      outcome: body.outcome,
      correctsReviewId: first.id,
      correctionReason: body.reason,
      correctedBy: null,
    });
    expect(original.correctedBy).toBe(correction.id);
    // Corrected once: a second correction of the original is refused, naming the one to correct.
    const twice = await post(NURSE, url, body, corrected.headers.etag);
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'SUPPORT_REVIEW.CORRECTED', correctedBy: correction.id });
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE $1 = ANY(subject_ids) AND action = 'support_plan.review_correction'`,
      [planId],
    );
    expect(audit[0].n).toBe(1);
  });

  it('a change names what it changes: null clears none of service, reviewIntervalMonths, keyWorkerId (400 naming each, nothing written)', async () => {
    const read = await get(NURSE, `/api/v1/support-plans/${planId}`);
    const patch = async (body: object) =>
      t.http
        .patch(`/api/v1/support-plans/${planId}`)
        .set('Authorization', await t.as(NURSE))
        .set('If-Match', read.headers.etag)
        .send(body);
    for (const field of ['service', 'reviewIntervalMonths', 'keyWorkerId']) {
      const res = await patch({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field, message: `${field} is required: it can be changed, not cleared` }]);
    }
    const all = await patch({ service: null, reviewIntervalMonths: null, keyWorkerId: null });
    expect(all.status).toBe(400);
    expect(all.body.errors.map((e: any) => e.field)).toEqual(['keyWorkerId', 'service', 'reviewIntervalMonths']);
    const after = await get(NURSE, `/api/v1/support-plans/${planId}`);
    expect(after.body).toEqual(read.body);
  });

  it('the key worker hands the plan on (If-Match); the new key worker is told and holds the review clock', async () => {
    const read = await get(NURSE, `/api/v1/support-plans/${planId}`);
    const named = (await t.db.query(`SELECT id FROM app_user WHERE email = $1`, [NAMED]))[0].id;
    const changed: DomainEvent<'health.support_plan.key_worker_changed'>[] = [];
    t.app.get(Events, { strict: false }).on('health.support_plan.key_worker_changed', async (_tx, e) => {
      if (e.payload.planId === planId) changed.push(e);
    });
    const res = await t.http
      .patch(`/api/v1/support-plans/${planId}`)
      .set('Authorization', await t.as(NURSE))
      .set('If-Match', read.headers.etag)
      .send({ keyWorkerId: named });
    expect(res.status).toBe(200);
    expect(res.body.keyWorkerId).toBe(named);
    expect(await notes(NAMED, planId)).toContain('support_plan.key_worker');
    // The running review clock is handed over (same due date), not left with the old key worker.
    const nurse = (await t.db.query(`SELECT id FROM app_user WHERE email = $1`, [NURSE]))[0].id;
    // A typed event, once, in the change's transaction (in-process only).
    expect(changed.map((e) => e.payload)).toEqual([
      { planId, childId, organisationId: res.body.organisationId, fromKeyWorkerId: nurse, toKeyWorkerId: named },
    ]);
    const clocks = await t.db.query(
      `SELECT state, responsible_user_id AS "holder", to_char(due_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS due
         FROM deadline WHERE subject_id = $1 AND state IN ('handed_over', 'open') ORDER BY closed_at NULLS LAST`,
      [planId],
    );
    expect(clocks.slice(-2)).toEqual([
      { state: 'handed_over', holder: nurse, due: '2026-10-20' },
      { state: 'open', holder: named, due: '2026-10-20' },
    ]);
    // The nurse is no longer its key worker: it is no longer hers to see.
    expect((await get(NURSE, `/api/v1/support-plans/${planId}`)).status).toBe(404);
  });

  it("ends only with a reason and the person's view; then nothing more is recorded and the clock stops", async () => {
    const read = await get(NAMED, `/api/v1/support-plans/${planId}`);
    const noView = await post(
      NAMED,
      `/api/v1/support-plans/${planId}/end`,
      { endedOn: '2026-07-20', reason: 'goals_met' },
      read.headers.etag,
    );
    expect(noView.status).toBe(400);
    expect([...new Set(noView.body.errors.map((e: any) => e.field))]).toEqual(['personsView']);
    const ended = await post(
      NAMED,
      `/api/v1/support-plans/${planId}/end`,
      { endedOn: '2026-07-20', reason: 'goals_met', personsView: 'I feel ready; I know I can come back.' },
      read.headers.etag,
    );
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      status: 'ENDED',
      endReason: 'goals_met',
      personsView: 'I feel ready; I know I can come back.',
      nextReviewDue: null,
    });
    const again = await post(
      NAMED,
      `/api/v1/support-plans/${planId}/reviews`,
      { heldOn: '2026-07-20', outcome: 'x' },
      ended.headers.etag,
    );
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SUPPORT_PLAN.ENDED');
    const open = await t.db.query(`SELECT 1 FROM deadline WHERE subject_id = $1 AND state = 'open'`, [planId]);
    expect(open).toEqual([]);
  });
});
