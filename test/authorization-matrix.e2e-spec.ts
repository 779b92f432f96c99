/**
 * The authorization matrix: every child route, every demo role, four situations (own
 * organisation's child, another organisation's child, a child shared through an involvement, a
 * restricted child). Expectations are restated here in plain domain terms, independently of the
 * policy code, and every response body is scanned for values of classes the caller may not read.
 */
import { DEMO_USERS } from '../apps/api/src/seed/demo-world';
import { DEMO_CHILDREN } from '../apps/api/src/seed/demo-children';
import { startTestApp, type TestContext } from './support/app';

type Cls = 'identity' | 'contact' | 'education' | 'health' | 'sexual-health' | 'police-intelligence' | 'social-care';

const POLICE = ['police_officer', 'cse_officer', 'cse_supervisor', 'intelligence_analyst'];
const COUNCIL = ['social_worker', 'mash_officer', 'team_manager', 'conference_chair'];
const HEALTH = ['health_practitioner', 'named_safeguarding_professional'];

/** Classes of other agencies' data each role reads (DOMAIN.md need-to-know). */
function classesOf(role: string): Cls[] {
  if (POLICE.includes(role)) return ['identity', 'contact', 'police-intelligence'];
  if (COUNCIL.includes(role)) return ['identity', 'contact', 'social-care'];
  if (role === 'dsl') return ['identity', 'contact', 'education'];
  if (HEALTH.includes(role)) return ['identity', 'contact', 'health', 'sexual-health'];
  if (role === 'inspector') return ['identity', 'contact', 'social-care', 'education', 'health'];
  return [];
}
const READS_RECORDS = (role: string) => classesOf(role).length > 0;
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
  ['cse_supervisor', 'team_manager', 'named_safeguarding_professional', 'dsl', 'inspector'].includes(role);

interface Seeded {
  key: string;
  id: string;
  restricted: boolean;
  orgs: string[]; // organisation codes involved
  caseTeam: string[];
  sections: Record<string, string>; // org code -> section id
}

describe('authorization matrix: every child route x every role x four situations', () => {
  let t: TestContext;
  const orgIds = new Map<string, string>();
  const seeded = new Map<string, Seeded>();
  /** Values of each class in the seed, which must never reach a caller without that class. */
  const canaries: { value: string; cls: Cls; org: string; child: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    for (const o of await t.db.query('SELECT id, code FROM organisation')) orgIds.set(o.code, o.id);
    for (const spec of DEMO_CHILDREN) {
      const [row] = await t.db.query('SELECT id FROM child WHERE name_key = $1 AND date_of_birth = $2', [
        `${spec.child.givenName} ${spec.child.familyName}`.toLowerCase(),
        spec.child.dateOfBirth,
      ]);
      const sections: Record<string, string> = {};
      for (const s of await t.db.query(
        'SELECT s.id, o.code FROM agency_section s JOIN organisation o ON o.id = s.organisation_id WHERE child_id = $1',
        [row.id],
      )) {
        sections[s.code] = s.id;
      }
      seeded.set(spec.key, {
        key: spec.key,
        id: row.id,
        restricted: spec.child.restricted === true,
        orgs: [spec.lead, ...(spec.contributing ?? [])],
        caseTeam: spec.caseTeam ?? [],
        sections,
      });
      if (spec.child.pncId)
        canaries.push({ value: spec.child.pncId, cls: 'police-intelligence', org: spec.lead, child: spec.key });
      for (const a of spec.addresses ?? [])
        canaries.push({
          value: a.line1!,
          cls: 'contact',
          org: a.confidential ? `confidential:${a.by}` : a.by,
          child: spec.key,
        });
      for (const s of spec.sections ?? []) {
        if (s.intelligenceNotes)
          canaries.push({ value: s.intelligenceNotes, cls: 'police-intelligence', org: s.org, child: spec.key });
        if (s.safeguardingNotes)
          canaries.push({ value: s.safeguardingNotes, cls: 'education', org: s.org, child: spec.key });
        if (s.healthNotes) canaries.push({ value: s.healthNotes, cls: 'health', org: s.org, child: spec.key });
        if (s.sexualHealthNotes)
          canaries.push({ value: s.sexualHealthNotes, cls: 'sexual-health', org: s.org, child: spec.key });
      }
      for (const e of spec.entries) {
        canaries.push({
          value: e.summary,
          cls: e.sensitivity as Cls,
          org: e.shareable ? `shareable:${e.org}` : `private:${e.org}`,
          child: spec.key,
        });
      }
    }
  });
  afterAll(() => t.close());

  const sees = (email: string, role: string, org: string, c: Seeded) =>
    READS_RECORDS(role) &&
    (c.caseTeam.includes(email) || (!c.restricted && (c.orgs.includes(org) || role === 'inspector')));

  /** May this caller ever receive this canary? Own organisation's data always; others' by class. */
  function mayReceive(
    role: string,
    org: string,
    canary: (typeof canaries)[number],
    route: 'child' | 'chronology' | 'section',
    sectionOrg?: string,
  ): boolean {
    const classes = classesOf(role);
    if (canary.org.startsWith('confidential:')) return canary.org === `confidential:${org}`;
    if (canary.org.startsWith('private:'))
      return canary.org === `private:${org}` || (role === 'inspector' && classes.includes(canary.cls));
    if (canary.org.startsWith('shareable:')) return canary.org === `shareable:${org}` || classes.includes(canary.cls);
    if (route === 'section') return sectionOrg === org ? true : role === 'inspector' && classes.includes(canary.cls);
    return classes.includes(canary.cls);
  }

  function scan(
    body: unknown,
    role: string,
    org: string,
    childKey: string,
    route: 'child' | 'chronology' | 'section',
    sectionOrg?: string,
  ): string[] {
    const text = JSON.stringify(body);
    return canaries
      .filter((c) => c.child === childKey && text.includes(c.value) && !mayReceive(role, org, c, route, sectionOrg))
      .map((c) => `${c.cls} (${c.org}): ${c.value.slice(0, 40)}`);
  }

  const users = DEMO_USERS.map(([email, , org, , roles]) => ({ email, org, role: roles[0]! }));
  const situation = (u: (typeof users)[number], c: Seeded) =>
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
    expect(new Set(users.map((u) => u.role)).size).toBeGreaterThanOrEqual(14);
  });

  it('GET /children/:id: status and fields', async () => {
    const failures: string[] = [];
    for (const u of users) {
      const auth = await t.as(u.email);
      for (const c of seeded.values()) {
        const res = await t.http.get(`/api/v1/children/${c.id}`).set('Authorization', auth);
        const expected = !READS_RECORDS(u.role) ? 403 : sees(u.email, u.role, u.org, c) ? 200 : 404;
        if (res.status !== expected)
          failures.push(`${u.role}@${u.org} ${situation(u, c)} ${c.key}: ${res.status} != ${expected}`);
        if (res.status === 200) {
          const classes = classesOf(u.role);
          const hasPnc = 'pncId' in res.body;
          if (hasPnc !== classes.includes('police-intelligence'))
            failures.push(`${u.role} ${c.key}: pncId present=${hasPnc}`);
          if ('addresses' in res.body !== classes.includes('contact')) failures.push(`${u.role} ${c.key}: addresses`);
          failures.push(
            ...scan(res.body, u.role, u.org, c.key, 'child').map((l) => `${u.role}@${u.org} ${c.key} child leaks ${l}`),
          );
        } else {
          expect(JSON.stringify(res.body)).not.toContain(c.id.slice(0, 8) + 'x');
          failures.push(
            ...scan(res.body, u.role, u.org, c.key, 'child').map((l) => `${u.role} ${c.key} error body leaks ${l}`),
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('GET /children/:id/chronology: only own entries and shareable entries of readable classes', async () => {
    const failures: string[] = [];
    for (const u of users) {
      const auth = await t.as(u.email);
      for (const c of seeded.values()) {
        const res = await t.http.get(`/api/v1/children/${c.id}/chronology`).set('Authorization', auth);
        const expected = !READS_RECORDS(u.role) ? 403 : sees(u.email, u.role, u.org, c) ? 200 : 404;
        if (res.status !== expected) failures.push(`${u.role} ${c.key}: ${res.status} != ${expected}`);
        if (res.status === 200) {
          for (const e of res.body.data) {
            const own = e.organisationId === orgIds.get(u.org);
            const ok =
              own ||
              (u.role === 'inspector'
                ? classesOf(u.role).includes(e.sensitivity)
                : e.shareable && classesOf(u.role).includes(e.sensitivity));
            if (!ok) failures.push(`${u.role} ${c.key}: got ${e.sensitivity} entry of another agency`);
          }
          failures.push(
            ...scan(res.body, u.role, u.org, c.key, 'chronology').map(
              (l) => `${u.role} ${c.key} chronology leaks ${l}`,
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
        for (const [code] of Object.entries(c.sections)) {
          const res = await t.http
            .get(`/api/v1/children/${c.id}/sections/${orgIds.get(code)}`)
            .set('Authorization', auth);
          const visible = sees(u.email, u.role, u.org, c);
          const expected = !READS_RECORDS(u.role)
            ? 403
            : !visible
              ? 404
              : code === u.org || u.role === 'inspector'
                ? 200
                : 404;
          if (res.status !== expected)
            failures.push(`${u.role}@${u.org} ${c.key} section ${code}: ${res.status} != ${expected}`);
          failures.push(
            ...scan(res.body, u.role, u.org, c.key, 'section', code).map(
              (l) => `${u.role} ${c.key} section ${code} leaks ${l}`,
            ),
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('GET /children/:id/access-log: leads and inspectors, on children they see', async () => {
    const failures: string[] = [];
    for (const u of users) {
      const auth = await t.as(u.email);
      for (const c of seeded.values()) {
        const res = await t.http.get(`/api/v1/children/${c.id}/access-log`).set('Authorization', auth);
        const expected = !READS_ACCESS_LOG(u.role) ? 403 : sees(u.email, u.role, u.org, c) ? 200 : 404;
        if (res.status !== expected) failures.push(`${u.role} ${c.key}: ${res.status} != ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('PATCH /children/:id: writers of involved organisations only; inspectors and readers 403; others 404', async () => {
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
        const involved = c.caseTeam.includes(u.email) || (!c.restricted && c.orgs.includes(u.org));
        const expected = !WRITES_RECORDS(u.role) ? 403 : involved ? 412 : 404;
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
          const seesIt = sees(u.email, u.role, u.org, c);
          const expected = !WRITES_RECORDS(u.role) ? 403 : !seesIt ? 404 : code === u.org ? 412 : 403;
          if (res.status !== expected)
            failures.push(`${u.role}@${u.org} ${c.key} section ${code}: ${res.status} != ${expected}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('POST /children/:id/chronology: writers of involved organisations, in their own classes', async () => {
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
        const involved = c.caseTeam.includes(u.email) || (!c.restricted && c.orgs.includes(u.org));
        const expected = !WRITES_RECORDS(u.role) ? 403 : involved ? 201 : 404;
        if (res.status !== expected) failures.push(`${u.role}@${u.org} ${c.key}: ${res.status} != ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('GET /children: lists exactly the children each caller may see', async () => {
    const failures: string[] = [];
    for (const u of users) {
      const res = await t.http
        .get('/api/v1/children')
        .query({ limit: 200 })
        .set('Authorization', await t.as(u.email));
      if (!READS_RECORDS(u.role)) {
        if (res.status !== 403) failures.push(`${u.role}: ${res.status} != 403`);
        continue;
      }
      const demoIds = new Set([...seeded.values()].map((c) => c.id));
      const got = (res.body.data as { id: string }[])
        .map((c) => c.id)
        .filter((id) => demoIds.has(id))
        .sort();
      const want = [...seeded.values()]
        .filter((c) => sees(u.email, u.role, u.org, c))
        .map((c) => c.id)
        .sort();
      if (JSON.stringify(got) !== JSON.stringify(want))
        failures.push(`${u.role}@${u.org}: listed ${got.length}, expected ${want.length}`);
      for (const row of res.body.data) {
        const c = [...seeded.values()].find((s) => s.id === row.id);
        if (c) failures.push(...scan(row, u.role, u.org, c.key, 'child').map((l) => `${u.role} list leaks ${l}`));
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
