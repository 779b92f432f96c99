/**
 * Issue #10, items 4 and 5: crafted cursors, NUL bytes, deep and wide bodies. Each is a 4xx
 * problem+json naming what is wrong (never a 500), and a hostile body costs one short answer.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { encodeCursor } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';
import { operationsOf, principals } from './support/openapi';

const unsigned = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');

/** The cursors of issue #10, and others of the same kinds: none of them this API's. */
const FORGED = [
  unsigned(['2026-13-45', 'not-a-uuid']),
  unsigned(['a', 'b', 'c']),
  unsigned([]),
  unsigned([1, 2]),
  unsigned({}),
  unsigned(['2026-03-01T10:00:00.000Z', '0b6f5a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b']),
  'not-a-cursor',
];
/** Sealed with the app's key (the test shares its process), but of the wrong shape for any list. */
const STALE = [
  encodeCursor(['2026-13-45', 'not-a-uuid']),
  encodeCursor(['a', 'b', 'c']),
  encodeCursor([{}, null]),
  encodeCursor(['a\u0000']),
];

function expectNamed(res: { status: number; headers: Record<string, string>; body: any }, field: string): void {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status: 400,
    type: expect.stringContaining('application/problem+json'),
  });
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

describe('input limits (issue #10, items 4 and 5)', () => {
  let t: TestContext;
  let subscriptionId: string;
  let nscClient: string;

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'northshire-council-case-system',
      client_secret: 'demo-client-secret',
    });
    nscClient = `Bearer ${token.body.accessToken as string}`;
    // A subscription to read the delivery log of; nothing is ever delivered to it (removed below).
    const hook = await t.http
      .post('/api/v1/webhooks')
      .set('Authorization', nscClient)
      .set('Idempotency-Key', 'input-limits-hook')
      .send({
        url: 'http://127.0.0.1:9/never',
        secret: 'a-secret-of-at-least-32-characters!!',
        events: ['grant.expiring'],
      });
    expect(hook.status).toBe(201);
    subscriptionId = hook.body.id;
  });
  afterAll(async () => {
    await t.db.query('DELETE FROM webhook_subscription WHERE id = $1', [subscriptionId]);
    await t.close();
  });

  it('refuses forged and stale cursors on every list route with a 400 naming cursor', async () => {
    const { operations } = operationsOf(t);
    const lists = operations.filter(
      (o) => o.method === 'get' && o.op.parameters?.some((p: any) => p.name === 'cursor'),
    );
    expect(lists.length).toBeGreaterThanOrEqual(13);
    const who = principals(t);
    const failures: string[] = [];
    for (const list of lists) {
      const principal = list.path.startsWith('/api/v1/webhooks')
        ? { authorization: nscClient }
        : await who.for(list.method, list.path);
      let url = list.path;
      if (url.includes('{id}')) {
        // A record the caller may read, so that the cursor is what is judged.
        const id = url.startsWith('/api/v1/webhooks')
          ? subscriptionId
          : (await t.http.get('/api/v1/children?limit=1').set('Authorization', principal.authorization!)).body.data[0]
              .id;
        url = url.replace('{id}', id);
      }
      // Inspectors' lists are read only under a declared purpose of inspection.
      const purpose = url.startsWith('/api/v1/oversight/inspection/') ? { 'X-Purpose-Of-Use': 'inspection' } : {};
      const valid = await t.http
        .get(url)
        .query({ limit: 1 })
        .set('Authorization', principal.authorization!)
        .set(purpose);
      if (valid.status !== 200) failures.push(`${url}: ${valid.status} without a cursor`);
      for (const cursor of [...FORGED, ...STALE]) {
        const res = await t.http.get(url).query({ cursor }).set('Authorization', principal.authorization!).set(purpose);
        const named = res.status === 400 && res.body.errors?.some((e: any) => e.field === 'cursor');
        if (!named) failures.push(`${url} cursor ${cursor.slice(0, 30)}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("still pages with the API's own cursors", async () => {
    const auth = await t.as('social.worker@northshire-council.example');
    const first = await t.http.get('/api/v1/organisations').query({ limit: 2 }).set('Authorization', auth).expect(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http
      .get('/api/v1/organisations')
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set('Authorization', auth)
      .expect(200);
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    // A cursor whose values were changed is refused, though its seal is the API's.
    const [, seal] = (first.body.nextCursor as string).split('.');
    const altered = `${unsigned(['A', first.body.data[1].id])}.${seal}`;
    expectNamed(
      await t.http.get('/api/v1/organisations').query({ cursor: altered }).set('Authorization', auth),
      'cursor',
    );
  });

  it('refuses a NUL byte in a body, form, query or header before anything reaches the database', async () => {
    expectNamed(
      await t.http.post('/api/v1/auth/token').send({ grant_type: 'client_credentials', client_id: 'a\u0000' }),
      'client_id',
    );
    expectNamed(await t.http.post('/api/v1/auth/token').send({ client_id: 'a\u0000' }), 'client_id');
    expectNamed(
      await t.http
        .post('/api/v1/auth/token')
        .type('form')
        .send('grant_type=client_credentials&client_id=a%00&client_secret=x'),
      'client_id',
    );
    expectNamed(
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'social.worker@northshire-council.example', password: 'a\u0000' }),
      'password',
    );
    const auth = await t.as('admin@northshire-council.example');
    expectNamed(await t.http.get('/api/v1/users').query({ q: 'sam\u0000' }).set('Authorization', auth), 'q');
    expectNamed(
      await t.http
        .post('/api/v1/users')
        .set('Authorization', auth)
        .send({
          email: 'x@northshire-council.example',
          name: 'X',
          password: 'long-enough-password',
          roles: ['social_worker\u0000'],
        }),
      'roles.0',
    );
    expectNamed(await t.http.get('/api/v1/users/a%00b').set('Authorization', auth), 'id');

    // Node's HTTP parser refuses a NUL in a header before the app: the answer is still problem+json.
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () =>
        socket.write('GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Purpose-Of-Use: care\u0000planning\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    await new Promise((r) => server.close(r));
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(raw.split('\r\n\r\n')[1]!).errors).toEqual([
      { field: 'x-purpose-of-use', message: 'x-purpose-of-use must not contain control characters' },
    ]);
  });

  it('refuses deep bodies without a stack overflow: 413 past the small login limit, 400 within it', async () => {
    const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const tooBig = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send(deepArray(10_000));
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers['content-type']).toContain('application/problem+json');
    expect(tooBig.body.detail).toContain('8192 bytes');

    const deepLogin = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send(deepArray(3_000));
    expectNamed(deepLogin, '0.0.0.0.0.0.0.0');
    const deepObject = `{"email":${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}}`;
    expectNamed(
      await t.http.post('/api/v1/auth/login').set('content-type', 'application/json').send(deepObject),
      'email.a.a.a.a.a.a.a',
    );

    const auth = await t.as('social.worker@northshire-council.example');
    const deep = await t.http
      .post('/api/v1/children')
      .set('Authorization', auth)
      .set('content-type', 'application/json')
      .send(deepArray(10_000));
    expectNamed(deep, '0.0.0.0.0.0.0.0');
  });

  it('answers a 50,000-key body with one short error: 413 on login, 400 naming the body elsewhere', async () => {
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`key${i}`, 'x'])));
    expect(wide.length).toBeGreaterThan(500_000);
    const login = await t.http.post('/api/v1/auth/login').set('content-type', 'application/json').send(wide);
    expect(login.status).toBe(413);
    expect(login.text.length).toBeLessThan(1000);

    // Unauthenticated: refused before authentication, so without a token too.
    for (const authorization of [undefined, await t.as('social.worker@northshire-council.example')]) {
      const req = t.http.post('/api/v1/children').set('content-type', 'application/json');
      if (authorization) req.set('Authorization', authorization);
      const res = await req.send(wide);
      expectNamed(res, 'body');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'body must have at most 100 fields' }]);
      expect(res.text.length).toBeLessThan(1000);
    }
  });

  it('caps an error list at 20 entries and counts the rest', async () => {
    const body = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`unknown${i}`, 1]));
    const res = await t.http.post('/api/v1/auth/login').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(20);
    expect(res.body.moreErrors).toBeGreaterThanOrEqual(70);
  });
});
