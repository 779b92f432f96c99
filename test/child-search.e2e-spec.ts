import { randomBytes } from 'node:crypto';
import { AbilityFactory, type AccessContext } from '@app/access';
import { ChildrenService, checkSearchIndex, searchPaths } from '@app/children';
import type { Actor, OrganisationType } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';

/**
 * Name search runs through the organisations' name index (child_search, kept by triggers), and
 * any other search on the child table. Both must answer exactly as the policy says, follow every
 * change of involvement, name and restriction, and page without gaps or repeats.
 */

const SW = 'social.worker@northshire-council.example';
const TM = 'team.manager@northshire-council.example';
const MASH = 'mash.officer@northshire-council.example';
const CSE = 'cse.officer@northshire-police.example';
const CSE_SUP = 'cse.supervisor@northshire-police.example';

/** A family name no other test uses (letters only, so it survives normalisation as one word). */
const uniqueFamily = (): string => `Qu${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

describe('name search through the organisation name index', () => {
  let t: TestContext;
  let orgs: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp();
    orgs = Object.fromEntries((await t.db.query('SELECT code, id FROM organisation')).map((o: any) => [o.code, o.id]));
  });
  afterAll(() => t.close());

  const search = async (who: string, q: string, extra: Record<string, unknown> = {}): Promise<any[]> =>
    (
      await t.http
        .get('/api/v1/children')
        .query({ q, ...extra })
        .set('Authorization', await t.as(who))
        .expect(200)
    ).body.data;

  const register = async (who: string, body: Record<string, unknown>): Promise<any> =>
    (
      await t.http
        .post('/api/v1/children')
        .set('Authorization', await t.as(who))
        .send({ dateOfBirth: '2013-06-07', ...body })
        .expect(201)
    ).body;

  const userId = async (email: string): Promise<string> =>
    (await t.db.query('SELECT id FROM app_user WHERE email = $1', [email]))[0].id;

  it('finds a child for another organisation only while its involvement is active', async () => {
    const family = uniqueFamily();
    const child = await register(SW, { givenName: 'Marnie', familyName: family });
    expect((await search(SW, `marnie ${family}`)).map((c) => c.id)).toEqual([child.id]);
    expect(await search(CSE, `marnie ${family}`)).toEqual([]);

    const now = t.clock.now();
    await t.db.query(
      `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, until_at, reason)
       VALUES ($1, $2, 'contributing', 'statutory', $3, $4, 'test')`,
      [child.id, orgs.NSP, new Date(now.getTime() - 60_000), new Date(now.getTime() + 86_400_000)],
    );
    const found = await search(CSE, family);
    expect(found.map((c) => c.id)).toEqual([child.id]);
    expect(found[0]).toMatchObject({ givenName: 'Marnie', familyName: family });

    // The involvement ends (its period passes): the child leaves the police's search and reads.
    t.clock.set(new Date(now.getTime() + 2 * 86_400_000));
    try {
      expect(await search(CSE, family)).toEqual([]);
      await t.http
        .get(`/api/v1/children/${child.id}`)
        .set('Authorization', await t.as(CSE))
        .expect(404);
      expect((await search(SW, family)).map((c) => c.id)).toEqual([child.id]);
    } finally {
      t.clock.set(now);
    }
  });

  it('follows an involvement ended early (a revoked disclosure) or removed', async () => {
    const family = uniqueFamily();
    const child = await register(SW, { givenName: 'Philippa', familyName: family });
    const involve = async () =>
      (
        await t.db.query(
          `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
           VALUES ($1, $2, 'contributing', 'statutory', $3, 'test') RETURNING id`,
          [child.id, orgs.NSP, new Date(t.clock.now().getTime() - 60_000)],
        )
      )[0].id as string;
    const first = await involve();
    expect((await search(CSE, family)).map((c) => c.id)).toEqual([child.id]);
    await t.db.query('UPDATE involvement SET until_at = $2 WHERE id = $1', [first, t.clock.now()]);
    expect(await search(CSE, family)).toEqual([]);
    const second = await involve();
    expect((await search(CSE, family)).map((c) => c.id)).toEqual([child.id]);
    await t.db.query('DELETE FROM involvement WHERE id = $1', [second]);
    expect(await search(CSE, family)).toEqual([]);
    expect(await t.db.query('SELECT 1 FROM child_search WHERE involvement_id = ANY($1)', [[second]])).toEqual([]);
  });

  it('never shows, nor names in a cursor, a child the scope refuses, even if the index were wrong', async () => {
    const family = uniqueFamily();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await register(TM, { givenName: 'Wilhelmina', familyName: family, dateOfBirth: `2012-02-1${i}` })).id);
    }
    const hidden = [...ids].sort()[1]!;
    await t.http
      .patch(`/api/v1/children/${hidden}`)
      .set('Authorization', await t.as(TM))
      .set('If-Match', '"1"')
      .send({ restricted: true, caseTeamUserIds: [await userId(TM)] })
      .expect(200);
    // Corrupt the index as a bug might: it now offers the restricted child to the organisation.
    await t.db.query('UPDATE child_search SET restricted = false WHERE child_id = $1', [hidden]);
    const auth = await t.as(SW);
    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await t.http
        .get('/api/v1/children')
        .query({ q: `wilhelmina ${family}`, limit: 1, ...(cursor ? { cursor } : {}) })
        .set('Authorization', auth)
        .expect(200);
      seen.push(...res.body.data.map((c: any) => c.id));
      cursor = res.body.nextCursor;
      // A cursor is its readable values and their seal: `<base64url JSON>.<base64url HMAC>`.
      if (cursor) cursors.push(Buffer.from(cursor.split('.')[0]!, 'base64url').toString('utf8'));
      pages++;
    } while (cursor && pages < 10);
    expect(seen).not.toContain(hidden);
    expect(cursors.join(' ')).not.toContain(hidden);
    expect([...seen].sort()).toEqual(ids.filter((id) => id !== hidden).sort());
    await t.db.query('UPDATE child_search SET restricted = true WHERE child_id = $1', [hidden]);
  });

  it('follows a change of name at once, for every organisation involved', async () => {
    const family = uniqueFamily();
    const renamed = uniqueFamily();
    const child = await register(SW, { givenName: 'Tamsin', familyName: family });
    await t.db.query(
      `INSERT INTO involvement (child_id, organisation_id, kind, basis, from_at, reason)
       VALUES ($1, $2, 'contributing', 'referral_accepted', now() - interval '1 minute', 'test')`,
      [child.id, orgs.NSP],
    );
    await t.http
      .patch(`/api/v1/children/${child.id}`)
      .set('Authorization', await t.as(SW))
      .set('If-Match', '"1"')
      .send({ familyName: renamed })
      .expect(200);
    for (const who of [SW, CSE]) {
      expect(await search(who, family)).toEqual([]);
      expect((await search(who, `tamsin ${renamed}`)).map((c) => c.id)).toEqual([child.id]);
    }
  });

  it('hides a restricted child from everyone but its case team', async () => {
    const family = uniqueFamily();
    const child = await register(TM, { givenName: 'Isolde', familyName: family });
    expect((await search(MASH, family)).map((c) => c.id)).toEqual([child.id]);
    await t.http
      .patch(`/api/v1/children/${child.id}`)
      .set('Authorization', await t.as(TM))
      .set('If-Match', '"1"')
      .send({ restricted: true, caseTeamUserIds: [await userId(TM)] })
      .expect(200);
    expect(await search(MASH, family)).toEqual([]);
    expect(await search(SW, family)).toEqual([]);
    expect((await search(TM, family)).map((c) => c.id)).toEqual([child.id]);
  });

  it('finds a child opened by break-glass for as long as the grant lasts', async () => {
    const family = uniqueFamily();
    const child = await register(SW, { givenName: 'Bronagh', familyName: family });
    expect(await search(CSE_SUP, family)).toEqual([]);
    const grant = await t.http
      .post(`/api/v1/children/${child.id}/break-glass`)
      .set('Authorization', await t.as(CSE_SUP))
      .send({ reason: 'Missing overnight, seen with an adult of concern; urgent checks needed.' })
      .expect(201);
    expect((await search(CSE_SUP, family)).map((c) => c.id)).toEqual([child.id]);
    // Only the officer who broke the glass: not their colleagues.
    expect(await search(CSE, family)).toEqual([]);
    const now = t.clock.now();
    t.clock.set(new Date(new Date(grant.body.expiresAt).getTime() + 1000));
    try {
      expect(await search(CSE_SUP, family)).toEqual([]);
    } finally {
      t.clock.set(now);
    }
  });

  it('matches every word typed, each fuzzily, accents and case aside', async () => {
    const family = uniqueFamily();
    const a = await register(SW, { givenName: 'Éowyn', familyName: family });
    const b = await register(SW, { givenName: 'Rhiannon', familyName: family, dateOfBirth: '2012-01-02' });
    expect((await search(SW, family)).map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect((await search(SW, `EOWYN ${family}`)).map((c) => c.id)).toEqual([a.id]);
    expect((await search(SW, `rhianon ${family}`)).map((c) => c.id)).toEqual([b.id]);
    expect(await search(SW, `bartholomew ${family}`)).toEqual([]);
  });

  it('pages a name shared by many children without gaps or repeats, best match first', async () => {
    const family = uniqueFamily();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const dob = `2011-0${1 + (i % 9)}-1${i}`;
      created.push((await register(SW, { givenName: 'Ottoline', familyName: family, dateOfBirth: dob })).id);
    }
    // One near miss ranks after the exact matches.
    const near = (await register(SW, { givenName: 'Ottoline', familyName: `${family}s`, dateOfBirth: '2010-10-10' }))
      .id;
    const auth = await t.as(SW);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await t.http
        .get('/api/v1/children')
        .query({ q: `ottoline ${family}`, limit: 3, ...(cursor ? { cursor } : {}) })
        .set('Authorization', auth)
        .expect(200);
      seen.push(...res.body.data.map((c: any) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen.slice(0, 7)).toEqual([...created].sort());
    expect(seen[7]).toBe(near);
  });

  it('answers a name search through the index exactly as the search on the child table would', async () => {
    // The demo children and those above, for every demo user who may search: the two paths agree
    // on the children and their order, whatever the caller's need-to-know.
    const service = t.app.get(ChildrenService);
    const abilities = t.app.get(AbilityFactory);
    const users: {
      id: string;
      organisation_id: string;
      type: OrganisationType;
      team_id: string | null;
      roles: string[];
    }[] = await t.db.query(
      `SELECT u.id, u.organisation_id, o.type, u.team_id, u.roles FROM app_user u
           JOIN organisation o ON o.id = u.organisation_id WHERE u.active ORDER BY u.email`,
    );
    const names: { given_name: string; family_name: string }[] = await t.db.query(
      `SELECT given_name, family_name FROM child ORDER BY created_at LIMIT 12`,
    );
    const queries = [...names.map((n) => `${n.given_name} ${n.family_name}`), ...names.map((n) => n.family_name)];
    let compared = 0;
    for (const u of users) {
      const actor: Actor = {
        kind: 'user',
        id: u.id,
        organisationId: u.organisation_id,
        organisationType: u.type,
        teamId: u.team_id,
        roles: u.roles,
        scopes: [],
      };
      const ctx: AccessContext = {
        actor,
        ability: abilities.for(actor),
        purpose: 'direct_safeguarding',
        requestId: null,
        clientIp: null,
      };
      if (!ctx.ability.can('read', 'Child')) continue;
      for (const text of queries) {
        const q = text.toLowerCase();
        const [viaIndex, viaTable] = await t.db.transaction(async (tx) => {
          await tx.query(`SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true)`);
          const paths = searchPaths(ctx.ability, 'read');
          if (paths === null) return [null, null];
          const s = service as any;
          return [
            await s.searchByName(tx, ctx, paths, q, 100, undefined),
            await s.searchChildren(tx, ctx, { q: text }, q, 100),
          ];
        });
        if (viaIndex === null) continue;
        expect({ user: u.id, q, ids: viaIndex.data.map((c: any) => c.id) }).toEqual({
          user: u.id,
          q,
          ids: viaTable.data.map((c: any) => c.id),
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('can be checked against the involvements it mirrors, and repaired', async () => {
    expect(await checkSearchIndex(t.db)).toEqual({ missing: 0, stale: 0, repaired: false });
    const family = uniqueFamily();
    const a = await register(SW, { givenName: 'Gwendolyn', familyName: family });
    const b = await register(SW, { givenName: 'Rosalind', familyName: family, dateOfBirth: '2011-11-11' });
    // As a bulk load with triggers off, or a bug, might leave it: one row gone, one out of date.
    await t.db.query('DELETE FROM child_search WHERE child_id = $1', [a.id]);
    await t.db.query(`UPDATE child_search SET search_name = 'someone else' WHERE child_id = $1`, [b.id]);
    expect((await search(SW, family)).map((c) => c.id)).toEqual([]);
    expect(await checkSearchIndex(t.db)).toEqual({ missing: 1, stale: 1, repaired: false });
    expect(await checkSearchIndex(t.db, { repair: true })).toEqual({ missing: 1, stale: 1, repaired: true });
    expect(await checkSearchIndex(t.db)).toEqual({ missing: 0, stale: 0, repaired: false });
    expect((await search(SW, family)).map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
  });
});
