/**
 * Health concerns and the health section (issue 15): sexual health is read only by the trust's
 * named safeguarding nurses, and by a grant naming that class; every other health practitioner
 * records it write-only; the school, the police and the council see neither (404, or the field
 * absent); every read is audited. A health practitioner's concern goes the way concerns do: to
 * the trust's safeguarding lead (the named nurse), who decides it.
 */
import { startTestApp, type TestContext } from './support/app';

const NAMED = 'safeguarding.nurse@northshire-nhs.example';
const NURSE = 'nurse@northshire-nhs.example';
const DSL = 'dsl@riverside-academy.example';
const CSE = 'cse.officer@northshire-police.example';
const SW = 'social.worker@northshire-council.example';
const SEXUAL = 'Attended sexual health clinic; follow-up booked.';
const CLINIC = 'Sexual health clinic attendance; follow-up booked.';

describe('health section and health concerns', () => {
  let t: TestContext;
  let leah: string;
  let ruby: string;
  let nnhs: string;
  let nsc: string;

  beforeAll(async () => {
    t = await startTestApp();
    const org = async (code: string) => (await t.db.query(`SELECT id FROM organisation WHERE code = $1`, [code]))[0].id;
    nnhs = await org('NNHS');
    nsc = await org('NSC');
    leah = (await t.db.query(`SELECT id FROM child WHERE nhs_number = '4010232137'`))[0].id;
    ruby = (await t.db.query(`SELECT id FROM child WHERE nhs_number = '4783295212'`))[0].id;
  });
  afterAll(() => t.close());

  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  const audits = async (who: string, action: string, child: string) =>
    t.db.query(
      `SELECT e.outcome FROM audit_event e JOIN app_user u ON u.id = e.actor_id
        WHERE u.email = $1 AND e.action = $2 AND $3 = ANY(e.child_ids) ORDER BY e.seq`,
      [who, action, child],
    );

  it('the named nurse reads the sexual-health notes of the trust section; a practitioner reads the section without them', async () => {
    const named = await get(NAMED, `/api/v1/children/${leah}/sections/${nnhs}`);
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ healthNotes: 'Missed two appointments.', sexualHealthNotes: SEXUAL });
    const nurse = await get(NURSE, `/api/v1/children/${leah}/sections/${nnhs}`);
    expect(nurse.status).toBe(200);
    expect(nurse.body.healthNotes).toBe('Missed two appointments.');
    expect('sexualHealthNotes' in nurse.body).toBe(false);
    expect(JSON.stringify(nurse.body)).not.toContain('sexual health clinic');
    expect(await audits(NAMED, 'section.read', leah)).toContainEqual({ outcome: 'allowed' });
    expect(await audits(NURSE, 'section.read', leah)).toContainEqual({ outcome: 'allowed' });
  });

  it('the school DSL, the police and the council (all working with Leah) get 404 for the trust section, audited', async () => {
    for (const who of [DSL, CSE, SW]) {
      const res = await get(who, `/api/v1/children/${leah}/sections/${nnhs}`);
      expect({ who, status: res.status }).toEqual({ who, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain('clinic');
      expect(await audits(who, 'section.read', leah)).toContainEqual({ outcome: 'not_found' });
    }
  });

  it('the chronology: the clinic detail reaches the named nurse only; others see the multi-agency summary at most', async () => {
    const named = await get(NAMED, `/api/v1/children/${leah}/chronology`);
    expect(named.status).toBe(200);
    expect(JSON.stringify(named.body)).toContain(CLINIC);
    for (const who of [NURSE, DSL, CSE, SW]) {
      const res = await get(who, `/api/v1/children/${leah}/chronology`);
      expect({ who, status: res.status }).toEqual({ who, status: 200 });
      const text = JSON.stringify(res.body);
      expect({ who, leaks: text.includes(CLINIC) }).toEqual({ who, leaks: false });
      // The multi-agency line itself (a summary) is every agency's.
      expect(text).toContain('Health appointment attended.');
    }
    expect(await audits(NURSE, 'chronology.read', leah)).toContainEqual({ outcome: 'allowed' });
  });

  it('a grant that names sexual health opens that class of the trust section to the council, and nothing else', async () => {
    const now = t.clock.now().getTime();
    const [grant] = await t.db.query(
      `INSERT INTO sharing_grant (child_id, grantor_organisation_id, grantee_organisation_id, classes, from_at, until_at, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, (SELECT id FROM app_user WHERE email = $7)) RETURNING id`,
      [leah, nnhs, nsc, ['sexual-health'], new Date(now - 60_000), new Date(now + 86_400_000), NAMED],
    );
    try {
      const res = await get(SW, `/api/v1/children/${leah}/sections/${nnhs}`);
      expect(res.status).toBe(200);
      expect(res.body.sexualHealthNotes).toBe(SEXUAL);
      expect('healthNotes' in res.body).toBe(false);
      expect('gpPractice' in res.body).toBe(false);
      // The school, granted nothing, still learns nothing.
      expect((await get(DSL, `/api/v1/children/${leah}/sections/${nnhs}`)).status).toBe(404);
    } finally {
      // The demo world is shared by the suite's files: the authorization matrix expects no such grant.
      await t.db.query('DELETE FROM sharing_grant WHERE id = $1', [grant.id]);
    }
  });

  it("a practitioner's write of the section keeps the sexual-health notes they cannot read (write-only, never cleared)", async () => {
    const url = `/api/v1/children/${ruby}/sections/${nnhs}`;
    const read = await get(NURSE, url);
    expect(read.status).toBe(200);
    const put = await t.http
      .put(url)
      .set('Authorization', await t.as(NURSE))
      .set('If-Match', read.headers.etag)
      .send({ gpPractice: 'Riverside Surgery', healthNotes: 'Asthma review booked.' });
    expect(put.status).toBe(200);
    expect('sexualHealthNotes' in put.body).toBe(false);
    const named = await get(NAMED, url);
    expect(named.body).toMatchObject({
      healthNotes: 'Asthma review booked.',
      sexualHealthNotes: 'Contraception advice given.',
    });
    // Recorded by the nurse, write-only: the named nurse reads it, the nurse does not read it back.
    const again = await t.http
      .put(url)
      .set('Authorization', await t.as(NURSE))
      .set('If-Match', named.headers.etag)
      .send({
        gpPractice: 'Riverside Surgery',
        healthNotes: 'Asthma review booked.',
        sexualHealthNotes: 'Seen at clinic.',
      });
    expect(again.status).toBe(200);
    expect('sexualHealthNotes' in again.body).toBe(false);
    expect((await get(NAMED, url)).body.sexualHealthNotes).toBe('Seen at clinic.');
  });

  it("a health practitioner's concern goes to the trust's named nurse, who decides it; the school never sees it", async () => {
    const raised = await t.http
      .post('/api/v1/concerns')
      .set('Authorization', await t.as(NURSE))
      .send({
        childId: ruby,
        category: 'sexual',
        whatWasSeen: 'Disclosed an older partner at the drop-in.',
        occurredAt: t.clock.now().toISOString(),
        immediateDanger: false,
      });
    expect(raised.status).toBe(201);
    const notes = (await get(NAMED, '/api/v1/notifications')).body.data as any[];
    expect(notes.filter((n) => n.subjectId === raised.body.id).map((n) => n.kind)).toEqual(['concern.logged']);
    const inbox = await get(NAMED, '/api/v1/concerns/inbox?limit=200');
    expect(inbox.body.data.map((c: any) => c.id)).toContain(raised.body.id);
    expect((await get(DSL, `/api/v1/concerns/${raised.body.id}`)).status).toBe(404);
    const decided = await t.http
      .post(`/api/v1/concerns/${raised.body.id}/decision`)
      .set('Authorization', await t.as(NAMED))
      .send({ decision: 'MONITOR' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('MONITOR');
    expect(await audits(NAMED, 'concern.decide', ruby)).toEqual([{ outcome: 'allowed' }]);
  });
});
