/**
 * Child abduction warning notices after they are served (issue 14): the force ends one (withdrawn
 * while it runs, or let end once it lapsed) and no clock escalates for it afterwards; breaches and
 * the expiry are on the Europe/London calendar day (BST). The clocks here are in July 2029, a month
 * no other test file uses.
 */
import { randomUUID } from 'node:crypto';
import { EscalationService, type EventName, Events } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';
const NSP_SUP = 'cse.supervisor@northshire-police.example';
const NSP_ANALYST = 'analyst@northshire-police.example';
const SSP_CSE = 'cse.officer@southshire-police.example';

describe('police CAWNs: ending a notice, and its days in London time', () => {
  let t: TestContext;
  let sweep: EscalationService;
  let person: string;
  let child: string;
  // The police events are internal (no outbox row): a handler of the test's own sees them.
  const seen: { type: string; payload: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    sweep = t.app.get(EscalationService, { strict: false });
    const events = t.app.get(Events, { strict: false });
    for (const name of ['police.cawn_served', 'police.cawn_ended'] as EventName[])
      events.on(name, async (_tx, e) => {
        seen.push({ type: name, payload: e.payload as Record<string, unknown> });
      });
    t.clock.set(new Date('2029-07-01T10:00:00Z'));
    const res = await post(NSP_CSE, '/api/v1/children', {
      givenName: 'Cawn',
      familyName: `Child${Date.now()}`,
      dateOfBirth: '2018-03-04',
    });
    expect(res.status).toBe(201);
    child = res.body.id;
    const p = await post(NSP_CSE, '/api/v1/police/persons', { givenName: 'Notice', familyName: `Served${Date.now()}` });
    expect(p.status).toBe(201);
    person = p.body.id;
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const serve = async (servedOn: string, expiresOn: string): Promise<string> => {
    const res = await post(NSP_CSE, '/api/v1/police/cawns', {
      personId: person,
      childId: child,
      servedOn,
      expiresOn,
      childInCare: false,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const clock = async (id: string) =>
    (await t.db.query("SELECT state, due_at FROM deadline WHERE subject_type = 'Cawn' AND subject_id = $1", [id])) as {
      state: string;
      due_at: Date;
    }[];
  const escalations = async (id: string) =>
    (
      (await t.db.query(
        `SELECT e.level FROM escalation e JOIN deadline d ON d.id = e.deadline_id
          WHERE d.subject_type = 'Cawn' AND d.subject_id = $1 ORDER BY e.level`,
        [id],
      )) as { level: number }[]
    ).map((r) => r.level);

  it('withdrawn while it runs: ends today, its clock is cancelled, nothing escalates at the expiry, no breach after', async () => {
    t.clock.set(new Date('2029-07-02T10:00:00Z'));
    const id = await serve('2029-07-02', '2029-07-20');
    t.clock.set(new Date('2029-07-05T10:00:00Z'));
    const url = `/api/v1/police/cawns/${id}/end`;
    // Supervisors end notices; officers serve them; another force does not know the notice.
    expect((await post(NSP_CSE, url, { reason: 'x' })).status).toBe(403);
    expect((await post(SSP_CSE, url, { reason: 'x' })).status).toBe(403);
    const noReason = await post(NSP_SUP, url, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.headers['content-type']).toContain('application/problem+json');
    expect(noReason.body.errors[0].field).toBe('reason');
    expect((await post(NSP_SUP, `/api/v1/police/cawns/${randomUUID()}/end`, { reason: 'x' })).status).toBe(404);

    const ended = await post(NSP_SUP, url, { reason: 'The child moved out of the area with her mother.' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      status: 'ENDED',
      endedOn: '2029-07-05',
      endReason: 'The child moved out of the area with her mother.',
      expired: false,
    });
    expect((await clock(id)).map((c) => c.state)).toEqual(['cancelled']);
    const again = await post(NSP_SUP, url, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CAWN.ENDED');
    const audit = await t.db.query(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'police.cawn.end' AND $1 = ANY(subject_ids)",
      [id],
    );
    expect(audit[0].n).toBe(1);
    const events = seen.filter((e) => e.payload.cawnId === id);
    expect(events).toEqual([
      {
        type: 'police.cawn_served',
        payload: { cawnId: id, childId: child, personId: person, expiresOn: '2029-07-20' },
      },
      { type: 'police.cawn_ended', payload: { cawnId: id, childId: child, endedOn: '2029-07-05', lapsed: false } },
    ]);

    t.clock.set(new Date('2029-07-08T10:00:00Z'));
    const sameDay = await post(NSP_CSE, `/api/v1/police/cawns/${id}/breaches`, {
      occurredAt: '2029-07-05T08:00:00Z',
      detail: 'Seen at the school gate before it was withdrawn.',
    });
    expect(sameDay.status).toBe(201);
    const after = await post(NSP_CSE, `/api/v1/police/cawns/${id}/breaches`, {
      occurredAt: '2029-07-07T08:00:00Z',
      detail: 'Seen with the child.',
    });
    expect(after.status).toBe(400);
    expect(after.body.errors[0].field).toBe('occurredAt');

    t.clock.set(new Date('2029-07-23T10:00:00Z'));
    await sweep.run();
    expect(await escalations(id)).toEqual([]);
    const read = await get(NSP_ANALYST, `/api/v1/police/cawns/${id}`);
    expect(read.body).toMatchObject({ status: 'ENDED', expired: true, endedOn: '2029-07-05' });
  });

  it('lapsed: the supervisors are told once (level 1); let end, its clock is met and it goes no higher', async () => {
    t.clock.set(new Date('2029-07-02T10:00:00Z'));
    const id = await serve('2029-07-02', '2029-07-10');
    // Wednesday 11 July 2029, the morning after its expiry day.
    t.clock.set(new Date('2029-07-11T09:00:00Z'));
    await sweep.run();
    expect(await escalations(id)).toEqual([1]);
    expect((await get(NSP_ANALYST, `/api/v1/police/cawns/${id}`)).body).toMatchObject({
      status: 'LAPSED',
      expired: true,
      endedOn: null,
    });
    const ended = await post(NSP_SUP, `/api/v1/police/cawns/${id}/end`, {
      reason: 'No contact since; not served again.',
    });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ENDED', endedOn: '2029-07-10', expired: true });
    expect((await clock(id)).map((c) => c.state)).toEqual(['met']);
    // A working day and more later the lapse would have gone to every supervisor: it does not.
    t.clock.set(new Date('2029-07-13T10:00:00Z'));
    await sweep.run();
    expect(await escalations(id)).toEqual([1]);
  });

  it('London days (BST): a breach at 00:30 on the served day counts, one at 00:30 after the expiry day does not', async () => {
    t.clock.set(new Date('2029-07-02T10:00:00Z'));
    const id = await serve('2029-07-01', '2029-07-10');
    // The notice runs to the end of 10 July in London: 23:59:59.999 BST is 22:59:59.999 UTC.
    expect(new Date((await clock(id))[0]!.due_at).toISOString()).toBe('2029-07-10T22:59:59.999Z');
    const breach = (occurredAt: string) =>
      post(NSP_CSE, `/api/v1/police/cawns/${id}/breaches`, { occurredAt, detail: 'Seen with the child.' });
    // 00:30 BST on Sunday 1 July (the served day) is 23:30 UTC on 30 June.
    expect((await breach('2029-06-30T23:30:00Z')).status).toBe(201);
    t.clock.set(new Date('2029-07-11T09:00:00Z'));
    // 23:30 BST on the expiry day: within the notice.
    expect((await breach('2029-07-10T22:30:00Z')).status).toBe(201);
    // 00:30 BST on 11 July is still 10 July in UTC: after the notice, refused.
    const late = await breach('2029-07-10T23:30:00Z');
    expect(late.status).toBe(400);
    expect(late.body.errors[0].field).toBe('occurredAt');
    expect(late.body.errors[0].message).toContain('2029-07-10');
    // At 00:30 BST on 11 July the notice reads expired (UTC would still say 10 July).
    t.clock.set(new Date('2029-07-10T23:30:00Z'));
    const read = await get(NSP_ANALYST, `/api/v1/police/cawns/${id}`);
    expect(read.body).toMatchObject({ expired: true, status: 'LAPSED' });
    expect(read.body.breaches).toHaveLength(2);
    // Tidy: the force lets it end, so its clock does not run on in the shared database.
    t.clock.set(new Date('2029-07-11T09:00:00Z'));
    expect((await post(NSP_SUP, `/api/v1/police/cawns/${id}/end`, { reason: 'Test over.' })).status).toBe(200);
  });
});
