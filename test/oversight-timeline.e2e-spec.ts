/**
 * Who knew what, and when (issue 16): a demo child with a late decision that escalated, a
 * disclosure and a refusal; the timeline lists each in order with who and why, names who opened
 * the record, and its export (CSV, PDF) carries its hash into the audit chain and names the chain
 * head it was built from, which `audit:verify` checks.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AuditSealer, AuditVerifier, parseAnchor } from '@app/audit';
import { EscalationService } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

const SW = 'social.worker@northshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
const NSC_DPO = 'dpo@northshire-council.example';
const INSPECTOR = 'inspector@inspectorate.example';
const TEACHER = 'teacher@riverside-academy.example';
const OLIVER_NHS = '4857773457';
// Concerns and requests take their created_at from the database's now(), so the test's clock starts
// at the real time; the late decision comes 8 days on, past any weekend and holiday.
const BASE = new Date();
const later = (hours: number) => new Date(BASE.getTime() + 8 * 86_400_000 + hours * 3_600_000);

describe('who knew what, and when (oversight timeline)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let oliver: string;
  let client: string;
  let concernId: string;
  const requests: string[] = [];

  const auth = async (who: string) => (who === 'client' ? client : t.as(who));
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await auth(who));
  const post = async (who: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await auth(who))
      .set('Idempotency-Key', randomUUID())
      .send(body);

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(BASE);
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    [{ id: oliver }] = await t.db.query('SELECT id FROM child WHERE nhs_number = $1', [OLIVER_NHS]);
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${token.body.accessToken as string}`;

    // A concern the council decides late: its clock escalates first.
    const concern = await post(SW, '/api/v1/concerns', {
      childId: oliver,
      category: 'neglect',
      whatWasSeen: 'Oliver came to the contact session hungry and unwashed.',
      occurredAt: BASE.toISOString(),
      immediateDanger: false,
    });
    expect(concern.status).toBe(201);
    concernId = concern.body.id;
    // Another force asks the council twice: one disclosed, one declined, each with its reason.
    const ask = (purpose: string) =>
      post('client', '/api/v1/information-requests', {
        toOrganisationId: orgs.NSC,
        identifiers: { nhsNumber: OLIVER_NHS },
        purpose,
        classesRequested: ['social-care'],
        urgency: 'standard',
      });
    const first = await ask('Missing episode across the force boundary.');
    const second = await ask('General enquiries.');
    expect([first.status, second.status]).toEqual([201, 201]);
    requests.push(first.body.id, second.body.id);
    t.clock.set(later(0));
    await t.app.get(EscalationService, { strict: false }).run();
    t.clock.set(later(1));
    const decided = await post(NSC_TM, `/api/v1/concerns/${concernId}/decision`, {
      decision: 'NO_FURTHER_ACTION',
      reason: 'Seen at home the same day: food in the house, the parent was ill.',
    });
    expect(decided.status).toBe(200);

    t.clock.set(later(2));
    const disclosed = await post(NSC_TM, `/api/v1/information-requests/${first.body.id}/decision`, {
      decision: 'DISCLOSE',
      reason: 'Needed to find him.',
      classes: ['social-care'],
      until: later(24 * 7).toISOString(),
      lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
      justification: 'Missing child: risk of significant harm.',
    });
    expect(disclosed.status).toBe(200);
    t.clock.set(later(3));
    const declined = await post(NSC_TM, `/api/v1/information-requests/${second.body.id}/decision`, {
      decision: 'DECLINE',
      reason: 'No purpose given that needs social-care detail.',
    });
    expect(declined.status).toBe(200);
    t.clock.set(later(4));
  });
  afterAll(() => t.close());

  it('lists the late decision, its escalation, the disclosure and the refusal in order, with who and why', async () => {
    const res = await get(INSPECTOR, `/api/v1/oversight/children/${oliver}/timeline`);
    expect(res.status).toBe(200);
    const events = (res.body.events as any[]).filter((e) =>
      ['concern.raised', 'deadline.missed', 'escalation.level1', 'concern.decided'].includes(e.kind)
        ? e.subjectId === concernId
        : e.kind.startsWith('request.') && requests.includes(e.subjectId),
    );
    expect(events.map((e) => e.kind)).toEqual([
      'concern.raised',
      'request.made',
      'request.made',
      'deadline.missed',
      'escalation.level1',
      'concern.decided',
      'request.disclosed',
      'request.declined',
    ]);
    const [raised, , , missed, escalated, decided, disclosed, declined] = events;
    expect(raised.actor.name).toBe('Sam Walker');
    expect(missed).toMatchObject({ what: 'concern.decision', why: `met at ${later(1).toISOString().slice(0, 19)}Z` });
    expect(missed.organisation.id).toBe(orgs.NSC);
    expect(escalated.told.roles).toEqual(['team_manager']);
    expect(decided).toMatchObject({
      what: 'NO_FURTHER_ACTION',
      why: 'Seen at home the same day: food in the house, the parent was ill.',
      actor: { name: 'Tariq Manning' },
    });
    expect(disclosed).toMatchObject({
      what: 'social-care',
      why: 'Needed to find him.',
      actor: { name: 'Tariq Manning' },
    });
    expect(declined).toMatchObject({ why: 'No purpose given that needs social-care detail.' });
    // Who opened the record: the council's roles, with names for the inspector.
    const sw = (res.body.accesses as any[]).find((a) => a.organisation.id === orgs.NSC && a.role === 'social_worker');
    expect(sw.count).toBeGreaterThan(0);
    expect(sw.people.map((p: any) => p.name)).toContain('Sam Walker');
    // The read itself is on the record.
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'oversight.timeline' AND $1 = ANY(child_ids)`,
      [oliver],
    );
    expect(audit[0].n).toBeGreaterThan(0);
  });

  it("is for inspectors, the organisation's data protection officer and review leads; others 403, unseen children 404", async () => {
    expect((await get(NSC_TM, `/api/v1/oversight/children/${oliver}/timeline`)).status).toBe(403);
    expect((await get(TEACHER, `/api/v1/oversight/children/${oliver}/timeline`)).status).toBe(403);
    expect((await get(INSPECTOR, `/api/v1/oversight/children/${randomUUID()}/timeline`)).status).toBe(404);
    const [restricted] = await t.db.query('SELECT id FROM child WHERE restricted LIMIT 1');
    expect((await get(INSPECTOR, `/api/v1/oversight/children/${restricted.id}/timeline`)).status).toBe(404);
    const dpo = await get(NSC_DPO, `/api/v1/oversight/children/${oliver}/timeline`);
    expect(dpo.status).toBe(200);
    // The DPO sees the steps its own organisation took part in.
    for (const e of dpo.body.events as { kind: string }[])
      expect(e.kind).toMatch(
        /^(concern|request|deadline|escalation|referral|childrens_services|school_file|disclosure)\./,
      );
    expect((dpo.body.events as any[]).some((e) => e.subjectId === concernId)).toBe(true);
  });

  it("lists children's services' steps with who and the outcome; a DPO elsewhere does not see them", async () => {
    const child = (
      await post(SW, '/api/v1/children', {
        givenName: `Timeline${Date.now().toString(36)}`,
        familyName: 'Steps',
        dateOfBirth: '2012-03-03',
      })
    ).body;
    // A case of its own in a year no return test reads, opened and closed the same day.
    const opened = await post(SW, '/api/v1/cs/cases', {
      childId: child.id,
      referralDate: '2017-06-05',
      referralSource: '1A',
    });
    expect(opened.status).toBe(201);
    t.clock.advance(60_000);
    const closed = await t.http
      .post(`/api/v1/cs/cases/${opened.body.id}/closure`)
      .set('Authorization', await t.as(SW))
      .set('Idempotency-Key', randomUUID())
      .set('If-Match', `"${opened.body.version}"`)
      .send({ closureDate: '2017-06-05', reason: 'RC7' });
    expect(closed.status).toBe(200);
    const res = await get(INSPECTOR, `/api/v1/oversight/children/${child.id}/timeline`);
    expect(res.status).toBe(200);
    const steps = (res.body.events as any[]).filter((e) => e.kind.startsWith('childrens_services.'));
    expect(steps.map((e) => [e.kind, e.subjectId, e.what, e.actor?.name])).toEqual([
      ['childrens_services.case.opened', opened.body.id, null, 'Sam Walker'],
      ['childrens_services.case.closed', opened.body.id, 'RC7', 'Sam Walker'],
    ]);
    // The council's DPO sees its own steps; another organisation's DPO does not read this child at all.
    const dpo = await get(NSC_DPO, `/api/v1/oversight/children/${child.id}/timeline`);
    expect((dpo.body.events as any[]).filter((e) => e.kind.startsWith('childrens_services.')).length).toBe(2);
  });

  it('exports CSV and PDF whose hash is recorded and chained, naming a chain head audit:verify accepts', async () => {
    const csv = await t.http
      .post(`/api/v1/oversight/children/${oliver}/timeline/exports?format=csv`)
      .set('Authorization', await t.as(INSPECTOR))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const body = csv.body as Buffer;
    const sha = createHash('sha256').update(body).digest('hex');
    expect(csv.headers['x-content-sha256']).toBe(sha);
    const head = csv.headers['x-audit-head'] as string;
    expect(body.toString()).toContain(`Audit chain head: ${head}`);
    expect(body.toString()).toContain('Seen at home the same day');
    const [row] = await t.db.query('SELECT * FROM oversight_export WHERE id = $1', [csv.headers['x-export-id']]);
    expect(row).toMatchObject({ sha256: sha, format: 'csv', child_id: oliver });
    expect(`${row.audit_head_seal_seq}:${row.audit_head_hash}`).toBe(head);

    // As `npm run audit:verify -- --anchor <head>` does: seal, then walk the chain against the anchor.
    const sealer = t.app.get(AuditSealer, { strict: false });
    while ((await sealer.sealPending()) > 0) {
      // until sealed
    }
    const verifier = t.app.get(AuditVerifier, { strict: false });
    expect(await verifier.verify([parseAnchor(head)])).toMatchObject({ ok: true });
    // The export event carries the hash, sealed into the chain after the head it names.
    const [chained] = await t.db.query(
      `SELECT s.seal_seq::text AS seal_seq FROM audit_event e JOIN audit_seal s ON s.event_seq = e.seq
        WHERE e.action = 'oversight.export' AND e.details->>'sha256' = $1`,
      [sha],
    );
    expect(BigInt(chained.seal_seq)).toBeGreaterThan(BigInt(head.split(':')[0]!));
    // A tampered document no longer matches what the chain recorded.
    const tampered = Buffer.from(body.toString().replace('Seen at home', 'Not seen'));
    expect(createHash('sha256').update(tampered).digest('hex')).not.toBe(sha);

    const pdf = await t.http
      .post(`/api/v1/oversight/children/${oliver}/timeline/exports?format=pdf`)
      .set('Authorization', await t.as(INSPECTOR))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.headers['x-content-sha256']).toBe(
      createHash('sha256')
        .update(pdf.body as Buffer)
        .digest('hex'),
    );
    const bad = await t.http
      .post(`/api/v1/oversight/children/${oliver}/timeline/exports?format=docx`)
      .set('Authorization', await t.as(INSPECTOR));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('format');
  });
});
