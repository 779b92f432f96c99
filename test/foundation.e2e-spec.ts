import { DEMO_USERS } from '../apps/api/src/seed/demo-world';
import { startTestApp, type TestContext } from './support/app';

describe('foundation: health, docs, headers, errors', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness', async () => {
    await t.http.get('/health').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', database: 'up', migrations: 'applied' });
  });

  it('serves Swagger UI and an OpenAPI 3 document with bearer security and every route', async () => {
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/token',
      '/api/v1/me',
      '/api/v1/organisations',
      '/api/v1/users',
      '/api/v1/users/{id}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('describes every operation with a success response schema and, for writes, a request schema', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const missing: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const ok = Object.entries<any>(op.responses ?? {}).find(([code]) => code.startsWith('2'));
        const noContent = ok?.[0] === '204';
        // JSON, or the document's own type (the census is XML, an export CSV or PDF), with its schema.
        const documented = Object.values<any>(ok?.[1]?.content ?? {}).some((media) => media?.schema);
        if (!ok || (!noContent && !documented)) {
          missing.push(`${method} ${path}: response schema`);
        }
        // Commands without a body (e.g. mark read) answer 204; everything else that writes takes a documented body.
        if (['post', 'put', 'patch'].includes(method) && !noContent && !op.requestBody?.content) {
          missing.push(`${method} ${path}: request schema`);
        }
        // Whistleblowing is open to anyone, signed in or not, and stays anonymous (issue 16).
        const anonymous =
          method === 'post' && /^\/api\/v1\/whistleblowing\/reports(\/follow-up(\/messages)?)?$/.test(path);
        const isPublic = path.startsWith('/health') || path.startsWith('/api/v1/auth/') || anonymous;
        if (!isPublic && !op.security?.some((s: Record<string, unknown>) => 'bearer' in s))
          missing.push(`${method} ${path}: security`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('sets security headers and a request id, echoing a well-formed one', async () => {
    const res = await t.http.get('/health').set('X-Request-Id', 'gateway-req-12345').expect(200);
    expect(res.headers['x-request-id']).toBe('gateway-req-12345');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const bad = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes and malformed JSON with problem+json', async () => {
    const notFound = await t.http.get('/api/v1/no-such-thing').expect(404);
    expect(notFound.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notFound.body).toMatchObject({ status: 404, title: 'Not Found' });
    const badJson = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":')
      .expect(400);
    expect(badJson.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badJson.body).not.toHaveProperty('stack');
  });

  it('lets every demo user log in', async () => {
    for (const [email] of DEMO_USERS) {
      const res = await t.http.post('/api/v1/auth/login').send({ email, password: 'demo-password' });
      expect({ email, status: res.status }).toEqual({ email, status: 200 });
      expect(res.body.expiresIn).toBeLessThanOrEqual(900);
      expect(res.body.accessToken.split('.')).toHaveLength(3);
    }
  });
});
