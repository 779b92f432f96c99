import { randomUUID } from 'node:crypto';
import { hashSecret } from '@app/identity';
import { startTestApp, type TestContext } from './support/app';

/**
 * Login limits under concurrency, with two API instances on one database: an attempt is reserved
 * before its password is checked, so a parallel batch cannot all be checked while the count is low.
 * Each test uses its own accounts and client addresses (X-Forwarded-For, TRUST_PROXY): the
 * database is shared by the whole run, and a locked-out demo account would break other files.
 */
describe('login limits hold under parallel guessing across API instances', () => {
  const LIMIT = 3;
  const PASSWORD = 'the-right-password-1';
  let a: TestContext;
  let b: TestContext;
  let hash: string;
  let orgId: string;

  beforeAll(async () => {
    const env = { LOGIN_MAX_FAILURES: String(LIMIT), LOGIN_MAX_FAILURES_PER_IP: '4', TRUST_PROXY: 'true' };
    a = await startTestApp(env);
    b = await startTestApp(env);
    hash = await hashSecret(PASSWORD);
    orgId = (await a.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`))[0].id;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const uniqueIp = (() => {
    let n = 0;
    const base = Math.floor(Math.random() * 200) + 20;
    return () => `10.${base}.${Math.floor(n / 250)}.${(n++ % 250) + 1}`;
  })();

  async function newAccount(): Promise<string> {
    const email = `limited.${randomUUID()}@northshire-council.example`;
    await a.db.query(
      `INSERT INTO app_user (email, name, organisation_id, roles, password_hash) VALUES ($1, 'Limited', $2, '{}', $3)`,
      [email, orgId, hash],
    );
    return email;
  }

  async function newClient(): Promise<string> {
    const clientId = `limited-${randomUUID()}`;
    await a.db.query(
      `INSERT INTO api_client (client_id, name, organisation_id, scopes, secret_hash)
       VALUES ($1, 'Limited client', $2, '{organisations:read}', $3)`,
      [clientId, orgId, hash],
    );
    return clientId;
  }

  const login = (t: TestContext, email: string, password: string, ip: string) =>
    t.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });
  const token = (t: TestContext, clientId: string, secret: string, ip: string) =>
    t.http
      .post('/api/v1/auth/token')
      .set('X-Forwarded-For', ip)
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  function expectLimited(res: { status: number; headers: Record<string, string>; body: { status?: number } }) {
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(429);
  }

  it('checks at most the limit of 30 parallel wrong passwords for one account; the rest and then the right one get 429', async () => {
    const email = await newAccount();
    // Each from its own address, so that only the account's limit is in play.
    const batch = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(i % 2 === 0 ? a : b, email, `wrong-${i}`, uniqueIp())),
    );
    const statuses = batch.map((r) => r.status);
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(30 - LIMIT);
    for (const res of batch.filter((r) => r.status === 429)) expectLimited(res);
    expectLimited(await login(a, email, PASSWORD, uniqueIp()));
    expectLimited(await login(b, email, PASSWORD, uniqueIp()));
  });

  it('refuses the right password sent in the same parallel batch unless it was one of the first attempts', async () => {
    const email = await newAccount();
    const batch = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => login(i % 2 === 0 ? a : b, email, `wrong-${i}`, uniqueIp())),
      login(b, email, PASSWORD, uniqueIp()),
    ]);
    const statuses = batch.map((r) => r.status);
    // Checked (200 or 401) no more often than the limit allows; every other attempt was refused unchecked.
    expect(count(statuses, 200) + count(statuses, 401)).toBeLessThanOrEqual(LIMIT);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(31 - LIMIT);
    expect(count(statuses, 200) + count(statuses, 401) + count(statuses, 429)).toBe(31);
  });

  it('checks at most the limit of 30 parallel wrong client secrets at POST /auth/token', async () => {
    const clientId = await newClient();
    const batch = await Promise.all(
      Array.from({ length: 30 }, (_, i) => token(i % 2 === 0 ? a : b, clientId, `wrong-${i}`, uniqueIp())),
    );
    const statuses = batch.map((r) => r.status);
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(30 - LIMIT);
    for (const res of batch.filter((r) => r.status === 429)) expectLimited(res);
    expectLimited(await token(a, clientId, PASSWORD, uniqueIp()));
  });

  it('checks at most the per-address limit of parallel wrong passwords for many accounts from one address', async () => {
    const ip = uniqueIp();
    const emails = await Promise.all(Array.from({ length: 20 }, () => newAccount()));
    const batch = await Promise.all(emails.map((email, i) => login(i % 2 === 0 ? a : b, email, 'wrong', ip)));
    const statuses = batch.map((r) => r.status);
    expect(count(statuses, 401)).toBe(4);
    expect(count(statuses, 429)).toBe(16);
    // The address is refused even with a right password; the same account from elsewhere is not.
    const fresh = await newAccount();
    expectLimited(await login(a, fresh, PASSWORD, ip));
    await login(b, fresh, PASSWORD, uniqueIp()).expect(200);
  });

  it('lets a right password through below the limit, and clears the account failures it follows', async () => {
    const email = await newAccount();
    for (let i = 0; i < LIMIT - 1; i++) await login(a, email, `wrong-${i}`, uniqueIp()).expect(401);
    await login(b, email, PASSWORD, uniqueIp()).expect(200);
    // The failures before the success no longer count against the account.
    for (let i = 0; i < LIMIT - 1; i++) await login(a, email, `wrong-again-${i}`, uniqueIp()).expect(401);
    await login(b, email, PASSWORD, uniqueIp()).expect(200);
  });

  it('gives the same 401 for an unknown account and a wrong password, and limits both alike', async () => {
    const email = await newAccount();
    const unknown = `nobody.${randomUUID()}@northshire-council.example`;
    const [wrong, missing] = await Promise.all([
      login(a, email, 'wrong', uniqueIp()),
      login(b, unknown, 'wrong', uniqueIp()),
    ]);
    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(missing.body)).toEqual(strip(wrong.body));
    const batch = await Promise.all(Array.from({ length: 10 }, () => login(a, unknown, 'wrong', uniqueIp())));
    expect(
      count(
        batch.map((r) => r.status),
        401,
      ),
    ).toBe(LIMIT - 1);
  });
});
