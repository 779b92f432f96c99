/**
 * Local timescales (the casework kernel): every timescale declared once, with its default; an
 * organisation's administrators read and set their own values, validated against the
 * declarations, guarded by If-Match, audited; the values apply to the organisation's clocks.
 */
import { startTestApp, type TestContext } from './support/app';

const NSC_ADMIN = 'admin@northshire-council.example';
const SSC_ADMIN = 'admin@southshire-council.example';
const NSC_TM = 'team.manager@northshire-council.example';
const DSL = 'dsl@riverside-academy.example';

const DECLARED = [
  // Each module declares its own (the agency modules: issues 13, 14, 16).
  'assessment.completion',
  'concern.decision',
  'concern.immediate_danger',
  'escalation.level2',
  'icpc.target',
  'information_request.standard',
  'information_request.urgent',
  'mash.checks.amber',
  'mash.checks.green',
  'mash.checks.red',
  'missing.return_interview',
  'referral.decision',
  'strategy.discussion',
  'whistleblowing.acknowledge',
];

describe('local timescales', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let teams: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date('2026-11-30T10:00:00Z'));
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
  });
  afterAll(() => t.close());

  const url = (org: string) => `/api/v1/organisations/${org}/timescales`;
  const read = async (who: string, org = orgs.NSC!) => t.http.get(url(org)).set('Authorization', await t.as(who));
  const put = async (who: string, body: unknown, ifMatch?: string, org = orgs.NSC!) => {
    const req = t.http.put(url(org)).set('Authorization', await t.as(who));
    if (ifMatch !== undefined) req.set('If-Match', ifMatch);
    return req.send(body as object);
  };
  const audits = async () =>
    t.db.query(
      `SELECT action, subject_type, subject_ids, purpose, details FROM audit_event
        WHERE action = 'timescales.update' AND $1 = ANY(subject_ids) ORDER BY seq`,
      [orgs.NSC],
    );

  it('lists every declared timescale with its default, unit, bounds and meaning', async () => {
    const res = await read(NSC_ADMIN);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(res.body.organisationId).toBe(orgs.NSC);
    expect(res.body.timescales.map((x: any) => x.key)).toEqual(DECLARED);
    expect(res.body.timescales.find((x: any) => x.key === 'referral.decision')).toEqual({
      key: 'referral.decision',
      value: 1,
      local: false,
      default: 1,
      unit: 'working_days',
      min: 1,
      max: 10,
      description: expect.stringContaining('working days'),
    });
    expect(res.body.timescales.find((x: any) => x.key === 'mash.checks.red')).toMatchObject({
      value: 4,
      unit: 'working_hours',
    });
  });

  it("is for that organisation's administrators only: another's is not found, other roles are refused", async () => {
    expect((await read(SSC_ADMIN, orgs.NSC)).status).toBe(404);
    expect((await put(SSC_ADMIN, { timescales: {} }, '"x"', orgs.NSC)).status).toBe(404);
    expect((await read(NSC_TM)).status).toBe(403);
    expect((await put(NSC_TM, { timescales: {} }, '"x"')).status).toBe(403);
    expect((await t.http.get(url(orgs.NSC!))).status).toBe(401);
  });

  it('refuses an unknown key, a value out of bounds or not whole, naming the field, and writes nothing', async () => {
    const before = await read(NSC_ADMIN);
    const etag = before.headers.etag as string;
    const cases: [unknown, string[]][] = [
      [{ timescales: { 'referral.nope': 2 } }, ['timescales.referral.nope']],
      [{ timescales: { 'referral.decision': 0 } }, ['timescales.referral.decision']],
      [{ timescales: { 'referral.decision': 11 } }, ['timescales.referral.decision']],
      [{ timescales: { 'mash.checks.red': 2.5 } }, ['timescales.mash.checks.red']],
      [{ timescales: { 'mash.checks.red': '4' } }, ['timescales.mash.checks.red']],
      [
        { timescales: { 'concern.decision': 9, __proto__x: 1 } },
        ['timescales.concern.decision', 'timescales.__proto__x'],
      ],
      [{ timescales: [1, 2] }, ['timescales']],
      [{}, ['timescales']],
    ];
    for (const [body, fields] of cases) {
      const res = await put(NSC_ADMIN, body, etag);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
    }
    const after = await read(NSC_ADMIN);
    expect(after.headers.etag).toBe(etag);
    expect(after.body).toEqual(before.body);
    expect(await audits()).toEqual([]);
  });

  it('needs If-Match, and refuses a stale one (412): of two changes made from one read, exactly one wins', async () => {
    expect((await put(NSC_ADMIN, { timescales: {} })).status).toBe(428);
    expect((await put(NSC_ADMIN, { timescales: {} }, '"stale"')).status).toBe(412);
    const etag = (await read(NSC_ADMIN)).headers.etag as string;
    const results = await Promise.all([
      put(NSC_ADMIN, { timescales: { 'mash.checks.red': 3 } }, etag),
      put(NSC_ADMIN, { timescales: { 'mash.checks.red': 5 } }, etag),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await read(NSC_ADMIN);
    expect(now.headers.etag).toBe(winner.headers.etag);
    expect(now.body.timescales.find((x: any) => x.key === 'mash.checks.red').value).toBe(
      winner.body.timescales.find((x: any) => x.key === 'mash.checks.red').value,
    );
    // Back to the defaults.
    expect((await put(NSC_ADMIN, { timescales: {} }, now.headers.etag as string)).status).toBe(200);
  });

  it('sets the local values, audits the change with before and after, and the clocks follow them', async () => {
    const etag = (await read(NSC_ADMIN)).headers.etag as string;
    const set = await put(NSC_ADMIN, { timescales: { 'referral.decision': 3 } }, etag);
    expect(set.status).toBe(200);
    expect(set.headers.etag).not.toBe(etag);
    expect(set.body.timescales.find((x: any) => x.key === 'referral.decision')).toMatchObject({
      value: 3,
      local: true,
      default: 1,
    });
    expect(set.body.timescales.filter((x: any) => x.local).map((x: any) => x.key)).toEqual(['referral.decision']);
    const audit = (await audits()).at(-1);
    expect(audit).toMatchObject({
      action: 'timescales.update',
      subject_type: 'Timescales',
      purpose: 'organisation_administration',
      details: { before: {}, after: { 'referral.decision': 3 } },
    });

    // A referral to Northshire on Monday 10:00 is now due by the end of Thursday (3 working days).
    const referral = await t.http
      .post('/api/v1/referrals')
      .set('Authorization', await t.as(DSL))
      .send({
        toTeamId: teams['NSC/MASH'],
        reason: 'Timescale check.',
        rag: 'GREEN',
        consentObtained: true,
        subject: { givenName: 'Local', familyName: 'Timescale', dateOfBirth: '2012-12-12' },
      });
    expect(referral.status).toBe(201);
    expect(referral.body.dueAt).toBe('2026-12-03T23:59:59.999Z');

    const restore = await put(NSC_ADMIN, { timescales: {} }, set.headers.etag as string);
    expect(restore.status).toBe(200);
    expect(restore.body.timescales.every((x: any) => !x.local && x.value === x.default)).toBe(true);
    expect((await audits()).at(-1)).toMatchObject({
      details: { before: { 'referral.decision': 3 }, after: {} },
    });
  });
});
