import { TokenService } from '@app/identity';
import { startTestApp, type TestContext } from './support/app';

const NSC_ADMIN = 'admin@northshire-council.example';
const SSC_ADMIN = 'admin@southshire-council.example';
const NSC_SECOND_ADMIN = 'second.admin@northshire-council.example';

describe('identity: login, tokens, me', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@nowhere.example', password: 'x' })
      .expect(401);
    const wrong = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'teacher@riverside-academy.example', password: 'wrong-password' })
      .expect(401);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(JSON.stringify(wrong.body)).not.toContain('teacher');
  });

  it('refuses unknown, missing and mistyped login fields with 400 naming them', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ email: 42, extra: true }).expect(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'extra', 'password']));
  });

  it('describes the actor and its packed permissions at /me', async () => {
    const res = await t.http
      .get('/api/v1/me')
      .set('Authorization', await t.as('cse.officer@northshire-police.example'))
      .expect(200);
    expect(res.body).toMatchObject({
      kind: 'user',
      email: 'cse.officer@northshire-police.example',
      organisation: { code: 'NSP', type: 'police_force' },
      team: { name: 'CSE Unit' },
      roles: ['cse_officer'],
    });
    expect(Array.isArray(res.body.permissions)).toBe(true);
    expect(res.body.permissions.length).toBeGreaterThan(0);
  });

  it('issues client-credentials tokens (JSON, form, HTTP Basic) carrying the client organisation and scopes', async () => {
    const json = await t.http
      .post('/api/v1/auth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: 'southshire-police-case-system',
        client_secret: 'demo-client-secret',
      })
      .expect(200);
    expect(json.body.token_type).toBe('Bearer');
    expect(json.body.scope.split(' ')).toContain('referrals:write');
    const form = await t.http
      .post('/api/v1/auth/token')
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_id: 'southshire-police-case-system',
        client_secret: 'demo-client-secret',
        scope: 'organisations:read',
      })
      .expect(200);
    expect(form.body.scope).toBe('organisations:read');
    const basic = await t.http
      .post('/api/v1/auth/token')
      .auth('northshire-council-case-system', 'demo-client-secret')
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    const me = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${json.body.access_token}`).expect(200);
    expect(me.body).toMatchObject({ kind: 'client', organisation: { code: 'SSP' }, roles: [] });
    expect(me.body.scopes).toContain('requests:write');
    await t.http.get('/api/v1/organisations').set('Authorization', `Bearer ${basic.body.accessToken}`).expect(200);
    // A client token is no administrator: user administration is refused.
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${json.body.accessToken}`).expect(403);
  });

  it('refuses a wrong client secret, an unknown grant type and a scope the client lacks', async () => {
    await t.http
      .post('/api/v1/auth/token')
      .send({ grant_type: 'client_credentials', client_id: 'southshire-police-case-system', client_secret: 'nope' })
      .expect(401);
    const grant = await t.http
      .post('/api/v1/auth/token')
      .send({ grant_type: 'password', client_id: 'a', client_secret: 'b' })
      .expect(400);
    expect(grant.body.errors[0].field).toBe('grant_type');
    await t.http
      .post('/api/v1/auth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: 'northshire-council-case-system',
        client_secret: 'demo-client-secret',
        scope: 'referrals:write',
      })
      .expect(400);
  });

  it('refuses missing, malformed, tampered and expired tokens with 401', async () => {
    await t.http.get('/api/v1/me').expect(401);
    await t.http.get('/api/v1/me').set('Authorization', 'Bearer not.a.token').expect(401);
    const good = (await t.as('nurse@northshire-nhs.example')).slice(7);
    const [h, p, s] = good.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['org_admin'] })).toString('base64url');
    await t.http.get('/api/v1/users').set('Authorization', `Bearer ${h}.${forged}.${s}`).expect(401);
    const expired = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 })).toString(
      'base64url',
    );
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${h}.${expired}.${s}`).expect(401);
  });

  it('stops accepting a token at its expiry even after it was verified and remembered', async () => {
    const token = (
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'dsl@riverside-academy.example', password: 'demo-password' })
        .expect(200)
    ).body.accessToken as string;
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    const later = jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1000);
    try {
      await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    } finally {
      later.mockRestore();
    }
  });
});

describe('identity: failed-login rate limit', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after too many failures, even for the right password, and only for that account', async () => {
    const email = 'inspector@inspectorate.example';
    for (let i = 0; i < 3; i++) {
      await t.http
        .post('/api/v1/auth/login')
        .send({ email, password: `guess-${i}` })
        .expect(401);
    }
    const limited = await t.http.post('/api/v1/auth/login').send({ email, password: 'demo-password' }).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Another account from the same address is unaffected.
    await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'teacher@riverside-academy.example', password: 'demo-password' })
      .expect(200);
    // Time passes beyond the window: the account may try again.
    t.clock.advance(16 * 60 * 1000);
    await t.http.post('/api/v1/auth/login').send({ email, password: 'demo-password' }).expect(200);
  });
});

describe('identity: user administration', () => {
  let t: TestContext;
  let nsc: string;
  let nsc2: string;
  let ssc: string;
  beforeAll(async () => {
    t = await startTestApp();
    nsc = await t.as(NSC_ADMIN);
    nsc2 = await t.as(NSC_SECOND_ADMIN);
    ssc = await t.as(SSC_ADMIN);
  });
  afterAll(() => t.close());

  /** The second administrator approves a pending role grant. */
  const approve = (grantId: string) =>
    t.http.post(`/api/v1/role-grants/${grantId}/approve`).set('Authorization', nsc2).send({}).expect(200);

  const unique = () => `user.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@northshire-council.example`;
  const userCount = async () => Number((await t.db.query('SELECT count(*)::int AS n FROM app_user'))[0].n);

  it("lists only the administrator's own organisation, in pages", async () => {
    const me = (await t.http.get('/api/v1/me').set('Authorization', nsc).expect(200)).body;
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.http
        .get('/api/v1/users')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('Authorization', nsc)
        .expect(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(seen.map((u) => u.organisationId))).toEqual(new Set([me.organisation.id]));
    expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
    expect(JSON.stringify(seen)).not.toMatch(/password/i);
  });

  it('refuses user administration to roles without it (403) and to anonymous callers (401)', async () => {
    await t.http
      .get('/api/v1/users')
      .set('Authorization', await t.as('social.worker@northshire-council.example'))
      .expect(403);
    await t.http
      .get('/api/v1/users')
      .set('Authorization', await t.as('inspector@inspectorate.example'))
      .expect(403);
    await t.http.get('/api/v1/users').expect(401);
  });

  it("hides another organisation's users: read and change are 404, exactly like a missing user", async () => {
    const nscUser = (await t.http.get('/api/v1/users').set('Authorization', nsc).expect(200)).body.data[0];
    const other = await t.http.get(`/api/v1/users/${nscUser.id}`).set('Authorization', ssc).expect(404);
    const missing = await t.http
      .get('/api/v1/users/00000000-0000-4000-8000-000000000000')
      .set('Authorization', ssc)
      .expect(404);
    expect(other.body.detail).toBe(missing.body.detail);
    await t.http
      .patch(`/api/v1/users/${nscUser.id}`)
      .set('Authorization', ssc)
      .set('If-Match', `"${nscUser.version}"`)
      .send({ active: false })
      .expect(404);
    const after = await t.http.get(`/api/v1/users/${nscUser.id}`).set('Authorization', nsc).expect(200);
    expect(after.body.active).toBe(nscUser.active);
    const sscList = (await t.http.get('/api/v1/users').query({ limit: 200 }).set('Authorization', ssc).expect(200)).body
      .data;
    expect(sscList.map((u: any) => u.id)).not.toContain(nscUser.id);
  });

  it("creates a user in the administrator's organisation who can then log in, with a child-data role once a second administrator approves", async () => {
    const email = unique();
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', nsc)
      .send({ email, name: 'New Worker', roles: ['social_worker'], password: 'a-long-initial-password' })
      .expect(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ email, roles: [], pendingRoles: ['social_worker'], active: true, version: 1 });
    expect(res.body).not.toHaveProperty('passwordHash');
    const login = async () =>
      (
        await t.http
          .get('/api/v1/me')
          .set(
            'Authorization',
            `Bearer ${(await t.http.post('/api/v1/auth/login').send({ email, password: 'a-long-initial-password' }).expect(200)).body.accessToken}`,
          )
          .expect(200)
      ).body.roles;
    expect(await login()).toEqual([]);
    await approve(res.body.pendingRoleGrantId);
    expect(await login()).toEqual(['social_worker']);
    await t.http
      .post('/api/v1/users')
      .set('Authorization', nsc)
      .send({ email, name: 'Again', roles: ['social_worker'], password: 'a-long-initial-password' })
      .expect(409);
  });

  it.each([
    ['an unknown field', { organisationId: '00000000-0000-4000-8000-000000000000' }, 'organisationId'],
    ['a wrong type', { name: 12 }, 'name'],
    ['a missing field', { password: undefined }, 'password'],
    ['a short password', { password: 'short' }, 'password'],
    ['a role unknown to the system', { roles: ['superuser'] }, 'roles'],
    ['a role of another kind of organisation', { roles: ['cse_officer'] }, 'roles.0'],
    ['a team of another organisation', { teamId: '00000000-0000-4000-8000-000000000000' }, 'teamId'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_label, change, field) => {
    const before = await userCount();
    const body = {
      email: unique(),
      name: 'Someone',
      roles: ['social_worker'],
      password: 'a-long-initial-password',
      ...change,
    };
    const res = await t.http.post('/api/v1/users').set('Authorization', nsc).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await userCount()).toBe(before);
  });

  it('updates with If-Match: 428 without it, 412 when stale, and exactly one of two concurrent updates wins', async () => {
    const created = (
      await t.http
        .post('/api/v1/users')
        .set('Authorization', nsc)
        .send({ email: unique(), name: 'To Change', roles: ['social_worker'], password: 'a-long-initial-password' })
        .expect(201)
    ).body;
    await t.http.patch(`/api/v1/users/${created.id}`).set('Authorization', nsc).send({ name: 'X' }).expect(428);
    const [a, b] = await Promise.all([
      t.http
        .patch(`/api/v1/users/${created.id}`)
        .set('Authorization', nsc)
        .set('If-Match', '"1"')
        .send({ name: 'Alice' }),
      t.http
        .patch(`/api/v1/users/${created.id}`)
        .set('Authorization', nsc)
        .set('If-Match', '"1"')
        .send({ name: 'Bob' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? a : b;
    expect(winner.headers.etag).toBe('"2"');
    await t.http
      .patch(`/api/v1/users/${created.id}`)
      .set('Authorization', nsc)
      .set('If-Match', '"1"')
      .send({ name: 'Late' })
      .expect(412);
    const final = await t.http.get(`/api/v1/users/${created.id}`).set('Authorization', nsc).expect(200);
    expect(final.body.name).toBe(winner.body.name);
  });

  it('deactivated users can no longer log in', async () => {
    const email = unique();
    const created = (
      await t.http
        .post('/api/v1/users')
        .set('Authorization', nsc)
        .send({ email, name: 'Leaver', roles: ['social_worker'], password: 'a-long-initial-password' })
        .expect(201)
    ).body;
    await t.http
      .patch(`/api/v1/users/${created.id}`)
      .set('Authorization', nsc)
      .set('If-Match', '"1"')
      .send({ active: false })
      .expect(200);
    await t.http.post('/api/v1/auth/login').send({ email, password: 'a-long-initial-password' }).expect(401);
  });

  /** A new person holding `roles` (approved by the second administrator); `version` is their ETag now. */
  const newUser = async (roles: string[]) => {
    const email = unique();
    const created = (
      await t.http
        .post('/api/v1/users')
        .set('Authorization', nsc)
        .send({ email, name: 'Worker', roles, password: 'a-long-initial-password' })
        .expect(201)
    ).body;
    if (created.pendingRoleGrantId) await approve(created.pendingRoleGrantId);
    const version = (await t.http.get(`/api/v1/users/${created.id}`).set('Authorization', nsc).expect(200)).body
      .version as number;
    const login = async () =>
      `Bearer ${
        (await t.http.post('/api/v1/auth/login').send({ email, password: 'a-long-initial-password' }).expect(200)).body
          .accessToken
      }`;
    return { id: created.id as string, version, login };
  };
  const patchUser = (id: string, version: number, body: object) =>
    t.http.patch(`/api/v1/users/${id}`).set('Authorization', nsc).set('If-Match', `"${version}"`).send(body);

  it("ends a deactivated user's access at once on this process, and within the poll interval on another", async () => {
    const other = await startTestApp({ TOKEN_REVOCATION_POLL_SECONDS: '1' });
    try {
      const leaver = await newUser(['social_worker']);
      const token = await leaver.login();
      await t.http.get('/api/v1/me').set('Authorization', token).expect(200);
      await other.http.get('/api/v1/me').set('Authorization', token).expect(200);
      await patchUser(leaver.id, leaver.version, { active: false }).expect(200);
      const refused = await t.http.get('/api/v1/me').set('Authorization', token).expect(401);
      expect(refused.body.detail).toMatch(/log in again/);
      await new Promise((r) => setTimeout(r, 1100));
      await other.http.get('/api/v1/me').set('Authorization', token).expect(401);
    } finally {
      await other.close();
    }
  });

  it('ends tokens issued before a change of roles, and again when a granted role is approved; a new login carries the new roles', async () => {
    const worker = await newUser(['social_worker']);
    const before = await worker.login();
    // A change of name narrows nothing: the token stays good.
    await patchUser(worker.id, worker.version, { name: 'Renamed Worker' }).expect(200);
    await t.http.get('/api/v1/me').set('Authorization', before).expect(200);
    // social_worker goes at once; team_manager waits for the second administrator.
    const changed = await patchUser(worker.id, worker.version + 1, { roles: ['team_manager'] }).expect(200);
    expect(changed.body).toMatchObject({ roles: [], pendingRoles: ['team_manager'] });
    await t.http.get('/api/v1/me').set('Authorization', before).expect(401);
    const between = await worker.login();
    expect((await t.http.get('/api/v1/me').set('Authorization', between).expect(200)).body.roles).toEqual([]);
    await approve(changed.body.pendingRoleGrantId);
    await t.http.get('/api/v1/me').set('Authorization', between).expect(401);
    const after = await worker.login();
    const me = await t.http.get('/api/v1/me').set('Authorization', after).expect(200);
    expect(me.body.roles).toEqual(['team_manager']);
  });

  it('refuses a token from a login that read the account before a change and was signed after it', async () => {
    const worker = await newUser(['social_worker']);
    const [row] = await t.db.query(
      `SELECT u.id, u.organisation_id, u.team_id, u.roles, u.token_generation, o.type
         FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`,
      [worker.id],
    );
    // The login read the account (generation 0)...
    const actor = {
      kind: 'user' as const,
      id: row.id,
      organisationId: row.organisation_id,
      organisationType: row.type,
      teamId: row.team_id,
      roles: row.roles,
      scopes: [],
    };
    // ...an administrator deactivated it meanwhile...
    await patchUser(worker.id, worker.version, { active: false }).expect(200);
    // ...and the token was signed only afterwards, with what the login had read.
    const late = t.app.get(TokenService).issue(actor, row.token_generation).accessToken;
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${late}`).expect(401);
  });
});
