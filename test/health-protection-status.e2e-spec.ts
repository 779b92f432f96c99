/**
 * The protection-status look-up (issue 15, the CP-IS pattern): a nurse learns one of four answers
 * and the council to call, never more; every look-up is recorded, those that find nothing too;
 * the council is told at once and reads the latest 25 and the history; police involvement, a
 * child in need plan or a restricted record answer exactly as an unknown child.
 */
import { startTestApp, type TestContext } from './support/app';
import { freshNhsNumber } from './support/factories';

const NURSE = 'nurse@northshire-nhs.example';
const NSC_TM = 'team.manager@northshire-council.example';
const NSC_SW = 'social.worker@northshire-council.example';
const SSC_TM = 'team.manager@southshire-council.example';
const NSP = 'cse.officer@northshire-police.example';
const TEACHER = 'teacher@riverside-academy.example';
const LEAH = '4010232137'; // on Northshire's child protection plan, and known to police
const KAI = '4505577104'; // known to police only
const OLIVER = '4857773457'; // child in need plan
const FREYA = '4621001124'; // looked after, restricted to a case team

describe('protection-status look-up', () => {
  let t: TestContext;
  let nsc: string;
  let leahId: string;

  beforeAll(async () => {
    t = await startTestApp();
    nsc = (await t.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`))[0].id;
    leahId = (await t.db.query(`SELECT id FROM child WHERE nhs_number = $1`, [LEAH]))[0].id;
  });
  afterAll(() => t.close());

  const lookUp = async (who: string, nhsNumber: string) =>
    t.http
      .get(`/api/v1/health/protection-status?nhsNumber=${encodeURIComponent(nhsNumber)}`)
      .set('Authorization', await t.as(who))
      .set('X-Purpose-Of-Use', 'direct_safeguarding');
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const lookupsRecorded = async () =>
    Number((await t.db.query('SELECT count(*) AS n FROM protection_status_lookup'))[0].n);

  it('answers a child on a plan with the status and the council to call, and nothing else', async () => {
    const res = await lookUp(NURSE, LEAH);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['council', 'lookupId', 'planStartDate', 'status']);
    expect(res.body).toMatchObject({
      status: 'CHILD_PROTECTION_PLAN',
      // The council's front door, and how to reach it (its phone and mailbox, from the directory).
      council: {
        id: nsc,
        name: "Northshire Council Children's Services",
        contactTeam: 'MASH',
        contactPhone: '0117 496 0101',
        contactEmail: 'mash@northshire-council.example',
      },
      // The day the plan started, as the council's section records it.
      planStartDate: '2026-09-14',
    });
    const text = JSON.stringify(res.body);
    for (const leak of ['Leah', 'Police', 'CSE', 'grey hatchback', leahId]) expect(text).not.toContain(leak);

    // The council is told at once, and sees it first in the latest look-ups.
    const notes = (await get(NSC_TM, '/api/v1/notifications')).body.data as any[];
    expect(notes.filter((n) => n.subjectId === res.body.lookupId).map((n) => n.kind)).toEqual([
      'protection_status.looked_up',
    ]);
    const latest = await get(NSC_SW, `/api/v1/health/protection-status/lookups?childId=${leahId}`);
    expect(latest.status).toBe(200);
    expect(latest.body.data[0]).toMatchObject({
      id: res.body.lookupId,
      childId: leahId,
      status: 'CHILD_PROTECTION_PLAN',
      organisationName: 'Northshire NHS Trust',
      purpose: 'direct_safeguarding',
    });
    // The police, another council, and the practitioner's own side hear nothing of it.
    for (const who of [NSP, SSC_TM]) {
      const theirs = (await get(who, '/api/v1/notifications')).body.data as any[];
      expect(theirs.filter((n) => n.subjectId === res.body.lookupId)).toEqual([]);
    }
    expect((await get(SSC_TM, `/api/v1/health/protection-status/lookups?childId=${leahId}`)).body.data).toEqual([]);
    const events = await t.db.query(
      `SELECT organisation_id FROM outbox_event WHERE type = 'health.protection_status.looked_up' AND payload->>'lookupId' = $1`,
      [res.body.lookupId],
    );
    expect(events.map((e: any) => e.organisation_id)).toEqual([nsc]);
  });

  it('police involvement, a CIN plan, a restricted record and an unknown child all answer the same: none known, recorded', async () => {
    const before = await lookupsRecorded();
    const answers = [];
    for (const nhs of [KAI, OLIVER, FREYA, freshNhsNumber()]) {
      const res = await lookUp(NURSE, nhs);
      expect(res.status).toBe(200);
      const { lookupId, ...rest } = res.body;
      expect(lookupId).toEqual(expect.any(String));
      answers.push(rest);
    }
    for (const a of answers) expect(a).toEqual({ status: 'NONE_KNOWN', council: null, planStartDate: null });
    expect(await lookupsRecorded()).toBe(before + 4);
  });

  it('the council reads the latest 25, then the whole history by cursor', async () => {
    for (let i = 0; i < 26; i++) expect((await lookUp(NURSE, LEAH)).status).toBe(200);
    const first = await get(NSC_TM, `/api/v1/health/protection-status/lookups?childId=${leahId}`);
    expect(first.body.data).toHaveLength(25);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await get(
      NSC_TM,
      `/api/v1/health/protection-status/lookups?childId=${leahId}&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(rest.body.data.length).toBeGreaterThanOrEqual(2);
    const ids = [...first.body.data, ...rest.body.data].map((r: any) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a bad NHS number names the check that failed and records nothing; only health practitioners look up', async () => {
    const before = await lookupsRecorded();
    const bad = await lookUp(NURSE, '4010232138');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'nhsNumber', message: 'NHS number check digit does not match' }]);
    expect((await lookUp(NURSE, '12345')).body.errors[0].message).toBe('NHS number must be exactly 10 digits');
    expect(await lookupsRecorded()).toBe(before);
    for (const who of [TEACHER, NSP, NSC_SW]) expect((await lookUp(who, LEAH)).status).toBe(403);
    expect((await get(NURSE, '/api/v1/health/protection-status/lookups')).status).toBe(403);
  });
});
