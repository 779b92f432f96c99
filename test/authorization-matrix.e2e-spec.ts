/**
 * The authorization matrix: every child route, every demo role, and every way of knowing a child:
 * working with it (own, or shared with others), granted one class only by a disclosure, triage of
 * an open referral, a restricted child (case team or not), and not at all. Expectations are
 * restated here in plain domain terms, independently of the policy code, and every response body
 * is scanned for values (canaries) of what the caller may not read.
 */
import { randomUUID } from 'node:crypto';
import { SharedRecord } from '@app/casework';
import { DEMO_CHILDREN } from '../apps/api/src/seed/demo-children';
import { DEMO_USERS, EDUCATION_DEMO_USERS } from '../apps/api/src/seed/demo-world';
import { startTestApp, type TestContext } from './support/app';
import { freshUpn } from './support/factories';

type Cls = 'identity' | 'contact' | 'education' | 'health' | 'sexual-health' | 'police-intelligence' | 'social-care';
const CLASSES: Cls[] = [
  'identity',
  'contact',
  'education',
  'health',
  'sexual-health',
  'police-intelligence',
  'social-care',
];

const POLICE = ['police_officer', 'cse_officer', 'cse_supervisor', 'intelligence_analyst'];
const COUNCIL = ['social_worker', 'mash_officer', 'team_manager', 'conference_chair'];
const HEALTH = ['health_practitioner', 'named_safeguarding_professional'];
const INSPECTION: Cls[] = ['identity', 'contact', 'social-care', 'education', 'health'];
/** Roles that read who a child is (working with it), the access log in full, and nothing else of the record. */
const IDENTITY_ONLY = ['data_protection_officer', 'review_lead'];

/** Classes of other agencies' data each role reads when it works with a child (DOMAIN.md need-to-know). */
function classesOf(role: string): Cls[] {
  if (POLICE.includes(role)) return ['identity', 'contact', 'police-intelligence'];
  if (COUNCIL.includes(role)) return ['identity', 'contact', 'social-care'];
  if (role === 'dsl') return ['identity', 'contact', 'education'];
  // Sexual health: the named safeguarding nurses only (other practitioners record it, write-only).
  if (role === 'named_safeguarding_professional') return ['identity', 'contact', 'health', 'sexual-health'];
  if (role === 'health_practitioner') return ['identity', 'contact', 'health'];
  if (role === 'inspector') return INSPECTION;
  // The DPO and the partnership's review lead identify the children their organisation works with.
  if (IDENTITY_ONLY.includes(role)) return ['identity'];
  return [];
}
const READS_RECORDS = (role: string) => classesOf(role).length > 0;
/** Roles that read the record's parts (chronology, sections): every record reader but the DPO. */
const READS_PARTS = (role: string) => READS_RECORDS(role) && !IDENTITY_ONLY.includes(role);
const WRITES_RECORDS = (role: string) =>
  [
    'police_officer',
    'cse_officer',
    'cse_supervisor',
    'social_worker',
    'mash_officer',
    'team_manager',
    'dsl',
    ...HEALTH,
  ].includes(role);
const READS_ACCESS_LOG = (role: string) =>
  [
    'cse_supervisor',
    'team_manager',
    'named_safeguarding_professional',
    'dsl',
    'inspector',
    'data_protection_officer',
    'review_lead',
  ].includes(role);
/** Roles that work a receiving team's referral inbox, and so triage. */
const TRIAGES = (role: string) =>
  ['cse_officer', 'cse_supervisor', 'mash_officer', 'team_manager', 'dsl', 'named_safeguarding_professional'].includes(
    role,
  );

/** A value of one class recorded by one organisation, that must reach only those entitled to it. */
interface Canary {
  value: string;
  child: string;
  cls: Cls;
  org: string;
  kind: 'core' | 'address' | 'section' | 'summary' | 'detail';
  confidential?: boolean;
  shareable?: boolean;
  multiAgency?: boolean;
}

interface Known {
  key: string;
  id: string;
  restricted: boolean;
  orgs: string[]; // organisation codes working with the child
  caseTeam: string[];
  sections: string[]; // organisation codes with a section
}

type Route = 'child' | 'chronology' | 'section';
const users = DEMO_USERS.map(([email, , org, team, roles]) => ({ email, org, team, role: roles[0]! }));
type User = (typeof users)[number];

describe('authorization matrix: every child route x every role x every way of knowing a child', () => {
  let t: TestContext;
  const orgIds = new Map<string, string>();
  const orgTypes = new Map<string, string>();
  const canaries: Canary[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    for (const o of await t.db.query('SELECT id, code, type FROM organisation')) {
      orgIds.set(o.code, o.id);
      orgTypes.set(o.code, o.type);
    }
  });
  afterAll(() => t.close());

  /** What a caller working with the child (or on its case team, or an inspector) may receive. */
  function workingMayReceive(u: User, c: Canary, route: Route, sectionOrg?: string): boolean {
    const classes = classesOf(u.role);
    const inspector = u.role === 'inspector';
    // Its own organisation's data, but for the classes only its named professionals read.
    const own = c.org === u.org && (c.cls !== 'sexual-health' || u.role !== 'health_practitioner');
    switch (c.kind) {
      case 'core':
        return classes.includes(c.cls);
      case 'address':
        if (c.confidential) return c.org === u.org;
        return classes.includes('contact') || c.org === u.org;
      case 'section':
        if (route !== 'section') return false;
        return sectionOrg === u.org ? own : inspector && classes.includes(c.cls);
      case 'summary':
      case 'detail':
        if (route !== 'chronology') return false;
        if (own) return true;
        if (inspector) return classes.includes(c.cls) || (c.kind === 'summary' && c.multiAgency === true);
        if (c.shareable && classes.includes(c.cls)) return true;
        return c.kind === 'summary' && c.multiAgency === true;
    }
  }

  function scan(body: unknown, childKey: string, may: (c: Canary) => boolean): string[] {
    const text = JSON.stringify(body);
    return canaries
      .filter((c) => c.child === childKey && text.includes(c.value) && !may(c))
      .map((c) => `${c.kind} ${c.cls} of ${c.org}: ${c.value.slice(0, 40)}`);
  }

  describe('the demo world: working with the child, a restricted child, and children of others', () => {
    const seeded = new Map<string, Known>();

    beforeAll(async () => {
      for (const spec of DEMO_CHILDREN) {
        const [row] = await t.db.query('SELECT id FROM child WHERE name_key = $1 AND date_of_birth = $2', [
          `${spec.child.givenName} ${spec.child.familyName}`.toLowerCase(),
          spec.child.dateOfBirth,
        ]);
        seeded.set(spec.key, {
          key: spec.key,
          id: row.id,
          restricted: spec.child.restricted === true,
          orgs: [spec.lead, ...(spec.contributing ?? [])],
          caseTeam: spec.caseTeam ?? [],
          sections: (spec.sections ?? []).map((s) => s.org),
        });
        const add = (c: Omit<Canary, 'child'>) => canaries.push({ ...c, child: spec.key });
        if (spec.child.pncId)
          add({ value: spec.child.pncId, cls: 'police-intelligence', org: spec.lead, kind: 'core' });
        for (const a of spec.addresses ?? [])
          add({ value: a.line1!, cls: 'contact', org: a.by, kind: 'address', confidential: a.confidential === true });
        for (const s of spec.sections ?? []) {
          if (s.intelligenceNotes)
            add({ value: s.intelligenceNotes, cls: 'police-intelligence', org: s.org, kind: 'section' });
          if (s.safeguardingNotes) add({ value: s.safeguardingNotes, cls: 'education', org: s.org, kind: 'section' });
          if (s.healthNotes) add({ value: s.healthNotes, cls: 'health', org: s.org, kind: 'section' });
          if (s.sexualHealthNotes)
            add({ value: s.sexualHealthNotes, cls: 'sexual-health', org: s.org, kind: 'section' });
        }
        for (const e of spec.entries) {
          const multiAgency =
            e.multiAgency ??
            ([
              'concern',
              'referral',
              'assessment',
              'strategy_discussion',
              'conference',
              'missing_episode',
              'decision',
              'disclosure',
            ].includes(e.category) &&
              e.sensitivity !== 'police-intelligence');
          const base = { cls: e.sensitivity as Cls, org: e.org, shareable: e.shareable, multiAgency };
          add({ ...base, value: e.summary, kind: 'summary' });
          if (e.detail) add({ ...base, value: e.detail, kind: 'detail' });
        }
      }
    });

    const sees = (u: User, c: Known) =>
      READS_RECORDS(u.role) &&
      (c.caseTeam.includes(u.email) || (!c.restricted && (c.orgs.includes(u.org) || u.role === 'inspector')));
    const situation = (u: User, c: Known) =>
      c.restricted
        ? 'restricted'
        : c.orgs.length > 1 && c.orgs.includes(u.org)
          ? 'shared'
          : c.orgs.includes(u.org)
            ? 'own'
            : 'other';

    it('covers every role in all four situations', () => {
      const seen = new Set<string>();
      for (const u of users) for (const c of seeded.values()) seen.add(situation(u, c));
      expect([...seen].sort()).toEqual(['other', 'own', 'restricted', 'shared']);
      expect(new Set(users.map((u) => u.role)).size).toBeGreaterThanOrEqual(15);
    });

    it('GET /children/:id: status and fields', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          const res = await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth);
          const expected = !READS_RECORDS(u.role) ? 403 : sees(u, c) ? 200 : 404;
          if (res.status !== expected)
            failures.push(`${u.role}@${u.org} ${situation(u, c)} ${c.key}: ${res.status} != ${expected}`);
          if (res.status === 200) {
            const classes = classesOf(u.role);
            if ('pncId' in res.body !== classes.includes('police-intelligence'))
              failures.push(`${u.role} ${c.key}: pncId present=${'pncId' in res.body}`);
            if ('addresses' in res.body !== classes.includes('contact')) failures.push(`${u.role} ${c.key}: addresses`);
          }
          failures.push(
            ...scan(res.body, c.key, (k) => res.status === 200 && workingMayReceive(u, k, 'child')).map(
              (l) => `${u.role}@${u.org} ${c.key} child leaks ${l}`,
            ),
          );
        }
      }
      expect(failures).toEqual([]);
    });

    it('GET /children/:id/chronology: own entries, shareable ones of readable classes, multi-agency summaries', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          for (const view of ['all', 'multi-agency']) {
            const res = await t.http
              .get(`/api/v1/children/${c.id}/chronology`)
              .query({ view })
              .set('Authorization', auth);
            const expected = !READS_PARTS(u.role) ? 403 : sees(u, c) ? 200 : 404;
            if (res.status !== expected) failures.push(`${u.role} ${c.key} ${view}: ${res.status} != ${expected}`);
            if (res.status !== 200) continue;
            for (const e of res.body.data) {
              if (view === 'multi-agency' && e.multiAgency !== true)
                failures.push(`${u.role} ${c.key}: not multi-agency`);
              if (!e.organisationName) failures.push(`${u.role} ${c.key}: an entry without its recording agency`);
            }
            failures.push(
              ...scan(res.body, c.key, (k) => workingMayReceive(u, k, 'chronology')).map(
                (l) => `${u.role}@${u.org} ${c.key} ${view} chronology leaks ${l}`,
              ),
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('GET /children/:id/sections/:orgId: own section only (inspectors: filtered), others 404', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          for (const code of c.sections) {
            const res = await t.http
              .get(`/api/v1/children/${c.id}/sections/${orgIds.get(code)}`)
              .set('Authorization', auth);
            const expected = !READS_PARTS(u.role)
              ? 403
              : !sees(u, c)
                ? 404
                : code === u.org || u.role === 'inspector'
                  ? 200
                  : 404;
            if (res.status !== expected)
              failures.push(`${u.role}@${u.org} ${c.key} section ${code}: ${res.status} != ${expected}`);
            failures.push(
              ...scan(res.body, c.key, (k) => res.status === 200 && workingMayReceive(u, k, 'section', code)).map(
                (l) => `${u.role} ${c.key} section ${code} leaks ${l}`,
              ),
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('GET /children/:id/access-log: leads, inspectors and data protection officers, on children they work with', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          const res = await t.http.get(`/api/v1/children/${c.id}/access-log`).set('Authorization', auth);
          const expected = !READS_ACCESS_LOG(u.role) ? 403 : sees(u, c) ? 200 : 404;
          if (res.status !== expected) failures.push(`${u.role} ${c.key}: ${res.status} != ${expected}`);
          if (res.status !== 200 || ['inspector', ...IDENTITY_ONLY].includes(u.role)) continue;
          // No other organisation's people, purposes or failed look-ups; no police force named to others.
          for (const e of res.body.data) {
            if (e.organisation.id === orgIds.get(u.org) || e.underGrantFrom?.includes(orgIds.get(u.org))) continue;
            if ('actor' in e || 'purpose' in e || 'action' in e)
              failures.push(`${u.role} ${c.key}: another organisation's access in detail`);
            if (e.organisation.type === 'police_force' && orgTypes.get(u.org) !== 'police_force' && e.organisation.id)
              failures.push(`${u.role} ${c.key}: a police force named`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('PATCH /children/:id: writers working with the child only; inspectors and readers 403; others 404', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          // A stale If-Match: a caller who passes every access check gets 412 and nothing is written.
          const res = await t.http
            .patch(`/api/v1/children/${c.id}`)
            .set('Authorization', auth)
            .set('If-Match', '"0"')
            .send({ preferredName: 'X' });
          const working = c.caseTeam.includes(u.email) || (!c.restricted && c.orgs.includes(u.org));
          const expected = !WRITES_RECORDS(u.role) ? 403 : working ? 412 : 404;
          if (res.status !== expected) failures.push(`${u.role}@${u.org} ${c.key}: ${res.status} != ${expected}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("PUT /children/:id/sections/:orgId: own organisation's section only", async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          for (const code of new Set([u.org, ...c.orgs])) {
            const res = await t.http
              .put(`/api/v1/children/${c.id}/sections/${orgIds.get(code)}`)
              .set('Authorization', auth)
              .set('If-Match', '"0"')
              .send({});
            const working = c.caseTeam.includes(u.email) || (!c.restricted && c.orgs.includes(u.org));
            const expected = !WRITES_RECORDS(u.role) ? 403 : !working ? 404 : code === u.org ? 412 : 403;
            if (res.status !== expected)
              failures.push(`${u.role}@${u.org} ${c.key} section ${code}: ${res.status} != ${expected}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('POST /children/:id/chronology: writers working with the child, in their own classes', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of seeded.values()) {
          const res = await t.http.post(`/api/v1/children/${c.id}/chronology`).set('Authorization', auth).send({
            occurredAt: new Date().toISOString(),
            category: 'other',
            summary: 'Matrix probe',
            sensitivity: 'identity',
            shareable: false,
          });
          const working = c.caseTeam.includes(u.email) || (!c.restricted && c.orgs.includes(u.org));
          const expected = !WRITES_RECORDS(u.role) ? 403 : working ? 201 : 404;
          if (res.status !== expected) failures.push(`${u.role}@${u.org} ${c.key}: ${res.status} != ${expected}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('GET /children: lists exactly the children each caller may see', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const token = await t.as(u.email);
        const res = await t.http.get('/api/v1/children').query({ limit: 200 }).set('Authorization', token);
        if (!READS_RECORDS(u.role)) {
          if (res.status !== 403) failures.push(`${u.role}: ${res.status} != 403`);
          continue;
        }
        // Every page: the suite's other files add children to the shared world (a council's generated year).
        for (let next = res.body.nextCursor; next;) {
          const more = await t.http
            .get('/api/v1/children')
            .query({ limit: 200, cursor: next })
            .set('Authorization', token);
          expect(more.status).toBe(200);
          res.body.data.push(...more.body.data);
          next = more.body.nextCursor;
        }
        const demoIds = new Set([...seeded.values()].map((c) => c.id));
        const got = (res.body.data as { id: string }[])
          .map((c) => c.id)
          .filter((id) => demoIds.has(id))
          .sort();
        const want = [...seeded.values()]
          .filter((c) => sees(u, c))
          .map((c) => c.id)
          .sort();
        if (JSON.stringify(got) !== JSON.stringify(want))
          failures.push(`${u.role}@${u.org}: listed ${got.length}, expected ${want.length}`);
        for (const row of res.body.data) {
          const c = [...seeded.values()].find((s) => s.id === row.id);
          if (c)
            failures.push(
              ...scan(row, c.key, (k) => workingMayReceive(u, k, 'child')).map((l) => `${u.role} list leaks ${l}`),
            );
        }
      }
      expect(failures).toEqual([]);
    });

    it('POST /children and POST /children/:id/break-glass: refused at the route to roles without them', async () => {
      for (const u of users) {
        const auth = await t.as(u.email);
        const create = await t.http.post('/api/v1/children').set('Authorization', auth).send({});
        expect({ role: u.role, status: create.status }).toEqual({
          role: u.role,
          status: WRITES_RECORDS(u.role) ? 400 : 403,
        });
        const bg = await t.http
          .post(`/api/v1/children/${seeded.get('oliver')!.id}/break-glass`)
          .set('Authorization', auth)
          .send({});
        const mayBreakGlass = [
          'cse_supervisor',
          'team_manager',
          'named_safeguarding_professional',
          'mash_officer',
        ].includes(u.role);
        expect({ role: u.role, status: bg.status }).toEqual({ role: u.role, status: mayBreakGlass ? 400 : 403 });
      }
    });
  });

  /**
   * Granted one class only: for every organisation and every class, a child two other
   * organisations work with (each with a section, entries of every class, addresses), and a live
   * disclosure of that one class from the first of them to the organisation. Its people must read
   * that class of the discloser's data and nothing else, and write nothing.
   */
  describe('granted one class only, by a disclosure', () => {
    const HOLDERS: Record<string, [string, string]> = {
      NSP: ['NSC', 'NNHS'],
      SSP: ['NSP', 'NSC'],
      NSC: ['NSP', 'RVA'],
      SSC: ['NSC', 'NSP'],
      RVA: ['NSC', 'NSP'],
      NNHS: ['NSC', 'NSP'],
    };
    /** Section fields of each agency type, by class, with a value each. */
    const SECTION_VALUES: Record<string, Partial<Record<Cls, Record<string, string>>>> = {
      police_force: { 'police-intelligence': { intelligenceNotes: 'intel' } },
      local_authority: { 'social-care': { legalStatus: 'legal' } },
      school: { education: { safeguardingNotes: 'school' } },
      health: { health: { healthNotes: 'health' }, 'sexual-health': { sexualHealthNotes: 'sexual' } },
    };
    const granted: { key: string; id: string; grantee: string; cls: Cls; discloser: string; other: string }[] = [];

    beforeAll(async () => {
      // On the app's clock (frozen at start): a grant from "a minute ago" by the wall clock is not live yet once
      // the blocks before this one take more than a minute on a busy machine.
      const now = t.clock.now().getTime();
      for (const [grantee, [discloser, other]] of Object.entries(HOLDERS)) {
        for (const cls of CLASSES) {
          const key = `granted:${grantee}:${cls}`;
          const tag = randomUUID().slice(0, 8);
          const [child] = await t.db.query(
            `INSERT INTO child (given_name, family_name, name_key, search_name, date_of_birth, sex, pnc_id, created_by_organisation_id)
             VALUES ($1, 'Grant', $2, $3, '2012-01-01', 'F', $4, $5) RETURNING id`,
            [
              `G${tag}`,
              `g${tag} grant`,
              `g${tag} grant`,
              `22/${tag.replace(/\D/g, '1').slice(0, 6).padEnd(6, '1')}X`,
              orgIds.get(discloser),
            ],
          );
          const id = child.id as string;
          granted.push({ key, id, grantee, cls, discloser, other });
          canaries.push({ value: `G${tag}`, child: key, cls: 'identity', org: discloser, kind: 'core' });
          for (const holder of [discloser, other]) {
            await t.db.query(
              `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
               VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 day', 'matrix')`,
              [id, orgIds.get(holder)],
            );
            const type = orgTypes.get(holder)!;
            const fields = Object.values(SECTION_VALUES[type] ?? {}).flatMap((f) => Object.keys(f));
            const values = Object.values(SECTION_VALUES[type] ?? {}).flatMap((f) => Object.values(f));
            await t.db.query(
              `INSERT INTO agency_section (child_id, organisation_id, agency_type, markers${fields.map((f) => `, ${f.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)}`).join('')})
               VALUES ($1, $2, $3, '{}'${values.map((_, i) => `, $${i + 4}`).join('')})`,
              [id, orgIds.get(holder), type, ...values.map((v) => `${v}-${holder}-${tag}`)],
            );
            for (const [c, byField] of Object.entries(SECTION_VALUES[type] ?? {})) {
              for (const v of Object.values(byField))
                canaries.push({
                  value: `${v}-${holder}-${tag}`,
                  child: key,
                  cls: c as Cls,
                  org: holder,
                  kind: 'section',
                });
            }
            for (const [confidential, label] of [
              [false, 'open'],
              [true, 'hidden'],
            ] as const) {
              const line1 = `${label} address ${holder} ${tag}`;
              await t.db.query(
                `INSERT INTO child_address (child_id, organisation_id, line1, town, postcode, confidential)
                 VALUES ($1, $2, $3, 'Town', 'AB1 2CD', $4)`,
                [id, orgIds.get(holder), line1, confidential],
              );
              canaries.push({ value: line1, child: key, cls: 'contact', org: holder, kind: 'address', confidential });
            }
            for (const ec of CLASSES) {
              for (const [shareable, multiAgency] of [
                [true, false],
                [false, false],
                [false, true],
              ] as const) {
                const summary = `#${ec}# s${+shareable}m${+multiAgency} ${holder} ${tag}`;
                const detail = `${summary} detail`;
                await t.db.query(
                  `INSERT INTO chronology_entry (child_id, organisation_id, occurred_at, recorded_at, category, summary, detail, sensitivity, shareable, multi_agency)
                   VALUES ($1, $2, now(), now(), 'other', $3, $4, $5, $6, $7)`,
                  [id, orgIds.get(holder), summary, detail, ec, shareable, multiAgency],
                );
                const base = { child: key, cls: ec, org: holder, shareable, multiAgency };
                canaries.push({ ...base, value: summary, kind: 'summary' }, { ...base, value: detail, kind: 'detail' });
              }
            }
          }
          const [by] = await t.db.query(`SELECT id FROM app_user WHERE organisation_id = $1 LIMIT 1`, [
            orgIds.get(discloser),
          ]);
          await t.db.query(
            `INSERT INTO sharing_grant (child_id, grantor_organisation_id, grantee_organisation_id, classes, from_at, until_at, decided_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              id,
              orgIds.get(discloser),
              orgIds.get(grantee),
              [cls],
              new Date(now - 60_000),
              new Date(now + 86_400_000),
              by.id,
            ],
          );
        }
      }
    });

    /** What a grantee may receive: the granted class of the discloser's data, nothing else. */
    function grantMayReceive(g: (typeof granted)[number], c: Canary, route: Route, sectionOrg?: string): boolean {
      if (c.org !== g.discloser || c.cls !== g.cls) return false;
      switch (c.kind) {
        case 'core':
          return route === 'child';
        case 'address':
          return route === 'child' && !c.confidential;
        case 'section':
          return route === 'section' && sectionOrg === g.discloser;
        case 'summary':
        case 'detail':
          return route === 'chronology' && c.shareable === true;
      }
    }

    it('reads exactly the granted class of the discloser, on every read route', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const g of granted.filter((x) => x.grantee === u.org)) {
          const child = await t.http.get(`/api/v1/children/${g.id}`).set('Authorization', auth);
          const expected = !READS_RECORDS(u.role) ? 403 : IDENTITY_ONLY.includes(u.role) ? 404 : 200;
          if (child.status !== expected)
            failures.push(`${u.role}@${u.org} ${g.cls}: child ${child.status} != ${expected}`);
          if (child.status === 200) {
            if ('pncId' in child.body !== (g.cls === 'police-intelligence')) failures.push(`${u.role} ${g.cls}: pncId`);
            if ('addresses' in child.body !== (g.cls === 'contact')) failures.push(`${u.role} ${g.cls}: addresses`);
            if ('givenName' in child.body !== (g.cls === 'identity')) failures.push(`${u.role} ${g.cls}: name`);
          }
          failures.push(
            ...scan(child.body, g.key, (k) => grantMayReceive(g, k, 'child')).map(
              (l) => `${u.role} ${g.cls} child leaks ${l}`,
            ),
          );
          const chronology = await t.http.get(`/api/v1/children/${g.id}/chronology`).set('Authorization', auth);
          const partsExpected = !READS_PARTS(u.role) ? 403 : expected;
          if (chronology.status !== partsExpected)
            failures.push(`${u.role} ${g.cls}: chronology ${chronology.status} != ${partsExpected}`);
          failures.push(
            ...scan(chronology.body, g.key, (k) => grantMayReceive(g, k, 'chronology')).map(
              (l) => `${u.role} ${g.cls} chronology leaks ${l}`,
            ),
          );
          for (const code of [g.discloser, g.other]) {
            const section = await t.http
              .get(`/api/v1/children/${g.id}/sections/${orgIds.get(code)}`)
              .set('Authorization', auth);
            const want = !READS_PARTS(u.role) ? 403 : code === g.discloser && partsExpected === 200 ? 200 : 404;
            if (section.status !== want)
              failures.push(`${u.role} ${g.cls}: section of ${code} ${section.status} != ${want}`);
            failures.push(
              ...scan(section.body, g.key, (k) => grantMayReceive(g, k, 'section', code)).map(
                (l) => `${u.role} ${g.cls} section ${code} leaks ${l}`,
              ),
            );
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('finds a granted child by name only under a disclosure of identity', async () => {
      const failures: string[] = [];
      for (const u of users.filter((x) => READS_PARTS(x.role))) {
        const auth = await t.as(u.email);
        for (const g of granted.filter((x) => x.grantee === u.org)) {
          const name = canaries.find((c) => c.child === g.key && c.kind === 'core' && c.cls === 'identity')!.value;
          const res = await t.http.get('/api/v1/children').query({ q: name }).set('Authorization', auth).expect(200);
          const found = (res.body.data as { id: string }[]).some((c) => c.id === g.id);
          if (found !== (g.cls === 'identity')) failures.push(`${u.role}@${u.org} ${g.cls}: found=${found}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('writes nothing: PATCH, chronology, addresses and its own section are 404 under a grant', async () => {
      const failures: string[] = [];
      for (const u of users.filter((x) => WRITES_RECORDS(x.role))) {
        const auth = await t.as(u.email);
        for (const g of granted.filter((x) => x.grantee === u.org)) {
          const writes = [
            t.http
              .patch(`/api/v1/children/${g.id}`)
              .set('Authorization', auth)
              .set('If-Match', '"1"')
              .send({ preferredName: 'X' }),
            t.http.post(`/api/v1/children/${g.id}/chronology`).set('Authorization', auth).send({
              occurredAt: new Date().toISOString(),
              category: 'other',
              summary: 'Probe',
              sensitivity: 'identity',
              shareable: false,
            }),
            t.http
              .post(`/api/v1/children/${g.id}/addresses`)
              .set('Authorization', auth)
              .send({ line1: '1 Probe St', town: 'Town', postcode: 'AB1 2CD' }),
            t.http
              .put(`/api/v1/children/${g.id}/sections/${orgIds.get(u.org)}`)
              .set('Authorization', auth)
              .send({}),
          ];
          for (const [i, w] of writes.entries()) {
            const res = await w;
            if (res.status !== 404) failures.push(`${u.role}@${u.org} ${g.cls}: write ${i} ${res.status} != 404`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  });

  /**
   * Triage: a child known only to another organisation, with an open referral to a team. The
   * receiving team's inbox roles read who the child is, nothing more, until the team decides;
   * everyone else (the same organisation's other teams, other roles) nothing at all.
   */
  describe('triage of an open referral', () => {
    const triaged: { team: string; org: string; holder: string; id: string; key: string; referralId: string }[] = [];

    beforeAll(async () => {
      const teams = await t.db.query(
        `SELECT t.id, t.name, o.code FROM team t JOIN organisation o ON o.id = t.organisation_id
          WHERE t.name IN ('MASH', 'CSE Unit', 'Safeguarding', 'Safeguarding Team')`,
      );
      for (const team of teams) {
        const tag = randomUUID().slice(0, 8);
        const holder = team.code === 'NSC' ? 'NSP' : 'NSC';
        const [child] = await t.db.query(
          `INSERT INTO child (given_name, family_name, name_key, search_name, date_of_birth, sex, created_by_organisation_id)
           VALUES ($1, 'Triage', $2, $3, '2013-01-01', 'M', $4) RETURNING id`,
          [`T${tag}`, `t${tag} triage`, `t${tag} triage`, orgIds.get(holder)],
        );
        await t.db.query(
          `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
           VALUES ($1, $2, 'contributing', 'registered', now() - interval '1 day', 'matrix')`,
          [child.id, orgIds.get(holder)],
        );
        const key = `triage:${team.code}:${team.name}`;
        const address = `triage address ${tag}`;
        await t.db.query(
          `INSERT INTO child_address (child_id, organisation_id, line1, town, postcode) VALUES ($1, $2, $3, 'Town', 'AB1 2CD')`,
          [child.id, orgIds.get(holder), address],
        );
        canaries.push({ value: address, child: key, cls: 'contact', org: holder, kind: 'address' });
        const summary = `triage entry ${tag}`;
        await t.db.query(
          `INSERT INTO chronology_entry (child_id, organisation_id, occurred_at, recorded_at, category, summary, sensitivity, shareable, multi_agency)
           VALUES ($1, $2, now(), now(), 'concern', $3, 'identity', true, true)`,
          [child.id, orgIds.get(holder), summary],
        );
        canaries.push({
          value: summary,
          child: key,
          cls: 'identity',
          org: holder,
          kind: 'summary',
          shareable: true,
          multiAgency: true,
        });
        const [sender] = await t.db.query(`SELECT id FROM app_user WHERE organisation_id = $1 LIMIT 1`, [
          orgIds.get(holder),
        ]);
        const [referral] = await t.db.query(
          `INSERT INTO referral (from_organisation_id, from_actor_id, to_organisation_id, to_team_id, child_id, reason, rag,
                                 consent_obtained, status, urgency, due_at)
           VALUES ($1, $2, $3, $4, $5, 'matrix', 'GREEN', true, 'SUBMITTED', 3, now() + interval '1 day') RETURNING id`,
          [orgIds.get(holder), sender.id, orgIds.get(team.code), team.id, child.id],
        );
        await t.db.query(
          `INSERT INTO triage_access (child_id, organisation_id, team_id, referral_id, opened_at) VALUES ($1, $2, $3, $4, now())`,
          [child.id, orgIds.get(team.code), team.id, referral.id],
        );
        triaged.push({ team: team.name, org: team.code, holder, id: child.id, key, referralId: referral.id });
      }
      expect(triaged.length).toBeGreaterThanOrEqual(5);
    });

    it("lets the receiving team's inbox roles read the child's identity only, and nobody else anything", async () => {
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const c of triaged) {
          // The holder's own people work with the child: they are the matrix's other situations.
          if (u.org === c.holder) continue;
          const receiving = u.org === c.org && u.team === c.team && TRIAGES(u.role);
          const res = await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth);
          const expected = !READS_RECORDS(u.role) ? 403 : receiving || u.role === 'inspector' ? 200 : 404;
          if (res.status !== expected)
            failures.push(`${u.role}@${u.org}/${u.team} ${c.key}: ${res.status} != ${expected}`);
          if (receiving && res.status === 200) {
            if (!res.body.givenName) failures.push(`${u.role} ${c.key}: no name under triage`);
            if ('addresses' in res.body || 'pncId' in res.body) failures.push(`${u.role} ${c.key}: more than identity`);
            const chronology = await t.http.get(`/api/v1/children/${c.id}/chronology`).set('Authorization', auth);
            failures.push(
              ...scan(chronology.body, c.key, () => false).map(
                (l) => `${u.role} ${c.key} triage chronology leaks ${l}`,
              ),
            );
          }
          if (u.role !== 'inspector')
            failures.push(...scan(res.body, c.key, () => false).map((l) => `${u.role} ${c.key} triage leaks ${l}`));
        }
      }
      expect(failures).toEqual([]);
    });

    it('ends when the team decides', async () => {
      const c = triaged.find((x) => x.org === 'NSP')!;
      const auth = await t.as('cse.officer@northshire-police.example');
      await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth).expect(200);
      await t.http
        .post(`/api/v1/referrals/${c.referralId}/transitions`)
        .set('Authorization', auth)
        .send({ to: 'ACKNOWLEDGED' })
        .expect(200);
      await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth).expect(200);
      await t.http
        .post(`/api/v1/referrals/${c.referralId}/transitions`)
        .set('Authorization', auth)
        .send({ to: 'DECLINED', reason: 'Not a CSE matter' })
        .expect(200);
      await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth).expect(404);
    });
  });
  describe("children's services case work (/cs)", () => {
    const CASE_WORKERS = ['social_worker', 'mash_officer', 'team_manager'];
    const ids: Record<string, string> = {};
    const today = () => new Date().toISOString().slice(0, 10);

    beforeAll(async () => {
      const sw = await t.as('social.worker@northshire-council.example');
      const send = (url: string, body: object, version?: number) => {
        const req = t.http.post(`/api/v1${url}`).set('Authorization', sw).set('Idempotency-Key', randomUUID());
        if (version !== undefined) req.set('If-Match', `"${version}"`);
        return req.send(body);
      };
      const child = await send('/children', {
        givenName: 'Matrix',
        familyName: `Case${Date.now()}`,
        dateOfBirth: '2012-01-02',
      });
      ids.child = child.body.id;
      const c = await send('/cs/cases', { childId: ids.child, referralDate: today(), referralSource: '1A' });
      expect(c.status).toBe(201);
      ids.case = c.body.id;
      const a = await send(`/cs/cases/${ids.case}/assessments`, {});
      ids.assessment = a.body.assessments[0].id;
      const sd = await send(`/cs/cases/${ids.case}/strategy-discussions`, {});
      ids.strategy = sd.body.strategyDiscussions[0].id;
      const attendees = ['NSC', 'NSP', 'NNHS'].map((code) => ({
        organisationId: orgIds.get(code),
        name: 'A',
        role: 'B',
      }));
      const held = await send(
        `/cs/strategy-discussions/${ids.strategy}/outcome`,
        { heldOn: today(), attendees, outcome: 'S47_SINGLE_AGENCY' },
        sd.body.strategyDiscussions[0].version,
      );
      expect(held.status).toBe(200);
      ids.s47 = held.body.s47Enquiries[0].id;
      ids.plan = (await send(`/cs/cases/${ids.case}/cin-plans`, { startDate: today() })).body.plans[0].id;
      ids.lookedAfter = (
        await send(`/cs/cases/${ids.case}/looked-after`, { startDate: today() })
      ).body.lookedAfter[0].id;
    });

    it("the caseload list: the council's own roles list its case, another council's list it not, other roles 403", async () => {
      const failures: string[] = [];
      for (const u of users) {
        const res = await t.http
          .get(`/api/v1/cs/cases?scope=organisation&childId=${ids.child}&limit=100`)
          .set('Authorization', await t.as(u.email));
        const allowed = [...CASE_WORKERS, 'conference_chair'].includes(u.role);
        const listed = res.status === 200 && res.body.data.some((c: { id: string }) => c.id === ids.case);
        if (!allowed && res.status !== 403) failures.push(`${u.role}@${u.org}: ${res.status} not 403`);
        if (allowed && res.status !== 200) failures.push(`${u.role}@${u.org}: ${res.status} not 200`);
        if (allowed && listed !== (u.org === 'NSC')) failures.push(`${u.role}@${u.org}: listed ${listed}`);
      }
      expect(failures).toEqual([]);
    });

    it("every /cs route: the council's own roles reach its case, another council gets 404, other roles 403", async () => {
      const attendees = [{ organisationId: orgIds.get('NSC'), name: 'A', role: 'B' }];
      // [method, url, body, If-Match?, roles allowed at the route, what an allowed role of the council gets]
      const routes: [string, string, object, boolean, string[], number[]][] = [
        ['get', `/cs/cases/${ids.case}`, {}, false, [...CASE_WORKERS, 'conference_chair'], [200]],
        [
          'post',
          '/cs/cases',
          { childId: ids.child, referralDate: today(), referralSource: '1A' },
          false,
          CASE_WORKERS,
          // The child's case is open: a second is refused (CS.CASE_OPEN), having reached the route.
          [409],
        ],
        ['post', `/cs/cases/${ids.case}/closure`, { closureDate: today(), reason: 'RC8' }, true, CASE_WORKERS, [412]],
        [
          'post',
          `/cs/cases/${ids.case}/reallocation`,
          { allocatedWorkerId: randomUUID(), reason: 'Caseload.' },
          true,
          ['team_manager'],
          [412],
        ],
        ['post', `/cs/cases/${ids.case}/assessments`, {}, false, CASE_WORKERS, [409]],
        [
          'post',
          `/cs/assessments/${ids.assessment}/authorisation`,
          { outcome: 'NFA', primaryNeed: 'N9', factors: ['21'] },
          true,
          ['team_manager'],
          [412],
        ],
        ['post', `/cs/cases/${ids.case}/strategy-discussions`, {}, false, CASE_WORKERS, [201, 409]],
        [
          'post',
          `/cs/strategy-discussions/${ids.strategy}/outcome`,
          { heldOn: today(), attendees: [...attendees, ...attendees, ...attendees], outcome: 'NO_S47' },
          true,
          CASE_WORKERS,
          [412],
        ],
        ['post', `/cs/s47/${ids.s47}/outcome`, { outcome: 'NFA', completedDate: today() }, true, CASE_WORKERS, [412]],
        [
          'post',
          `/cs/cases/${ids.case}/conferences`,
          { kind: 'INITIAL', heldOn: today(), attendees, decision: 'NFA' },
          false,
          ['conference_chair'],
          [409],
        ],
        ['post', `/cs/cases/${ids.case}/cin-plans`, { startDate: today() }, false, CASE_WORKERS, [409]],
        ['post', `/cs/plans/${ids.plan}/end`, { endDate: today(), reason: 'Done' }, true, CASE_WORKERS, [412]],
        ['post', `/cs/cases/${ids.case}/looked-after`, { startDate: today() }, false, CASE_WORKERS, [409]],
        ['post', `/cs/looked-after/${ids.lookedAfter}/end`, { endDate: today() }, true, CASE_WORKERS, [412]],
      ];
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const [method, url, body, ifMatch, roles, own] of routes) {
          let req = method === 'get' ? t.http.get(`/api/v1${url}`) : t.http.post(`/api/v1${url}`).send(body);
          req = req.set('Authorization', auth).set('Idempotency-Key', randomUUID());
          if (ifMatch) req = req.set('If-Match', '"999"');
          const res = await req;
          const expected = !roles.includes(u.role) ? [403] : u.org === 'NSC' ? own : [404];
          if (!expected.includes(res.status))
            failures.push(`${u.role}@${u.org} ${method.toUpperCase()} ${url}: ${res.status} not ${expected.join('|')}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('statutory returns: only a council performance officer, and only its own council', async () => {
      const failures: string[] = [];
      for (const u of users) {
        const res = await t.http.get('/api/v1/returns/cin-census?year=2026').set('Authorization', await t.as(u.email));
        const expected = u.role === 'performance_officer' ? [200, 422] : [403];
        if (!expected.includes(res.status)) failures.push(`${u.role}@${u.org}: ${res.status}`);
        const annexA = await t.http.get('/api/v1/returns/annex-a?list=7').set('Authorization', await t.as(u.email));
        const annexExpected = u.role === 'performance_officer' ? 200 : 403;
        if (annexA.status !== annexExpected) failures.push(`${u.role}@${u.org} annex-a: ${annexA.status}`);
      }
      expect(failures).toEqual([]);
    });
  });

  describe('police intelligence (issue 14): every police route x every demo user', () => {
    const NSP_READERS = ['cse_officer', 'cse_supervisor', 'intelligence_analyst'];
    const ids: Record<string, string> = {};
    const users = DEMO_USERS.map(([email, , org, , roles]) => ({ email, org, role: roles[0]! }));
    const auth = async (email: string) => t.as(email);

    beforeAll(async () => {
      const one = async (sql: string) => ((await t.db.query(sql)) as { id: string }[])[0]!.id;
      ids.leah = await one("SELECT id FROM child WHERE given_name = 'Leah' AND family_name = 'Thompson'");

      ids.car = await one(
        "SELECT v.id FROM police_vehicle v JOIN organisation o ON o.id = v.organisation_id WHERE o.code = 'NSP' AND v.vrm = 'AB12CDE'",
      );
      ids.ryan = await one("SELECT id FROM police_person WHERE pnc_id = '16/482913Y'");
      // The demo world's flat (the police journey registers another at the same postcode in the shared database).
      ids.flat = await one(
        "SELECT id FROM police_location WHERE postcode = 'NT1 4AB' AND hotspot ORDER BY created_at, id LIMIT 1",
      );
      const officer = await auth('cse.officer@northshire-police.example');
      const ep = await t.http
        .post('/api/v1/police/missing-episodes')
        .set('Authorization', officer)
        .send({
          childId: ids.leah,
          reportedBy: 'carer',
          reportedAt: new Date(t.clock.now().getTime() - 7200_000).toISOString(),
          riskGrading: 'low',
        })
        .expect(201);
      ids.episode = ep.body.id;
      // CAWNs are served for a child the council looks after (on the shared record): Leah, 16, is not.
      const inCare = await t.http
        .post('/api/v1/children')
        .set('Authorization', officer)
        .set('Idempotency-Key', randomUUID())
        .send({ givenName: 'Matrix', familyName: `InCare${Date.now()}`, dateOfBirth: '2012-03-03' })
        .expect(201);
      ids.inCare = inCare.body.id;
      const council = await one("SELECT id FROM organisation WHERE code = 'NSC'");
      await t.db.transaction((tx) =>
        t.app
          .get(SharedRecord, { strict: false })
          .setCouncilStatus(tx, ids.inCare!, council, 'looked_after', '2025-01-01'),
      );
      const cawn = await t.http
        .post('/api/v1/police/cawns')
        .set('Authorization', officer)
        .send({
          personId: ids.ryan,
          childId: ids.inCare,
          servedOn: '2026-01-05',
          expiresOn: '2028-01-05',
          childInCare: true,
        })
        .expect(201);
      ids.cawn = cawn.body.id;
      // A second notice, for the route that ends one (the first stays as it is for the reads).
      const toEnd = await t.http
        .post('/api/v1/police/cawns')
        .set('Authorization', officer)
        .send({
          personId: ids.ryan,
          childId: ids.inCare,
          servedOn: '2026-01-05',
          expiresOn: '2028-01-05',
          childInCare: true,
        })
        .expect(201);
      ids.cawnToEnd = toEnd.body.id;
    });

    /** Expected status, in domain terms: the recording force's CSE roles; another force 404; everyone else refused at the route. */
    function expected(u: { org: string; role: string }, route: string): number {
      const nspReader = u.org === 'NSP' && NSP_READERS.includes(u.role);
      const otherForceCse = u.org === 'SSP' && u.role === 'cse_officer';
      switch (route) {
        case 'person':
        case 'vehicle':
        case 'location':
        case 'network':
        case 'cawn':
          return nspReader ? 200 : otherForceCse ? 404 : 403;
        case 'screenings':
          return nspReader ? 200 : otherForceCse ? 404 : 403;
        case 'profiles':
        case 'matches':
          return nspReader || otherForceCse ? 200 : 403;
        case 'episode':
          return nspReader || (u.org === 'NSP' && u.role === 'police_officer')
            ? 200
            : u.org === 'SSP' && ['cse_officer', 'police_officer'].includes(u.role)
              ? 404
              : 403;
        default:
          throw new Error(route);
      }
    }

    it('reads: the recording force reads, another force gets 404, everyone else 403, and nothing leaks', async () => {
      const routes: Record<string, string> = {
        person: `/api/v1/police/persons/${ids.ryan}`,
        vehicle: `/api/v1/police/vehicles/${ids.car}`,
        location: `/api/v1/police/locations/${ids.flat}`,
        network: `/api/v1/police/network?childId=${ids.leah}&depth=2`,
        cawn: `/api/v1/police/cawns/${ids.cawn}`,
        screenings: `/api/v1/police/children/${ids.leah}/screenings`,
        profiles: '/api/v1/police/problem-profiles',
        matches: '/api/v1/police/matches',
        episode: `/api/v1/police/missing-episodes/${ids.episode}`,
      };
      const failures: string[] = [];
      for (const u of users) {
        const a = await auth(u.email);
        for (const [route, url] of Object.entries(routes)) {
          const res = await t.http.get(url).set('Authorization', a);
          const want = expected(u, route);
          if (res.status !== want) failures.push(`${u.role}@${u.org} GET ${route}: ${res.status}, expected ${want}`);
          const nsp =
            u.org === 'NSP' && (NSP_READERS.includes(u.role) || (route === 'episode' && u.role === 'police_officer'));
          if (!nsp && /Ryan|Cole|Mill Lane|grey|Vauxhall|Kestrel/.test(JSON.stringify(res.body)))
            failures.push(`${u.role}@${u.org} GET ${route} leaks Northshire intelligence`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('writes: officers write, supervisors decide disclosures and end CAWNs, nobody else', async () => {
      const failures: string[] = [];
      let n = 0;
      for (const u of users) {
        const a = await auth(u.email);
        const writer = ['cse_officer', 'cse_supervisor'].includes(u.role);
        const missingWriter = writer || u.role === 'police_officer';
        const checks: [string, string, object, number[]][] = [
          [
            'vehicles',
            '/api/v1/police/vehicles',
            { vrm: `MX${10 + (n++ % 80)}ZZ${String.fromCharCode(65 + (n % 26))}` },
            writer ? [201, 409] : [403],
          ],
          ['persons', '/api/v1/police/persons', { givenName: 'Matrix', familyName: 'Person' }, writer ? [201] : [403]],
          [
            'locations',
            '/api/v1/police/locations',
            { address: '1 Matrix Road', postcode: 'NT1 1AA' },
            writer ? [201] : [403],
          ],
          [
            'links',
            '/api/v1/police/links',
            {
              from: { kind: 'person', id: ids.ryan },
              to: { kind: 'location', id: ids.flat },
              sourceKind: 'intelligence',
              linkedOn: '2026-01-01',
              confidence: 'low',
            },
            !writer ? [403] : u.org === 'NSP' ? [409] : [404],
          ],
          [
            'screenings',
            '/api/v1/police/screenings',
            { childId: ids.leah, screenedOn: '2026-01-05', vulnerabilities: [], indicators: [] },
            !writer ? [403] : u.org === 'NSP' ? [201] : [404],
          ],
          [
            'missing-episodes',
            '/api/v1/police/missing-episodes',
            { childId: ids.leah, reportedBy: 'x', reportedAt: '2026-01-05T10:00:00Z', riskGrading: 'low' },
            !missingWriter ? [403] : u.org === 'NSP' ? [201] : [404],
          ],
          [
            'cawns',
            '/api/v1/police/cawns',
            {
              personId: ids.ryan,
              childId: ids.inCare,
              servedOn: '2026-01-05',
              expiresOn: '2027-01-05',
              childInCare: true,
            },
            !writer ? [403] : u.org === 'NSP' ? [201] : [404],
          ],
          [
            'cawn breaches',
            `/api/v1/police/cawns/${ids.cawn}/breaches`,
            { occurredAt: '2026-01-06T10:00:00Z', detail: 'seen' },
            !writer ? [403] : u.org === 'NSP' ? [201] : [404],
          ],
          [
            'cawn end',
            `/api/v1/police/cawns/${ids.cawnToEnd}/end`,
            { reason: 'matrix' },
            u.role !== 'cse_supervisor' ? [403] : u.org === 'NSP' ? [200, 409] : [404],
          ],
          [
            'disclosure-requests',
            '/api/v1/police/disclosure-requests',
            { matchReference: 'PM-0000000000', reason: 'x' },
            writer ? [404] : [403],
          ],
          [
            'disclosure-decisions',
            '/api/v1/police/disclosure-decisions',
            { matchReference: 'PM-0000000000', disclose: false, reason: 'x' },
            u.role === 'cse_supervisor' ? [404] : [403],
          ],
          [
            'disclosure-revocations',
            '/api/v1/police/disclosure-revocations',
            { matchReference: 'PM-0000000000', reason: 'x' },
            u.role === 'cse_supervisor' ? [404] : [403],
          ],
          [
            'found',
            `/api/v1/police/missing-episodes/${ids.episode}/found`,
            { foundAt: new Date(t.clock.now().getTime() - 60_000).toISOString(), foundLocation: 'home' },
            !missingWriter ? [403] : u.org === 'NSP' ? [200, 409, 412] : [404],
          ],
          [
            // A valid body under a stale ETag, so the episode stays as it is: the force's 412, another force's 404.
            'return-interview',
            `/api/v1/police/missing-episodes/${ids.episode}/return-interview`,
            { noInterviewReason: 'matrix' },
            !missingWriter ? [403] : u.org === 'NSP' ? [412] : [404],
          ],
          [
            // Neither an interview nor a reason (null is not a reason): 400 for whoever may record one.
            'return-interview (invalid)',
            `/api/v1/police/missing-episodes/${ids.episode}/return-interview`,
            { noInterviewReason: null },
            !missingWriter ? [403] : [400],
          ],
        ];
        for (const [name, url, body, want] of checks) {
          const res = await t.http
            .post(url)
            .set('Authorization', a)
            .set('Idempotency-Key', randomUUID())
            .set('If-Match', name === 'found' ? '"1"' : '"0"')
            .send(body);
          if (!want.includes(res.status))
            failures.push(`${u.role}@${u.org} POST ${name}: ${res.status}, expected ${want.join('/')}`);
        }
        // Corrections: the recording force's officers only (a stale ETag, so the demo data stays as it is);
        // another force 404, even for a node disclosed to it; everyone else refused at the route.
        for (const [name, url, body] of [
          ['person', `/api/v1/police/persons/${ids.ryan}`, { aliases: ['Matrix'] }],
          ['vehicle', `/api/v1/police/vehicles/${ids.car}`, { colour: 'matrix' }],
          ['location', `/api/v1/police/locations/${ids.flat}`, { hotspot: false }],
        ] as const) {
          const res = await t.http.patch(url).set('Authorization', a).set('If-Match', '"0"').send(body);
          const want = !writer ? 403 : u.org === 'NSP' ? 412 : 404;
          if (res.status !== want) failures.push(`${u.role}@${u.org} PATCH ${name}: ${res.status}, expected ${want}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('oversight routes', () => {
    const TIMELINE_READERS = ['inspector', 'data_protection_officer', 'review_lead'];
    const DASHBOARD_READERS = [
      'inspector',
      'data_protection_officer',
      'review_lead',
      'team_manager',
      'cse_supervisor',
      'dsl',
      'named_safeguarding_professional',
    ];

    it('GET /oversight/children/:id/timeline and its exports: inspectors (unrestricted children), DPOs and review leads working with the child; others 403 or 404', async () => {
      const [oliver] = await t.db.query(`SELECT id FROM child WHERE nhs_number = '4857773457'`);
      const [restricted] = await t.db.query('SELECT id FROM child WHERE restricted LIMIT 1');
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        for (const [child, label] of [
          [oliver.id as string, 'oliver'],
          [restricted.id as string, 'restricted'],
        ] as const) {
          const res = await t.http.get(`/api/v1/oversight/children/${child}/timeline`).set('Authorization', auth);
          const expected = !TIMELINE_READERS.includes(u.role)
            ? 403
            : label === 'restricted'
              ? 404
              : u.role === 'inspector' || u.org === 'NSC'
                ? 200
                : 404;
          if (res.status !== expected)
            failures.push(`timeline ${u.role}@${u.org} ${label}: ${res.status} != ${expected}`);
        }
        const exp = await t.http
          .post(`/api/v1/oversight/children/${restricted.id}/timeline/exports?format=csv`)
          .set('Authorization', auth);
        const expected = TIMELINE_READERS.includes(u.role) ? 404 : 403;
        if (exp.status !== expected) failures.push(`export ${u.role}@${u.org}: ${exp.status} != ${expected}`);
      }
      expect(failures).toEqual([]);
    });

    it("GET /oversight/dashboard: inspectors everything, managers and DPOs their own organisation's work, others 403", async () => {
      const failures: string[] = [];
      for (const u of users) {
        const res = await t.http.get('/api/v1/oversight/dashboard').set('Authorization', await t.as(u.email));
        const expected = DASHBOARD_READERS.includes(u.role) ? 200 : 403;
        if (res.status !== expected) failures.push(`${u.role}@${u.org}: ${res.status} != ${expected}`);
        if (res.status !== 200 || u.role === 'inspector' || u.role === 'review_lead') continue;
        for (const part of ['open', 'timeliness', 'referrals', 'requests']) {
          for (const row of res.body[part] as { organisationId: string }[]) {
            if (row.organisationId !== orgIds.get(u.org))
              failures.push(`${u.role}@${u.org} sees ${part} of another organisation`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('whistleblowing reports: only the whistleblowing officer lists, reads and moves them; everybody else 403', async () => {
      const made = await t.http.post('/api/v1/whistleblowing/reports').send({ category: 'other', text: 'Matrix.' });
      expect(made.status).toBe(201);
      const [{ id }] = await t.db.query('SELECT id FROM whistleblowing_report WHERE reference = $1', [
        made.body.reference,
      ]);
      const failures: string[] = [];
      for (const u of users) {
        const auth = await t.as(u.email);
        const officer = u.role === 'whistleblowing_officer';
        const calls = [
          ['list', await t.http.get('/api/v1/whistleblowing/reports').set('Authorization', auth), 200],
          ['read', await t.http.get(`/api/v1/whistleblowing/reports/${id}`).set('Authorization', auth), 200],
          [
            'reply',
            await t.http
              .post(`/api/v1/whistleblowing/reports/${id}/replies`)
              .set('Authorization', auth)
              .send({ audience: 'inspectorate', text: 'note' }),
            200,
          ],
          [
            'move',
            await t.http
              .post(`/api/v1/whistleblowing/reports/${id}/transitions`)
              .set('Authorization', auth)
              .set('If-Match', '"999"')
              .send({ to: 'acknowledged' }),
            412,
          ],
        ] as const;
        for (const [what, res, ok] of calls) {
          const expected = officer ? ok : 403;
          if (res.status !== expected) failures.push(`${what} ${u.role}@${u.org}: ${res.status} != ${expected}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
});

/**
 * Schools (issue 15): every education route x every demo role. A school's staff see its roll and
 * name pupils in concerns; only its DSL reads the safeguarding file; a transferred file is read by
 * the school that sent it and the one (or the council's CME officer) it went to; nobody else.
 */
describe('authorization matrix: education routes x every role', () => {
  let t: TestContext;
  const orgIds = new Map<string, string>();
  const everyone = [...DEMO_USERS, ...EDUCATION_DEMO_USERS].map(([email, , org, , roles]) => ({
    email,
    org,
    role: roles[0]!,
  }));
  let pupil: string;
  let toSchool: string;
  let toCouncil: string;

  beforeAll(async () => {
    t = await startTestApp();
    for (const o of await t.db.query('SELECT id, code FROM organisation')) orgIds.set(o.code, o.id);
    const dsl = await t.as('dsl@riverside-academy.example');
    const add = async (familyName: string) =>
      (
        await t.http
          .post('/api/v1/education/pupils')
          .set('Authorization', dsl)
          .send({
            upn: freshUpn(),
            givenName: 'Matrix',
            familyName,
            dateOfBirth: '2013-09-09',
            onRollFrom: '2026-09-01',
          })
          .expect(201)
      ).body.id as string;
    pupil = await add('Stays');
    const send = async (id: string, body: object) =>
      (
        await t.http
          .post(`/api/v1/education/pupils/${id}/transfers`)
          .set('Authorization', dsl)
          .send({ movedOn: '2026-11-30', ...body })
          .expect(201)
      ).body.id as string;
    toSchool = await send(await add('Moves'), { destination: 'SCHOOL', toSchoolId: orgIds.get('HHS') });
    toCouncil = await send(await add('Vanishes'), { destination: 'UNKNOWN', councilId: orgIds.get('NSC') });
  });
  afterAll(() => t.close());

  type U = (typeof everyone)[number];
  const isDsl = (u: U) => u.role === 'dsl';
  const atRva = (u: U) => u.org === 'RVA';
  const reporter = (u: U) =>
    ![
      'inspector',
      'whistleblowing_officer',
      'data_protection_officer',
      'review_lead',
      'org_admin',
      'cme_officer',
      // Produces the council's returns from its records: like the administrators, no case work (issue 13).
      'performance_officer',
    ].includes(u.role);
  // Route allowed for the role at all, then what it finds: the expected status, in domain terms.
  const cases: { name: string; run: (auth: string) => Promise<number>; expect: (u: U) => number }[] = [
    {
      name: 'GET /education/pupils',
      run: async (a) => (await t.http.get('/api/v1/education/pupils').set('Authorization', a)).status,
      expect: (u) => (['dsl', 'school_staff'].includes(u.role) ? 200 : 403),
    },
    {
      name: 'GET /education/pupils/:id',
      run: async (a) => (await t.http.get(`/api/v1/education/pupils/${pupil}`).set('Authorization', a)).status,
      expect: (u) => (['dsl', 'school_staff'].includes(u.role) ? (atRva(u) ? 200 : 404) : 403),
    },
    {
      name: 'GET /education/pupils/:id/file',
      run: async (a) => (await t.http.get(`/api/v1/education/pupils/${pupil}/file`).set('Authorization', a)).status,
      expect: (u) => (isDsl(u) ? (atRva(u) ? 200 : 404) : 403),
    },
    {
      name: 'PATCH /education/pupils/:id (invalid body: refused before writing)',
      run: async (a) =>
        (
          await t.http
            .patch(`/api/v1/education/pupils/${pupil}`)
            .set('Authorization', a)
            .set('If-Match', '"1"')
            .send({ givenName: '' })
        ).status,
      expect: (u) => (isDsl(u) ? 400 : 403),
    },
    {
      name: 'POST /education/pupils (invalid body: refused before writing)',
      run: async (a) => (await t.http.post('/api/v1/education/pupils').set('Authorization', a).send({})).status,
      expect: (u) => (isDsl(u) ? 400 : 403),
    },
    {
      name: 'POST /education/pupils/:id/concerns (invalid body)',
      run: async (a) =>
        (await t.http.post(`/api/v1/education/pupils/${pupil}/concerns`).set('Authorization', a).send({})).status,
      expect: (u) => (reporter(u) ? 400 : 403),
    },
    {
      name: 'POST /education/pupils/:id/actions (invalid body)',
      run: async (a) =>
        (await t.http.post(`/api/v1/education/pupils/${pupil}/actions`).set('Authorization', a).send({})).status,
      expect: (u) => (isDsl(u) ? 400 : 403),
    },
    {
      name: 'POST /education/pupils/:id/transfers (invalid body)',
      run: async (a) =>
        (await t.http.post(`/api/v1/education/pupils/${pupil}/transfers`).set('Authorization', a).send({})).status,
      expect: (u) => (isDsl(u) ? 400 : 403),
    },
    {
      name: 'GET /education/transfers/inbox',
      run: async (a) => (await t.http.get('/api/v1/education/transfers/inbox').set('Authorization', a)).status,
      expect: (u) => (isDsl(u) || u.role === 'cme_officer' ? 200 : 403),
    },
    {
      name: 'GET /education/transfers/:id (to a school)',
      run: async (a) => (await t.http.get(`/api/v1/education/transfers/${toSchool}`).set('Authorization', a)).status,
      expect: (u) => (isDsl(u) ? (['RVA', 'HHS'].includes(u.org) ? 200 : 404) : u.role === 'cme_officer' ? 404 : 403),
    },
    {
      name: 'GET /education/transfers/:id (to the CME officer)',
      run: async (a) => (await t.http.get(`/api/v1/education/transfers/${toCouncil}`).set('Authorization', a)).status,
      expect: (u) =>
        isDsl(u) ? (atRva(u) ? 200 : 404) : u.role === 'cme_officer' ? (u.org === 'NSC' ? 200 : 404) : 403,
    },
    {
      name: 'POST /education/transfers/:id/receipt (stale If-Match: found 412, else 404)',
      run: async (a) =>
        (
          await t.http
            .post(`/api/v1/education/transfers/${toSchool}/receipt`)
            .set('Authorization', a)
            .set('If-Match', '"999"')
        ).status,
      expect: (u) => (isDsl(u) ? (u.org === 'HHS' ? 412 : 404) : u.role === 'cme_officer' ? 404 : 403),
    },
    {
      name: 'GET /education/closure-days',
      run: async (a) => (await t.http.get('/api/v1/education/closure-days').set('Authorization', a)).status,
      expect: (u) => (isDsl(u) || u.role === 'org_admin' ? 200 : 403),
    },
    {
      name: 'PUT /education/closure-days (invalid body)',
      run: async (a) =>
        (await t.http.put('/api/v1/education/closure-days').set('Authorization', a).send({ days: 'x' })).status,
      expect: (u) => (isDsl(u) || u.role === 'org_admin' ? 400 : 403),
    },
  ];

  it('every education route answers each role as the domain says', async () => {
    const failures: string[] = [];
    for (const u of everyone) {
      const auth = await t.as(u.email);
      for (const c of cases) {
        const got = await c.run(auth);
        if (got !== c.expect(u)) failures.push(`${u.email} ${c.name}: ${got}, expected ${c.expect(u)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('authorization matrix: health routes x every role', () => {
  let t: TestContext;
  let plan: string;
  let review: string;
  const everyone = [...DEMO_USERS, ...EDUCATION_DEMO_USERS].map(([email, , org, , roles]) => ({
    email,
    org,
    role: roles[0]!,
  }));
  const NURSE = 'nurse@northshire-nhs.example';

  beforeAll(async () => {
    t = await startTestApp();
    // A survivor the trust's nurse registered, and her support plan with the nurse as key worker.
    const nurse = await t.as(NURSE);
    const child = await t.http
      .post('/api/v1/children')
      .set('Authorization', nurse)
      .send({ givenName: 'Matrix', familyName: 'Support', dateOfBirth: '2011-05-05' })
      .expect(201);
    plan = (
      await t.http
        .post('/api/v1/support-plans')
        .set('Authorization', nurse)
        .send({
          childId: child.body.id,
          service: 'Matrix therapeutic service',
          consent: { givenBy: 'young_person', givenOn: '2026-01-02' },
          startDate: '2026-01-05',
        })
        .expect(201)
    ).body.id as string;
    review = (
      await t.http
        .post(`/api/v1/support-plans/${plan}/reviews`)
        .set('Authorization', nurse)
        .set('If-Match', '"1"')
        .send({ heldOn: '2026-01-06', outcome: 'Matrix review.' })
        .expect(200)
    ).body.reviews[0].id as string;
  });
  afterAll(() => t.close());

  type U = (typeof everyone)[number];
  const nurses = (u: U) => ['health_practitioner', 'named_safeguarding_professional'].includes(u.role);
  /** Practitioners who refer survivors to therapeutic support (and their managers). */
  const supportRoles = (u: U) =>
    [
      'social_worker',
      'team_manager',
      'health_practitioner',
      'named_safeguarding_professional',
      'cse_officer',
      'cse_supervisor',
      'dsl',
    ].includes(u.role);
  /** The plan's key worker (the nurse) and the trust's managers (the named nurse): nobody else. */
  const holdsPlan = (u: U) => u.email === NURSE || (u.org === 'NNHS' && u.role === 'named_safeguarding_professional');
  const onPlan = (u: U, found: number) => (supportRoles(u) ? (holdsPlan(u) ? found : 404) : 403);
  // The path is built when the case runs: the plan exists only after beforeAll.
  const stale =
    (path: () => string, body: object, method: 'post' | 'patch' = 'post') =>
    async (a: string) =>
      (await t.http[method](path()).set('Authorization', a).set('If-Match', '"999"').send(body)).status;

  const cases: { name: string; run: (auth: string) => Promise<number>; expect: (u: U) => number }[] = [
    {
      name: 'GET /health/protection-status',
      run: async (a) =>
        (
          await t.http
            .get('/api/v1/health/protection-status?nhsNumber=4010232137')
            .set('Authorization', a)
            .set('X-Purpose-Of-Use', 'direct_safeguarding')
        ).status,
      expect: (u) => (nurses(u) ? 200 : 403),
    },
    {
      name: 'GET /health/protection-status/lookups',
      run: async (a) => (await t.http.get('/api/v1/health/protection-status/lookups').set('Authorization', a)).status,
      expect: (u) => (['social_worker', 'mash_officer', 'team_manager'].includes(u.role) ? 200 : 403),
    },
    {
      name: 'GET /support-plans',
      run: async (a) => (await t.http.get('/api/v1/support-plans').set('Authorization', a)).status,
      expect: (u) => (supportRoles(u) ? 200 : 403),
    },
    {
      name: 'GET /support-plans/:id',
      run: async (a) => (await t.http.get(`/api/v1/support-plans/${plan}`).set('Authorization', a)).status,
      expect: (u) => onPlan(u, 200),
    },
    {
      name: 'POST /support-plans (invalid body: refused before writing)',
      run: async (a) => (await t.http.post('/api/v1/support-plans').set('Authorization', a).send({})).status,
      expect: (u) => (supportRoles(u) ? 400 : 403),
    },
    {
      name: 'PATCH /support-plans/:id (stale If-Match: found 412, else 404)',
      run: stale(() => `/api/v1/support-plans/${plan}`, { service: 'X' }, 'patch'),
      expect: (u) => onPlan(u, 412),
    },
    {
      name: 'POST /support-plans/:id/reviews (stale If-Match)',
      run: stale(() => `/api/v1/support-plans/${plan}/reviews`, { heldOn: '2026-01-06', outcome: 'x' }),
      expect: (u) => onPlan(u, 412),
    },
    {
      name: 'PATCH /support-plans/:id/reviews/:reviewId (sealed: 409 to who may see it)',
      run: async (a) =>
        (
          await t.http
            .patch(`/api/v1/support-plans/${plan}/reviews/${review}`)
            .set('Authorization', a)
            .send({ outcome: 'x' })
        ).status,
      expect: (u) => onPlan(u, 409),
    },
    {
      name: 'POST /support-plans/:id/reviews/:reviewId/corrections (stale If-Match)',
      run: stale(() => `/api/v1/support-plans/${plan}/reviews/${review}/corrections`, { outcome: 'x', reason: 'y' }),
      expect: (u) => onPlan(u, 412),
    },
    {
      name: 'POST /support-plans/:id/end (stale If-Match)',
      run: stale(() => `/api/v1/support-plans/${plan}/end`, {
        endedOn: '2026-01-06',
        reason: 'other',
        personsView: 'x',
      }),
      expect: (u) => onPlan(u, 412),
    },
  ];

  it('every health route answers each role as the domain says', async () => {
    const failures: string[] = [];
    for (const u of everyone) {
      const auth = await t.as(u.email);
      for (const c of cases) {
        const got = await c.run(auth);
        if (got !== c.expect(u)) failures.push(`${u.email} ${c.name}: ${got}, expected ${c.expect(u)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
