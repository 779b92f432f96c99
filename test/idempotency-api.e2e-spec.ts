import { randomUUID } from 'node:crypto';
import { buildOpenApi } from '../apps/api/src/create-app';
import { startTestApp, type TestContext } from './support/app';

/** Idempotency-Key on the real API: partner systems must send it, and it holds under concurrency. */
describe('Idempotency-Key on the API', () => {
  let t: TestContext;
  let client: string;
  let toTeamId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${res.body.accessToken as string}`;
    toTeamId = (
      await t.db.query(
        `SELECT t.id FROM team t JOIN organisation o ON o.id = t.organisation_id WHERE o.code = 'NSP' AND t.name = 'CSE Unit'`,
      )
    )[0].id;
  });
  afterAll(() => t?.close());

  const referral = (label: string) => ({
    toTeamId,
    subject: { givenName: label, familyName: 'Idem', dateOfBirth: '2012-06-06' },
    reason: `Idempotency test ${label}`,
    rag: 'AMBER',
    consentObtained: true,
  });
  const referrals = async (label: string): Promise<string[]> =>
    (await t.db.query('SELECT id FROM referral WHERE reason = $1', [`Idempotency test ${label}`])).map(
      (r: { id: string }) => r.id,
    );
  const refer = (label: string, key?: string) => {
    const req = t.http.post('/api/v1/referrals').set('Authorization', client);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(referral(label));
  };

  it('answers 428 naming the header to a partner system that sends no Idempotency-Key, and writes nothing', async () => {
    const res = await refer('NoKey');
    expect(res.status).toBe(428);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 428,
      code: 'IDEMPOTENCY.KEY_REQUIRED',
      errors: [{ field: 'Idempotency-Key', message: expect.any(String) }],
    });
    expect(await referrals('NoKey')).toEqual([]);
    // A token request is a POST too, and needs no key.
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    expect(token.status).toBe(200);
  });

  it("creates a partner system's referral once, however often it is retried with its key", async () => {
    const key = randomUUID();
    const first = await refer('Retried', key).expect(201);
    const retry = await refer('Retried', key).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(await referrals('Retried')).toEqual([first.body.id]);
  });

  it('lets people omit the key', async () => {
    const res = await t.http
      .post('/api/v1/referrals')
      .set('Authorization', await t.as('cse.officer@southshire-police.example'))
      .send(referral('Person'));
    expect(res.status).toBe(201);
  });

  it('creates exactly one referral from 30 concurrent requests with one key; the others replay it or answer 409 with Retry-After', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 30 }, () => refer('Thirty', key)));
    const [id, ...others] = await referrals('Thirty');
    expect(others).toEqual([]);
    for (const res of answers) {
      if (res.status === 201) {
        expect(res.body.id).toBe(id);
      } else {
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('IDEMPOTENCY.IN_PROGRESS');
        expect(res.headers['retry-after']).toBe('1');
      }
    }
    expect(answers.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
  });

  it('replays a registration (written, then read back in a second transaction) with its body, ETag and Location', async () => {
    const key = randomUUID();
    const sw = await t.as('social.worker@northshire-council.example');
    const body = { givenName: `Idem${randomUUID().slice(0, 6)}`, familyName: 'Twice', dateOfBirth: '2015-01-01' };
    const first = await t.http.post('/api/v1/children').set('Authorization', sw).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    const again = await t.http.post('/api/v1/children').set('Authorization', sw).set('Idempotency-Key', key).send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.location).toBe(`/api/v1/children/${first.body.id as string}`);
    const rows = await t.db.query('SELECT id FROM child WHERE given_name = $1', [body.givenName]);
    expect(rows).toEqual([{ id: first.body.id }]);
  });

  it('keeps the match reference and its audit event behind a 409 possible match, and lets the key run again', async () => {
    const key = randomUUID();
    const officer = await t.as('cse.officer@southshire-police.example');
    const register = () =>
      t.http
        .post('/api/v1/children')
        .set('Authorization', officer)
        .set('Idempotency-Key', key)
        .send({ givenName: 'Oliver', familyName: 'Bennett', dateOfBirth: '2013-05-14' });
    const res = await register();
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CHILD.POSSIBLE_MATCH');
    const reference = res.body.matchReference as string;
    expect(await t.db.query('SELECT reference FROM match_reference WHERE reference = $1', [reference])).toHaveLength(1);
    const audited = await t.db.query(
      `SELECT seq FROM audit_event WHERE action = 'child.possible_match' AND details->>'reference' = $1`,
      [reference],
    );
    expect(audited).toHaveLength(1);
    const again = await register();
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('documents on every POST a partner system can send that the key is required of it', () => {
    const doc = buildOpenApi(t.app);
    // Not the anonymous whistleblowing routes: with no caller to scope a key to, a replayed answer
    // (a report's reference and follow-up secret) could reach whoever guessed the key (issue 16).
    // Nor an export: a read whose answer is a document, recorded (with its hash) each time it is made.
    const anonymous = (path: string) =>
      (path.startsWith('/api/v1/whistleblowing/reports') && !path.includes('{')) || path.endsWith('/timeline/exports');
    const posts = Object.entries(doc.paths).filter(
      ([path, item]) => item.post && !path.startsWith('/api/v1/auth/') && !anonymous(path),
    );
    expect(posts.length).toBeGreaterThan(10);
    for (const [path, item] of posts) {
      const header = (item.post!.parameters ?? []).find(
        (p) => 'name' in p && p.name === 'Idempotency-Key' && p.in === 'header',
      ) as { description?: string } | undefined;
      expect({ path, documented: header?.description?.includes('Required for partner systems') }).toEqual({
        path,
        documented: true,
      });
    }
  });
});
