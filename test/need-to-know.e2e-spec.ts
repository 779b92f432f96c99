/**
 * Need-to-know without leaks, and one joined-up picture (issue 9): each leak found from the outside
 * is a test here, with the multi-agency journey, grants that end with the grants, and decisions on
 * children not yet registered. Fresh children per test: the demo world stays as the matrix expects.
 */
import { startTestApp, type TestContext } from './support/app';
import { freshNhsNumber } from './support/factories';

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';
const NSC_ADMIN = 'admin@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const CSE_SUP = 'cse.supervisor@northshire-police.example';
const SSP_CSE = 'cse.officer@southshire-police.example';
const DSL = 'dsl@riverside-academy.example';
const TEACHER = 'teacher@riverside-academy.example';

const NURSE = 'nurse@northshire-nhs.example';
const INSPECTOR = 'inspector@inspectorate.example';

let n = 0;
const fresh = (family: string) => ({
  givenName: `Nk${Date.now().toString(36)}${n++}`,
  familyName: family,
  dateOfBirth: '2010-02-20',
  nhsNumber: freshNhsNumber(),
});

describe('need-to-know without leaks, and one joined-up picture', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  let teams: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
    teams = Object.fromEntries(
      (await t.db.query('SELECT o.code, t.name, t.id FROM team t JOIN organisation o ON o.id = t.organisation_id')).map(
        (r: any) => [`${r.code}/${r.name}`, r.id],
      ),
    );
  });
  afterAll(() => t.close());

  const post = async (email: string, url: string, body: object) =>
    t.http
      .post(url)
      .set('Authorization', await t.as(email))
      .send(body);
  const get = async (email: string, url: string) => t.http.get(url).set('Authorization', await t.as(email));
  const referral = (toTeam: string, extra: object) => ({
    toTeamId: teams[toTeam],
    reason: 'Older males collecting her from school; missing overnight twice.',
    rag: 'AMBER',
    consentObtained: false,
    noConsentReason: 'Seeking consent could put the child at risk.',
    lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
    ...extra,
  });
  const notificationsOf = async (email: string) =>
    (await get(email, '/api/v1/notifications?limit=100')).body.data as any[];

  /**
   * A child as the Rotherham inquiries found them: the council registered her (with an address), the
   * police CSE unit works with her too and holds intelligence (a PNC ID, a car registration).
   */
  async function cseChild() {
    const who = fresh('Exploited');
    const child = await post(SW, '/api/v1/children', {
      ...who,
      addresses: [{ line1: `${who.givenName} Fenwick Road`, town: 'Northtown', postcode: 'NT1 4AB' }],
    });
    expect(child.status).toBe(201);
    await t.db.query(
      `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
       VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 day', 'test')`,
      [child.body.id, orgs.NSP],
    );
    const pncId = '21/654321M';
    const record = await get(CSE, `/api/v1/children/${child.body.id}`);
    const patched = await t.http
      .patch(`/api/v1/children/${child.body.id}`)
      .set('Authorization', await t.as(CSE))
      .set('If-Match', record.headers.etag)
      .send({ pncId });
    expect(patched.status).toBe(200);
    const intel = `PNC check on AB12 CDE for ${who.givenName}: linked to Op Kestrel.`;
    const entry = await post(CSE, `/api/v1/children/${child.body.id}/chronology`, {
      occurredAt: new Date().toISOString(),
      category: 'police_incident',
      summary: intel,
      sensitivity: 'police-intelligence',
      shareable: true,
    });
    expect(entry.status).toBe(201);
    const care = `Strategy discussion for ${who.givenName}: s47 joint with police.`;
    await post(SW, `/api/v1/children/${child.body.id}/chronology`, {
      occurredAt: new Date().toISOString(),
      category: 'strategy_discussion',
      summary: care,
      detail: 'Joint visit agreed.',
      sensitivity: 'social-care',
      shareable: true,
    });
    return { id: child.body.id as string, ...who, pncId, intel, care, address: `${who.givenName} Fenwick Road` };
  }

  /** Southshire Police asks Northshire Council about the child; the council discloses these classes. */
  async function disclose(nhsNumber: string, classes: string[], days = 7) {
    const request = await post(SSP_CSE, '/api/v1/information-requests', {
      toOrganisationId: orgs.NSC,
      identifiers: { nhsNumber },
      purpose: 'Cross-border CSE enquiries.',
      classesRequested: classes,
      urgency: 'standard',
    });
    expect(request.status).toBe(201);
    const decided = await post(TM, `/api/v1/information-requests/${request.body.id}/decision`, {
      decision: 'DISCLOSE',
      reason: 'Necessary for the enquiry.',
      classes,
      until: new Date(t.clock.now().getTime() + days * 86_400_000).toISOString(),
      lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
      justification: 'Joint investigation under way.',
    });
    expect(decided.status).toBe(200);
    return decided.body.grantId as string;
  }

  describe('it shows nothing nobody decided to share', () => {
    it("1. a disclosure of social care opens that class of the council's data, never the police's intelligence", async () => {
      const c = await cseChild();
      await disclose(c.nhsNumber, ['social-care']);
      const everything = JSON.stringify([
        (await get(SSP_CSE, `/api/v1/children/${c.id}`)).body,
        (await get(SSP_CSE, `/api/v1/children/${c.id}/chronology`)).body,
        (await get(SSP_CSE, `/api/v1/children/${c.id}/sections/${orgs.NSP}`)).body,
      ]);
      expect(everything).not.toContain(c.pncId);
      expect(everything).not.toContain('AB12 CDE');
      expect(everything).not.toContain(c.address);
      // What was disclosed is there: the council's social-care entry, in full.
      expect(everything).toContain(c.care);
      expect(everything).toContain('Joint visit agreed.');
    });

    it('2. a class the discloser withheld is absent from the core record (no address without contact)', async () => {
      const c = await cseChild();
      await disclose(c.nhsNumber, ['identity', 'social-care']);
      const record = await get(SSP_CSE, `/api/v1/children/${c.id}`);
      expect(record.status).toBe(200);
      expect(record.body.givenName).toBe(c.givenName);
      expect(record.body).not.toHaveProperty('addresses');
      expect(JSON.stringify(record.body)).not.toContain(c.address);
    });

    it("3. the access log shows a school neither police officers' names and purposes nor other forces' failed look-ups", async () => {
      const child = (await post(DSL, '/api/v1/children', fresh('Pupil'))).body;
      await t.db.query(
        `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
         VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 day', 'test')`,
        [child.id, orgs.NSP],
      );
      await t.http
        .get(`/api/v1/children?q=${encodeURIComponent(child.givenName)}`)
        .set('Authorization', await t.as(CSE))
        .set('X-Purpose-Of-Use', 'strategy_discussion')
        .expect(200);
      expect((await get(SSP_CSE, `/api/v1/children/${child.id}`)).status).toBe(404);
      const log = await get(DSL, `/api/v1/children/${child.id}/access-log?limit=200`);
      expect(log.status).toBe(200);
      const text = JSON.stringify(log.body);
      expect(text).not.toContain('DC Casey Officer');
      expect(text).not.toContain('strategy_discussion');
      expect(text).not.toContain('Southshire Police');
      expect(text).not.toContain('Northshire Police');
      expect(log.body.data.some((e: any) => e.organisation.name === 'a police force')).toBe(true);
      expect(log.body.data.every((e: any) => e.outcome === undefined || e.organisation.id === orgs.RVA)).toBe(true);
    });

    it('4. notifications carry no case detail and reach only the roles that handle the item', async () => {
      const child = (await post(DSL, '/api/v1/children', fresh('Pupil'))).body;
      const reason = `Reasonable cause to suspect significant harm (CSE) ${child.givenName}`;
      const sent = await post(DSL, '/api/v1/referrals', referral('NSC/MASH', { childId: child.id }));
      expect(sent.status).toBe(201);
      const decided = await post(MASH, `/api/v1/referrals/${sent.body.id}/decision`, {
        outcome: 'STRATEGY_DISCUSSION',
        reason,
      });
      expect(decided.status).toBe(200);
      for (const email of [TEACHER, NSC_ADMIN]) {
        const mine = await notificationsOf(email);
        expect(mine.filter((x) => x.subjectId === sent.body.id || x.subjectId === child.id)).toEqual([]);
      }
      const toSender = (await notificationsOf(DSL)).filter((x) => x.subjectId === sent.body.id);
      expect(toSender.map((x) => x.message)).toContain(
        "Your referral to Northshire Council Children's Services is now ACCEPTED (strategy discussion (significant harm suspected)).",
      );
      const all = await t.db.query(`SELECT message FROM notification WHERE subject_id = ANY($1)`, [
        [sent.body.id, child.id],
      ]);
      for (const row of all) {
        expect(row.message).not.toContain(child.givenName);
        expect(row.message).not.toContain('Reasonable cause');
      }
      expect((await notificationsOf(MASH)).some((x) => x.subjectId === sent.body.id)).toBe(true);
    });

    it('5. a match answer names no police force or health provider to a school, and a restricted child answers as unknown', async () => {
      // Held by the police and the health trust only.
      const who = fresh('Matched');
      const held = (await post(CSE, '/api/v1/children', who)).body;
      await t.db.query(
        `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
         VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 day', 'test')`,
        [held.id, orgs.NNHS],
      );
      const answer = await post(DSL, '/api/v1/children', who);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ code: 'CHILD.POSSIBLE_MATCH', heldBy: [] });
      expect(answer.body.matchReference).toMatch(/^MR-/);
      expect(JSON.stringify(answer.body)).not.toMatch(/Police|NHS|health/i);
      // Every holder is told (the roles that decide what to share), with no case detail.
      expect((await notificationsOf(CSE_SUP)).some((x) => x.subjectId === held.id && x.kind === 'child.linked')).toBe(
        true,
      );
      // A council registering the same child learns of the police no more than the school did.
      expect((await post(SW, '/api/v1/children', who)).body.heldBy).toEqual([]);

      // A restricted child: the registration goes ahead as for an unknown child; only the case team is told.
      const secret = fresh('Hidden');
      const restricted = (await post(SW, '/api/v1/children', secret)).body;
      const me = (await get(SW, '/api/v1/me')).body;
      const read = await get(SW, `/api/v1/children/${restricted.id}`);
      await t.http
        .patch(`/api/v1/children/${restricted.id}`)
        .set('Authorization', await t.as(SW))
        .set('If-Match', read.headers.etag)
        .send({ restricted: true, caseTeamUserIds: [me.id] })
        .expect(403); // a social worker may not restrict: a lead does
      const tm = (await get(TM, '/api/v1/me')).body;
      await t.db.query(`INSERT INTO case_team_member (child_id, user_id) VALUES ($1, $2), ($1, $3)`, [
        restricted.id,
        me.id,
        tm.id,
      ]);
      await t.db.query(`UPDATE child SET restricted = true WHERE id = $1`, [restricted.id]);
      const unknown = await post(SSP_CSE, '/api/v1/children', { ...secret, nhsNumber: undefined });
      expect(unknown.status).toBe(201);
      expect(unknown.body.id).not.toBe(restricted.id);
      expect(JSON.stringify(unknown.body)).not.toContain(restricted.id);
      const told = await t.db.query(`SELECT user_id, audience_roles FROM notification WHERE subject_id = $1`, [
        restricted.id,
      ]);
      expect(told.map((x: any) => x.user_id).sort()).toEqual([me.id, tm.id].sort());
      expect(told.every((x: any) => x.audience_roles.length === 0)).toBe(true);
    });

    it('6. a grant of one class alone lets the grantee write nothing', async () => {
      const c = await cseChild();
      await disclose(c.nhsNumber, ['social-care']);
      const read = await get(SSP_CSE, `/api/v1/children/${c.id}`);
      expect(read.status).toBe(200);
      const writes = [
        t.http
          .patch(`/api/v1/children/${c.id}`)
          .set('Authorization', await t.as(SSP_CSE))
          .set('If-Match', read.headers.etag)
          .send({ dateOfBirth: '2011-01-01' }),
        post(SSP_CSE, `/api/v1/children/${c.id}/chronology`, {
          occurredAt: new Date().toISOString(),
          category: 'other',
          summary: 'Probe',
          sensitivity: 'police-intelligence',
          shareable: false,
        }),
        post(SSP_CSE, `/api/v1/children/${c.id}/addresses`, { line1: '1 Probe St', town: 'Town', postcode: 'AB1 2CD' }),
        t.http
          .put(`/api/v1/children/${c.id}/sections/${orgs.SSP}`)
          .set('Authorization', await t.as(SSP_CSE))
          .send({ intelligenceNotes: 'x' }),
      ];
      expect((await Promise.all(writes)).map((r) => r.status)).toEqual([404, 404, 404, 404]);
      const after = await get(CSE, `/api/v1/children/${c.id}`);
      expect(after.body).toMatchObject({ dateOfBirth: c.dateOfBirth, pncId: c.pncId });
    });

    it('7. access ends when the last grant covering it ends: a second grant does not outlive its own end', async () => {
      const c = await cseChild();
      const first = await disclose(c.nhsNumber, ['identity'], 7);
      await disclose(c.nhsNumber, ['identity'], 2);
      expect((await post(TM, `/api/v1/sharing/grants/${first}/revoke`, { reason: 'Enquiry moved on.' })).status).toBe(
        200,
      );
      expect((await get(SSP_CSE, `/api/v1/children/${c.id}`)).status).toBe(200);
      const before = t.clock.now();
      t.clock.set(new Date(before.getTime() + 2 * 86_400_000 + 60_000));
      try {
        expect((await get(SSP_CSE, `/api/v1/children/${c.id}`)).status).toBe(404);
        const search = await get(SSP_CSE, `/api/v1/children?q=${encodeURIComponent(c.givenName)}`);
        expect(search.body.data.map((x: any) => x.id)).not.toContain(c.id);
      } finally {
        t.clock.set(before);
      }
    });

    it('7. disclosing and revoking racing leave a consistent state: the grantee reads exactly what live grants give', async () => {
      const c = await cseChild();
      for (let round = 0; round < 20; round++) {
        const live = await disclose(c.nhsNumber, ['identity']);
        const request = await post(SSP_CSE, '/api/v1/information-requests', {
          toOrganisationId: orgs.NSC,
          identifiers: { nhsNumber: c.nhsNumber },
          purpose: 'Race.',
          classesRequested: ['identity'],
          urgency: 'standard',
        });
        const [revoked, disclosed] = await Promise.all([
          post(TM, `/api/v1/sharing/grants/${live}/revoke`, { reason: 'Race.' }),
          post(TM, `/api/v1/information-requests/${request.body.id}/decision`, {
            decision: 'DISCLOSE',
            reason: 'Race.',
            classes: ['identity'],
            until: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
            lawfulBasis: 'DPA_2018_SCH1_PARA18_SAFEGUARDING',
            justification: 'Race.',
          }),
        ]);
        expect([revoked.status, disclosed.status]).toEqual([200, 200]);
        const [{ count }] = await t.db.query(
          `SELECT count(*)::int AS count FROM sharing_grant WHERE child_id = $1 AND grantee_organisation_id = $2
              AND revoked_at IS NULL AND until_at > now()`,
          [c.id, orgs.SSP],
        );
        const read = await get(SSP_CSE, `/api/v1/children/${c.id}`);
        expect({ round, status: read.status }).toEqual({ round, status: count > 0 ? 200 : 404 });
        expect(count).toBe(1);
        await post(TM, `/api/v1/sharing/grants/${disclosed.body.grantId}/revoke`, { reason: 'Next round.' });
        expect((await get(SSP_CSE, `/api/v1/children/${c.id}`)).status).toBe(404);
      }
    });

    it("8. a restricted child's referral and concern are seen by its case team only", async () => {
      const secret = (await post(SW, '/api/v1/children', fresh('Restricted'))).body;
      const sw = (await get(SW, '/api/v1/me')).body;
      const tm = (await get(TM, '/api/v1/me')).body;
      const cse = (await get(CSE, '/api/v1/me')).body;
      await t.db.query(`INSERT INTO case_team_member (child_id, user_id) VALUES ($1, $2), ($1, $3), ($1, $4)`, [
        secret.id,
        sw.id,
        tm.id,
        cse.id,
      ]);
      await t.db.query(`UPDATE child SET restricted = true WHERE id = $1`, [secret.id]);
      // The police officer on the case team refers her to the council's MASH.
      const sent = await post(
        CSE,
        '/api/v1/referrals',
        referral('NSC/MASH', { childId: secret.id, reason: 'RESTRICTED child: placement secret.' }),
      );
      expect(sent.status).toBe(201);
      const concern = await post(SW, '/api/v1/concerns', {
        childId: secret.id,
        category: 'neglect',
        whatWasSeen: 'RESTRICTED child: placement secret.',
        occurredAt: new Date().toISOString(),
        immediateDanger: false,
      });
      expect(concern.status).toBe(201);
      for (const email of [MASH, INSPECTOR]) {
        expect((await get(email, `/api/v1/referrals/${sent.body.id}`)).status).toBe(404);
        expect((await get(email, `/api/v1/concerns/${concern.body.id}`)).status).toBe(404);
      }
      const inbox = JSON.stringify((await get(MASH, '/api/v1/referrals/inbox?scope=organisation&limit=200')).body);
      expect(inbox).not.toContain(secret.id);
      expect(inbox).not.toContain('placement secret');
      expect(JSON.stringify((await get(MASH, '/api/v1/concerns/inbox?limit=200')).body)).not.toContain(secret.id);
      // The case team works it.
      expect((await get(TM, `/api/v1/referrals/${sent.body.id}`)).status).toBe(200);
      // A restricted child is referred only where someone of its case team works.
      const elsewhere = await post(SW, '/api/v1/referrals', referral('SSP/CSE Unit', { childId: secret.id }));
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body.code).toBe('REFERRAL.RESTRICTED_CHILD');
    });
  });

  describe('it shows agencies working together one picture', () => {
    it('journey: school concern -> MASH -> strategy decision -> police CSE accepts; one multi-agency chronology; a hospital learns nothing of the police', async () => {
      // The school registers its pupil and logs a concern about her.
      const who = fresh('Journey');
      const child = (await post(DSL, '/api/v1/children', who)).body;
      const concern = await post(DSL, '/api/v1/concerns', {
        childId: child.id,
        category: 'cse',
        whatWasSeen: 'Older "boyfriend" collecting her from school in a grey hatchback.',
        occurredAt: new Date().toISOString(),
        immediateDanger: false,
      });
      expect(concern.status).toBe(201);
      const toMash = await post(
        DSL,
        '/api/v1/referrals',
        referral('NSC/MASH', { childId: child.id, concernIds: [concern.body.id] }),
      );
      expect(toMash.status).toBe(201);
      // MASH triages from the record (who she is), then decides: strategy discussion.
      expect((await get(MASH, `/api/v1/children/${child.id}`)).body.givenName).toBe(who.givenName);
      const decided = await post(MASH, `/api/v1/referrals/${toMash.body.id}/decision`, {
        outcome: 'STRATEGY_DISCUSSION',
        reason: 'Significant harm suspected.',
      });
      expect(decided.status).toBe(200);
      // Children's services now leads.
      const record = await get(MASH, `/api/v1/children/${child.id}`);
      expect(record.body.lead).toEqual({
        organisationId: orgs.NSC,
        organisationName: "Northshire Council Children's Services",
      });
      // The council refers on to the police CSE unit, which accepts and records its own work.
      const toPolice = await post(
        MASH,
        '/api/v1/referrals',
        referral('NSP/CSE Unit', { childId: child.id, rag: 'RED' }),
      );
      await post(CSE, `/api/v1/referrals/${toPolice.body.id}/transitions`, { to: 'ACKNOWLEDGED' });
      expect((await post(CSE, `/api/v1/referrals/${toPolice.body.id}/transitions`, { to: 'ACCEPTED' })).status).toBe(
        200,
      );
      await post(CSE, `/api/v1/children/${child.id}/chronology`, {
        occurredAt: new Date().toISOString(),
        category: 'missing_episode',
        summary: 'Missing overnight; found at a hotspot address.',
        sensitivity: 'police-intelligence',
        shareable: false,
        multiAgency: true,
      });
      const view = await get(CSE, `/api/v1/children/${child.id}/chronology?view=multi-agency`);
      expect(view.status).toBe(200);
      const lines = view.body.data.map((e: any) => `${e.organisationName}: ${e.summary}`);
      expect(lines).toEqual(
        expect.arrayContaining([
          'Riverside Academy: Concern logged (cse).',
          "Northshire Council Children's Services: MASH decision on a referral from Riverside Academy: strategy discussion (significant harm suspected).",
          'Northshire Police: Missing overnight; found at a hotspot address.',
        ]),
      );
      for (const e of view.body.data) expect(e.multiAgency).toBe(true);
      // The school, working with her, sees the same picture; the teacher (who logs concerns only) none of it.
      const school = await get(DSL, `/api/v1/children/${child.id}/chronology?view=multi-agency`);
      expect(school.body.data.map((e: any) => e.summary)).toContain('Missing overnight; found at a hotspot address.');
      expect((await get(TEACHER, `/api/v1/children/${child.id}/chronology?view=multi-agency`)).status).toBe(403);
      // The referrer sees the outcome of its referral.
      expect((await get(DSL, `/api/v1/referrals/${toMash.body.id}`)).body.outcome).toBe('STRATEGY_DISCUSSION');
      // A hospital registering the same child learns that a match exists, and nothing of the police.
      const hospital = await post(NURSE, '/api/v1/children', who);
      expect(hospital.status).toBe(409);
      expect(hospital.body.heldBy.map((h: any) => h.name).sort()).toEqual([
        "Northshire Council Children's Services",
        'Riverside Academy',
      ]);
      expect(JSON.stringify(hospital.body)).not.toContain('Police');
    });

    it('MASH decides on a referral about a child not yet registered: it registers her, leads, and the referrer sees the outcome', async () => {
      const subject = { givenName: `Unreg${Date.now().toString(36)}`, familyName: 'Pupil', dateOfBirth: '2012-05-05' };
      const sent = await post(DSL, '/api/v1/referrals', referral('NSC/MASH', { subject }));
      expect(sent.status).toBe(201);
      const decided = await post(MASH, `/api/v1/referrals/${sent.body.id}/decision`, {
        outcome: 'S17_ASSESSMENT',
        reason: 'Needs an assessment.',
        child: { sex: 'F' },
      });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'ACCEPTED', outcome: 'S17_ASSESSMENT' });
      const childId = decided.body.childId as string;
      expect(childId).toEqual(expect.any(String));
      const record = await get(MASH, `/api/v1/children/${childId}`);
      expect(record.body).toMatchObject({ ...subject, sex: 'F', lead: { organisationId: orgs.NSC } });
      const chronology = await get(MASH, `/api/v1/children/${childId}/chronology?view=multi-agency`);
      expect(chronology.body.data.map((e: any) => e.summary)).toContain(
        'MASH decision on a referral from Riverside Academy: child and family assessment (s17).',
      );
      const seen = await get(DSL, `/api/v1/referrals/${sent.body.id}`);
      expect(seen.body).toMatchObject({ status: 'ACCEPTED', outcome: 'S17_ASSESSMENT' });
      // A second referral about the same child is matched to her record, not registered twice.
      const again = await post(DSL, '/api/v1/referrals', referral('NSC/MASH', { subject }));
      const second = await post(MASH, `/api/v1/referrals/${again.body.id}/decision`, {
        outcome: 'EARLY_HELP',
        reason: 'Early help offered.',
      });
      expect(second.body.childId).toBe(childId);
    });

    it('a decision that needs a child and cannot identify one is 400 naming the field, and records nothing', async () => {
      const sent = await post(
        DSL,
        '/api/v1/referrals',
        referral('NSC/MASH', { subject: { givenName: 'Only', approximateAge: 12 } }),
      );
      const res = await post(MASH, `/api/v1/referrals/${sent.body.id}/decision`, {
        outcome: 'S17_ASSESSMENT',
        reason: 'Needs an assessment.',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.field)).toEqual(['child.familyName', 'child.dateOfBirth']);
      expect((await get(MASH, `/api/v1/referrals/${sent.body.id}`)).body.status).toBe('SUBMITTED');
      // No further action needs no child, and is recorded all the same.
      const nfa = await post(MASH, `/api/v1/referrals/${sent.body.id}/decision`, {
        outcome: 'NO_FURTHER_ACTION',
        reason: 'Not enough to act on.',
      });
      expect(nfa.body).toMatchObject({ status: 'DECLINED', outcome: 'NO_FURTHER_ACTION', childId: null });
    });

    it('the lead agency, not the registering school, is told of break-glass', async () => {
      const child = (await post(DSL, '/api/v1/children', fresh('Lead'))).body;
      expect(child.lead).toBeNull();
      const sent = await post(DSL, '/api/v1/referrals', referral('NSC/MASH', { childId: child.id }));
      await post(MASH, `/api/v1/referrals/${sent.body.id}/decision`, { outcome: 'EARLY_HELP', reason: 'Early help.' });
      expect((await get(DSL, `/api/v1/children/${child.id}`)).body.lead).toMatchObject({ organisationId: orgs.NSC });
      const opened = await post(CSE_SUP, `/api/v1/children/${child.id}/break-glass`, {
        reason: 'Child found in a vehicle with adults at 3am; urgent checks.',
      });
      expect(opened.status).toBe(201);
      const told = await t.db.query(
        `SELECT organisation_id, audience_roles FROM notification WHERE subject_id = $1 AND kind = 'child.break_glass'`,
        [child.id],
      );
      expect(told.map((x: any) => x.organisation_id)).toEqual([orgs.NSC]);
      expect(told[0].audience_roles).not.toContain('org_admin');
      expect((await notificationsOf(TM)).some((x) => x.subjectId === child.id && x.kind === 'child.break_glass')).toBe(
        true,
      );
    });
  });
});
