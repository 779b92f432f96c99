/**
 * The organisation concerned reads what the inspectorate chose to tell it about a whistleblowing
 * report (issue 16): its data protection officer (whom the notification reaches) lists the notices
 * addressed to the organisation, and nothing else: not the report, its reference, the reporter's
 * words, the replies to the reporter or the officers' internal notes; never another organisation's
 * notices. Every read is audited.
 */
import { startTestApp, type TestContext } from './support/app';
import { DEMO_USERS, EDUCATION_DEMO_USERS } from '../apps/api/src/seed/demo-world';

// The demo world's people only: the suite's other files add users of their own (other passwords).
const DEMO_EMAILS = [...DEMO_USERS, ...EDUCATION_DEMO_USERS].map(([email]) => email);

const OFFICER = 'whistleblowing@inspectorate.example';
const NSC_DPO = 'dpo@northshire-council.example';
const REPORTER_TEXT = 'Reporter-canary-3391: the duty team closes cases unseen.';

describe('whistleblowing notices to the organisation concerned (oversight)', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  const reports: Record<string, { id: string; reference: string }> = {};
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  let minute = 0;
  const reply = async (id: string, audience: string, text: string) => {
    // A minute apart: the newest comes first.
    t.clock.set(new Date(Date.UTC(2026, 10, 30, 10, ++minute)));
    return t.http
      .post(`/api/v1/whistleblowing/reports/${id}/replies`)
      .set('Authorization', await t.as(OFFICER))
      .send({ audience, text });
  };

  beforeAll(async () => {
    t = await startTestApp();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    for (const code of ['NSC', 'SSC']) {
      const made = await t.http
        .post('/api/v1/whistleblowing/reports')
        .send({ concernedOrganisationId: orgs[code], category: 'practice', text: `${REPORTER_TEXT} (${code})` });
      expect(made.status).toBe(201);
      const [{ id }] = await t.db.query('SELECT id FROM whistleblowing_report WHERE reference = $1', [
        made.body.reference,
      ]);
      reports[code] = { id, reference: made.body.reference };
    }
    const nsc = reports.NSC!.id;
    expect((await reply(nsc, 'reporter', 'Reply-to-reporter: thank you, we are looking.')).status).toBe(200);
    expect((await reply(nsc, 'inspectorate', 'Internal-note: check the MASH logs.')).status).toBe(200);
    expect((await reply(nsc, 'organisation', 'Please review how MASH closes cases.')).status).toBe(200);
    expect((await reply(nsc, 'organisation', 'We will visit on 14 December.')).status).toBe(200);
    expect((await reply(reports.SSC!.id, 'organisation', 'Southshire: please review.')).status).toBe(200);
  });
  afterAll(() => t.close());

  it("lists the notices to the DPO's organisation, newest first, and nothing else of the report", async () => {
    const res = await get(NSC_DPO, `/api/v1/whistleblowing/notices?reportId=${reports.NSC!.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((n: any) => n.text)).toEqual([
      'We will visit on 14 December.',
      'Please review how MASH closes cases.',
    ]);
    for (const n of res.body.data) {
      expect(Object.keys(n).sort()).toEqual(['id', 'reportId', 'sentAt', 'text']);
      expect(n.reportId).toBe(reports.NSC!.id);
    }
    const all = await get(NSC_DPO, '/api/v1/whistleblowing/notices');
    const text = JSON.stringify(all.body);
    for (const secret of [
      'Reporter-canary',
      'Reply-to-reporter',
      'Internal-note',
      'Southshire',
      reports.NSC!.reference,
    ])
      expect(text).not.toContain(secret);
    // The notification pointed here: its subject is the report the notices are about.
    const notes = (await get(NSC_DPO, '/api/v1/notifications')).body.data as any[];
    expect(notes.some((n) => n.kind === 'whistleblowing.notice' && n.subjectId === reports.NSC!.id)).toBe(true);
    // Still never the report itself.
    expect((await get(NSC_DPO, `/api/v1/whistleblowing/reports/${reports.NSC!.id}`)).status).toBe(403);
  });

  it('pages the notices without gaps or repeats', async () => {
    const first = await get(NSC_DPO, '/api/v1/whistleblowing/notices?limit=1');
    expect(first.body.data).toHaveLength(1);
    const second = await get(
      NSC_DPO,
      `/api/v1/whistleblowing/notices?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
  });

  it('is read only by data protection officers, of their own organisation; every read audited', async () => {
    const all: { email: string; roles: string[] }[] = await t.db.query(
      `SELECT email, roles FROM app_user WHERE active AND email LIKE '%.example' AND email = ANY($1)`,
      [DEMO_EMAILS],
    );
    expect(all.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const u of all) {
      const want = u.roles.includes('data_protection_officer') ? 200 : 403;
      const res = await get(u.email, '/api/v1/whistleblowing/notices');
      if (res.status !== want) failures.push(`${u.email}: ${res.status} != ${want}`);
    }
    expect(failures).toEqual([]);
    const res = await get(NSC_DPO, '/api/v1/whistleblowing/notices');
    const [event] = await t.db.query(
      `SELECT a.subject_type, a.subject_ids, a.child_ids, u.email FROM audit_event a JOIN app_user u ON u.id = a.actor_id
        WHERE a.action = 'whistleblowing.notices' ORDER BY a.seq DESC LIMIT 1`,
    );
    expect(event).toMatchObject({ subject_type: 'WhistleblowingNotice', email: NSC_DPO, child_ids: [] });
    expect(event.subject_ids).toEqual(res.body.data.map((n: any) => n.id));
  });
});
