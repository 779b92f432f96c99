/**
 * Police CSE checks found by an audit (issue 14): a return home interview is never closed without
 * an interview or a reason (null is "not given"); a location is a whole point or none; a CAWN's
 * eligibility is the shared record's looked-after status, not the request's word, and a notice
 * ends before the 16th (18th in care) birthday; a backdated screening moves no review clock; the
 * reasons of a disclosure request and decision reach both forces' supervisors; and the matches by
 * name and date of birth and by address. The clocks here are in March 2031, a month no other test
 * file uses.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type EventName, Events, SharedRecord } from '@app/casework';
import { hashSecret } from '@app/identity';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';
const NSP_SUP = 'cse.supervisor@northshire-police.example';
const SSP_CSE = 'cse.officer@southshire-police.example';
// The demo world has no Southshire supervisor: this file adds one (its own address).
const SSP_SUP = `cse.supervisor.${randomUUID()}@southshire-police.example`;
// Monday 3 March 2031.
const MONDAY = new Date('2031-03-03T10:00:00Z');

describe('police CSE: the checks an audit asked for', () => {
  let t: TestContext;
  const stamp = `${Date.now()}`;
  // The police events are internal (no outbox row): a handler of the test's own sees them.
  const seen: { name: string; organisationId: string; payload: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(MONDAY);
    const events = t.app.get(Events, { strict: false });
    for (const name of ['police.cawn_served', 'police.disclosure_decided'] as EventName[])
      events.on(name, async (_tx, e) => {
        seen.push({ name, organisationId: e.organisationId, payload: e.payload as Record<string, unknown> });
      });
    await t.db.query(
      `INSERT INTO app_user (email, name, organisation_id, roles, password_hash)
       SELECT $1, 'DS Sue Pervisor', id, '{cse_supervisor}', $2 FROM organisation WHERE code = 'SSP'`,
      [SSP_SUP, await hashSecret(DEMO_PASSWORD)],
    );
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object, headers: Record<string, string> = {}) => {
    let req = t.http
      .post(url)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID());
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return req.send(body);
  };
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const fields = (res: { status: number; headers: Record<string, string>; body: { errors?: { field: string }[] } }) => {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    return (res.body.errors ?? []).map((e) => e.field);
  };
  const child = async (givenName: string, dateOfBirth: string) => {
    const res = await post(NSP_CSE, '/api/v1/children', { givenName, familyName: `Checks${stamp}`, dateOfBirth });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const clocks = async (type: string, ids: string[]) =>
    (await t.db.query(
      'SELECT subject_id, state FROM deadline WHERE subject_type = $1 AND subject_id = ANY($2) ORDER BY subject_id',
      [type, ids],
    )) as { subject_id: string; state: string }[];

  it('a return home interview: no interview and no reason (null) is refused, and the table refuses it too', async () => {
    const leo = await child('Leo', '2016-02-02');
    const reported = await post(NSP_CSE, '/api/v1/police/missing-episodes', {
      childId: leo,
      reportedBy: 'carer',
      reportedAt: '2031-03-03T06:00:00Z',
      riskGrading: 'medium',
    });
    expect(reported.status).toBe(201);
    const id = reported.body.id as string;
    const url = `/api/v1/police/missing-episodes/${id}`;
    const found = await post(
      NSP_CSE,
      `${url}/found`,
      { foundAt: '2031-03-03T08:00:00Z', foundLocation: 'Bus station' },
      { 'If-Match': '"1"' },
    );
    expect(found.status).toBe(200);
    for (const body of [{ noInterviewReason: null }, {}, { heldAt: null, noInterviewReason: null }]) {
      const res = await post(NSP_CSE, `${url}/return-interview`, body, { 'If-Match': '"2"' });
      expect(fields(res)).toContain('noInterviewReason');
    }
    const read = await get(NSP_CSE, url);
    expect(read.body).toMatchObject({ status: 'FOUND', noInterviewReason: null, version: 2 });
    expect((await clocks('MissingEpisode', [id])).map((c) => c.state)).toEqual(['open']);
    // The table itself: NO_INTERVIEW needs a reason.
    await expect(
      t.db.query("UPDATE missing_episode SET status = 'NO_INTERVIEW', no_interview_reason = NULL WHERE id = $1", [id]),
    ).rejects.toThrow(/ck_missing_episode_no_interview_reason/);
    const closed = await post(
      NSP_CSE,
      `${url}/return-interview`,
      { noInterviewReason: 'The child refused to meet the interviewer.' },
      { 'If-Match': '"2"' },
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'NO_INTERVIEW',
      noInterviewReason: 'The child refused to meet the interviewer.',
    });
    expect((await clocks('MissingEpisode', [id])).map((c) => c.state)).toEqual(['met']);
  });

  it('a location: half a point (one coordinate null) is refused, naming the missing one; nothing written', async () => {
    const address = `${stamp} Half Point Lane`;
    const count = async () =>
      Number((await t.db.query('SELECT count(*)::int AS n FROM police_location WHERE address = $1', [address]))[0].n);
    const lonNull = await post(NSP_CSE, '/api/v1/police/locations', {
      address,
      postcode: 'NT1 1AA',
      latitude: 53.1,
      longitude: null,
    });
    expect(fields(lonNull)).toEqual(['longitude']);
    const latNull = await post(NSP_CSE, '/api/v1/police/locations', {
      address,
      postcode: 'NT1 1AA',
      latitude: null,
      longitude: -1.5,
    });
    expect(fields(latNull)).toEqual(['latitude']);
    expect(await count()).toBe(0);
    const whole = await post(NSP_CSE, '/api/v1/police/locations', {
      address,
      postcode: 'NT1 1AA',
      latitude: 53.1,
      longitude: -1.5,
    });
    expect(whole.status).toBe(201);
    expect(whole.body).toMatchObject({ latitude: 53.1, longitude: -1.5 });
  });

  describe('CAWNs: the shared record says whether the child is looked after', () => {
    let person: string;
    beforeAll(async () => {
      const p = await post(NSP_CSE, '/api/v1/police/persons', { givenName: 'Warned', familyName: `Adult${stamp}` });
      expect(p.status).toBe(201);
      person = p.body.id;
    });
    const serve = (childId: string, expiresOn: string, childInCare: boolean) =>
      post(NSP_CSE, '/api/v1/police/cawns', {
        personId: person,
        childId,
        servedOn: '2031-03-03',
        expiresOn,
        childInCare,
      });

    it('16 and not looked after on the record: refused, even when the request says in care', async () => {
      const sixteen = await child('Nia', '2014-06-10');
      for (const childInCare of [true, false]) {
        const res = await serve(sixteen, '2031-09-01', childInCare);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('CAWN.NOT_ELIGIBLE');
        expect(res.body.detail).toContain('looked after');
      }
      expect(
        Number((await t.db.query('SELECT count(*)::int AS n FROM cawn WHERE child_id = $1', [sixteen]))[0].n),
      ).toBe(0);
    });

    it('16 and looked after on the record: served, to the day before the 18th birthday and no further', async () => {
      const looked = await child('Ava', '2014-06-10');
      const [council] = await t.db.query("SELECT id FROM organisation WHERE code = 'NSC'");
      await t.app
        .get(DataSource)
        .transaction((tx) =>
          t.app
            .get(SharedRecord, { strict: false })
            .setCouncilStatus(tx, looked, council.id, 'looked_after', '2030-01-01'),
        );
      const past = await serve(looked, '2032-06-10', true);
      expect(fields(past)).toEqual(['expiresOn']);
      // The request's word is not what decides: the record does.
      const served = await serve(looked, '2032-06-09', false);
      expect(served.status).toBe(201);
      expect(served.body).toMatchObject({ childInCare: true, expiresOn: '2032-06-09' });
      const [nsp] = await t.db.query("SELECT id FROM organisation WHERE code = 'NSP'");
      const event = seen.find((e) => e.name === 'police.cawn_served' && e.payload.cawnId === served.body.id);
      expect(event?.organisationId).toBe(nsp.id);
      expect(event?.payload).toEqual({
        cawnId: served.body.id,
        childId: looked,
        personId: person,
        expiresOn: '2032-06-09',
      });
    });

    it('under 16 and not looked after: the notice ends before the 16th birthday', async () => {
      const young = await child('Ivy', '2017-01-15');
      const past = await serve(young, '2033-01-15', true);
      expect(fields(past)).toEqual(['expiresOn']);
      const served = await serve(young, '2033-01-14', false);
      expect(served.status).toBe(201);
      expect(served.body).toMatchObject({ childInCare: false, expiresOn: '2033-01-14' });
    });
  });

  it('a backdated screening meets no newer review clock and opens none', async () => {
    const zoe = await child('Zoe', '2016-07-07');
    const screen = (screenedOn: string) =>
      post(NSP_CSE, '/api/v1/police/screenings', { childId: zoe, screenedOn, vulnerabilities: [], indicators: [] });
    const newest = await screen('2031-03-03');
    expect(newest.status).toBe(201);
    const backdated = await screen('2031-01-10');
    expect(backdated.status).toBe(201);
    expect(await clocks('CseScreening', [newest.body.id, backdated.body.id])).toEqual([
      { subject_id: newest.body.id, state: 'open' },
    ]);
    // A screening on the newest's day or after meets its clock and opens the next.
    const next = await screen('2031-03-03');
    expect(next.status).toBe(201);
    const after = await clocks('CseScreening', [newest.body.id, backdated.body.id, next.body.id]);
    expect(after).toEqual(
      expect.arrayContaining([
        { subject_id: newest.body.id, state: 'met' },
        { subject_id: next.body.id, state: 'open' },
      ]),
    );
    expect(after).toHaveLength(2);
  });

  describe('matches by name and date of birth, and by address, across forces', () => {
    type Match = {
      reference: string;
      kind: string;
      matchedOn: string;
      nodeId: string;
      yourRequestReason: string | null;
      theirRequestReason: string | null;
      yourRequestDecisionReason: string | null;
      theirRequestDecisionReason: string | null;
    };
    const matchOf = async (who: string, nodeId: string) =>
      ((await get(who, '/api/v1/police/matches')).body.data as Match[]).find((m) => m.nodeId === nodeId);
    const told = async (who: string, nodeId: string) =>
      ((await get(who, '/api/v1/notifications?limit=100')).body.data as { kind: string; subjectId: string }[]).filter(
        (n) => n.kind === 'police.match' && n.subjectId === nodeId,
      );
    let reference: string;
    let nspPerson: string;
    let sspPerson: string;

    it('a person by name and date of birth: both told, neither sees the other', async () => {
      const nsp = await post(NSP_CSE, '/api/v1/police/persons', {
        givenName: 'Dorian',
        familyName: `Namesake${stamp}`,
        dateOfBirth: '1991-05-06',
        aliases: ['Northern Alias'],
      });
      expect(nsp.status).toBe(201);
      nspPerson = nsp.body.id;
      const ssp = await post(SSP_CSE, '/api/v1/police/persons', {
        givenName: ' dorian ',
        familyName: `NAMESAKE${stamp}`,
        dateOfBirth: '1991-05-06',
        aliases: ['Southern Alias'],
      });
      expect(ssp.status).toBe(201);
      sspPerson = ssp.body.id;
      const mine = await matchOf(NSP_CSE, nspPerson);
      const theirs = await matchOf(SSP_CSE, sspPerson);
      expect(mine).toMatchObject({ kind: 'person', matchedOn: 'name_and_dob' });
      expect(theirs).toMatchObject({ kind: 'person', matchedOn: 'name_and_dob', reference: mine!.reference });
      reference = mine!.reference;
      expect(await told(NSP_CSE, nspPerson)).toHaveLength(1);
      expect(await told(SSP_CSE, sspPerson)).toHaveLength(1);
      expect((await get(NSP_CSE, `/api/v1/police/persons/${sspPerson}`)).status).toBe(404);
      expect((await get(SSP_CSE, `/api/v1/police/persons/${nspPerson}`)).status).toBe(404);
      expect(JSON.stringify((await get(SSP_CSE, '/api/v1/police/matches')).body)).not.toContain('Northern Alias');
      expect(JSON.stringify((await get(NSP_CSE, '/api/v1/police/matches')).body)).not.toContain('Southern Alias');
    });

    it('a location by its address key: both told, neither sees the other', async () => {
      const nsp = await post(NSP_CSE, '/api/v1/police/locations', {
        address: `Flat 2, ${stamp} Harbour Row`,
        postcode: 'NT9 9ZZ',
        hotspot: true,
      });
      expect(nsp.status).toBe(201);
      const ssp = await post(SSP_CSE, '/api/v1/police/locations', {
        address: `flat 2  ${stamp} harbour row`,
        postcode: 'nt99zz',
      });
      expect(ssp.status).toBe(201);
      const mine = await matchOf(NSP_CSE, nsp.body.id);
      expect(mine).toMatchObject({ kind: 'location', matchedOn: 'address' });
      expect(await matchOf(SSP_CSE, ssp.body.id)).toMatchObject({ matchedOn: 'address', reference: mine!.reference });
      expect(await told(NSP_CSE, nsp.body.id)).toHaveLength(1);
      expect(await told(SSP_CSE, ssp.body.id)).toHaveLength(1);
      expect((await get(NSP_CSE, `/api/v1/police/locations/${ssp.body.id}`)).status).toBe(404);
      expect((await get(SSP_CSE, `/api/v1/police/locations/${nsp.body.id}`)).status).toBe(404);
    });

    it('two forces recording the same car at the same moment still find each other', async () => {
      const letters = () => Array.from({ length: 3 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26)));
      const vrms = Array.from({ length: 6 }, (_, i) => `KX${10 + i}${letters().join('')}`);
      const made = await Promise.all(
        vrms.flatMap((vrm) =>
          [NSP_CSE, SSP_CSE].map((who) => post(who, '/api/v1/police/vehicles', { vrm, make: 'Ford', colour: 'Grey' })),
        ),
      );
      expect(made.map((r) => r.status)).toEqual(made.map(() => 201));
      const matched = await t.db.query(
        `SELECT v.vrm, count(m.*)::int AS n FROM police_vehicle v
           LEFT JOIN police_match m ON m.first_node_id = v.id OR m.second_node_id = v.id
          WHERE v.vrm = ANY($1) GROUP BY v.vrm ORDER BY v.vrm`,
        [vrms],
      );
      expect(matched.map((r: any) => r.n)).toEqual(vrms.map(() => 2));
    });

    it("the request's reason and the decision's reason reach both forces' supervisors (not their officers)", async () => {
      const asked = await post(SSP_CSE, '/api/v1/police/disclosure-requests', {
        matchReference: reference,
        reason: 'Seen collecting a missing child in Southtown.',
      });
      expect(asked.status).toBe(201);
      expect((await matchOf(NSP_SUP, nspPerson))!.theirRequestReason).toBe(
        'Seen collecting a missing child in Southtown.',
      );
      expect((await matchOf(SSP_SUP, sspPerson))!.yourRequestReason).toBe(
        'Seen collecting a missing child in Southtown.',
      );
      expect((await matchOf(NSP_CSE, nspPerson))!.theirRequestReason).toBeNull();
      const declined = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
        matchReference: reference,
        disclose: false,
        reason: 'Not proportionate on what is known.',
      });
      expect(declined.status).toBe(200);
      expect(declined.body).toMatchObject({
        theirRequest: 'DECLINED',
        theirRequestReason: 'Seen collecting a missing child in Southtown.',
        theirRequestDecisionReason: 'Not proportionate on what is known.',
      });
      const decided = seen.filter(
        (e) => e.name === 'police.disclosure_decided' && e.payload.matchReference === reference,
      );
      expect(decided.map((e) => e.payload)).toEqual([
        {
          matchReference: reference,
          nodeId: nspPerson,
          requestingOrganisationId: expect.any(String),
          disclosed: false,
          until: null,
        },
      ]);
      expect(await matchOf(SSP_SUP, sspPerson)).toMatchObject({
        yourRequest: 'DECLINED',
        yourRequestDecisionReason: 'Not proportionate on what is known.',
      });
      expect(await matchOf(SSP_CSE, sspPerson)).toMatchObject({
        yourRequest: 'DECLINED',
        yourRequestReason: null,
        yourRequestDecisionReason: null,
      });
    });
  });
});
