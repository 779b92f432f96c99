/**
 * Issue #10, item 8: while the database cannot be reached the API answers 503 problem+json with
 * Retry-After (not 500), readiness says not ready, liveness stays up, nothing is half-written,
 * and it recovers by itself when the database is back. The app reaches the database through a
 * TCP proxy this test cuts: first resetting every connection (a server restarting), then
 * refusing them (a server down).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../apps/api/src/create-app';
import { testConfig } from './support/app';

/** A TCP proxy to the database that can reset its connections, refuse new ones, and come back. */
class CuttableProxy {
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private mode: 'up' | 'reset' | 'refuse' = 'up';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = this.create();
  }

  private create(): Server {
    return createServer((client) => {
      if (this.mode !== 'up') {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Every open connection is reset, and so is every new one, as when the server restarts. */
  reset(): void {
    this.mode = 'reset';
    for (const s of this.sockets) s.destroy();
  }

  /** Nothing listens any more: connections are refused, as when the server is down. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  async restore(): Promise<void> {
    if (this.mode === 'refuse') {
      this.server = this.create();
      await this.listen();
    }
    this.mode = 'up';
  }

  async close(): Promise<void> {
    this.mode = 'refuse';
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
  }
}

const SW = 'social.worker@northshire-council.example';

describe('database outage (issue #10, item 8)', () => {
  let proxy: CuttableProxy;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let auth: string;
  let childId: string;

  beforeAll(async () => {
    const real = new URL(process.env.TEST_DATABASE_URL!);
    proxy = new CuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    await proxy.listen();
    const viaProxy = new URL(real.toString());
    viaProxy.port = String(proxy.port);
    const config = testConfig({ DATABASE_URL: viaProxy.toString(), DB_POOL_MAX: '4' });
    app = await createApp({ config, databaseUrl: viaProxy.toString() });
    await app.init();
    http = request(app.getHttpServer());
    const login = await http.post('/api/v1/auth/login').send({ email: SW, password: 'demo-password' }).expect(200);
    auth = `Bearer ${login.body.accessToken as string}`;
    const child = await http
      .post('/api/v1/children')
      .set('Authorization', auth)
      .send({ givenName: `Outage${Date.now().toString(36)}`, familyName: 'Registrant', dateOfBirth: '2016-05-06' })
      .expect(201);
    childId = child.body.id;
  });
  afterAll(async () => {
    await proxy.restore();
    await app.close();
    await proxy.close();
  });

  const read = () => http.get(`/api/v1/children/${childId}/chronology`).set('Authorization', auth);
  const write = (summary: string) =>
    http.post(`/api/v1/children/${childId}/chronology`).set('Authorization', auth).send({
      occurredAt: '2026-11-01T10:00:00Z',
      category: 'assessment',
      summary,
      sensitivity: 'social-care',
      shareable: false,
    });

  function expectUnavailable(res: request.Response, what: string): void {
    expect({ what, status: res.status, type: res.headers['content-type'] }).toEqual({
      what,
      status: 503,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ type: '/problems/service-unavailable', code: 'SERVICE_UNAVAILABLE' });
  }

  it('answers 503 with Retry-After during the outage, writes nothing, and recovers on its own', async () => {
    await read().expect(200);

    for (const outage of ['reset', 'refuse'] as const) {
      if (outage === 'reset') proxy.reset();
      else await proxy.refuse();

      await http.get('/health').expect(200, { status: 'ok' });
      expectUnavailable(await http.get('/health/ready'), `${outage}: readiness`);
      expectUnavailable(await read(), `${outage}: read`);
      expectUnavailable(await write(`written during the ${outage} outage`), `${outage}: write`);
      const login = await http.post('/api/v1/auth/login').send({ email: SW, password: 'demo-password' });
      expectUnavailable(login, `${outage}: login`);

      await proxy.restore();
      // The pool replaces its dead connections by itself: ready again within a few attempts.
      let ready = 0;
      for (let attempt = 0; attempt < 50 && ready !== 200; attempt++) {
        ready = (await http.get('/health/ready')).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(200);
      await read().expect(200);
    }

    const after = await write('written after the outage');
    expect(after.status).toBe(201);
    const summaries = (await read().expect(200)).body.data.map((e: { summary: string }) => e.summary);
    expect(summaries).toEqual(['written after the outage']);
  });
});
