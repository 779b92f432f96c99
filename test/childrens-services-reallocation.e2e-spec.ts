/**
 * Reallocating a children in need case through HTTP: only a team manager moves a case to another
 * social worker (and their team), under If-Match; the audit log keeps the reason, the typed event
 * is emitted in the same transaction, the new worker is told and finds it in their caseload; a
 * worker of another council, a closed case and a stale version are refused.
 */
import { randomUUID } from 'node:crypto';
import { Events } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const SSC_SW = 'social.worker@southshire-council.example';

describe("children's services: reallocating a case", () => {
  let t: TestContext;
  let users: Record<string, { id: string; teamId: string | null }>;
  const emitted: { caseId: string; fromWorkerId: string | null; toWorkerId: string; toTeamId: string | null }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    users = Object.fromEntries(
      (await t.db.query('SELECT email, id, team_id FROM app_user')).map((u: any) => [
        u.email,
        { id: u.id, teamId: u.team_id },
      ]),
    );
    t.app.get(Events, { strict: false }).on('childrens_services.case_reallocated', async (_tx, e) => {
      emitted.push(e.payload);
    });
    // A month of its own: no other file's clocks or cases run in May 2023.
    t.clock.set(new Date('2023-05-15T10:00:00Z'));
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

  async function openCase() {
    const child = await post(SW, '/children', {
      givenName: 'Rhea',
      familyName: `Realloc${Math.floor(Math.random() * 1e9)}`,
      dateOfBirth: '2015-02-02',
    });
    expect(child.status).toBe(201);
    const c = await post(SW, '/cs/cases', { childId: child.body.id, referralDate: '2023-05-15', referralSource: '1A' });
    expect(c.status).toBe(201);
    const withAssessment = await post(SW, `/cs/cases/${c.body.id}/assessments`, {});
    expect(withAssessment.status).toBe(201);
    return withAssessment.body as { id: string; childId: string; version: number; allocatedWorkerId: string };
  }

  it('a team manager moves the case to another worker and team; audited, evented, the worker told', async () => {
    const c = await openCase();
    expect(c.allocatedWorkerId).toBe(users[SW]!.id);
    const to = users[TM]!;
    const res = await post(
      TM,
      `/cs/cases/${c.id}/reallocation`,
      { allocatedWorkerId: to.id, reason: 'Sam is on leave for a month.' },
      c.version,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ allocatedWorkerId: to.id, teamId: to.teamId, version: c.version + 1 });
    expect(res.headers.etag).toBe(`"${c.version + 1}"`);

    const [audit] = await t.db.query(
      `SELECT actor_id, details FROM audit_event WHERE action = 'cs_case.reallocated' AND $1 = ANY(subject_ids)`,
      [c.id],
    );
    expect(audit).toMatchObject({
      actor_id: to.id,
      details: expect.objectContaining({
        fromWorkerId: users[SW]!.id,
        toWorkerId: to.id,
        toTeamId: to.teamId,
        reason: 'Sam is on leave for a month.',
      }),
    });
    expect(emitted.filter((e) => e.caseId === c.id)).toEqual([
      expect.objectContaining({ fromWorkerId: users[SW]!.id, toWorkerId: to.id, toTeamId: to.teamId }),
    ]);
    // The running assessment clock follows the case: same due time, now the new worker's and team's.
    const clocks = await t.db.query(
      `SELECT state, responsible_user_id AS "userId", team_id AS "teamId", due_at AS "dueAt" FROM deadline
        WHERE child_id = $1 AND rule = 'assessment.completion' ORDER BY opened_at, state DESC`,
      [c.childId],
    );
    expect(clocks.map((k: any) => k.state).sort()).toEqual(['handed_over', 'open']);
    const open = clocks.find((k: any) => k.state === 'open');
    const old = clocks.find((k: any) => k.state === 'handed_over');
    expect(open).toMatchObject({ userId: to.id, teamId: to.teamId });
    expect(open.dueAt).toEqual(old.dueAt);
    // The manager allocated it to themselves: no notification to oneself. The case is in their caseload.
    const mine = await t.http.get(`/api/v1/cs/cases?childId=${c.childId}`).set('Authorization', await t.as(TM));
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((x: { id: string }) => x.id)).toEqual([c.id]);
    const theirs = await t.http.get(`/api/v1/cs/cases?childId=${c.childId}`).set('Authorization', await t.as(SW));
    expect(theirs.body.data).toEqual([]);

    // And back to the social worker, who is told.
    const back = await post(
      TM,
      `/cs/cases/${c.id}/reallocation`,
      { allocatedWorkerId: users[SW]!.id, reason: 'Sam is back.' },
      res.body.version,
    );
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ allocatedWorkerId: users[SW]!.id, teamId: users[SW]!.teamId });
    const told = await t.db.query(`SELECT user_id, kind FROM notification WHERE subject_id = $1 AND kind = $2`, [
      c.id,
      'cs.case_allocated',
    ]);
    expect(told).toEqual([{ user_id: users[SW]!.id, kind: 'cs.case_allocated' }]);
  });

  it('is refused to a social worker (403), without If-Match (428) or stale (412)', async () => {
    const c = await openCase();
    const body = { allocatedWorkerId: users[TM]!.id, reason: 'Caseload.' };
    expect((await post(SW, `/cs/cases/${c.id}/reallocation`, body, c.version)).status).toBe(403);
    expect((await post(TM, `/cs/cases/${c.id}/reallocation`, body)).status).toBe(428);
    expect((await post(TM, `/cs/cases/${c.id}/reallocation`, body, c.version + 5)).status).toBe(412);
    const [row] = await t.db.query('SELECT allocated_worker_id FROM cs_case WHERE id = $1', [c.id]);
    expect(row.allocated_worker_id).toBe(users[SW]!.id);
  });

  it("names the field for another council's worker, a team not the council's, or no change (400)", async () => {
    const c = await openCase();
    const other = await post(
      TM,
      `/cs/cases/${c.id}/reallocation`,
      { allocatedWorkerId: users[SSC_SW]!.id, reason: 'Wrong council.' },
      c.version,
    );
    expect(other.status).toBe(400);
    expect(other.body.errors[0].field).toBe('allocatedWorkerId');
    const team = await post(
      TM,
      `/cs/cases/${c.id}/reallocation`,
      { allocatedWorkerId: users[TM]!.id, teamId: users[SSC_SW]!.teamId, reason: 'Wrong team.' },
      c.version,
    );
    expect(team.status).toBe(400);
    expect(team.body.errors[0].field).toBe('teamId');
    const same = await post(
      TM,
      `/cs/cases/${c.id}/reallocation`,
      { allocatedWorkerId: users[SW]!.id, reason: 'No change.' },
      c.version,
    );
    expect(same.status).toBe(400);
    expect(same.body.errors[0].field).toBe('allocatedWorkerId');
    const noReason = await post(TM, `/cs/cases/${c.id}/reallocation`, { allocatedWorkerId: users[TM]!.id }, c.version);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
  });

  it('a closed case is not reallocated (409)', async () => {
    const child = await post(SW, '/children', {
      givenName: 'Rhea',
      familyName: `Closed${Math.floor(Math.random() * 1e9)}`,
      dateOfBirth: '2015-02-02',
    });
    const c = await post(SW, '/cs/cases', { childId: child.body.id, referralDate: '2023-05-15', referralSource: '1A' });
    const closed = await post(
      SW,
      `/cs/cases/${c.body.id}/closure`,
      { closureDate: '2023-05-15', reason: 'RC7' },
      c.body.version,
    );
    expect(closed.status).toBe(200);
    const res = await post(
      TM,
      `/cs/cases/${c.body.id}/reallocation`,
      { allocatedWorkerId: users[TM]!.id, reason: 'Too late.' },
      closed.body.version,
    );
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CS.CASE_CLOSED');
  });
});
