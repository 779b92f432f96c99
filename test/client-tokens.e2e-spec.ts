import { createHmac, randomUUID } from 'node:crypto';
import { hashSecret } from '@app/identity';
import { startTestApp, type TestContext } from './support/app';

const NSC_ADMIN = 'admin@northshire-council.example';
const SECRET = 'a-partner-client-secret';

/** Signs claims exactly as the API does (HS256, the configured key), to forge what it must refuse. */
function sign(claims: Record<string, unknown>, key: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('API client tokens', () => {
  let t: TestContext;
  let other: TestContext;
  let nsc: string;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestApp();
    other = await startTestApp({ TOKEN_REVOCATION_POLL_SECONDS: '1' });
    nsc = await t.as(NSC_ADMIN);
    orgId = (await t.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`))[0].id;
  });
  afterAll(async () => {
    await t.close();
    await other.close();
  });

  async function newClient(): Promise<{ id: string; clientId: string }> {
    const clientId = `partner-${randomUUID()}`;
    const [row] = await t.db.query(
      `INSERT INTO api_client (client_id, name, organisation_id, scopes, secret_hash)
       VALUES ($1, 'Partner system', $2, '{organisations:read}', $3) RETURNING id`,
      [clientId, orgId, await hashSecret(SECRET)],
    );
    return { id: row.id, clientId };
  }
  const tokenFor = (clientId: string) =>
    t.http
      .post('/api/v1/auth/token')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: SECRET });
  const setActive = (id: string, version: number, active: boolean, auth = nsc) =>
    t.http
      .patch(`/api/v1/api-clients/${id}`)
      .set('Authorization', auth)
      .set('If-Match', `"${version}"`)
      .send({ active });

  it('ends the tokens a client holds when an administrator deactivates it: at once here, within the poll interval elsewhere', async () => {
    const client = await newClient();
    const token = `Bearer ${(await tokenFor(client.clientId).expect(200)).body.access_token}`;
    await t.http.get('/api/v1/organisations').set('Authorization', token).expect(200);
    await other.http.get('/api/v1/organisations').set('Authorization', token).expect(200);

    const listed = (await t.http.get('/api/v1/api-clients?limit=200').set('Authorization', nsc).expect(200)).body.data;
    expect(listed).toContainEqual(expect.objectContaining({ id: client.id, clientId: client.clientId, active: true }));
    expect(JSON.stringify(listed)).not.toMatch(/secret|argon2/i);
    const read = await t.http.get(`/api/v1/api-clients/${client.id}`).set('Authorization', nsc).expect(200);
    expect(read.headers.etag).toBe('"1"');

    const off = await setActive(client.id, 1, false).expect(200);
    expect(off.body).toMatchObject({ active: false, version: 2 });
    expect(off.headers.etag).toBe('"2"');
    const refused = await t.http.get('/api/v1/organisations').set('Authorization', token).expect(401);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    await new Promise((r) => setTimeout(r, 1100));
    await other.http.get('/api/v1/organisations').set('Authorization', token).expect(401);
    // No new token while deactivated.
    await tokenFor(client.clientId).expect(401);

    // Reactivated: new tokens work, the old one stays refused.
    await setActive(client.id, 1, true).expect(412);
    await setActive(client.id, 2, true).expect(200);
    const fresh = `Bearer ${(await tokenFor(client.clientId).expect(200)).body.access_token}`;
    await t.http.get('/api/v1/organisations').set('Authorization', fresh).expect(200);
    await t.http.get('/api/v1/organisations').set('Authorization', token).expect(401);

    const adminId = (await t.http.get('/api/v1/me').set('Authorization', nsc).expect(200)).body.id;
    const events = await t.db.query(
      `SELECT action, outcome, actor_id, subject_type, details FROM audit_event WHERE $1 = ANY(subject_ids) ORDER BY seq`,
      [client.id],
    );
    expect(events.map((e: { action: string; actor_id: string }) => [e.action, e.actor_id])).toEqual([
      ['api_client.deactivate', adminId],
      ['api_client.reactivate', adminId],
    ]);
    expect(events[0]).toMatchObject({
      outcome: 'allowed',
      subject_type: 'ApiClient',
      details: { clientId: client.clientId, before: { active: true }, after: { active: false } },
    });
    expect(JSON.stringify(events)).not.toMatch(/secret|argon2/i);
  });

  it("hides another organisation's clients (404) and refuses client administration to others (403, 401)", async () => {
    const client = await newClient();
    const ssc = await t.as('admin@southshire-council.example');
    await t.http.get(`/api/v1/api-clients/${client.id}`).set('Authorization', ssc).expect(404);
    await setActive(client.id, 1, false, ssc).expect(404);
    const sscList = (await t.http.get('/api/v1/api-clients?limit=200').set('Authorization', ssc).expect(200)).body.data;
    expect(sscList.map((c: { id: string }) => c.id)).not.toContain(client.id);
    await t.http
      .get('/api/v1/api-clients')
      .set('Authorization', await t.as('team.manager@northshire-council.example'))
      .expect(403);
    const clientToken = `Bearer ${(await tokenFor(client.clientId).expect(200)).body.access_token}`;
    await setActive(client.id, 1, false, clientToken).expect(403);
    await t.http.get('/api/v1/api-clients').expect(401);
    await setActive(client.id, 1, 'no' as unknown as boolean).expect(400);
    expect(
      (await t.http.get(`/api/v1/api-clients/${client.id}`).set('Authorization', nsc).expect(200)).body.active,
    ).toBe(true);
  });

  it('refuses a correctly signed token without exp, without iat, issued in the future, or older than the token lifetime', async () => {
    const real = (await t.as('nurse@northshire-nhs.example')).slice(7);
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const key = t.config.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const me = (token: string) => t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    // The signer is right: the same claims, signed here, are accepted.
    await me(sign({ ...claims, iat: now, exp: now + 600 }, key)).expect(200);
    const { exp: _exp, ...noExp } = claims;
    await me(sign({ ...noExp, iat: now }, key)).expect(401);
    const { iat: _iat, ...noIat } = claims;
    await me(sign({ ...noIat, exp: now + 600 }, key)).expect(401);
    await me(sign({ ...claims, iat: now + 3600, exp: now + 3900 }, key)).expect(401);
    await me(sign({ ...claims, iat: now - t.config.accessTokenTtlSeconds - 10, exp: now + 600 }, key)).expect(401);
    await me(sign({ ...claims, iat: String(now), exp: String(now + 600) }, key)).expect(401);
  });
});
