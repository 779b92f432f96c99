/**
 * Police disclosures after a cross-force match, over time (issue 14): a force asks again once a
 * disclosure was revoked (the history kept), and both forces are told a week before one ends. The
 * clocks here are in September and October 2029, months no other test file uses.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Events, Notifier } from '@app/casework';
import { DISCLOSURE_ENDING_NOTICE_DAYS, DisclosureEndingJob } from '@app/police';
import { startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';
const NSP_SUP = 'cse.supervisor@northshire-police.example';
const SSP_CSE = 'cse.officer@southshire-police.example';
const BASIS = 'DPA_2018_PART3_LAW_ENFORCEMENT';
const DAY = 86_400_000;

describe('police disclosures: asked for again after a revocation, and a notice before one ends', () => {
  let t: TestContext;
  let job: DisclosureEndingJob;
  let nspCar: string;
  let sspCar: string;
  let sspChild: string;
  let reference: string;
  let until: Date;
  // The police events are internal (no outbox row): a handler of the test's own sees them.
  const revocations: Record<string, unknown>[] = [];
  const vrm = `PD${String((Date.now() % 80) + 10)} ${String.fromCharCode(65 + (Date.now() % 26))}XY`;

  beforeAll(async () => {
    t = await startTestApp();
    job = new DisclosureEndingJob(t.app.get(DataSource), t.clock, t.app.get(Notifier, { strict: false }));
    t.app.get(Events, { strict: false }).on('police.disclosure_revoked', async (_tx, e) => {
      revocations.push(e.payload as unknown as Record<string, unknown>);
    });
    t.clock.set(new Date('2029-09-03T10:00:00Z'));
    const mine = await post(NSP_CSE, '/api/v1/police/vehicles', { vrm, make: 'Ford', colour: 'maroon' });
    expect(mine.status).toBe(201);
    nspCar = mine.body.id;
    const theirs = await post(SSP_CSE, '/api/v1/police/vehicles', { vrm });
    expect(theirs.status).toBe(201);
    sspCar = theirs.body.id;
    const match = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { nodeId: string }) => m.nodeId === sspCar,
    );
    expect(match).toMatchObject({ kind: 'vehicle', matchedOn: 'vrm' });
    reference = match.reference;
    const child = await post(SSP_CSE, '/api/v1/children', {
      givenName: 'Ruby',
      familyName: `Renewal${Date.now()}`,
      dateOfBirth: '2016-05-06',
    });
    expect(child.status).toBe(201);
    sspChild = child.body.id;
  });
  afterAll(() => t.close());

  async function post(who: string, url: string, body: object) {
    return t.http
      .post(url)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  }
  async function get(who: string, url: string) {
    return t.http.get(url).set('Authorization', await t.as(who));
  }
  const ask = () => post(SSP_CSE, '/api/v1/police/disclosure-requests', { matchReference: reference, reason: 'Seen' });
  const disclose = (end: Date) =>
    post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'Joint operation',
      lawfulBasis: BASIS,
      until: end.toISOString(),
    });
  const sspNetwork = async () =>
    ((await get(SSP_CSE, `/api/v1/police/network?childId=${sspChild}&depth=2`)).body.nodes as { id: string }[])
      .map((n) => n.id)
      .sort();

  it('a revoked disclosure can be asked for and made again; the earlier request and grant are kept', async () => {
    expect((await ask()).status).toBe(201);
    const twice = await ask();
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('POLICE_MATCH.ALREADY_DECIDED');
    const first = await disclose(new Date(t.clock.now().getTime() + 60 * DAY));
    expect(first.status).toBe(200);
    // While it is disclosed, asking again is refused: there is nothing to ask for.
    expect((await ask()).status).toBe(409);
    expect((await get(SSP_CSE, `/api/v1/police/vehicles/${nspCar}`)).status).toBe(200);
    const linked = await post(SSP_CSE, '/api/v1/police/links', {
      from: { kind: 'child', id: sspChild },
      to: { kind: 'vehicle', id: nspCar },
      sourceKind: 'intelligence',
      linkedOn: '2029-09-03',
      confidence: 'medium',
    });
    expect(linked.status).toBe(201);
    expect(await sspNetwork()).toEqual([sspChild, nspCar].sort());

    const revoked = await post(NSP_SUP, '/api/v1/police/disclosure-revocations', {
      matchReference: reference,
      reason: 'Operation paused.',
    });
    expect(revoked.status).toBe(200);
    const event = revocations.find((p) => p.matchReference === reference);
    expect(event).toMatchObject({ matchReference: reference, nodeId: nspCar });
    expect((await get(SSP_CSE, `/api/v1/police/vehicles/${nspCar}`)).status).toBe(404);
    expect(await sspNetwork()).toEqual([sspChild]);

    // Southshire asks again under the same reference: a new request, Northshire discloses again.
    t.clock.set(new Date('2029-09-10T10:00:00Z'));
    const again = await ask();
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ yourRequest: 'REQUESTED', disclosedToYouUntil: null });
    until = new Date('2029-10-10T10:00:00Z');
    const second = await disclose(until);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ theirRequest: 'DISCLOSED' });
    expect(new Date(second.body.disclosedByYouUntil).toISOString()).toBe(until.toISOString());
    const seen = await get(SSP_CSE, `/api/v1/police/vehicles/${nspCar}`);
    expect(seen.status).toBe(200);
    expect(seen.body.colour).toBe('maroon');
    // The link Southshire made during the first disclosure shows again.
    expect(await sspNetwork()).toEqual([sspChild, nspCar].sort());
    const sspView = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { reference: string }) => m.reference === reference,
    );
    expect(sspView).toMatchObject({ yourRequest: 'DISCLOSED' });
    expect(new Date(sspView.disclosedToYouUntil).toISOString()).toBe(until.toISOString());

    // The history: both requests and both grants, the first revoked with its reason.
    const history = await t.db.query(
      `SELECT r.status, g.revoked_at IS NOT NULL AS revoked, g.revoke_reason
         FROM police_match_request r JOIN police_match m ON m.id = r.match_id
         LEFT JOIN police_node_grant g ON g.match_request_id = r.id
        WHERE m.reference = $1 ORDER BY r.seq`,
      [reference],
    );
    expect(history).toEqual([
      { status: 'DISCLOSED', revoked: true, revoke_reason: 'Operation paused.' },
      { status: 'DISCLOSED', revoked: false, revoke_reason: null },
    ]);
    // While the second runs, asking again is refused as before.
    expect((await ask()).status).toBe(409);
  });

  it(`both forces are told ${DISCLOSURE_ENDING_NOTICE_DAYS} days before a disclosure ends, once; a revoked one is not announced`, async () => {
    const notes = async () =>
      (await t.db.query(
        `SELECT organisation_id, user_id, audience_roles, subject_id, message FROM notification
          WHERE kind = 'police.disclosure.ending' AND subject_id = ANY($1) ORDER BY subject_id`,
        [[nspCar, sspCar]],
      )) as {
        organisation_id: string;
        user_id: string | null;
        audience_roles: string[];
        subject_id: string;
        message: string;
      }[];
    t.clock.set(new Date(until.getTime() - (DISCLOSURE_ENDING_NOTICE_DAYS + 1) * DAY));
    await job.run();
    expect(await notes()).toEqual([]);
    t.clock.set(new Date(until.getTime() - (DISCLOSURE_ENDING_NOTICE_DAYS - 1) * DAY));
    await Promise.all([job.run(), job.run()]);
    await job.run();
    const told = await notes();
    const [nsp] = await t.db.query("SELECT id FROM organisation WHERE code = 'NSP'");
    const [ssp] = await t.db.query("SELECT id FROM organisation WHERE code = 'SSP'");
    const [sup] = await t.db.query('SELECT id FROM app_user WHERE email = $1', [NSP_SUP]);
    expect(told).toHaveLength(2);
    // Northshire: the supervisor who disclosed, by name; Southshire: its CSE unit.
    expect(told.find((n) => n.subject_id === nspCar)).toMatchObject({ organisation_id: nsp.id, user_id: sup.id });
    expect(told.find((n) => n.subject_id === sspCar)).toMatchObject({
      organisation_id: ssp.id,
      user_id: null,
      audience_roles: expect.arrayContaining(['cse_officer', 'cse_supervisor']),
    });
    for (const n of told) {
      expect(n.message).toContain(reference);
      expect(n.message).toContain(until.toISOString());
      expect(n.message).not.toMatch(/maroon|Ford/);
    }
    const grants = await t.db.query(
      `SELECT g.revoked_at IS NOT NULL AS revoked, g.ending_announced_at IS NOT NULL AS announced
         FROM police_node_grant g JOIN police_match_request r ON r.id = g.match_request_id
         JOIN police_match m ON m.id = r.match_id WHERE m.reference = $1 ORDER BY r.seq`,
      [reference],
    );
    expect(grants).toEqual([
      { revoked: true, announced: false },
      { revoked: false, announced: true },
    ]);
    // Once it has ended, Southshire may ask again.
    t.clock.set(new Date(until.getTime() + 1000));
    expect((await get(SSP_CSE, `/api/v1/police/vehicles/${nspCar}`)).status).toBe(404);
    expect((await ask()).status).toBe(201);
  });
});
