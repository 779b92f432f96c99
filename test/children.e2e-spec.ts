import { startTestApp, type TestContext } from './support/app';

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const CSE_SUP = 'cse.supervisor@northshire-police.example';
const SSP_OFFICER = 'officer@southshire-police.example';
const DSL = 'dsl@riverside-academy.example';
const INSPECTOR = 'inspector@inspectorate.example';
const ADMIN = 'admin@northshire-council.example';

let seq = 0;
const uniqueChild = (extra: Record<string, unknown> = {}) => ({
  givenName: `Test${Date.now().toString(36)}${seq++}`,
  familyName: 'Registrant',
  dateOfBirth: '2015-03-04',
  ...extra,
});

describe('the shared child record', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
  });
  afterAll(() => t.close());

  const childId = async (given: string, family: string) =>
    (await t.db.query('SELECT id FROM child WHERE given_name = $1 AND family_name = $2', [given, family]))[0]
      .id as string;

  describe('registration', () => {
    it('registers a child, makes the registering organisation lead, and audits it', async () => {
      const auth = await t.as(SW);
      const body = uniqueChild({
        nhsNumber: '490 001 2343',
        sex: 'F',
        addresses: [{ line1: '1 High St', town: 'Northtown', postcode: 'nt1 1aa' }],
      });
      const res = await t.http.post('/api/v1/children').set('Authorization', auth).send(body).expect(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        givenName: body.givenName,
        nhsNumber: '4900012343',
        sex: 'F',
        restricted: false,
      });
      expect(res.body.involvements).toEqual([
        expect.objectContaining({ organisationId: orgs.NSC, kind: 'lead', basis: 'registered', active: true }),
      ]);
      expect(res.body.addresses[0]).toMatchObject({ postcode: 'NT1 1AA', confidential: false });
      const events = await t.db.query(`SELECT action, outcome FROM audit_event WHERE child_ids @> ARRAY[$1]::uuid[]`, [
        res.body.id,
      ]);
      expect(events).toEqual(expect.arrayContaining([{ action: 'child.create', outcome: 'allowed' }]));
    });

    it.each([
      ['an invalid NHS number', { nhsNumber: '4857773458' }, 'nhsNumber'],
      ['an invalid UPN', { upn: 'A801200005001' }, 'upn'],
      ['an unknown ethnicity code', { ethnicity: 'XXXX' }, 'ethnicity'],
      ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour'],
      ['a bad postcode', { addresses: [{ line1: 'x', town: 'y', postcode: 'NOPE' }] }, 'addresses.0.postcode'],
    ])('refuses %s with 400 naming the field, writing nothing', async (_l, extra, field) => {
      const before = (await t.db.query('SELECT count(*)::int n FROM child'))[0].n;
      const res = await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(SW))
        .send(uniqueChild(extra))
        .expect(400);
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
      expect((await t.db.query('SELECT count(*)::int n FROM child'))[0].n).toBe(before);
    });

    it('refuses a PNC ID from a non-police registrant (403 naming the field)', async () => {
      const res = await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(SW))
        .send(uniqueChild({ pncId: '20/1122334G' }))
        .expect(403);
      expect(res.body.fields).toEqual(['pncId']);
    });

    it('answers a match with a child the caller cannot see with 409 and an opaque reference only', async () => {
      // Oliver Bennett is known to Northshire Council only.
      const res = await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(CSE))
        .send({ givenName: 'Olivér', familyName: 'BENNETT', dateOfBirth: '2013-05-14' })
        .expect(409);
      expect(res.body.code).toBe('CHILD.POSSIBLE_MATCH');
      expect(res.body.matchReference).toMatch(/^MR-[0-9A-F]{12}$/);
      const oliver = await childId('Oliver', 'Bennett');
      expect(JSON.stringify(res.body)).not.toContain(oliver);
      expect(JSON.stringify(res.body)).not.toContain('NSC-100231');
      const [ref] = await t.db.query('SELECT child_id, matched_on FROM match_reference WHERE reference = $1', [
        res.body.matchReference,
      ]);
      expect(ref).toEqual({ child_id: oliver, matched_on: 'name_and_dob' });
      // Same by NHS number, whatever the name.
      const byNhs = await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(CSE))
        .send({ givenName: 'Someone', familyName: 'Else', dateOfBirth: '2001-01-01', nhsNumber: '4857773457' })
        .expect(409);
      expect(byNhs.body.code).toBe('CHILD.POSSIBLE_MATCH');
    });

    it('answers a match with a child the caller can see with 409 and its id', async () => {
      const res = await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(SW))
        .send({ givenName: 'Oliver', familyName: 'Bennett', dateOfBirth: '2013-05-14' })
        .expect(409);
      expect(res.body).toMatchObject({ code: 'CHILD.ALREADY_REGISTERED', childId: await childId('Oliver', 'Bennett') });
    });
  });

  describe('reading', () => {
    it('shows a police CSE officer a council child only once an involvement exists: its multi-agency summaries, no social-care detail', async () => {
      const created = (
        await t.http
          .post('/api/v1/children')
          .set('Authorization', await t.as(SW))
          .send(uniqueChild())
          .expect(201)
      ).body;
      await t.http
        .post(`/api/v1/children/${created.id}/chronology`)
        .set('Authorization', await t.as(SW))
        .send({
          occurredAt: '2026-11-01T10:00:00Z',
          category: 'assessment',
          summary: 'Social care assessment note',
          detail: 'Parents separated; father has contact at weekends.',
          sensitivity: 'social-care',
          shareable: true,
        })
        .expect(201);
      await t.http
        .post(`/api/v1/children/${created.id}/chronology`)
        .set('Authorization', await t.as(SW))
        .send({
          occurredAt: '2026-11-02T10:00:00Z',
          category: 'contact',
          summary: 'Home visit, council only',
          sensitivity: 'social-care',
          shareable: true,
        })
        .expect(201);
      await t.http
        .get(`/api/v1/children/${created.id}`)
        .set('Authorization', await t.as(CSE))
        .expect(404);
      await t.db.query(
        `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason) VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 minute', 'test')`,
        [created.id, orgs.NSP],
      );
      const seen = await t.http
        .get(`/api/v1/children/${created.id}`)
        .set('Authorization', await t.as(CSE))
        .expect(200);
      expect(seen.body.givenName).toBe(created.givenName);
      const chronology = await t.http
        .get(`/api/v1/children/${created.id}/chronology`)
        .set('Authorization', await t.as(CSE))
        .expect(200);
      // The assessment is a safeguarding event (multi-agency by default): its summary, never its detail.
      expect(chronology.body.data).toEqual([
        {
          id: expect.any(String),
          childId: created.id,
          organisationId: orgs.NSC,
          organisationName: "Northshire Council Children's Services",
          occurredAt: '2026-11-01T10:00:00.000Z',
          recordedAt: expect.any(String),
          category: 'assessment',
          summary: 'Social care assessment note',
          multiAgency: true,
        },
      ]);
      await t.http
        .get(`/api/v1/children/${created.id}/sections/${orgs.NSC}`)
        .set('Authorization', await t.as(CSE))
        .expect(404);
    });

    it('records every read in the read itself: allowed for the caller who may see, not_found for one who may not', async () => {
      const child = (
        await t.http
          .post('/api/v1/children')
          .set('Authorization', await t.as(SW))
          .send(uniqueChild())
          .expect(201)
      ).body;
      const eventsOf = (res: { headers: Record<string, string> }) =>
        t.db.query(
          `SELECT action, outcome, break_glass, child_ids::text[] AS child_ids FROM audit_event WHERE request_id = $1`,
          [res.headers['x-request-id']],
        );
      const refused = await t.http
        .get(`/api/v1/children/${child.id}`)
        .set('Authorization', await t.as(DSL))
        .expect(404);
      expect(await eventsOf(refused)).toEqual([
        { action: 'child.read', outcome: 'not_found', break_glass: false, child_ids: [child.id] },
      ]);
      const allowed = await t.http
        .get(`/api/v1/children/${child.id}`)
        .set('Authorization', await t.as(SW))
        .expect(200);
      expect(await eventsOf(allowed)).toEqual([
        { action: 'child.read', outcome: 'allowed', break_glass: false, child_ids: [child.id] },
      ]);
      // Read again on the same connection pool: the prepared statement gives the same answer.
      for (let i = 0; i < 3; i++) {
        const again = await t.http
          .get(`/api/v1/children/${child.id}`)
          .set('Authorization', await t.as(SW))
          .expect(200);
        expect(again.body).toEqual(allowed.body);
      }
    });

    it('gives an organisation administrator no child data at all', async () => {
      const oliver = await childId('Oliver', 'Bennett');
      await t.http
        .get(`/api/v1/children/${oliver}`)
        .set('Authorization', await t.as(ADMIN))
        .expect(403);
      await t.http
        .get('/api/v1/children')
        .set('Authorization', await t.as(ADMIN))
        .expect(403);
    });

    it('lets an inspector read but not write', async () => {
      const leah = await childId('Leah', 'Thompson');
      const res = await t.http
        .get(`/api/v1/children/${leah}`)
        .set('Authorization', await t.as(INSPECTOR))
        .set('X-Purpose-Of-Use', 'inspection')
        .expect(200);
      expect(res.body).not.toHaveProperty('pncId');
      await t.http
        .patch(`/api/v1/children/${leah}`)
        .set('Authorization', await t.as(INSPECTOR))
        .set('If-Match', `"${res.body.version}"`)
        .send({ preferredName: 'x' })
        .expect(403);
    });

    it('finds children by fuzzy, accent- and case-insensitive name, by date of birth and by any identifier, scoped to the caller', async () => {
      const auth = await t.as(CSE);
      const byName = await t.http
        .get('/api/v1/children')
        .query({ q: 'leah tompson' })
        .set('Authorization', auth)
        .expect(200);
      expect(byName.body.data.map((c: any) => c.familyName)).toContain('Thompson');
      const byAlias = await t.http.get('/api/v1/children').query({ q: 'LÉE' }).set('Authorization', auth).expect(200);
      expect(byAlias.body.data.map((c: any) => c.givenName)).toContain('Leah');
      const byPnc = await t.http
        .get('/api/v1/children')
        .query({ identifier: '19/123456E' })
        .set('Authorization', auth)
        .expect(200);
      expect(byPnc.body.data.map((c: any) => c.givenName)).toEqual(['Kai']);
      const byDob = await t.http
        .get('/api/v1/children')
        .query({ dateOfBirth: '2009-11-11' })
        .set('Authorization', auth)
        .expect(200);
      expect(byDob.body.data.map((c: any) => c.givenName)).toEqual(['Kai']);
      // Oliver is the council's alone: invisible to the police officer's search.
      const hidden = await t.http
        .get('/api/v1/children')
        .query({ q: 'Oliver Bennett' })
        .set('Authorization', auth)
        .expect(200);
      expect(hidden.body.data.map((c: any) => c.givenName)).not.toContain('Oliver');
    });

    it('pages search results with a cursor and puts every returned child on its access log', async () => {
      const auth = await t.as(INSPECTOR);
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await t.http
          .get('/api/v1/children')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set('Authorization', auth)
          .expect(200);
        ids.push(...res.body.data.map((c: any) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(5);
      const [me] = await t.db.query(`SELECT id FROM app_user WHERE email = $1`, [INSPECTOR]);
      const logged = await t.db.query(
        `SELECT DISTINCT unnest(child_ids)::text AS id FROM audit_event WHERE actor_id = $1 AND action = 'child.search'`,
        [me.id],
      );
      expect(logged.map((r: any) => r.id)).toEqual(expect.arrayContaining(ids));
    });

    it('records the purpose of use, and refuses an unknown one', async () => {
      const kai = await childId('Kai', 'Robinson');
      await t.http
        .get(`/api/v1/children/${kai}`)
        .set('Authorization', await t.as(SSP_OFFICER))
        .set('X-Purpose-Of-Use', 'curiosity')
        .expect(400);
      const ok = await t.http
        .get(`/api/v1/children/${kai}`)
        .set('Authorization', await t.as(SSP_OFFICER))
        .set('X-Purpose-Of-Use', 'strategy_discussion')
        .expect(200);
      const [event] = await t.db.query(
        `SELECT purpose, request_id FROM audit_event WHERE action = 'child.read' AND request_id = $1`,
        [ok.headers['x-request-id']],
      );
      expect(event).toEqual({ purpose: 'strategy_discussion', request_id: ok.headers['x-request-id'] });
    });
  });

  describe('writing', () => {
    it('updates with If-Match, refuses stale versions and fields the role may not change', async () => {
      const auth = await t.as(SW);
      const c = (await t.http.post('/api/v1/children').set('Authorization', auth).send(uniqueChild()).expect(201)).body;
      await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', auth)
        .send({ preferredName: 'Bee' })
        .expect(428);
      const ok = await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', auth)
        .set('If-Match', '"1"')
        .send({ preferredName: 'Bee' })
        .expect(200);
      expect(ok.body).toMatchObject({ preferredName: 'Bee', version: 2 });
      await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', auth)
        .set('If-Match', '"1"')
        .send({ preferredName: 'Late' })
        .expect(412);
      const forbidden = await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', auth)
        .set('If-Match', '"2"')
        .send({ pncId: '20/1122334G', preferredName: 'Z' })
        .expect(403);
      expect(forbidden.body.fields).toEqual(['pncId']);
      const after = await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth).expect(200);
      expect(after.body.preferredName).toBe('Bee');
    });

    it('lets exactly one of two concurrent updates win', async () => {
      const auth = await t.as(SW);
      const c = (await t.http.post('/api/v1/children').set('Authorization', auth).send(uniqueChild()).expect(201)).body;
      const results = await Promise.all(
        ['A', 'B', 'C'].map((name) =>
          t.http
            .patch(`/api/v1/children/${c.id}`)
            .set('Authorization', auth)
            .set('If-Match', '"1"')
            .send({ preferredName: name }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
    });

    it('restricts a record to a named case team: everyone else then gets 404', async () => {
      const tm = await t.as(TM);
      const c = (await t.http.post('/api/v1/children').set('Authorization', tm).send(uniqueChild()).expect(201)).body;
      await t.http
        .get(`/api/v1/children/${c.id}`)
        .set('Authorization', await t.as(MASH))
        .expect(200);
      await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', tm)
        .set('If-Match', '"1"')
        .send({ restricted: true })
        .expect(400);
      const [me] = await t.db.query('SELECT id FROM app_user WHERE email = $1', [TM]);
      await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', await t.as(SW))
        .set('If-Match', '"1"')
        .send({ restricted: true, caseTeamUserIds: [me.id] })
        .expect(403);
      await t.http
        .patch(`/api/v1/children/${c.id}`)
        .set('Authorization', tm)
        .set('If-Match', '"1"')
        .send({ restricted: true, caseTeamUserIds: [me.id] })
        .expect(200);
      await t.http
        .get(`/api/v1/children/${c.id}`)
        .set('Authorization', await t.as(MASH))
        .expect(404);
      await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', tm).expect(200);
    });

    it('keeps a confidential address to the organisation that recorded it', async () => {
      const leah = await childId('Leah', 'Thompson');
      const council = await t.http
        .get(`/api/v1/children/${leah}`)
        .set('Authorization', await t.as(SW))
        .expect(200);
      expect(council.body.addresses.map((a: any) => a.line1)).toContain('Placement address (supported lodgings)');
      const police = await t.http
        .get(`/api/v1/children/${leah}`)
        .set('Authorization', await t.as(CSE))
        .expect(200);
      expect(police.body.addresses.map((a: any) => a.line1)).toEqual(['17 Fenwick Road']);
    });

    it('writes and reads an agency section; fields of another agency type are refused', async () => {
      const auth = await t.as(DSL);
      const c = (await t.http.post('/api/v1/children').set('Authorization', auth).send(uniqueChild()).expect(201)).body;
      const url = `/api/v1/children/${c.id}/sections/${orgs.RVA}`;
      await t.http.get(url).set('Authorization', auth).expect(404);
      const bad = await t.http.put(url).set('Authorization', auth).send({ intelligenceNotes: 'x' }).expect(400);
      expect(bad.body.errors[0].field).toBe('intelligenceNotes');
      const put = await t.http
        .put(url)
        .set('Authorization', auth)
        .send({ schoolName: 'Riverside Academy', yearGroup: '5', attendancePercent: 97.5 })
        .expect(200);
      expect(put.body).toMatchObject({ schoolName: 'Riverside Academy', attendancePercent: 97.5, version: 1 });
      await t.http.put(url).set('Authorization', auth).send({ yearGroup: '6' }).expect(428);
      await t.http.put(url).set('Authorization', auth).set('If-Match', '"1"').send({ yearGroup: '6' }).expect(200);
      const got = await t.http.get(url).set('Authorization', auth).expect(200);
      expect(got.body).toMatchObject({ yearGroup: '6', schoolName: null, version: 2 });
      expect(got.headers.etag).toBe('"2"');
    });

    it('records chronology entries only in classes the agency holds, and pages them newest first', async () => {
      const auth = await t.as(DSL);
      const c = (await t.http.post('/api/v1/children').set('Authorization', auth).send(uniqueChild()).expect(201)).body;
      await t.http
        .post(`/api/v1/children/${c.id}/chronology`)
        .set('Authorization', auth)
        .send({
          occurredAt: '2026-10-01T09:00:00Z',
          category: 'concern',
          summary: 'x',
          sensitivity: 'police-intelligence',
          shareable: true,
        })
        .expect(403);
      for (const day of ['01', '03', '02']) {
        await t.http
          .post(`/api/v1/children/${c.id}/chronology`)
          .set('Authorization', auth)
          .send({
            occurredAt: `2026-10-${day}T09:00:00Z`,
            category: 'education',
            summary: `day ${day}`,
            sensitivity: 'education',
            shareable: true,
          })
          .expect(201);
      }
      const first = await t.http
        .get(`/api/v1/children/${c.id}/chronology`)
        .query({ limit: 2 })
        .set('Authorization', auth)
        .expect(200);
      expect(first.body.data.map((e: any) => e.summary)).toEqual(['day 03', 'day 02']);
      const second = await t.http
        .get(`/api/v1/children/${c.id}/chronology`)
        .query({ limit: 2, cursor: first.body.nextCursor })
        .set('Authorization', auth)
        .expect(200);
      expect(second.body.data.map((e: any) => e.summary)).toEqual(['day 01']);
      expect(second.body.nextCursor).toBeNull();
    });
  });

  describe('access log and break-glass', () => {
    it("shows every access with who, organisation, purpose and time, to those entitled; a police force's accesses unnamed to others", async () => {
      const leah = await childId('Leah', 'Thompson');
      const read = await t.http
        .get(`/api/v1/children/${leah}`)
        .set('Authorization', await t.as(CSE))
        .set('X-Purpose-Of-Use', 'strategy_discussion')
        .expect(200);
      const logOf = async (email: string) =>
        (
          await t.http
            .get(`/api/v1/children/${leah}/access-log`)
            .query({ limit: 200 })
            .set('Authorization', await t.as(email))
            .expect(200)
        ).body.data as any[];
      // The police force's own supervisor sees its officer's access in full.
      const own = (await logOf('cse.supervisor@northshire-police.example')).find(
        (e) => e.requestId === read.headers['x-request-id'],
      );
      expect(own).toMatchObject({
        action: 'child.read',
        outcome: 'allowed',
        purpose: 'strategy_discussion',
        breakGlass: false,
        actor: { kind: 'user', name: 'DC Casey Officer' },
        organisation: { id: orgs.NSP, name: 'Northshire Police' },
      });
      expect(new Date(own.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
      // The council's team manager sees that a police force looked, and when: nothing more.
      const council = await logOf(TM);
      const seen = council.find((e) => e.seq === own.seq);
      expect(seen).toEqual({
        seq: own.seq,
        at: own.at,
        breakGlass: false,
        organisation: { id: null, name: 'a police force', type: 'police_force' },
      });
      expect(JSON.stringify(council)).not.toContain('Casey');
      expect(JSON.stringify(council)).not.toContain('strategy_discussion');
      // Reading the log is itself on the log, in full for one's own organisation.
      expect(council[0]).toMatchObject({ action: 'access_log.read', actor: { name: 'Tariq Manning' } });
      // The organisation's data protection officer sees every access in full.
      const dpo = (await logOf('dpo@northshire-council.example')).find((e) => e.seq === own.seq);
      expect(dpo).toMatchObject({ actor: { name: 'DC Casey Officer' }, purpose: 'strategy_discussion' });
    });

    it('opens a record by break-glass for a limited time, audits reads as such, and tells the lead organisation', async () => {
      // A child of the health trust alone, fresh for this test: grants must not leak into other tests.
      const nurse = await t.as('nurse@northshire-nhs.example');
      const child = (await t.http.post('/api/v1/children').set('Authorization', nurse).send(uniqueChild()).expect(201))
        .body;
      const sup = await t.as(CSE_SUP);
      await t.http.get(`/api/v1/children/${child.id}`).set('Authorization', sup).expect(404);
      await t.http
        .post(`/api/v1/children/${child.id}/break-glass`)
        .set('Authorization', sup)
        .send({ reason: 'short' })
        .expect(400);
      const grant = await t.http
        .post(`/api/v1/children/${child.id}/break-glass`)
        .set('Authorization', sup)
        .send({ reason: 'Found in a car with an adult of concern at 2am; urgent checks.' })
        .expect(201);
      const read = await t.http.get(`/api/v1/children/${child.id}`).set('Authorization', sup).expect(200);
      expect(read.body.givenName).toBe(child.givenName);
      const [event] = await t.db.query(`SELECT break_glass FROM audit_event WHERE request_id = $1`, [
        read.headers['x-request-id'],
      ]);
      expect(event.break_glass).toBe(true);
      const notes = await t.db.query(`SELECT organisation_id, kind FROM notification WHERE subject_id = $1`, [
        child.id,
      ]);
      expect(notes).toEqual([{ organisation_id: orgs.NNHS, kind: 'child.break_glass' }]);
      // Time passes beyond the grant: the record closes again.
      t.clock.set(new Date(new Date(grant.body.expiresAt).getTime() + 1000));
      await t.http.get(`/api/v1/children/${child.id}`).set('Authorization', sup).expect(404);
      t.clock.set(new Date());
    });

    it('cannot break the glass on a restricted record (404, as if it did not exist)', async () => {
      const freya = await childId('Freya', 'Hughes');
      await t.http
        .post(`/api/v1/children/${freya}/break-glass`)
        .set('Authorization', await t.as(CSE_SUP))
        .send({ reason: 'Emergency checks needed now.' })
        .expect(404);
    });
  });
});
