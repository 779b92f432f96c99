/**
 * Schools (issue 15): a teacher names a pupil on the roll (never reading the record), the DSL keeps
 * the safeguarding file, and a moving pupil's file goes to the new school under a 5-school-day clock
 * that skips the school's half term, escalates when receipt is not confirmed, and stops when it is;
 * a move to nowhere known goes to the council's children missing education officer.
 */
import { randomUUID } from 'node:crypto';
import { CASE_MANAGERS, type DomainEvent, Events, EscalationService } from '@app/casework';
import { hashSecret } from '@app/identity';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './support/app';
import { freshUpn } from './support/factories';

const DSL = 'dsl@riverside-academy.example';
const TEACHER = 'teacher@riverside-academy.example';
const NEW_DSL = 'dsl@hillside-high.example';
const NEW_TEACHER = 'teacher@hillside-high.example';
const CME = 'cme.officer@northshire-council.example';
const NSC_MASH = 'mash.officer@northshire-council.example';

describe('education journeys', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let escalation: EscalationService;

  beforeAll(async () => {
    t = await startTestApp();
    escalation = t.app.get(EscalationService, { strict: false });
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
  });
  afterAll(() => t.close());

  const post = async (who: string, url: string, body: object, headers: Record<string, string> = {}) =>
    t.http
      .post(url)
      .set('Authorization', await t.as(who))
      .set('Idempotency-Key', randomUUID())
      .set(headers)
      .send(body);
  const putRaw = async (who: string, url: string, body: object, headers: Record<string, string> = {}) =>
    t.http
      .put(url)
      .set('Authorization', await t.as(who))
      .set(headers)
      .send(body);
  const get = async (who: string, url: string) => t.http.get(url).set('Authorization', await t.as(who));
  /** Replaces a list as its writer does: read its ETag, send it back in If-Match. */
  const put = async (who: string, url: string, body: object) => {
    const read = await get(who, url);
    return putRaw(who, url, body, read.headers.etag ? { 'If-Match': read.headers.etag } : {});
  };
  const notes = async (who: string, subjectId: string) =>
    ((await get(who, '/api/v1/notifications')).body.data as { kind: string; subjectId: string }[])
      .filter((n) => n.subjectId === subjectId)
      .map((n) => n.kind);
  const count = async (table: string) => Number((await t.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  async function addPupil(familyName: string) {
    const res = await post(DSL, '/api/v1/education/pupils', {
      upn: freshUpn(),
      givenName: 'Jade',
      familyName,
      dateOfBirth: '2014-02-11',
      yearGroup: '7',
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; childId: string; upn: string; version: number };
  }

  it('a bad UPN names the check that failed and writes nothing', async () => {
    const before = await count('pupil');
    const upn = freshUpn();
    const wrongLetter = (upn[0] === 'A' ? 'B' : 'A') + upn.slice(1);
    const res = await post(DSL, '/api/v1/education/pupils', {
      upn: wrongLetter,
      givenName: 'Bad',
      familyName: 'Upn',
      dateOfBirth: '2014-02-11',
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'upn', message: 'UPN check letter does not match' }]);
    const short = await post(DSL, '/api/v1/education/pupils', { upn: 'A12', givenName: 'B', familyName: 'U' });
    expect(short.body.errors).toEqual([{ field: 'upn', message: 'UPN must be exactly 13 characters' }]);
    expect(await count('pupil')).toBe(before);
  });

  it("a teacher's concern names the pupil by id and reaches the DSL; the teacher never reads the record", async () => {
    const pupil = await addPupil(`Roll${Date.now().toString(36)}`);
    expect((await post(DSL, '/api/v1/education/pupils', { upn: pupil.upn, childId: pupil.childId })).status).toBe(409);

    // The teacher sees who is on the roll (name and year), not the UPN nor the record's id.
    const roll = (await get(TEACHER, '/api/v1/education/pupils?limit=200')).body.data as any[];
    const seen = roll.find((p) => p.id === pupil.id);
    expect(seen).toMatchObject({ givenName: 'Jade', yearGroup: '7' });
    expect(seen.upn).toBeUndefined();
    expect(seen.childId).toBeUndefined();
    expect((await get(TEACHER, `/api/v1/children/${pupil.childId}`)).status).toBe(403);
    expect((await get(TEACHER, `/api/v1/education/pupils/${pupil.id}/file`)).status).toBe(403);
    // Another school's staff cannot name this pupil at all.
    const elsewhere = await post(NEW_TEACHER, `/api/v1/education/pupils/${pupil.id}/concerns`, {
      category: 'neglect',
      whatWasSeen: 'x',
      occurredAt: '2026-11-30T09:00:00Z',
      immediateDanger: false,
    });
    expect(elsewhere.status).toBe(404);

    const concern = await post(TEACHER, `/api/v1/education/pupils/${pupil.id}/concerns`, {
      category: 'neglect',
      whatWasSeen: 'Arrives hungry most mornings; same clothes all week.',
      occurredAt: new Date(t.clock.now().getTime() - 3600_000).toISOString(),
      immediateDanger: false,
    });
    expect(concern.status).toBe(201);
    expect(concern.body).toMatchObject({ childId: pupil.childId, status: 'OPEN', subject: { givenName: null } });
    // The teacher follows their own concern, and still cannot read the record.
    expect((await get(TEACHER, `/api/v1/concerns/${concern.body.id}`)).status).toBe(200);
    expect((await get(TEACHER, `/api/v1/children/${pupil.childId}`)).status).toBe(403);

    const inbox = (await get(DSL, '/api/v1/concerns/inbox?limit=200')).body.data as any[];
    expect(inbox.map((c) => c.id)).toContain(concern.body.id);
    expect(await notes(DSL, concern.body.id)).toContain('concern.logged');
    expect((await post(DSL, `/api/v1/concerns/${concern.body.id}/decision`, { decision: 'MONITOR' })).status).toBe(200);
    const action = await post(DSL, `/api/v1/education/pupils/${pupil.id}/actions`, {
      action: 'Spoke to mum; breakfast club place offered.',
    });
    expect(action.status).toBe(201);

    const file = await get(DSL, `/api/v1/education/pupils/${pupil.id}/file`);
    expect(file.status).toBe(200);
    expect(file.body.concerns).toEqual([
      expect.objectContaining({ id: concern.body.id, status: 'MONITOR', category: 'neglect' }),
    ]);
    expect(file.body.actions).toEqual([
      expect.objectContaining({ action: 'Spoke to mum; breakfast club place offered.' }),
    ]);
    expect(file.body.status).toEqual({ childInNeed: false, childProtectionPlan: false, lookedAfter: false });
    expect(file.body.pupil).toMatchObject({ upn: pupil.upn, childId: pupil.childId });
    // Every read of the file is on the record.
    const audited = await t.db.query(
      `SELECT count(*) AS n FROM audit_event WHERE action = 'school_file.read' AND $1 = ANY(child_ids)`,
      [pupil.childId],
    );
    expect(Number(audited[0].n)).toBeGreaterThan(0);
  });

  it("the DSL's file shows the status the council records (CP plan), read from the shared record", async () => {
    const leah = (await t.db.query(`SELECT id FROM child WHERE given_name = 'Leah'`))[0].id;
    const pupil = await post(DSL, '/api/v1/education/pupils', { upn: freshUpn(), childId: leah });
    expect(pupil.status).toBe(201);
    const file = await get(DSL, `/api/v1/education/pupils/${pupil.body.id}/file`);
    expect(file.body.status).toMatchObject({ childProtectionPlan: true });
  });

  it('a pupil joining the roll is a typed event (in-process), with the pupil, child, school and day', async () => {
    const added: DomainEvent<'education.pupil.added'>[] = [];
    t.app.get(Events, { strict: false }).on('education.pupil.added', async (_tx, e) => {
      added.push(e);
    });
    const pupil = await addPupil(`Evented${Date.now().toString(36)}`);
    const mine = added.filter((e) => e.payload.pupilId === pupil.id);
    expect(mine.map((e) => [e.organisationId, e.payload])).toEqual([
      [
        orgs.RVA,
        {
          pupilId: pupil.id,
          childId: pupil.childId,
          organisationId: orgs.RVA,
          onRollFrom: t.clock.now().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
        },
      ],
    ]);
  });

  it("a child named by id joins the roll under the record's name, or the name the school gives; the roll pages in name order", async () => {
    const stem = `Named${Date.now().toString(36)}`;
    const today = t.clock.now().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const leaveAndReturn = async (familyName: string, body: object) => {
      const pupil = await addPupil(familyName);
      const left = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
        movedOn: today,
        destination: 'UNKNOWN',
        councilId: orgs.NSC,
      });
      expect(left.status).toBe(201);
      return post(DSL, '/api/v1/education/pupils', { upn: freshUpn(), childId: pupil.childId, ...body });
    };
    const recordName = await leaveAndReturn(`${stem}b`, {});
    expect(recordName.status).toBe(201);
    expect(recordName.body).toMatchObject({ givenName: 'Jade', familyName: `${stem}b` });
    const schoolName = await leaveAndReturn(`${stem}c`, { givenName: 'Jadey' });
    expect(schoolName.status).toBe(201);
    expect(schoolName.body).toMatchObject({ givenName: 'Jadey', familyName: `${stem}c` });
    await addPupil(`${stem}a`);
    // Name order, a page at a time, under the family-name prefix.
    const one = await get(TEACHER, `/api/v1/education/pupils?familyName=${stem}&limit=1`);
    expect(one.body.data.map((p: any) => p.familyName)).toEqual([`${stem}a`]);
    const two = await get(TEACHER, `/api/v1/education/pupils?familyName=${stem}&limit=5&cursor=${one.body.nextCursor}`);
    expect(two.body.data.map((p: any) => [p.givenName, p.familyName])).toEqual([
      ['Jade', `${stem}b`],
      ['Jadey', `${stem}c`],
    ]);
  });

  it("the DSL corrects a pupil's name on the roll (If-Match); staff cannot; the shared record is untouched", async () => {
    const stem = `Misspelt${Date.now().toString(36)}`;
    const pupil = await addPupil(stem);
    const patch = async (who: string, body: object, ifMatch?: string) => {
      const req = t.http
        .patch(`/api/v1/education/pupils/${pupil.id}`)
        .set('Authorization', await t.as(who))
        .send(body);
      return ifMatch ? req.set('If-Match', ifMatch) : req;
    };
    const read = await get(DSL, `/api/v1/education/pupils/${pupil.id}`);
    expect(read.headers.etag).toBe('"1"');
    // Staff name pupils in concerns; they do not keep the roll (and get no version to send).
    const staffRead = await get(TEACHER, `/api/v1/education/pupils/${pupil.id}`);
    expect(staffRead.headers.etag).toBeUndefined();
    expect((await patch(TEACHER, { givenName: 'Jayde' }, '"1"')).status).toBe(403);
    // A school that does not hold the pupil finds no such pupil.
    expect((await patch(NEW_DSL, { givenName: 'Jayde' }, '"1"')).status).toBe(404);
    // Bad corrections name the field and write nothing.
    const cleared = await patch(DSL, { familyName: null }, '"1"');
    expect(cleared.status).toBe(400);
    expect(cleared.body.errors.map((e: any) => e.field)).toEqual(['familyName']);
    const badDate = await patch(DSL, { dateOfBirth: '11/02/2014' }, '"1"');
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].field).toBe('dateOfBirth');
    expect((await patch(DSL, {}, '"1"')).status).toBe(400);
    expect((await patch(DSL, { givenName: 'Jayde' })).status).toBe(428);

    const fixed = await patch(DSL, { givenName: ' Jayde ', yearGroup: null }, '"1"');
    expect(fixed.status).toBe(200);
    expect(fixed.headers.etag).toBe('"2"');
    expect(fixed.body).toMatchObject({ givenName: 'Jayde', familyName: stem, yearGroup: null, version: 2 });
    // A stale version loses: exactly one of two corrections from the same read wins.
    const stale = await patch(DSL, { givenName: 'Jade' }, '"1"');
    expect(stale.status).toBe(412);
    // The roll lists the corrected name; the shared record keeps its own.
    const roll = await get(TEACHER, `/api/v1/education/pupils?familyName=${stem}`);
    expect(roll.body.data.map((p: any) => p.givenName)).toEqual(['Jayde']);
    const [child] = await t.db.query('SELECT given_name FROM child WHERE id = $1', [pupil.childId]);
    expect(child.given_name).toBe('Jade');
    // Audited with the fields, not the values.
    const [audit] = await t.db.query(
      `SELECT details FROM audit_event WHERE action = 'pupil.update' AND $1 = ANY(subject_ids)`,
      [pupil.id],
    );
    expect(audit.details).toMatchObject({ fields: ['givenName', 'yearGroup'] });
    expect(JSON.stringify(audit.details)).not.toContain('Jayde');
  });

  it("a deputy DSL does the DSL's safeguarding work and hears when it is overdue; the school's own decisions stay the lead's", async () => {
    const deputy = `deputy.${Date.now().toString(36)}@riverside-academy.example`;
    await t.db.query(
      `INSERT INTO app_user (email, name, organisation_id, roles, password_hash)
       SELECT $1, 'Dana Deputy', id, '{deputy_dsl}', $2 FROM organisation WHERE code = 'RVA'`,
      [deputy, await hashSecret(DEMO_PASSWORD)],
    );
    const pupil = await addPupil(`Deputised${Date.now().toString(36)}`);
    expect((await get(deputy, `/api/v1/education/pupils/${pupil.id}/file`)).status).toBe(200);
    expect((await get(deputy, `/api/v1/education/pupils/${pupil.id}`)).body.upn).toBe(pupil.upn);
    const action = await post(deputy, `/api/v1/education/pupils/${pupil.id}/actions`, {
      action: 'Spoke to the parents.',
    });
    expect(action.status).toBe(201);
    // Another school's pupils are not theirs.
    const elsewhere = await post(NEW_DSL, '/api/v1/education/pupils', {
      upn: freshUpn(),
      givenName: 'Other',
      familyName: `School${Date.now().toString(36)}`,
      dateOfBirth: '2014-02-11',
    });
    expect(elsewhere.status).toBe(201);
    expect((await get(deputy, `/api/v1/education/pupils/${elsewhere.body.id}/file`)).status).toBe(404);
    // The school's closure days are the lead's decision.
    const days = await get(DSL, '/api/v1/education/closure-days');
    const put = await t.http
      .put('/api/v1/education/closure-days')
      .set('Authorization', await t.as(deputy))
      .set('If-Match', days.headers.etag)
      .send({ days: [] });
    expect(put.status).toBe(403);
    // A school's overdue work goes up to its DSL and deputies alike (whoever is in school that day).
    expect(CASE_MANAGERS.school).toEqual(['dsl', 'deputy_dsl']);
  });

  it("a move: the file is sent, escalates when receipt is unconfirmed 5 school days on (the receiving school's half term skipped), and stops when confirmed", async () => {
    t.clock.set(new Date('2026-10-23T10:00:00Z')); // Friday before half term
    const familyName = `Mover${Date.now().toString(36)}`;
    const pupil = await addPupil(familyName);
    // The clock is the receiving school's: its days are counted on its closure days (half term),
    // not the sending school's (which closes on other days).
    const halfTerm = ['2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30'].map((date) => ({
      date,
      reason: 'Half term',
    }));
    const senderBefore = (await get(DSL, '/api/v1/education/closure-days')).body;
    const receiverBefore = (await get(NEW_DSL, '/api/v1/education/closure-days')).body;
    const set = await put(NEW_DSL, '/api/v1/education/closure-days', { days: halfTerm });
    expect(set.status).toBe(200);
    expect(set.body).toHaveLength(5);
    const inset = ['2026-11-02', '2026-11-03'].map((date) => ({ date, reason: 'Staff training' }));
    expect((await put(DSL, '/api/v1/education/closure-days', { days: inset })).status).toBe(200);
    expect((await put(TEACHER, '/api/v1/education/closure-days', { days: [] })).status).toBe(403);

    const noSchool = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-10-23',
      destination: 'SCHOOL',
    });
    expect(noSchool.status).toBe(400);
    expect(noSchool.body.errors[0].field).toBe('toSchoolId');

    const sent = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-10-23',
      destination: 'SCHOOL',
      toSchoolId: orgs.HHS,
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      status: 'SENT',
      from: { id: orgs.RVA, name: 'Riverside Academy' },
      to: { id: orgs.HHS },
      dueAt: '2026-11-06T23:59:59.999Z',
    });
    const id = sent.body.id as string;
    // Sent once: the pupil has left the roll.
    const again = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-10-23',
      destination: 'SCHOOL',
      toSchoolId: orgs.HHS,
    });
    expect(again.status).toBe(409);

    // The new school reads the transferred copy, with its provenance; nothing else of the pupil.
    expect(await notes(NEW_DSL, id)).toEqual(['file_transfer.arrived']);
    const inbox = (await get(NEW_DSL, '/api/v1/education/transfers/inbox')).body.data as any[];
    expect(inbox.map((x) => x.id)).toContain(id);
    const copy = await get(NEW_DSL, `/api/v1/education/transfers/${id}`);
    expect(copy.status).toBe(200);
    expect(copy.body.file.provenance).toMatchObject({ fromSchool: { id: orgs.RVA }, movedOn: '2026-10-23' });
    expect(copy.body.file.pupil).toMatchObject({ upn: pupil.upn });
    expect((await get(NEW_DSL, `/api/v1/children/${pupil.childId}`)).status).toBe(404);
    expect((await get(NEW_DSL, `/api/v1/education/pupils/${pupil.id}/file`)).status).toBe(404);
    expect((await get(NEW_TEACHER, `/api/v1/education/transfers/${id}`)).status).toBe(403);
    expect((await get(NSC_MASH, `/api/v1/education/transfers/${id}`)).status).toBe(403);

    // Friday 30 Oct would be 5 working days on, but it is half term: not yet overdue.
    t.clock.set(new Date('2026-10-31T09:00:00Z'));
    await escalation.run();
    expect(await notes(NEW_DSL, id)).toEqual(['file_transfer.arrived']);
    // Saturday 7 Nov: receipt unconfirmed after 5 school days: it escalates to the new school's DSL.
    t.clock.set(new Date('2026-11-07T09:00:00Z'));
    await escalation.run();
    expect(await notes(NEW_DSL, id)).toContain('escalation.level1');
    const overdue = (await get(NEW_DSL, '/api/v1/education/transfers/inbox?overdue=true')).body.data as any[];
    expect(overdue.find((x) => x.id === id)).toMatchObject({ overdue: true });

    // Receipt: If-Match required, stale refused, then exactly one confirmation.
    const url = `/api/v1/education/transfers/${id}/receipt`;
    expect((await post(NEW_DSL, url, {})).status).toBe(428);
    expect((await post(NEW_DSL, url, {}, { 'If-Match': '"99"' })).status).toBe(412);
    expect((await post(DSL, url, {}, { 'If-Match': `"${copy.body.version}"` })).status).toBe(404);
    const received = await post(NEW_DSL, url, {}, { 'If-Match': `"${copy.body.version}"` });
    expect(received.status).toBe(200);
    expect(received.body.status).toBe('RECEIVED');
    const twice = await post(NEW_DSL, url, {}, { 'If-Match': `"${received.body.version}"` });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'FILE_TRANSFER.ILLEGAL_TRANSITION', allowed: [] });
    const clocks = await t.db.query(`SELECT state FROM deadline WHERE subject_id = $1`, [id]);
    expect(clocks.map((c: any) => c.state)).toEqual(['met']);
    expect(await notes(DSL, id)).toContain('file_transfer.received');
    // The pupil is now on the new school's roll; the old school's DSL still reads what it sent.
    const newRoll = (await get(NEW_DSL, '/api/v1/education/pupils?limit=200')).body.data as any[];
    expect(newRoll.map((p) => p.childId)).toContain(pupil.childId);
    // ... under the name the old school knew, found by the roll's family-name search.
    const found = await get(
      NEW_TEACHER,
      `/api/v1/education/pupils?familyName=${encodeURIComponent(familyName.slice(0, 8))}`,
    );
    expect(found.body.data).toEqual([expect.objectContaining({ givenName: 'Jade', familyName, yearGroup: '7' })]);
    expect((await get(DSL, `/api/v1/education/transfers/${id}`)).status).toBe(200);
    await put(DSL, '/api/v1/education/closure-days', { days: senderBefore });
    await put(NEW_DSL, '/api/v1/education/closure-days', { days: receiverBefore });
  });

  it('a move is dated today (London) or before, not before the pupil joined the roll: 400 naming movedOn, nothing written', async () => {
    t.clock.set(new Date('2026-07-01T23:30:00Z')); // 00:30 on 2 July in London
    const added = await post(DSL, '/api/v1/education/pupils', {
      upn: freshUpn(),
      givenName: 'Jade',
      familyName: `Dated${Date.now().toString(36)}`,
      dateOfBirth: '2014-02-11',
      onRollFrom: '2026-06-15',
    });
    expect(added.status).toBe(201);
    const pupil = added.body as { id: string; childId: string };
    const move = (movedOn: string) =>
      post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
        movedOn,
        destination: 'UNKNOWN',
        councilId: orgs.NSC,
      });
    const transfers = await count('safeguarding_file_transfer');
    const future = await move('2026-07-03');
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([{ field: 'movedOn', message: 'movedOn is in the future' }]);
    const early = await move('2026-06-14');
    expect(early.status).toBe(400);
    expect(early.body.errors).toEqual([
      { field: 'movedOn', message: 'movedOn is before the pupil joined the roll (onRollFrom 2026-06-15)' },
    ]);
    expect(await count('safeguarding_file_transfer')).toBe(transfers);
    // Still on the roll: staff still log concerns about the pupil.
    expect((await get(DSL, `/api/v1/education/pupils/${pupil.id}`)).body.leftOn).toBeNull();
    const today = await move('2026-07-02');
    expect(today.status).toBe(201);
    expect(today.body.movedOn).toBe('2026-07-02');
  });

  it("a move to no known school goes to the council's children missing education officer", async () => {
    t.clock.set(new Date('2026-11-30T10:00:00Z'));
    const pupil = await addPupil(`Gone${Date.now().toString(36)}`);
    const senderBefore = (await get(DSL, '/api/v1/education/closure-days')).body;
    const inset = [{ date: '2026-12-01', reason: 'Staff training' }];
    expect((await put(DSL, '/api/v1/education/closure-days', { days: inset })).status).toBe(200);
    const noCouncil = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-11-30',
      destination: 'UNKNOWN',
    });
    expect(noCouncil.status).toBe(400);
    expect(noCouncil.body.errors[0].field).toBe('councilId');
    const notCouncil = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-11-30',
      destination: 'UNKNOWN',
      councilId: orgs.HHS,
    });
    expect(notCouncil.status).toBe(400);
    const sent = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-11-30',
      destination: 'UNKNOWN',
      councilId: orgs.NSC,
    });
    expect(sent.status).toBe(201);
    // The council's clock counts working days (a council sets no closure days), not the school's.
    expect(sent.body).toMatchObject({
      status: 'CHILD_MISSING_EDUCATION',
      to: null,
      council: { id: orgs.NSC },
      dueAt: '2026-12-07T23:59:59.999Z',
    });
    expect(await notes(CME, sent.body.id)).toEqual(['file_transfer.child_missing_education']);
    // Only the officer: the MASH is told nothing.
    expect(await notes(NSC_MASH, sent.body.id)).toEqual([]);
    const inbox = (await get(CME, '/api/v1/education/transfers/inbox')).body.data as any[];
    expect(inbox.map((x) => x.id)).toContain(sent.body.id);
    expect((await get(CME, `/api/v1/education/transfers/${sent.body.id}`)).body.file.pupil.upn).toBe(pupil.upn);
    expect((await get(CME, `/api/v1/children/${pupil.childId}`)).status).toBe(403);
    // Another council's officer sees nothing of it.
    expect((await get(NEW_DSL, `/api/v1/education/transfers/${sent.body.id}`)).status).toBe(404);
    await put(DSL, '/api/v1/education/closure-days', { days: senderBefore });
  });
  it("the closure-day list is replaced only as read (If-Match): two DSLs do not lose each other's days", async () => {
    const url = '/api/v1/education/closure-days';
    const before = await get(NEW_DSL, url);
    expect(before.status).toBe(200);
    expect(before.headers.etag).toMatch(/^"\d+"$/);
    const days = (extra: string) => [...before.body, { date: extra, reason: 'INSET' }];
    expect((await putRaw(NEW_DSL, url, { days: days('2027-01-04') })).status).toBe(428);
    const first = await putRaw(NEW_DSL, url, { days: days('2027-01-04') }, { 'If-Match': before.headers.etag });
    expect(first.status).toBe(200);
    expect(first.headers.etag).not.toBe(before.headers.etag);
    // A second DSL who read the list before the first change: refused, nothing written.
    const stale = await putRaw(NEW_DSL, url, { days: days('2027-01-05') }, { 'If-Match': before.headers.etag });
    expect(stale.status).toBe(412);
    const now = await get(NEW_DSL, url);
    expect(now.headers.etag).toBe(first.headers.etag);
    expect(now.body.map((d: any) => d.date)).toContain('2027-01-04');
    expect(now.body.map((d: any) => d.date)).not.toContain('2027-01-05');
    expect((await put(NEW_DSL, url, { days: before.body })).status).toBe(200);
  });

  it("a change of closure days does not move a transfer's running clock: it counts the days as they stood when sent", async () => {
    const before = (await get(NEW_DSL, '/api/v1/education/closure-days')).body;
    t.clock.set(new Date('2026-11-30T10:00:00Z')); // a Monday
    expect((await put(NEW_DSL, '/api/v1/education/closure-days', { days: [] })).status).toBe(200);
    const pupil = await addPupil(`Steady${Date.now().toString(36)}`);
    const sent = await post(DSL, `/api/v1/education/pupils/${pupil.id}/transfers`, {
      movedOn: '2026-11-30',
      destination: 'SCHOOL',
      toSchoolId: orgs.HHS,
    });
    expect(sent.status).toBe(201);
    const due = async () =>
      (await t.db.query(`SELECT due_at FROM deadline WHERE subject_id = $1 AND state = 'open'`, [sent.body.id]))[0]
        .due_at as Date;
    const first = await due();
    const closures = ['2026-12-01', '2026-12-02', '2026-12-03'].map((date) => ({ date, reason: 'Flooding' }));
    expect((await put(NEW_DSL, '/api/v1/education/closure-days', { days: closures })).status).toBe(200);
    expect(await due()).toEqual(first);
    expect((await get(DSL, `/api/v1/education/transfers/${sent.body.id}`)).body.dueAt).toBe(first.toISOString());
    await put(NEW_DSL, '/api/v1/education/closure-days', { days: before });
  });
});
