import { randomUUID } from 'node:crypto';
import { hashSecret } from '@app/identity';
import { startTestApp, type TestContext } from './support/app';

const NSC_ADMIN = 'admin@northshire-council.example';
const NSC_SECOND_ADMIN = 'second.admin@northshire-council.example';
const SSC_ADMIN = 'admin@southshire-council.example';
const PASSWORD = 'a-long-initial-password';

interface AuditRow {
  action: string;
  outcome: string;
  actor_id: string;
  subject_type: string;
  subject_ids: string[];
  child_ids: string[];
  purpose: string;
  details: Record<string, any>;
}

/**
 * Identity changes are audited in the transaction that makes them; nobody changes their own roles;
 * a role that reads child data (or org_admin) needs a second administrator of the organisation.
 */
describe('identity administration: audited, and no self-granted child access', () => {
  let t: TestContext;
  let nsc: string;
  let nsc2: string;
  let ssc: string;
  let nscId: string;
  let childId: string;

  beforeAll(async () => {
    t = await startTestApp();
    nsc = await t.as(NSC_ADMIN);
    nsc2 = await t.as(NSC_SECOND_ADMIN);
    ssc = await t.as(SSC_ADMIN);
    nscId = (await t.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`))[0].id;
    childId = (await t.db.query('SELECT id FROM child LIMIT 1'))[0].id;
  });
  afterAll(() => t.close());

  const unique = () => `person.${randomUUID()}@northshire-council.example`;
  const idOf = async (auth: string) => (await t.http.get('/api/v1/me').set('Authorization', auth).expect(200)).body.id;
  const audit = (subjectId: string): Promise<AuditRow[]> =>
    t.db.query(
      `SELECT action, outcome, actor_id, subject_type, subject_ids, child_ids, purpose, details
         FROM audit_event WHERE $1 = ANY(subject_ids) ORDER BY seq`,
      [subjectId],
    );
  const create = (auth: string, roles: string[], email = unique()) =>
    t.http.post('/api/v1/users').set('Authorization', auth).send({ email, name: 'Person', roles, password: PASSWORD });
  const read = async (id: string) =>
    (await t.http.get(`/api/v1/users/${id}`).set('Authorization', nsc).expect(200)).body;
  const patch = (auth: string, id: string, version: number, body: object) =>
    t.http.patch(`/api/v1/users/${id}`).set('Authorization', auth).set('If-Match', `"${version}"`).send(body);
  const decide = (auth: string, grantId: string, decision: 'approve' | 'reject', body: object = {}) =>
    t.http.post(`/api/v1/role-grants/${grantId}/${decision}`).set('Authorization', auth).send(body);
  const loginAs = async (email: string, password = PASSWORD) =>
    `Bearer ${(await t.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body.accessToken}`;
  /** An administrator of an organisation written straight to the database, as the seed does. */
  const seedAdmin = async (code: string) => {
    const email = `admin.${randomUUID()}@example.org`;
    const [row] = await t.db.query(
      `INSERT INTO app_user (email, name, organisation_id, roles, password_hash)
       SELECT $1, 'Extra Admin', id, '{org_admin}', $2 FROM organisation WHERE code = $3 RETURNING id`,
      [email, await hashSecret(PASSWORD), code],
    );
    return { id: row.id as string, auth: await loginAs(email) };
  };

  it('refuses an administrator changing its own roles (the reported attack): 403, nothing changes, the attempt is audited', async () => {
    const me = await idOf(nsc);
    const before = await read(me);
    const res = await patch(nsc, me, before.version, { roles: ['org_admin', 'team_manager'] }).expect(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 403, code: 'USER.OWN_ROLES' });
    const after = await read(me);
    expect(after).toMatchObject({ roles: ['org_admin'], version: before.version, pendingRoles: [] });
    expect(await t.db.query('SELECT 1 FROM role_grant WHERE user_id = $1', [me])).toEqual([]);
    // Still no child data, with the same token or a new one.
    await t.http.get(`/api/v1/children/${childId}`).set('Authorization', nsc).expect(403);
    await t.http
      .get(`/api/v1/children/${childId}`)
      .set('Authorization', await loginAs(NSC_ADMIN, 'demo-password'))
      .expect(403);
    const denied = (await audit(me)).filter((e) => e.action === 'user.update' && e.outcome === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      outcome: 'denied',
      actor_id: me,
      subject_type: 'User',
      child_ids: [],
      purpose: 'identity_administration',
      details: { reason: 'own_roles', before: { roles: ['org_admin'] }, requestedRoles: ['org_admin', 'team_manager'] },
    });
  });

  it('lets an administrator change its own name and resend its roles unchanged, but not change them', async () => {
    const admin = await seedAdmin('NSC');
    const v1 = (await read(admin.id)).version;
    await patch(admin.auth, admin.id, v1, { name: 'Renamed Admin' }).expect(200);
    // The same set, reordered, is no change and passes; anything else is refused.
    await patch(admin.auth, admin.id, v1 + 1, { roles: ['org_admin'] }).expect(200);
    await patch(admin.auth, admin.id, v1 + 1, { roles: [] }).expect(403);
    await patch(admin.auth, admin.id, v1 + 1, { roles: ['org_admin', 'mash_officer'] }).expect(403);
    expect((await read(admin.id)).roles).toEqual(['org_admin']);
  });

  it('keeps a child-data role for another person pending until a second administrator approves; the audit log shows it all', async () => {
    const requester = await idOf(nsc);
    const approver = await idOf(nsc2);
    const email = unique();
    const created = (await create(nsc, [], email).expect(201)).body;
    expect(created).toMatchObject({ roles: [], pendingRoles: [], pendingRoleGrantId: null });

    const changed = (await patch(nsc, created.id, created.version, { roles: ['team_manager'] }).expect(200)).body;
    expect(changed).toMatchObject({ roles: [], pendingRoles: ['team_manager'], version: created.version });
    const grantId = changed.pendingRoleGrantId as string;
    const worker = await loginAs(email);
    expect((await t.http.get('/api/v1/me').set('Authorization', worker).expect(200)).body.roles).toEqual([]);
    await t.http.get(`/api/v1/children/${childId}`).set('Authorization', worker).expect(403);

    // The other administrator sees it waiting; another organisation does not.
    const pending = (await t.http.get('/api/v1/role-grants?status=pending').set('Authorization', nsc2).expect(200))
      .body;
    expect(pending.data).toContainEqual(
      expect.objectContaining({ id: grantId, userId: created.id, roles: ['team_manager'], requestedBy: requester }),
    );
    const other = (await t.http.get('/api/v1/role-grants').set('Authorization', ssc).expect(200)).body;
    expect(other.data.map((g: { id: string }) => g.id)).not.toContain(grantId);

    // Not the one who asked; not another organisation's administrator; not a non-administrator.
    const own = await decide(nsc, grantId, 'approve').expect(403);
    expect(own.body).toMatchObject({ code: 'ROLE_GRANT.OWN_REQUEST' });
    await decide(ssc, grantId, 'approve').expect(404);
    await decide(await t.as('team.manager@northshire-council.example'), grantId, 'approve').expect(403);
    expect((await read(created.id)).roles).toEqual([]);

    const approved = (await decide(nsc2, grantId, 'approve', { comment: 'Confirmed with HR' }).expect(200)).body;
    expect(approved).toMatchObject({ status: 'approved', decidedBy: approver, comment: 'Confirmed with HR' });
    const again = await decide(nsc2, grantId, 'approve').expect(409);
    expect(again.body).toMatchObject({ code: 'ROLE_GRANT.ALREADY_DECIDED' });
    expect(await read(created.id)).toMatchObject({ roles: ['team_manager'], pendingRoles: [] });
    // The token from before the approval is refused: the new role comes with a new login.
    await t.http.get('/api/v1/me').set('Authorization', worker).expect(401);
    expect(
      (
        await t.http
          .get('/api/v1/me')
          .set('Authorization', await loginAs(email))
          .expect(200)
      ).body.roles,
    ).toEqual(['team_manager']);

    const trail = (await audit(created.id)).map((e) => [e.action, e.outcome, e.actor_id]);
    expect(trail).toEqual([
      ['user.create', 'allowed', requester],
      ['role_grant.request', 'allowed', requester],
      ['role_grant.approve', 'denied', requester],
      ['role_grant.approve', 'allowed', approver],
    ]);
    const events = await audit(created.id);
    expect(events[0]!.details).toMatchObject({ after: { roles: [], active: true }, pendingRoles: [] });
    expect(events[1]!.details).toMatchObject({ roleGrantId: grantId, userId: created.id, roles: ['team_manager'] });
    expect(events[3]!.details).toMatchObject({
      roleGrantId: grantId,
      requestedBy: requester,
      before: { roles: [] },
      after: { roles: ['team_manager'] },
    });
    expect(JSON.stringify(events)).not.toMatch(/password|argon2/i);
  });

  it('records a pending grant when a user is created with a child-data role or org_admin; a rejection leaves them without it', async () => {
    const asAdmin = (await create(nsc, ['org_admin']).expect(201)).body;
    expect(asAdmin).toMatchObject({ roles: [], pendingRoles: ['org_admin'] });
    const mixed = (await create(nsc, ['social_worker', 'mash_officer']).expect(201)).body;
    expect(mixed).toMatchObject({ roles: [], pendingRoles: ['social_worker', 'mash_officer'] });

    const rejected = (await decide(nsc2, asAdmin.pendingRoleGrantId, 'reject', { comment: 'Not needed' }).expect(200))
      .body;
    expect(rejected).toMatchObject({ status: 'rejected', comment: 'Not needed' });
    expect(await read(asAdmin.id)).toMatchObject({ roles: [], pendingRoles: [], pendingRoleGrantId: null });
    await decide(nsc2, asAdmin.pendingRoleGrantId, 'approve').expect(409);
    // The administrator who asked may withdraw its own request.
    await decide(nsc, mixed.pendingRoleGrantId, 'reject').expect(200);
    expect((await read(mixed.id)).roles).toEqual([]);
    const actions = (await audit(asAdmin.id)).map((e) => e.action);
    expect(actions).toEqual(['user.create', 'role_grant.request', 'role_grant.reject']);
  });

  it('grants a role that reads no child data at once', async () => {
    const admin = await seedAdmin('INSP');
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', admin.auth)
      .send({ email: unique(), name: 'Whistle', roles: ['whistleblowing_officer'], password: PASSWORD })
      .expect(201);
    expect(res.body).toMatchObject({ roles: ['whistleblowing_officer'], pendingRoles: [], pendingRoleGrantId: null });
  });

  it('lets nobody approve a grant to themself, and audits the attempt', async () => {
    const admin = await seedAdmin('NSC');
    const version = (await read(admin.id)).version;
    const asked = (await patch(nsc, admin.id, version, { roles: ['org_admin', 'team_manager'] }).expect(200)).body;
    expect(asked).toMatchObject({ roles: ['org_admin'], pendingRoles: ['team_manager'] });
    const res = await decide(admin.auth, asked.pendingRoleGrantId, 'approve').expect(403);
    expect(res.body).toMatchObject({ code: 'ROLE_GRANT.TO_SELF' });
    expect((await read(admin.id)).roles).toEqual(['org_admin']);
    const denied = (await audit(admin.id)).filter((e) => e.outcome === 'denied');
    expect(denied).toEqual([
      expect.objectContaining({
        action: 'role_grant.approve',
        actor_id: admin.id,
        details: expect.objectContaining({ reason: 'to_self' }),
      }),
    ]);
  });

  it('keeps one pending grant per person, and of two concurrent decisions exactly one wins', async () => {
    const person = (await create(nsc, ['social_worker']).expect(201)).body;
    const conflict = await patch(nsc2, person.id, person.version, { roles: ['mash_officer'] }).expect(409);
    expect(conflict.body).toMatchObject({ code: 'ROLE_GRANT.PENDING', roleGrantId: person.pendingRoleGrantId });
    expect(await read(person.id)).toMatchObject({ roles: [], pendingRoles: ['social_worker'] });
    expect((await audit(person.id)).map((e) => e.action)).toEqual(['user.create', 'role_grant.request']);

    const [approve, reject] = await Promise.all([
      decide(nsc2, person.pendingRoleGrantId, 'approve'),
      decide(nsc, person.pendingRoleGrantId, 'reject'),
    ]);
    expect([approve.status, reject.status].sort()).toEqual([200, 409]);
    const [row] = await t.db.query('SELECT status FROM role_grant WHERE id = $1', [person.pendingRoleGrantId]);
    expect((await read(person.id)).roles).toEqual(row.status === 'approved' ? ['social_worker'] : []);
    expect(row.status).toBe(approve.status === 200 ? 'approved' : 'rejected');
  });

  it('audits deactivation, reactivation and team changes with before and after; a refused change writes nothing', async () => {
    const person = (await create(nsc, []).expect(201)).body;
    const [team] = await t.db.query(`SELECT id FROM team WHERE organisation_id = $1 AND name = 'MASH'`, [nscId]);
    await patch(nsc, person.id, 1, { active: false }).expect(200);
    await patch(nsc, person.id, 2, { active: true }).expect(200);
    await patch(nsc, person.id, 3, { teamId: team.id, name: 'Moved Person' }).expect(200);
    await patch(nsc, person.id, 4, { teamId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    const updates = (await audit(person.id)).filter((e) => e.action === 'user.update');
    expect(updates.map((e) => [e.outcome, e.details.changed, e.details.before.active, e.details.after.active])).toEqual(
      [
        ['allowed', ['active'], true, false],
        ['allowed', ['active'], false, true],
        ['allowed', ['name', 'teamId'], true, true],
      ],
    );
    expect(updates[2]!.details).toMatchObject({ before: { teamId: null }, after: { teamId: team.id } });
    expect(JSON.stringify(updates)).not.toMatch(/password|argon2|Moved Person/i);
  });

  it('pages role grants newest first and refuses a malformed cursor with 400', async () => {
    const page1 = (await t.http.get('/api/v1/role-grants?limit=1').set('Authorization', nsc).expect(200)).body;
    expect(page1.data).toHaveLength(1);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (
      await t.http.get(`/api/v1/role-grants?limit=1&cursor=${page1.nextCursor}`).set('Authorization', nsc).expect(200)
    ).body;
    expect(page2.data[0].id).not.toBe(page1.data[0].id);
    expect(new Date(page2.data[0].requestedAt) <= new Date(page1.data[0].requestedAt)).toBe(true);
    const bad = Buffer.from(JSON.stringify(['2026-13-45', 'not-a-uuid'])).toString('base64url');
    const res = await t.http.get(`/api/v1/role-grants?cursor=${bad}`).set('Authorization', nsc).expect(400);
    expect(res.body.errors[0].field).toBe('cursor');
    await t.http.get('/api/v1/role-grants?status=maybe').set('Authorization', nsc).expect(400);
  });
});
