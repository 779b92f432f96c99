/**
 * Inspectors' read-only lists across organisations (issue 16, item 4): referrals (inboxes and
 * sent), concerns, information requests and sharing decisions. The purpose must be declared as
 * inspection; every page read is audited with it and the children it names; a restricted child's
 * work is not listed; text a police force wrote (police intelligence, which inspection does not
 * read) is withheld and named; pages walk without gaps or repeats; nobody else reads them and the
 * inspector writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { POLICY } from '@app/access';
import { startTestApp, type TestContext } from './support/app';
import { DEMO_USERS, EDUCATION_DEMO_USERS } from '../apps/api/src/seed/demo-world';

// The demo world's people only: the suite's other files add users of their own (other passwords).
const DEMO_EMAILS = [...DEMO_USERS, ...EDUCATION_DEMO_USERS].map(([email]) => email);

const INSPECTOR = 'inspector@inspectorate.example';
const SW = 'social.worker@northshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const OLIVER_NHS = '4857773457';
const FREYA_NHS = '4621001124';
const POLICE_TEXT = 'POLICE-INTEL Ryan Cole, AB12 CDE, Mill Lane';
const LISTS = ['referrals', 'concerns', 'information-requests', 'decisions'] as const;

describe('inspection lists (oversight)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let oliver: string;
  let client: string;
  const made: Record<string, string> = {};

  const auth = async (who: string) => (who === 'client' ? client : t.as(who));
  const inspect = async (path: string, purpose: string | null = 'inspection') => {
    const req = t.http.get(`/api/v1/oversight/inspection/${path}`).set('Authorization', await t.as(INSPECTOR));
    return purpose === null ? req : req.set('X-Purpose-Of-Use', purpose);
  };
  const post = async (who: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await auth(who))
      .set('Idempotency-Key', randomUUID())
      .send(body);
  /** Every item of a list, page by page. */
  const walk = async (path: string, limit: number) => {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await inspect(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date());
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    const teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
    [{ id: oliver }] = await t.db.query('SELECT id FROM child WHERE nhs_number = $1', [OLIVER_NHS]);
    const [{ id: freya }] = await t.db.query('SELECT id FROM child WHERE nhs_number = $1', [FREYA_NHS]);
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${token.body.accessToken as string}`;

    const concern = (who: string, body: object) =>
      post(who, '/api/v1/concerns', {
        category: 'cse',
        occurredAt: new Date().toISOString(),
        immediateDanger: false,
        ...body,
      });
    const council = await concern(SW, { childId: oliver, whatWasSeen: 'Council: Oliver hungry at contact.' });
    const restricted = await concern(SW, { childId: freya, whatWasSeen: 'Council: about the restricted child.' });
    const police = await concern(CSE, {
      subject: { givenName: 'Unnamed', familyName: 'Girl', approximateAge: 14 },
      whatWasSeen: POLICE_TEXT,
      childsWords: `${POLICE_TEXT} (her words)`,
    });
    expect([council.status, restricted.status, police.status]).toEqual([201, 201, 201]);
    made.councilConcern = council.body.id;
    made.restrictedConcern = restricted.body.id;
    made.policeConcern = police.body.id;

    const referral = await post(CSE, '/api/v1/referrals', {
      toTeamId: teams['NSC/MASH'],
      subject: { givenName: 'Unnamed', familyName: 'Girl', approximateAge: 14 },
      reason: POLICE_TEXT,
      rag: 'AMBER',
      consentObtained: false,
      noConsentReason: 'Seeking consent could put the child at risk.',
      lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
    });
    expect(referral.status).toBe(201);
    made.policeReferral = referral.body.id;

    const request = await post('client', '/api/v1/information-requests', {
      toOrganisationId: orgs.NSC,
      identifiers: { nhsNumber: OLIVER_NHS },
      purpose: POLICE_TEXT,
      classesRequested: ['social-care'],
      urgency: 'standard',
    });
    expect(request.status).toBe(201);
    made.policeRequest = request.body.id;
    const declined = await post(NSC_TM, `/api/v1/information-requests/${request.body.id}/decision`, {
      decision: 'DECLINE',
      reason: 'Council: no purpose given that needs social-care detail.',
    });
    expect(declined.status).toBe(200);
  });
  afterAll(() => t.close());

  it('answers only a declared inspection purpose: missing or another purpose is a 400 naming the header', async () => {
    for (const list of LISTS) {
      const missing = await inspect(list, null);
      expect(missing.status).toBe(400);
      expect(missing.headers['content-type']).toMatch(/problem\+json/);
      expect(JSON.stringify(missing.body)).toContain('X-Purpose-Of-Use');
      const other = await inspect(list, 'direct_safeguarding');
      expect(other.status).toBe(400);
      expect(JSON.stringify(other.body)).toContain('X-Purpose-Of-Use');
      expect((await inspect(list)).status).toBe(200);
    }
    const bad = await inspect('referrals?box=elsewhere');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('box');
  });

  it('is for inspectors only: every other demo user gets 403 on every list', async () => {
    const users: { email: string }[] = await t.db.query(
      `SELECT email FROM app_user WHERE active AND email LIKE '%.example' AND NOT ('inspector' = ANY(roles)) AND email = ANY($1)`,
      [DEMO_EMAILS],
    );
    expect(users.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const u of users) {
      const a = await t.as(u.email);
      for (const list of LISTS) {
        const res = await t.http
          .get(`/api/v1/oversight/inspection/${list}`)
          .set('Authorization', a)
          .set('X-Purpose-Of-Use', 'inspection');
        if (res.status !== 403) failures.push(`${u.email} ${list}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('never writes: the inspector holds no rule but reading, and a write is refused', async () => {
    const actions = POLICY.inspector.flatMap((r) => (Array.isArray(r.action) ? r.action : [r.action]));
    expect(new Set(actions)).toEqual(new Set(['read']));
    const write = await t.http
      .post('/api/v1/concerns')
      .set('Authorization', await t.as(INSPECTOR))
      .set('Idempotency-Key', randomUUID())
      .send({ category: 'cse', whatWasSeen: 'x', occurredAt: new Date().toISOString(), immediateDanger: false });
    expect(write.status).toBe(403);
  });

  it("lists concerns across organisations, not the restricted child's, police text withheld and named", async () => {
    const all = await walk('concerns', 200);
    const byId = new Map(all.map((c) => [c.id, c]));
    expect(byId.get(made.councilConcern)).toMatchObject({
      organisation: { id: orgs.NSC, type: 'local_authority' },
      childId: oliver,
      whatWasSeen: 'Council: Oliver hungry at contact.',
      withheld: [],
    });
    expect(byId.get(made.policeConcern)).toMatchObject({
      organisation: { id: orgs.NSP, type: 'police_force' },
      category: 'cse',
      whatWasSeen: null,
      childsWords: null,
      withheld: ['whatWasSeen', 'childsWords', 'decisionReason'],
    });
    expect(byId.has(made.restrictedConcern)).toBe(false);
    expect(JSON.stringify(all)).not.toContain('POLICE-INTEL');
    // Every concern but those about a restricted child: a direct count.
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM concern c LEFT JOIN child ch ON ch.id = c.child_id WHERE ch.restricted IS NOT TRUE`,
    );
    expect(all.length).toBe(n);
    // One organisation's concerns only.
    const nsp = await walk(`concerns?organisationId=${orgs.NSP}`, 200);
    expect(nsp.length).toBeGreaterThan(0);
    expect(nsp.every((c) => c.organisation.id === orgs.NSP)).toBe(true);
  });

  it("lists an organisation's referral inbox and sent box; pages walk without gaps or repeats", async () => {
    const inbox = await walk(`referrals?organisationId=${orgs.NSC}&box=received`, 200);
    expect(inbox.every((r) => r.to.id === orgs.NSC)).toBe(true);
    const mine = inbox.find((r) => r.id === made.policeReferral);
    expect(mine).toMatchObject({ from: { id: orgs.NSP, type: 'police_force' }, reason: null, withheld: ['reason'] });
    const sent = await walk(`referrals?organisationId=${orgs.NSP}&box=sent`, 200);
    expect(sent.map((r) => r.id)).toContain(made.policeReferral);
    expect(sent.every((r) => r.from.id === orgs.NSP)).toBe(true);
    const councilSent = await walk(`referrals?organisationId=${orgs.NSC}&box=sent`, 200);
    expect(councilSent.map((r) => r.id)).not.toContain(made.policeReferral);
    // Paged one at a time: the same items in the same order.
    const paged = await walk(`referrals?organisationId=${orgs.NSC}&box=received`, 1);
    expect(paged.map((r) => r.id)).toEqual(inbox.map((r) => r.id));
    expect(new Set(paged.map((r) => r.id)).size).toBe(paged.length);
    const all = await walk('referrals', 200);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM referral r LEFT JOIN child ch ON ch.id = r.child_id WHERE ch.restricted IS NOT TRUE`,
    );
    expect(all.length).toBe(n);
    expect(JSON.stringify(all)).not.toContain('POLICE-INTEL');
  });

  it('lists requests and the decisions on them: the police purpose withheld, the council reason shown', async () => {
    const requests = await walk(`information-requests?organisationId=${orgs.NSC}&box=received`, 200);
    expect(requests.find((r) => r.id === made.policeRequest)).toMatchObject({
      from: { id: orgs.SSP, type: 'police_force' },
      to: { id: orgs.NSC },
      classesRequested: ['social-care'],
      purpose: null,
      status: 'DECLINED',
      decisionReason: 'Council: no purpose given that needs social-care detail.',
      withheld: ['purpose'],
    });
    const decisions = await walk('decisions?status=DECLINED', 200);
    expect(decisions.map((d) => d.id)).toContain(made.policeRequest);
    expect(decisions.every((d) => d.status === 'DECLINED' && d.decidedAt !== null)).toBe(true);
    const at = decisions.map((d) => d.decidedAt as string);
    expect(at).toEqual([...at].sort().reverse());
    expect(JSON.stringify([...requests, ...decisions])).not.toContain('POLICE-INTEL');
  });

  it("the inspector's single reads withhold what a police force wrote, as the lists do; the parties read it", async () => {
    const read = async (who: string, path: string) => {
      const res = await t.http.get(`/api/v1/${path}`).set('Authorization', await auth(who));
      expect(res.status).toBe(200);
      return res.body;
    };
    const concern = await read(INSPECTOR, `concerns/${made.policeConcern}`);
    expect(concern).toMatchObject({
      whatWasSeen: null,
      childsWords: null,
      withheld: ['whatWasSeen', 'childsWords', 'decisionReason'],
    });
    const referral = await read(INSPECTOR, `referrals/${made.policeReferral}`);
    expect(referral).toMatchObject({ reason: null, withheld: ['reason', 'transitions.reason'] });
    const request = await read(INSPECTOR, `information-requests/${made.policeRequest}`);
    expect(request).toMatchObject({ purpose: null, withheld: ['purpose'] });
    expect(JSON.stringify([concern, referral, request])).not.toContain('POLICE-INTEL');
    // The council's own decision reason on the police request is the council's text: shown.
    expect(request.decisionReason).toBe('Council: no purpose given that needs social-care detail.');
    // The parties read the text in full, with nothing withheld.
    expect(await read(CSE, `concerns/${made.policeConcern}`)).toMatchObject({ whatWasSeen: POLICE_TEXT, withheld: [] });
    expect(await read(NSC_TM, `referrals/${made.policeReferral}`)).toMatchObject({ reason: POLICE_TEXT, withheld: [] });
    expect(await read(NSC_TM, `information-requests/${made.policeRequest}`)).toMatchObject({ purpose: POLICE_TEXT });
  });

  it('audits every page read with the declared purpose and every child it names', async () => {
    const before: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'inspection.concerns'`,
    );
    const res = await inspect(`concerns?organisationId=${orgs.NSC}`);
    expect(res.status).toBe(200);
    const [event] = await t.db.query(
      `SELECT a.purpose, a.child_ids, a.subject_ids, a.subject_type, a.actor_roles FROM audit_event a
        WHERE a.action = 'inspection.concerns' ORDER BY a.seq DESC LIMIT 1`,
    );
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'inspection.concerns'`);
    expect(n).toBe(before[0]!.n + 1);
    expect(event.purpose).toBe('inspection');
    expect(event.subject_type).toBe('Concern');
    expect(event.actor_roles).toEqual(['inspector']);
    expect(event.child_ids).toContain(oliver);
    expect([...event.subject_ids].sort()).toEqual(res.body.data.map((c: any) => c.id).sort());
  });
});
