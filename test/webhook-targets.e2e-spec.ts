import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DELIVERY_FAILED,
  type HostResolver,
  OutboxService,
  type ResolvedAddress,
  WebhookDispatcher,
} from '@app/platform';
import { startTestApp, type TestContext } from './support/app';

const SECRET = 'a-webhook-secret-of-at-least-32-characters!';
const PUBLIC_V4: ResolvedAddress = { address: '93.184.216.34', family: 4 };

/**
 * Outbound webhooks in production: no request forgery into the deployment's own network.
 * The API runs with NODE_ENV=production and a resolver the test controls (no outside DNS here).
 */
describe('webhook addresses in production', () => {
  let t: TestContext;
  let client: string;
  let organisationId: string;
  let probe: Server;
  let probePort: number;
  let probeConnections = 0;
  const dns = new Map<string, ResolvedAddress[]>();
  const resolver: HostResolver = async (host) => {
    const found = dns.get(host);
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

  const register = (url: string) =>
    t.http
      .post('/api/v1/webhooks')
      .set('Authorization', client)
      .set('Idempotency-Key', randomUUID())
      .send({ url, secret: SECRET, events: ['child.linked'] });

  beforeAll(async () => {
    t = await startTestApp(
      {
        NODE_ENV: 'production',
        // The development key, so that what other files sealed still opens here.
        DATA_ENCRYPTION_KEY: createHash('sha256').update('safeguarding-hub development data key').digest('hex'),
      },
      { resolver },
    );
    expect(t.config.webhookAllowPrivateTargets).toBe(false);
    const token = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${token.body.accessToken as string}`;
    [{ organisation_id: organisationId }] = await t.db.query(
      `SELECT organisation_id FROM api_client WHERE client_id = 'southshire-police-case-system'`,
    );
    // Anything listening on this machine: a forged request would show up here as a connection.
    probe = createServer((_req, res) => res.writeHead(204).end());
    probe.on('connection', () => probeConnections++);
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    probePort = (probe.address() as AddressInfo).port;
  });

  afterAll(async () => {
    // The client's subscriptions are listed by other files: leave none of this file's behind.
    await t.db.query(
      `DELETE FROM webhook_delivery WHERE subscription_id IN (SELECT id FROM webhook_subscription WHERE url LIKE '%.partner.example:%')`,
    );
    await t.db.query(`DELETE FROM webhook_subscription WHERE url LIKE '%.partner.example:%'`);
    await new Promise((resolve) => probe.close(resolve));
    await t.close();
  });

  it.each([
    'https://[::ffff:127.0.0.1]:3398/',
    'https://[::ffff:169.254.169.254]/latest/meta-data/',
    'https://[::ffff:10.0.0.1]/',
    'https://[::]/',
    'https://100.64.0.1/',
    'https://198.18.0.1/',
    'https://[64:ff9b::7f00:1]/',
    'https://224.0.0.1/',
    'https://[ff02::1]/',
    'https://255.255.255.255/',
    'https://127.0.0.1/',
    'https://localtest.me/hooks',
    'https://split.partner.example/hooks',
    'https://nowhere.partner.example/hooks',
    'http://hooks.partner.example/hooks',
  ])('refuses to register %s: 400 problem+json naming url', async (url) => {
    dns.set('localtest.me', [{ address: '127.0.0.1', family: 4 }]);
    // One private address among public ones is enough to refuse.
    dns.set('split.partner.example', [PUBLIC_V4, { address: '10.1.2.3', family: 4 }]);
    dns.set('hooks.partner.example', [PUBLIC_V4]);
    const res = await register(url);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'url', message: 'url must be a public https:// address' }]);
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM webhook_subscription WHERE url = $1', [url]);
    expect(n).toBe(0);
  });

  it('refuses at connect time a name that passed registration and now resolves to a private address, with a generic error', async () => {
    const name = `rebind-${randomUUID().slice(0, 8)}.partner.example`;
    dns.set(name, [PUBLIC_V4]);
    const created = await register(`https://${name}:${probePort}/hooks`);
    expect(created.status).toBe(201);
    try {
      // DNS rebinding: the name now answers with this machine's address.
      dns.set(name, [{ address: '127.0.0.1', family: 4 }]);
      await t.db.transaction((tx) =>
        t.app.get(OutboxService, { strict: false }).emit(tx, {
          type: 'child.linked',
          organisationId,
          payload: { childId: randomUUID() },
          occurredAt: t.clock.now(),
        }),
      );
      const dispatcher = t.app.get(WebhookDispatcher, { strict: false });
      await dispatcher.fanOut();
      await dispatcher.deliverDue();

      expect(probeConnections).toBe(0);
      const log = await t.http.get(`/api/v1/webhooks/${created.body.id}/deliveries`).set('Authorization', client);
      expect(log.status).toBe(200);
      // Every delivery (this event's, and any other event of the organisation still unpublished when
      // the subscription was made) failed at connect time, with nothing but the generic error.
      expect(log.body.data.length).toBeGreaterThan(0);
      for (const delivery of log.body.data) {
        expect(delivery).toEqual(
          expect.objectContaining({ status: 'pending', attempts: 1, lastStatusCode: null, lastError: DELIVERY_FAILED }),
        );
      }
    } finally {
      await t.db.query(
        `UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL WHERE subscription_id = $1`,
        [created.body.id],
      );
      await t.db.query(`UPDATE webhook_subscription SET active = false WHERE id = $1`, [created.body.id]);
    }
  });
});
