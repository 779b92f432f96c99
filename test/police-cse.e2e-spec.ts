/**
 * The police CSE unit through HTTP (issue 14): a missing episode reported and found, the return
 * interview overdue across a weekend and escalated; a screening "significant"; a car and a person
 * linked; the network from the child shows the two other children; the problem profile lists the
 * cluster; Southshire records the same registration and both forces are told of a match, neither
 * seeing the other's nodes until a disclosure. And who sees nothing: a school, a council, another force.
 */
import { randomUUID } from 'node:crypto';
import { EscalationService, SharedRecord } from '@app/casework';
import { pncCheckLetter } from '@app/children';
import { startTestApp, type TestContext } from './support/app';

const NSP_CSE = 'cse.officer@northshire-police.example';
const NSP_SUP = 'cse.supervisor@northshire-police.example';
const NSP_ANALYST = 'analyst@northshire-police.example';
const SSP_CSE = 'cse.officer@southshire-police.example';
const DSL = 'dsl@riverside-academy.example';
const SW = 'social.worker@northshire-council.example';

// Friday 27 November 2026.
const FRIDAY = new Date('2026-11-27T10:00:00Z');

describe('police CSE unit: the journey through HTTP', () => {
  let t: TestContext;
  let sweep: EscalationService;
  let leah: string;
  let kai: string;
  const others: string[] = [];
  const vrm = `KT${String((Date.now() % 90) + 10)} PQR`;
  const pnc = (() => {
    const serial = String(Math.floor(1_000_000 + Math.random() * 8_999_999));
    return `88/${serial}${pncCheckLetter('88', serial)}`;
  })();

  beforeAll(async () => {
    t = await startTestApp();
    sweep = t.app.get(EscalationService, { strict: false });
    const ids = await t.db.query(
      "SELECT id, given_name FROM child WHERE given_name IN ('Leah', 'Kai') AND family_name IN ('Thompson', 'Robinson')",
    );
    leah = ids.find((r: { given_name: string }) => r.given_name === 'Leah').id;
    kai = ids.find((r: { given_name: string }) => r.given_name === 'Kai').id;
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
  const notes = async (who: string, subjectId: string, prefix: string) =>
    (
      (await get(who, '/api/v1/notifications?limit=100')).body.data as {
        kind: string;
        subjectId: string;
        message: string;
      }[]
    ).filter((n) => n.subjectId === subjectId && n.kind.startsWith(prefix));
  const count = async (table: string) => Number((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

  it('registers two more children the force works with', async () => {
    t.clock.set(FRIDAY);
    for (const given of ['Mia', 'Jade']) {
      const res = await post(NSP_CSE, '/api/v1/children', {
        givenName: given,
        familyName: `Cluster${Date.now()}`,
        dateOfBirth: '2011-04-0' + (others.length + 1),
      });
      expect(res.status).toBe(201);
      others.push(res.body.id);
    }
  });

  let episode: { id: string; version: number };
  it('missing episodes: the third in 90 days tells the CSE unit; each goes to the multi-agency chronology', async () => {
    t.clock.set(FRIDAY);
    for (const daysAgo of [60, 30]) {
      const r = await post(NSP_CSE, '/api/v1/police/missing-episodes', {
        childId: leah,
        reportedBy: 'carer',
        reportedAt: new Date(FRIDAY.getTime() - daysAgo * 86_400_000).toISOString(),
        riskGrading: 'medium',
      });
      expect(r.status).toBe(201);
      expect(await notes(NSP_CSE, r.body.id, 'missing.pattern')).toHaveLength(0);
    }
    const third = await post(NSP_CSE, '/api/v1/police/missing-episodes', {
      childId: leah,
      reportedBy: 'carer, Fenwick Road',
      reportedAt: '2026-11-27T09:00:00Z',
      riskGrading: 'high',
    });
    expect(third.status).toBe(201);
    expect(third.body).toMatchObject({ status: 'MISSING', riskGrading: 'high', reportedBy: 'carer, Fenwick Road' });
    expect(third.headers.etag).toBe('"1"');
    episode = third.body;
    const pattern = await notes(NSP_CSE, episode.id, 'missing.pattern');
    expect(pattern).toHaveLength(1);
    expect(pattern[0]!.message).toContain('3 times in 90 days');
    // The school working with Leah reads the summary on the multi-agency chronology, not the detail.
    const chronology = await get(DSL, `/api/v1/children/${leah}/chronology`);
    expect(chronology.status).toBe(200);
    expect(chronology.body.data.map((e: { summary: string }) => e.summary)).toContain('Reported missing (risk high).');
  });

  it('found on Friday evening: the 72-hour interview is due Monday evening, escalates only after it', async () => {
    t.clock.set(new Date('2026-11-27T20:00:00Z'));
    const stale = await post(
      NSP_CSE,
      `/api/v1/police/missing-episodes/${episode.id}/found`,
      { foundAt: '2026-11-27T18:00:00Z', foundLocation: 'Flat above Mill Lane takeaway' },
      { 'If-Match': '"7"' },
    );
    expect(stale.status).toBe(412);
    const found = await post(
      NSP_CSE,
      `/api/v1/police/missing-episodes/${episode.id}/found`,
      { foundAt: '2026-11-27T18:00:00Z', foundLocation: 'Flat above Mill Lane takeaway', foundWith: 'two adult males' },
      { 'If-Match': '"1"' },
    );
    expect(found.status).toBe(200);
    expect(found.body.status).toBe('FOUND');
    expect(new Date(found.body.interviewDueAt).toISOString()).toBe('2026-11-30T18:00:00.000Z');
    const again = await post(
      NSP_CSE,
      `/api/v1/police/missing-episodes/${episode.id}/found`,
      { foundAt: '2026-11-27T18:00:00Z', foundLocation: 'x' },
      { 'If-Match': '"2"' },
    );
    expect(again.status).toBe(409);
    expect(again.body.allowed).toEqual(['INTERVIEWED', 'NO_INTERVIEW']);

    t.clock.set(new Date('2026-11-30T17:00:00Z'));
    await sweep.run();
    expect(await notes(NSP_SUP, episode.id, 'escalation')).toHaveLength(0);
    t.clock.set(new Date('2026-11-30T19:00:00Z'));
    await sweep.run();
    expect((await notes(NSP_SUP, episode.id, 'escalation')).length).toBeGreaterThan(0);
    const read = await get(NSP_CSE, `/api/v1/police/missing-episodes/${episode.id}`);
    expect(read.body.interviewOverdue).toBe(true);

    const notIndependent = await post(
      NSP_CSE,
      `/api/v1/police/missing-episodes/${episode.id}/return-interview`,
      { heldAt: '2026-11-30T18:30:00Z', interviewer: 'PC Response', independent: false, outcome: 'x' },
      { 'If-Match': '"2"' },
    );
    expect(notIndependent.status).toBe(400);
    expect(notIndependent.body.errors.map((e: { field: string }) => e.field)).toContain('independent');
    const held = await post(
      NSP_CSE,
      `/api/v1/police/missing-episodes/${episode.id}/return-interview`,
      {
        heldAt: '2026-11-30T18:30:00Z',
        interviewer: 'Return interview service',
        independent: true,
        outcome: 'Disclosed being given lifts by older males.',
      },
      { 'If-Match': '"2"' },
    );
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: 'INTERVIEWED', interviewOverdue: false, version: 3 });
    const open = await t.db.query(
      "SELECT state FROM deadline WHERE subject_type = 'MissingEpisode' AND subject_id = $1",
      [episode.id],
    );
    expect(open.map((r: { state: string }) => r.state)).toEqual(['met']);
  });

  let screeningId: string;
  it('screening: "significant" by the documented rules, history kept, a 3-month review clock that escalates', async () => {
    t.clock.set(new Date('2026-12-02T10:00:00Z'));
    const first = await post(NSP_CSE, '/api/v1/police/screenings', {
      childId: leah,
      screenedOn: '2026-09-01',
      vulnerabilities: ['looked_after'],
      indicators: [{ indicator: 'missing_or_out_overnight', level: 'moderate', lastPresent: '2026-08-20' }],
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ score: 2, band: 'not_at_risk', reviewDueOn: '2026-12-01' });
    const second = await post(NSP_CSE, '/api/v1/police/screenings', {
      childId: leah,
      screenedOn: '2026-12-02',
      vulnerabilities: ['looked_after', 'excluded_or_not_in_school', 'isolated_from_family_or_peers'],
      indicators: [
        { indicator: 'missing_or_out_overnight', level: 'significant', lastPresent: '2026-11-27' },
        { indicator: 'older_boyfriend_or_controlling_adult', level: 'significant', lastPresent: '2026-12-02' },
        { indicator: 'picked_up_in_cars_by_unknown_adults', level: 'significant', lastPresent: '2026-11-20' },
        { indicator: 'hotel_keys', level: 'significant', lastPresent: '2025-12-02' },
      ],
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ score: 19, band: 'significant', reviewDueOn: '2027-03-02' });
    screeningId = second.body.id;
    const history = await get(NSP_ANALYST, `/api/v1/police/children/${leah}/screenings`);
    expect(history.status).toBe(200);
    // Newest first; other files (the authorization matrix) may have screened the demo child too.
    const ours = history.body.data.filter((s: { id: string }) => [first.body.id, second.body.id].includes(s.id));
    expect(ours.map((s: { band: string }) => s.band)).toEqual(['significant', 'not_at_risk']);
    expect(history.body.data[0].id).toBe(second.body.id);
    const clocks = await t.db.query(
      "SELECT subject_id, state FROM deadline WHERE subject_type = 'CseScreening' AND subject_id = ANY($1) ORDER BY opened_at, closed_at NULLS LAST",
      [[first.body.id, second.body.id]],
    );
    expect(clocks).toEqual([
      { subject_id: first.body.id, state: 'met' },
      { subject_id: second.body.id, state: 'open' },
    ]);
    const bad = await post(NSP_CSE, '/api/v1/police/screenings', {
      childId: leah,
      screenedOn: '2026-12-02',
      vulnerabilities: ['not_a_vulnerability'],
      indicators: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toContain('vulnerabilities');
    // The screening stays with the police: nothing of it on the school's view.
    const chronology = await get(DSL, `/api/v1/children/${leah}/chronology`);
    expect(JSON.stringify(chronology.body)).not.toContain('CSE risk screening');
  });

  let vehicle: string;
  let person: string;
  it('links the car and the "boyfriend": the network from the child shows the two other children', async () => {
    const car = await post(NSP_CSE, '/api/v1/police/vehicles', {
      vrm: vrm.toLowerCase(),
      make: 'Vauxhall',
      colour: 'grey',
    });
    expect(car.status).toBe(201);
    expect(car.body.vrm).toBe(vrm.replace(' ', ''));
    vehicle = car.body.id;
    const badVrm = await post(NSP_CSE, '/api/v1/police/vehicles', { vrm: 'NOT A CAR!' });
    expect(badVrm.status).toBe(400);
    expect(badVrm.headers['content-type']).toContain('application/problem+json');
    expect(badVrm.body.errors[0].field).toBe('vrm');
    const badPnc = await post(NSP_CSE, '/api/v1/police/persons', {
      givenName: 'A',
      familyName: 'B',
      pncId: '88/1234567A',
    });
    expect(badPnc.status).toBe(400);
    expect(badPnc.body.errors[0].field).toBe('pncId');
    const bf = await post(NSP_CSE, '/api/v1/police/persons', {
      givenName: 'Dean',
      familyName: 'Marsh',
      aliases: ['D'],
      dateOfBirth: '1996-05-01',
      pncId: pnc,
    });
    expect(bf.status).toBe(201);
    person = bf.body.id;
    const hotspot = await post(NSP_CSE, '/api/v1/police/locations', {
      address: 'Flat above the takeaway, 14 Mill Lane',
      postcode: 'nt14ab',
      hotspot: true,
    });
    expect(hotspot.status).toBe(201);
    expect(hotspot.body.postcode).toBe('NT1 4AB');

    const link = (from: { kind: string; id: string }, to: { kind: string; id: string }) =>
      post(NSP_CSE, '/api/v1/police/links', {
        from,
        to,
        sourceKind: 'intelligence',
        sourceRef: 'Op Kestrel 12',
        linkedOn: '2026-12-01',
        confidence: 'high',
      });
    expect((await link({ kind: 'child', id: leah }, { kind: 'vehicle', id: vehicle })).status).toBe(201);
    expect((await link({ kind: 'child', id: leah }, { kind: 'person', id: person })).status).toBe(201);
    expect((await link({ kind: 'person', id: person }, { kind: 'vehicle', id: vehicle })).status).toBe(201);
    expect((await link({ kind: 'person', id: person }, { kind: 'location', id: hotspot.body.id })).status).toBe(201);
    for (const other of others)
      expect((await link({ kind: 'child', id: other }, { kind: 'vehicle', id: vehicle })).status).toBe(201);
    expect((await link({ kind: 'child', id: leah }, { kind: 'vehicle', id: vehicle })).status).toBe(409);

    const net = await get(NSP_ANALYST, `/api/v1/police/network?childId=${leah}&depth=2`);
    expect(net.status).toBe(200);
    const byId = new Map(net.body.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId.get(leah)).toMatchObject({ kind: 'child', depth: 0, label: 'Leah Thompson' });
    expect(byId.get(vehicle)).toMatchObject({ kind: 'vehicle', depth: 1, label: vrm.replace(' ', '') });
    expect(byId.get(person)).toMatchObject({ kind: 'person', depth: 1 });
    for (const other of others) expect(byId.get(other)).toMatchObject({ kind: 'child', depth: 2 });
    expect(byId.get(hotspot.body.id)).toMatchObject({ kind: 'location', depth: 2, hotspot: true });
    const mine = new Set([leah, vehicle, person, hotspot.body.id, ...others]);
    const ours = net.body.edges.filter((e: { from: string; to: string }) => mine.has(e.from) && mine.has(e.to));
    expect(ours).toHaveLength(6);
    // Every edge joins two nodes of the answer.
    for (const e of net.body.edges) expect(byId.has(e.from) && byId.has(e.to)).toBe(true);
    const shallow = await get(NSP_ANALYST, `/api/v1/police/network?childId=${leah}&depth=1`);
    expect(shallow.body.nodes.every((n: { depth: number }) => n.depth <= 1)).toBe(true);
    expect(shallow.body.nodes.map((n: { id: string }) => n.id)).not.toContain(others[0]);
    const byVrm = await get(NSP_ANALYST, `/api/v1/police/network?vrm=${encodeURIComponent(vrm)}&depth=1`);
    expect(byVrm.body.nodes.filter((n: { kind: string }) => n.kind === 'child')).toHaveLength(3);
    const both = await get(NSP_ANALYST, `/api/v1/police/network?childId=${leah}&personId=${person}`);
    expect(both.status).toBe(400);
    const tooDeep = await get(NSP_ANALYST, `/api/v1/police/network?childId=${leah}&depth=4`);
    expect(tooDeep.status).toBe(400);

    const profiles = await get(NSP_ANALYST, '/api/v1/police/problem-profiles');
    expect(profiles.status).toBe(200);
    const cluster = profiles.body.data.find((p: { nodeId: string }) => p.nodeId === vehicle);
    expect(cluster).toMatchObject({ kind: 'vehicle', childCount: 3 });
    expect([...cluster.childIds].sort()).toEqual([leah, ...others].sort());
    expect(profiles.body.data.find((p: { nodeId: string }) => p.nodeId === person)).toBeUndefined();
    // Second-degree links: the man is linked to Leah himself and, through the car he is linked to, to the other two.
    const second = await get(NSP_ANALYST, '/api/v1/police/problem-profiles?degree=2&limit=200');
    expect(second.status).toBe(200);
    const viaCar = second.body.data.find((p: { nodeId: string }) => p.nodeId === person);
    expect(viaCar).toMatchObject({ kind: 'person', label: 'Dean Marsh', childCount: 3, directChildCount: 1 });
    expect([...viaCar.childIds].sort()).toEqual([leah, ...others].sort());
    expect(second.body.data.find((p: { nodeId: string }) => p.nodeId === vehicle)).toMatchObject({
      childCount: 3,
      directChildCount: 3,
    });
    // The hotspot reaches Leah only (through the man): two hops, one child.
    expect(second.body.data.find((p: { nodeId: string }) => p.nodeId === hotspot.body.id)).toBeUndefined();
    const loose = await get(NSP_ANALYST, '/api/v1/police/problem-profiles?degree=2&minChildren=2&limit=200');
    expect(loose.body.data.find((p: { nodeId: string }) => p.nodeId === hotspot.body.id)).toBeUndefined();
    const tooFar = await get(NSP_ANALYST, '/api/v1/police/problem-profiles?degree=3');
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.errors[0].field).toBe('degree');
    // Every child the network named is on the audit record.
    const audited = await t.db.query(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'police.network.read' AND $1 = ANY(subject_ids)",
      [others[0]],
    );
    expect(audited[0].n).toBeGreaterThan(0);
  });

  let reference: string;
  let sspVehicle: string;
  it('Southshire records the same car: both forces told of a match, neither sees the other until a disclosure', async () => {
    const sspCar = await post(SSP_CSE, '/api/v1/police/vehicles', { vrm, colour: 'silver' });
    expect(sspCar.status).toBe(201);
    sspVehicle = sspCar.body.id;
    const nsp = (await get(NSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { nodeId: string }) => m.nodeId === vehicle,
    );
    const ssp = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { nodeId: string }) => m.nodeId === sspVehicle,
    );
    expect(nsp).toMatchObject({ kind: 'vehicle', matchedOn: 'vrm', otherOrganisation: { name: 'Southshire Police' } });
    expect(ssp).toMatchObject({ kind: 'vehicle', matchedOn: 'vrm', otherOrganisation: { name: 'Northshire Police' } });
    expect(nsp.reference).toBe(ssp.reference);
    reference = nsp.reference;
    // Nothing of the other's content: not its node id, nor the colour or make.
    expect(JSON.stringify(ssp)).not.toContain(vehicle);
    expect(JSON.stringify(ssp)).not.toMatch(/grey|Vauxhall/);
    expect(JSON.stringify(nsp)).not.toContain('silver');
    expect((await notes(NSP_CSE, vehicle, 'police.match'))[0]!.message).toContain(reference);
    expect((await notes(SSP_CSE, sspVehicle, 'police.match'))[0]!.message).toContain(reference);

    expect((await get(SSP_CSE, `/api/v1/police/vehicles/${vehicle}`)).status).toBe(404);
    expect((await get(NSP_CSE, `/api/v1/police/vehicles/${sspVehicle}`)).status).toBe(404);
    const sspNet = await get(SSP_CSE, `/api/v1/police/network?vrm=${encodeURIComponent(vrm)}&depth=3`);
    expect(sspNet.body.nodes.map((n: { id: string }) => n.id)).toEqual([sspVehicle]);
    // A link to a node the caller cannot see: 404, nothing written.
    const before = await count('police_link');
    const hidden = await post(SSP_CSE, '/api/v1/police/links', {
      from: { kind: 'child', id: kai },
      to: { kind: 'vehicle', id: vehicle },
      sourceKind: 'intelligence',
      linkedOn: '2026-12-01',
      confidence: 'low',
    });
    expect(hidden.status).toBe(404);
    expect(await count('police_link')).toBe(before);

    // The information request under the reference; Northshire's supervisor discloses the car only.
    const asked = await post(SSP_CSE, '/api/v1/police/disclosure-requests', {
      matchReference: reference,
      reason: 'Same car seen in Southtown.',
    });
    expect(asked.status).toBe(201);
    expect(asked.body.yourRequest).toBe('REQUESTED');
    const officerTries = await post(NSP_CSE, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'x',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
    });
    expect(officerTries.status).toBe(403);
    const noBasis = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'x',
    });
    expect(noBasis.status).toBe(400);
    const noEnd = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'x',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
    });
    expect(noEnd.status).toBe(400);
    expect(noEnd.body.errors.map((e: { field: string }) => e.field)).toEqual(['until']);
    const tooLong = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'x',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
      until: new Date(t.clock.now().getTime() + 367 * 86_400_000).toISOString(),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('until');
    const until = new Date(t.clock.now().getTime() + 90 * 86_400_000).toISOString();
    const disclosed = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: reference,
      disclose: true,
      reason: 'Joint CSE investigation',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
      until,
    });
    expect(disclosed.status).toBe(200);
    expect(disclosed.body.theirRequest).toBe('DISCLOSED');
    expect(new Date(disclosed.body.disclosedByYouUntil).toISOString()).toBe(until);
    const seen = await get(SSP_CSE, `/api/v1/police/vehicles/${vehicle}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ vrm: vrm.replace(' ', ''), colour: 'grey' });
    // The car only: the person and Northshire's links stay hidden.
    expect((await get(SSP_CSE, `/api/v1/police/persons/${person}`)).status).toBe(404);
    const linked = await post(SSP_CSE, '/api/v1/police/links', {
      from: { kind: 'child', id: kai },
      to: { kind: 'vehicle', id: vehicle },
      sourceKind: 'intelligence',
      linkedOn: '2026-12-01',
      confidence: 'low',
    });
    expect(linked.status).toBe(201);
    const afterNet = await get(SSP_CSE, `/api/v1/police/network?childId=${kai}&depth=3`);
    const ids = afterNet.body.nodes.map((n: { id: string }) => n.id).sort();
    expect(ids).toEqual([kai, vehicle].sort());
  });

  it('revoking a disclosure: Southshire loses the car at once (reads, links, network), is told, and it is audited', async () => {
    const revoke = (who: string, body: object) => post(who, '/api/v1/police/disclosure-revocations', body);
    expect((await get(SSP_CSE, `/api/v1/police/vehicles/${vehicle}`)).status).toBe(200);
    // Southshire links a second child of its own to the disclosed car: a cluster of two in its profiles.
    const south = await post(SSP_CSE, '/api/v1/children', {
      givenName: 'Ruby',
      familyName: `South${Date.now()}`,
      dateOfBirth: '2012-02-02',
    });
    expect(south.status).toBe(201);
    expect(
      (
        await post(SSP_CSE, '/api/v1/police/links', {
          from: { kind: 'child', id: south.body.id },
          to: { kind: 'vehicle', id: vehicle },
          sourceKind: 'intelligence',
          linkedOn: '2026-12-01',
          confidence: 'medium',
        })
      ).status,
    ).toBe(201);
    for (const degree of [1, 2]) {
      const before = await get(SSP_CSE, `/api/v1/police/problem-profiles?minChildren=2&degree=${degree}`);
      expect(before.body.data.find((p: { nodeId: string }) => p.nodeId === vehicle)).toMatchObject({ childCount: 2 });
    }
    expect((await revoke(NSP_CSE, { matchReference: reference, reason: 'x' })).status).toBe(403);
    const noReason = await revoke(NSP_SUP, { matchReference: reference });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    expect((await revoke(NSP_SUP, { matchReference: 'PM-0000000000', reason: 'x' })).status).toBe(404);
    const revoked = await revoke(NSP_SUP, { matchReference: reference, reason: 'Investigation closed.' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ theirRequest: 'REVOKED', disclosedByYouUntil: null });

    const read = await get(SSP_CSE, `/api/v1/police/vehicles/${vehicle}`);
    expect(read.status).toBe(404);
    expect(JSON.stringify(read.body)).not.toMatch(/grey|Vauxhall/);
    const net = await get(SSP_CSE, `/api/v1/police/network?childId=${kai}&depth=3`);
    expect(net.status).toBe(200);
    expect(net.body.nodes.map((n: { id: string }) => n.id)).toEqual([kai]);
    expect(net.body.edges).toEqual([]);
    expect((await get(SSP_CSE, `/api/v1/police/network?vrm=${encodeURIComponent(vrm)}&depth=2`)).body.nodes).toEqual([
      expect.objectContaining({ id: sspVehicle }),
    ]);
    const relink = await post(SSP_CSE, '/api/v1/police/links', {
      from: { kind: 'child', id: others[0] },
      to: { kind: 'vehicle', id: vehicle },
      sourceKind: 'intelligence',
      linkedOn: '2026-12-01',
      confidence: 'low',
    });
    expect(relink.status).toBe(404);
    for (const degree of [1, 2]) {
      const profiles = await get(SSP_CSE, `/api/v1/police/problem-profiles?minChildren=2&degree=${degree}`);
      expect(profiles.status).toBe(200);
      expect(JSON.stringify(profiles.body)).not.toContain(vehicle);
    }

    const sspMatch = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { reference: string }) => m.reference === reference,
    );
    expect(sspMatch).toMatchObject({ yourRequest: 'REVOKED', disclosedToYouUntil: null });
    const told = await notes(SSP_CSE, sspVehicle, 'police.match.revoked');
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toContain(reference);
    expect(told[0]!.message).not.toContain('Investigation closed');
    const audit = await t.db.query(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'police.match.revoke' AND $1 = ANY(subject_ids)",
      [vehicle],
    );
    expect(audit[0].n).toBe(1);
    const again = await revoke(NSP_SUP, { matchReference: reference, reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('POLICE_DISCLOSURE.ENDED');
  });

  it('a disclosure ends on its own at its end time: the grantee reads 404 from then on', async () => {
    const sspPerson = await post(SSP_CSE, '/api/v1/police/persons', {
      givenName: 'Dean',
      familyName: 'Marsh',
      pncId: pnc,
    });
    expect(sspPerson.status).toBe(201);
    const match = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { nodeId: string }) => m.nodeId === sspPerson.body.id,
    );
    expect(match).toMatchObject({ kind: 'person', matchedOn: 'pnc_id' });
    expect(
      (await post(SSP_CSE, '/api/v1/police/disclosure-requests', { matchReference: match.reference, reason: 'PNC' }))
        .status,
    ).toBe(201);
    const until = new Date(t.clock.now().getTime() + 2 * 86_400_000);
    const disclosed = await post(NSP_SUP, '/api/v1/police/disclosure-decisions', {
      matchReference: match.reference,
      disclose: true,
      reason: 'Same suspect',
      lawfulBasis: 'DPA_2018_PART3_LAW_ENFORCEMENT',
      until: until.toISOString(),
    });
    expect(disclosed.status).toBe(200);
    // The clock stays past the end: the rest of the journey sees the person hidden again.
    t.clock.set(new Date(until.getTime() - 60_000));
    expect((await get(SSP_CSE, `/api/v1/police/persons/${person}`)).status).toBe(200);
    t.clock.set(new Date(until.getTime() + 1_000));
    expect((await get(SSP_CSE, `/api/v1/police/persons/${person}`)).status).toBe(404);
    const mine = (await get(SSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { reference: string }) => m.reference === match.reference,
    );
    expect(mine.yourRequest).toBe('EXPIRED');
    const theirs = (await get(NSP_SUP, '/api/v1/police/matches')).body.data.find(
      (m: { reference: string }) => m.reference === match.reference,
    );
    expect(theirs.theirRequest).toBe('EXPIRED');
    const late = await post(NSP_SUP, '/api/v1/police/disclosure-revocations', {
      matchReference: match.reference,
      reason: 'x',
    });
    expect(late.status).toBe(409);
  });

  it('correcting a person, vehicle or location: If-Match (428 without, 412 stale), audited, a new match found', async () => {
    const patch = async (who: string, url: string, body: object, ifMatch?: string) => {
      let req = t.http.patch(url).set('Authorization', await t.as(who));
      if (ifMatch !== undefined) req = req.set('If-Match', ifMatch);
      return req.send(body);
    };
    const read = await get(NSP_ANALYST, `/api/v1/police/persons/${person}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe(`"${read.body.version}"`);
    const url = `/api/v1/police/persons/${person}`;
    expect((await patch(NSP_CSE, url, { aliases: ['D', 'Deano'] })).status).toBe(428);
    expect((await patch(NSP_CSE, url, { aliases: ['D', 'Deano'] }, '"99"')).status).toBe(412);
    expect((await patch(NSP_ANALYST, url, { aliases: ['x'] }, read.headers.etag)).status).toBe(403);
    const badPnc = await patch(NSP_CSE, url, { pncId: '88/1234567A' }, read.headers.etag);
    expect(badPnc.status).toBe(400);
    expect(badPnc.headers['content-type']).toContain('application/problem+json');
    expect(badPnc.body.errors[0].field).toBe('pncId');
    const empty = await patch(NSP_CSE, url, {}, read.headers.etag);
    expect(empty.status).toBe(400);
    const ok = await patch(NSP_CSE, url, { aliases: ['D', 'Deano'] }, read.headers.etag);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ aliases: ['D', 'Deano'], version: read.body.version + 1, pncId: pnc });
    expect(ok.headers.etag).toBe(`"${read.body.version + 1}"`);
    const audit = await t.db.query(
      "SELECT details FROM audit_event WHERE action = 'police.person.update' AND $1 = ANY(subject_ids)",
      [person],
    );
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).toContain('aliases');
    expect(JSON.stringify(audit[0].details)).not.toContain('Deano');

    // Another force may not correct Northshire's records, disclosed or not: 404 as for unknown ones.
    expect((await patch(SSP_CSE, `/api/v1/police/vehicles/${vehicle}`, { colour: 'red' }, '"1"')).status).toBe(404);

    // A second car corrected to the registration Southshire records: both forces told of the new match.
    const sspOnly = `SX${String((Date.now() % 80) + 10)} ABC`;
    expect((await post(SSP_CSE, '/api/v1/police/vehicles', { vrm: sspOnly })).status).toBe(201);
    const car2 = await post(NSP_CSE, '/api/v1/police/vehicles', {
      vrm: 'LT19 XYZ'.replace('19', String((Date.now() % 80) + 10)),
    });
    expect(car2.status).toBe(201);
    const carUrl = `/api/v1/police/vehicles/${car2.body.id}`;
    const badVrm = await patch(NSP_CSE, carUrl, { vrm: 'NOT A CAR!' }, '"1"');
    expect(badVrm.status).toBe(400);
    expect(badVrm.body.errors[0].field).toBe('vrm');
    expect((await patch(NSP_CSE, carUrl, { vrm })).status).toBe(428);
    const dup = await patch(NSP_CSE, carUrl, { vrm }, '"1"');
    expect(dup.status).toBe(409);
    const moved = await patch(NSP_CSE, carUrl, { vrm: sspOnly.toLowerCase(), colour: 'blue' }, '"1"');
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ vrm: sspOnly.replace(' ', ''), colour: 'blue', version: 2 });
    const found = (await get(NSP_CSE, '/api/v1/police/matches')).body.data.find(
      (m: { nodeId: string }) => m.nodeId === car2.body.id,
    );
    expect(found).toMatchObject({
      kind: 'vehicle',
      matchedOn: 'vrm',
      otherOrganisation: { name: 'Southshire Police' },
    });
    expect(JSON.stringify(found)).not.toContain('blue');

    const loc = (await get(NSP_ANALYST, `/api/v1/police/network?childId=${leah}&depth=2`)).body.nodes.find(
      (n: { kind: string; label: string }) => n.kind === 'location' && n.label.includes('14 Mill Lane'),
    );
    const locUrl = `/api/v1/police/locations/${loc.id}`;
    const badPostcode = await patch(NSP_CSE, locUrl, { postcode: 'nowhere' }, '"1"');
    expect(badPostcode.status).toBe(400);
    expect(badPostcode.body.errors[0].field).toBe('postcode');
    const halfPoint = await patch(NSP_CSE, locUrl, { latitude: 53.1 }, '"1"');
    expect(halfPoint.status).toBe(400);
    expect(halfPoint.body.errors[0].field).toBe('latitude');
    const placed = await patch(NSP_CSE, locUrl, { latitude: 53.1, longitude: -1.5, postcode: 'nt1 4ab' }, '"1"');
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({
      latitude: 53.1,
      longitude: -1.5,
      postcode: 'NT1 4AB',
      hotspot: true,
      version: 2,
    });
  });

  it('a school, a council and another force see no police intelligence', async () => {
    for (const who of [DSL, SW]) {
      for (const url of [
        `/api/v1/police/network?childId=${leah}`,
        `/api/v1/police/persons/${person}`,
        `/api/v1/police/vehicles/${vehicle}`,
        '/api/v1/police/problem-profiles',
        '/api/v1/police/matches',
        `/api/v1/police/children/${leah}/screenings`,
        `/api/v1/police/missing-episodes/${episode.id}`,
      ]) {
        const res = await get(who, url);
        expect([403, 404]).toContain(res.status);
        expect(JSON.stringify(res.body)).not.toMatch(/Marsh|KT\d\d|significant/);
      }
      expect((await post(who, '/api/v1/police/vehicles', { vrm: 'AB12CDE' })).status).toBe(403);
    }
    // Another force: 404 on Northshire's records (as for records that do not exist), empty lists.
    expect((await get(SSP_CSE, `/api/v1/police/persons/${person}`)).status).toBe(404);
    expect((await get(SSP_CSE, `/api/v1/police/missing-episodes/${episode.id}`)).status).toBe(404);
    expect((await get(SSP_CSE, `/api/v1/police/network?childId=${leah}`)).status).toBe(404);
    const kaiScreen = await post(NSP_CSE, '/api/v1/police/screenings', {
      childId: kai,
      screenedOn: '2026-12-02',
      vulnerabilities: ['gang_association'],
      indicators: [],
    });
    expect(kaiScreen.status).toBe(201);
    const sspView = await get(SSP_CSE, `/api/v1/police/children/${kai}/screenings`);
    expect(sspView.status).toBe(200);
    expect(sspView.body.data).toEqual([]);
    for (const degree of [1, 2]) {
      const sspProfiles = await get(SSP_CSE, `/api/v1/police/problem-profiles?minChildren=2&degree=${degree}`);
      expect(sspProfiles.status).toBe(200);
      expect(JSON.stringify(sspProfiles.body)).not.toContain(leah);
    }
    expect(screeningId).toBeDefined();
  });

  it('CAWN: refused for a 16-year-old not looked after (whatever the request says), served for a looked-after child, breaches recorded', async () => {
    // Leah is 16 and on a child protection plan, not looked after: the request's word changes nothing.
    for (const childInCare of [false, true]) {
      const refused = await post(NSP_CSE, '/api/v1/police/cawns', {
        personId: person,
        childId: leah,
        servedOn: '2026-12-01',
        expiresOn: '2028-02-19',
        childInCare,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('CAWN.NOT_ELIGIBLE');
    }
    // A 16-year-old the council looks after (on the shared record): a notice may run to her 18th birthday's eve.
    const registered = await post(NSP_CSE, '/api/v1/children', {
      givenName: 'Nell',
      familyName: `Looked${Date.now()}`,
      dateOfBirth: '2010-05-05',
    });
    expect(registered.status).toBe(201);
    const [council] = await t.db.query("SELECT id FROM organisation WHERE code = 'NSC'");
    await t.db.transaction((tx) =>
      t.app
        .get(SharedRecord, { strict: false })
        .setCouncilStatus(tx, registered.body.id, council.id, 'looked_after', '2025-06-01'),
    );
    const served = await post(NSP_CSE, '/api/v1/police/cawns', {
      personId: person,
      childId: registered.body.id,
      servedOn: '2026-12-01',
      expiresOn: '2028-05-04',
      childInCare: true,
    });
    expect(served.status).toBe(201);
    expect(served.body).toMatchObject({ childInCare: true, breaches: [] });
    const breach = await post(NSP_CSE, `/api/v1/police/cawns/${served.body.id}/breaches`, {
      occurredAt: '2026-12-02T08:00:00Z',
      detail: 'Seen collecting the child from school.',
    });
    expect(breach.status).toBe(201);
    expect(breach.body.breaches).toHaveLength(1);
    expect((await get(SSP_CSE, `/api/v1/police/cawns/${served.body.id}`)).status).toBe(404);
    expect((await get(NSP_ANALYST, `/api/v1/police/cawns/${served.body.id}`)).status).toBe(200);
  });

  it("the demo world: Leah's network (AB12 CDE, the older boyfriend, the hotspot) reaches Kai and Freya; Southshire's same car is a match", async () => {
    const net = await get(NSP_ANALYST, '/api/v1/police/network?vrm=AB12%20CDE&depth=2');
    expect(net.status).toBe(200);
    const labels = net.body.nodes.map((n: { label: string }) => n.label);
    expect(labels).toEqual(expect.arrayContaining(['AB12CDE', 'Ryan Cole', 'Leah Thompson', 'Kai Robinson']));
    expect(net.body.nodes.find((n: { kind: string; hotspot?: boolean }) => n.kind === 'location')?.hotspot).toBe(true);
    const profiles = await get(NSP_ANALYST, '/api/v1/police/problem-profiles');
    expect(profiles.body.data.find((p: { label: string }) => p.label === 'AB12CDE')?.childCount).toBe(3);
    const sspMatches = await get(SSP_CSE, '/api/v1/police/matches');
    expect(sspMatches.body.data.map((m: { reference: string }) => m.reference)).toContain('PM-DE0000AB12');
    const sspNet = await get(SSP_CSE, '/api/v1/police/network?vrm=AB12CDE&depth=3');
    expect(sspNet.body.nodes).toHaveLength(1);
  });

  it('CAWN expiry: on a clock; the supervisors are told when it lapses; shown as expired; no breach after it', async () => {
    const start = t.clock.now();
    const served = await post(NSP_CSE, '/api/v1/police/cawns', {
      personId: person,
      childId: others[0],
      servedOn: '2026-12-01',
      expiresOn: '2026-12-10',
      childInCare: false,
    });
    expect(served.status).toBe(201);
    expect(served.body.expired).toBe(false);
    const id = served.body.id as string;
    try {
      t.clock.set(new Date('2026-12-10T20:00:00Z'));
      await sweep.run();
      expect(await notes(NSP_SUP, id, 'escalation')).toHaveLength(0);
      expect((await get(NSP_ANALYST, `/api/v1/police/cawns/${id}`)).body.expired).toBe(false);
      t.clock.set(new Date('2026-12-11T09:00:00Z'));
      await sweep.run();
      expect((await notes(NSP_SUP, id, 'escalation')).length).toBeGreaterThan(0);
      expect((await get(NSP_ANALYST, `/api/v1/police/cawns/${id}`)).body.expired).toBe(true);
      const late = await post(NSP_CSE, `/api/v1/police/cawns/${id}/breaches`, {
        occurredAt: '2026-12-11T08:00:00Z',
        detail: 'Seen with the child.',
      });
      expect(late.status).toBe(400);
      expect(late.body.errors[0].field).toBe('occurredAt');
      // A new notice for the same person and child meets the lapsed one's clock.
      const renewed = await post(NSP_CSE, '/api/v1/police/cawns', {
        personId: person,
        childId: others[0],
        servedOn: '2026-12-11',
        expiresOn: '2027-03-11',
        childInCare: false,
      });
      expect(renewed.status).toBe(201);
      const clocks = await t.db.query(
        "SELECT subject_id, state FROM deadline WHERE rule = 'cawn.expiry' AND subject_id = ANY($1) ORDER BY opened_at, closed_at NULLS LAST",
        [[id, renewed.body.id]],
      );
      expect(clocks).toEqual([
        { subject_id: id, state: 'met' },
        { subject_id: renewed.body.id, state: 'open' },
      ]);
    } finally {
      t.clock.set(start);
    }
  });

  it('the screening review clock escalates to the supervisors once 3 months pass', async () => {
    t.clock.set(new Date('2027-03-03T10:00:00Z'));
    await sweep.run();
    expect((await notes(NSP_SUP, screeningId, 'escalation')).length).toBeGreaterThan(0);
  });
});
