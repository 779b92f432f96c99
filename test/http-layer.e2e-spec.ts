import { ModulesContainer } from '@nestjs/core';
import { AuthenticationGuard } from '@app/identity';
import { currentRequestId, IDEMPOTENT_KEY, IdempotencyInterceptor } from '@app/platform';
import { startTestApp, type TestContext } from './support/app';

/** The API's HTTP layer on Fastify (issue #18): what the Express one did, kept. */
const SW = 'social.worker@northshire-council.example';

let seq = 0;
const uniqueChild = () => ({
  givenName: `Edge${Date.now().toString(36)}${seq++}`,
  familyName: 'Layer',
  dateOfBirth: '2014-02-03',
});

const auditOf = async (t: TestContext, childId: string) =>
  (await t.db.query(
    `SELECT action, request_id AS "requestId", client_ip AS "clientIp" FROM audit_event
      WHERE child_ids @> ARRAY[$1]::uuid[] ORDER BY seq`,
    [childId],
  )) as { action: string; requestId: string | null; clientIp: string | null }[];

describe('the HTTP layer (Fastify)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("records the caller's X-Request-Id in the audit log and echoes it; otherwise the id it answered with", async () => {
    const auth = await t.as(SW);
    const created = await t.http
      .post('/api/v1/children')
      .set('Authorization', auth)
      .set('X-Request-Id', 'gateway-create-0001')
      .send(uniqueChild())
      .expect(201);
    expect(created.headers['x-request-id']).toBe('gateway-create-0001');
    const read = await t.http.get(`/api/v1/children/${created.body.id}`).set('Authorization', auth).expect(200);
    const madeId = read.headers['x-request-id'];
    expect(madeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const events = await auditOf(t, created.body.id);
    expect(events).toEqual([
      expect.objectContaining({ action: 'child.create', requestId: 'gateway-create-0001' }),
      expect.objectContaining({ action: 'child.read', requestId: madeId }),
    ]);
  });

  it('serves guards and handlers inside the request id context (what every log line takes its reqId from)', async () => {
    const seen: (string | undefined)[] = [];
    const original = AuthenticationGuard.prototype.canActivate;
    const spy = jest.spyOn(AuthenticationGuard.prototype, 'canActivate').mockImplementation(async function (
      this: AuthenticationGuard,
      context,
    ) {
      const ok = await original.call(this, context);
      seen.push(currentRequestId());
      return ok;
    });
    try {
      const auth = await t.as(SW);
      await t.http.get('/api/v1/me').set('Authorization', auth).set('X-Request-Id', 'context-get-0001').expect(200);
      // A body is read before the context is entered: a POST's handler is in it too.
      await t.http
        .post('/api/v1/children')
        .set('Authorization', auth)
        .set('X-Request-Id', 'context-post-0002')
        .send(uniqueChild())
        .expect(201);
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual(['context-get-0001', 'context-post-0002']);
  });

  it('takes the client address from the connection, not X-Forwarded-For, when no proxy is trusted', async () => {
    const created = await t.http
      .post('/api/v1/children')
      .set('Authorization', await t.as(SW))
      .set('X-Forwarded-For', '203.0.113.7')
      .send(uniqueChild())
      .expect(201);
    const [event] = await auditOf(t, created.body.id);
    expect(event!.clientIp).toMatch(/127\.0\.0\.1/);
  });

  it('puts the security headers and the request id on errors and unknown routes too', async () => {
    for (const res of [
      await t.http.get('/api/v1/no-such-thing').expect(404),
      await t.http.get('/api/v1/children').expect(401),
      await t.http.post('/api/v1/auth/login').set('Content-Type', 'text/plain').send('x').expect(415),
    ]) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-request-id']).toBe(res.body.requestId);
    }
  });

  it('answers what the body parser refuses with problem+json naming the issue, never 5xx', async () => {
    const auth = await t.as(SW);
    const post = (type: string, body: string) =>
      t.http.post('/api/v1/children').set('Authorization', auth).set('Content-Type', type).send(body);
    const text = await post('text/plain', 'hello');
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(text.body.detail).toContain('application/json');
    const malformed = await post('application/json', '{"givenName":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'BAD_REQUEST', detail: 'The request body is not valid JSON.' });
    // As Express's strict parser: the top level is an object or an array.
    expect((await post('application/json', '"x"')).status).toBe(400);
    const big = await post('application/json', JSON.stringify({ givenName: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'CONTENT_TOO_LARGE', limit: 1024 * 1024 });
    expect(big.body.instance).toBe('/api/v1/children');
  });

  it('serves Swagger UI and the document, and finds a route with a trailing slash', async () => {
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    expect((await t.http.get('/docs-json').expect(200)).body.openapi).toMatch(/^3\./);
    await t.http.get('/health/').expect(200);
  });

  it('runs the idempotency interceptor on the routes marked @Idempotent() and on no other', () => {
    const marked: string[] = [];
    const unmarkedWithInterceptors: string[] = [];
    for (const mod of t.app.get(ModulesContainer).values()) {
      for (const { metatype } of mod.controllers.values()) {
        if (!metatype) continue;
        const proto = (metatype as { prototype: Record<string, unknown> }).prototype;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const interceptors = (Reflect.getMetadata('__interceptors__', handler) ?? []) as unknown[];
          if (Reflect.getMetadata(IDEMPOTENT_KEY, handler) === true) {
            expect({
              route: `${metatype.name}.${name}`,
              applied: interceptors.includes(IdempotencyInterceptor),
            }).toEqual({ route: `${metatype.name}.${name}`, applied: true });
            marked.push(name);
          } else if (interceptors.length > 0) {
            unmarkedWithInterceptors.push(`${metatype.name}.${name}`);
          }
        }
      }
    }
    expect(marked.length).toBeGreaterThan(10);
    expect(unmarkedWithInterceptors).toEqual([]);
  });
});

describe('the HTTP layer behind a trusted proxy, with CORS origins', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true', CORS_ORIGINS: 'https://partner.example' });
  });
  afterAll(() => t.close());

  it("records the client address the proxy forwarded, as Express's 'trust proxy' did", async () => {
    const created = await t.http
      .post('/api/v1/children')
      .set('Authorization', await t.as(SW))
      .set('X-Forwarded-For', '203.0.113.7')
      .send(uniqueChild())
      .expect(201);
    const [event] = await auditOf(t, created.body.id);
    expect(event!.clientIp).toBe('203.0.113.7');
  });

  it('answers CORS for the configured origins only, exposing the headers partners read', async () => {
    const preflight = await t.http
      .options('/api/v1/children')
      .set('Origin', 'https://partner.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://partner.example');
    const read = await t.http.get('/health').set('Origin', 'https://partner.example').expect(200);
    expect(read.headers['access-control-allow-origin']).toBe('https://partner.example');
    expect(read.headers['access-control-expose-headers']).toContain('X-Request-Id');
    const other = await t.http.get('/health').set('Origin', 'https://elsewhere.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
