import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  buildDataSourceOptions,
  type Clock,
  DELIVERY_FAILED,
  DomainError,
  type HostResolver,
  ManualClock,
  newWebhookSecret,
  OUTBOX_ENTITIES,
  OutboxModule,
  OutboxService,
  PlatformModule,
  verifyWebhookSignature,
  WebhookDispatcher,
  WebhookJob,
  webhookRetryDelayMs,
  WebhookSubscription,
} from '@app/platform';
import { testConfig } from './support/app';

const TABLES = ['outbox_event', 'webhook_subscription', 'webhook_delivery'];
const TIMEOUT_MS = 400;
/** A name only the test's resolver knows (system DNS cannot answer .test): it points at the receiver. */
const RECEIVER_NAME = 'receiver.partner.test';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers on one path: the statuses in turn (the last one repeats), or never. */
interface Behaviour {
  statuses: number[];
  delayMs?: number;
  hang?: boolean;
}

describe('outbox and signed webhooks', () => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let outbox: OutboxService;
  let dispatcher: WebhookDispatcher;
  let server: Server;
  let baseUrl: string;
  let createdTables = false;
  const clock = new ManualClock(new Date('2026-11-28T12:00:00Z'));
  const behaviours = new Map<string, Behaviour>();
  /** Removed at the end: their secrets are in clear, which other files would take for a leak. */
  const subscriptions: string[] = [];
  const received: Received[] = [];

  const lookups: string[] = [];
  const resolver: HostResolver = async (host) => {
    lookups.push(host);
    if (host === RECEIVER_NAME) return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };

  const receivedOn = (path: string) => received.filter((r) => r.path === path);
  const unixSeconds = (d: Date) => String(Math.floor(d.getTime() / 1000));

  /** A subscription of `organisationId` to `events`, answered by the receiver on a path of its own. */
  const subscribe = async (
    organisationId: string,
    events: string[],
    behaviour: Behaviour = { statuses: [204] },
    active = true,
  ) => {
    const path = `/hooks/${randomUUID()}`;
    behaviours.set(path, behaviour);
    const secret = newWebhookSecret();
    const row = { organisationId, clientId: randomUUID(), url: `${baseUrl}${path}`, secret, events, active };
    const { identifiers } = await db.getRepository(WebhookSubscription).insert(row);
    subscriptions.push(identifiers[0].id as string);
    return { id: identifiers[0].id as string, path, secret, url: row.url };
  };

  const emit = (organisationId: string, type: string, payload: Record<string, unknown> = {}) =>
    db.transaction((tx) => outbox.emit(tx, { type, organisationId, payload, occurredAt: clock.now() }));

  const deliveriesOf = (subscriptionId: string): Promise<Record<string, any>[]> =>
    db.query('SELECT * FROM webhook_delivery WHERE subscription_id = $1 ORDER BY created_at, id', [subscriptionId]);

  const runOnce = async () => {
    await dispatcher.fanOut();
    return dispatcher.deliverDue();
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const b = behaviours.get(path) ?? { statuses: [404] };
        if (b.hang) return;
        const status = b.statuses.length > 1 ? b.statuses.shift()! : b.statuses[0];
        setTimeout(() => res.writeHead(status).end(), b.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot(testConfig(), clock as Clock, resolver),
        TypeOrmModule.forRoot(
          buildDataSourceOptions(process.env.TEST_DATABASE_URL!, { entities: OUTBOX_ENTITIES, migrations: [] }),
        ),
        OutboxModule.withOptions({ timeoutMs: TIMEOUT_MS }),
      ],
      providers: [WebhookJob],
    }).compile();
    await moduleRef.init();
    db = moduleRef.get(DataSource);
    outbox = moduleRef.get(OutboxService);
    dispatcher = moduleRef.get(WebhookDispatcher);

    // Until the migration exists: the tables exactly as the entities describe them.
    const [{ exists }] = (await db.query("SELECT to_regclass('public.outbox_event') IS NOT NULL AS exists")) as {
      exists: boolean;
    }[];
    if (!exists) {
      const { upQueries } = await db.driver.createSchemaBuilder().log();
      const ours = upQueries
        .map((q) => q.query)
        .filter((q) => /^(CREATE|ALTER TABLE)/.test(q) && TABLES.some((t) => q.includes(`"${t}"`)));
      await db.transaction(async (tx) => {
        for (const q of ours) await tx.query(q);
      });
      createdTables = true;
    }
  });

  afterEach(async () => {
    // One test's retries must not run in the next.
    await db.query(`UPDATE webhook_delivery SET status = 'failed', next_attempt_at = NULL WHERE status = 'pending'`);
  });

  afterAll(async () => {
    if (db?.isInitialized && createdTables) {
      await db.query('DROP TABLE IF EXISTS webhook_delivery, webhook_subscription, outbox_event');
    } else if (db?.isInitialized) {
      await db.query('DELETE FROM webhook_delivery WHERE subscription_id = ANY($1::uuid[])', [subscriptions]);
      await db.query('DELETE FROM webhook_subscription WHERE id = ANY($1::uuid[])', [subscriptions]);
    }
    await moduleRef?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('has tables that agree with the entities', async () => {
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('refuses to emit outside a transaction', async () => {
    await expect(
      outbox.emit(db.manager, {
        type: 'referral.status_changed',
        organisationId: randomUUID(),
        payload: {},
        occurredAt: clock.now(),
      }),
    ).rejects.toThrow(/transaction/);
  });

  it('publishes nothing when the transaction that emitted rolls back', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['referral.status_changed']);
    await expect(
      db.transaction(async (tx) => {
        await outbox.emit(tx, {
          type: 'referral.status_changed',
          organisationId: org,
          payload: { referralId: randomUUID() },
          occurredAt: clock.now(),
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await runOnce();
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM outbox_event WHERE organisation_id = $1', [org]);
    expect(n).toBe(0);
    expect(await deliveriesOf(sub.id)).toEqual([]);
    expect(receivedOn(sub.path)).toEqual([]);
  });

  it('delivers a committed event once, as signed JSON the receiver can verify', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['referral.status_changed', 'child.linked']);
    const payload = { referralId: randomUUID(), from: 'SUBMITTED', to: 'ACCEPTED', organisationName: 'Northshire' };
    const eventId = await emit(org, 'referral.status_changed', payload);

    const fanned = await dispatcher.fanOut();
    expect(fanned.events).toBeGreaterThanOrEqual(1);
    const [event] = await db.query('SELECT dispatched_at FROM outbox_event WHERE id = $1', [eventId]);
    expect(event.dispatched_at).toEqual(clock.now());
    expect(await deliveriesOf(sub.id)).toEqual([
      expect.objectContaining({ event_id: eventId, event_type: 'referral.status_changed', status: 'pending' }),
    ]);

    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 1, retrying: 0, failed: 0 });
    const [got] = receivedOn(sub.path);
    expect(receivedOn(sub.path)).toHaveLength(1);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe(eventId);
    expect(got.headers['webhook-timestamp']).toBe(unixSeconds(clock.now()));
    expect(got.headers['webhook-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(JSON.parse(got.body)).toEqual({
      id: eventId,
      type: 'referral.status_changed',
      occurredAt: clock.now().toISOString(),
      organisationId: org,
      data: payload,
    });

    const ts = got.headers['webhook-timestamp'] as string;
    const sig = got.headers['webhook-signature'] as string;
    expect(verifyWebhookSignature(sub.secret, ts, sig, got.body, clock.now())).toBe(true);
    expect(verifyWebhookSignature(sub.secret, ts, sig, got.body.replace('ACCEPTED', 'DECLINED'), clock.now())).toBe(
      false,
    );
    expect(verifyWebhookSignature(newWebhookSecret(), ts, sig, got.body, clock.now())).toBe(false);
    expect(verifyWebhookSignature(sub.secret, ts, sig, got.body, new Date(clock.now().getTime() + 600_000))).toBe(
      false,
    );

    const [delivery] = await deliveriesOf(sub.id);
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 1,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: null,
    });
    expect(delivery.delivered_at).toEqual(clock.now());

    // Nothing more to do; and fanning the same event out again creates no second delivery.
    await runOnce();
    await db.query('UPDATE outbox_event SET dispatched_at = NULL WHERE id = $1', [eventId]);
    await runOnce();
    expect(await deliveriesOf(sub.id)).toHaveLength(1);
    expect(receivedOn(sub.path)).toHaveLength(1);
  });

  it("delivers only to the organisation's active subscriptions that want the event's type", async () => {
    const org = randomUUID();
    const wants = await subscribe(org, ['information_request.decided']);
    const alsoWants = await subscribe(org, ['grant.expiring', 'information_request.decided']);
    const otherType = await subscribe(org, ['referral.status_changed']);
    const inactive = await subscribe(org, ['information_request.decided'], { statuses: [204] }, false);
    const otherOrg = await subscribe(randomUUID(), ['information_request.decided']);

    await emit(org, 'information_request.decided', { requestId: randomUUID(), decision: 'DISCLOSED' });
    await runOnce();

    expect(receivedOn(wants.path)).toHaveLength(1);
    expect(receivedOn(alsoWants.path)).toHaveLength(1);
    // Each subscription's copy is signed with its own secret.
    const [a] = receivedOn(alsoWants.path);
    expect(
      verifyWebhookSignature(
        alsoWants.secret,
        a.headers['webhook-timestamp'] as string,
        a.headers['webhook-signature'] as string,
        a.body,
        clock.now(),
      ),
    ).toBe(true);
    for (const s of [otherType, inactive, otherOrg]) {
      expect(receivedOn(s.path)).toEqual([]);
      expect(await deliveriesOf(s.id)).toEqual([]);
    }
  });

  it('retries a failed send with backoff and then delivers (500, then 200: two attempts)', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['child.linked'], { statuses: [500, 200] });
    const eventId = await emit(org, 'child.linked', { childId: randomUUID() });

    expect(await runOnce()).toMatchObject({ delivered: 0, retrying: 1 });
    const [first] = await deliveriesOf(sub.id);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500' });
    expect(first.next_attempt_at).toEqual(new Date(clock.now().getTime() + webhookRetryDelayMs(1)));

    // Not before the backoff has passed.
    clock.advance(webhookRetryDelayMs(1) - 1000);
    await dispatcher.deliverDue();
    expect(receivedOn(sub.path)).toHaveLength(1);

    clock.advance(1000);
    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 1 });
    const attempts = receivedOn(sub.path);
    expect(attempts).toHaveLength(2);
    // The same event (receivers de-duplicate on Webhook-Id), signed afresh at the retry's time.
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId]);
    expect(attempts[1].body).toBe(attempts[0].body);
    expect(attempts[1].headers['webhook-timestamp']).toBe(unixSeconds(clock.now()));
    const [done] = await deliveriesOf(sub.id);
    expect(done).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200, last_error: null });
  });

  it('gives up after maxAttempts sends that never got a 2xx, waiting longer each time', async () => {
    const max = dispatcher.options.maxAttempts;
    expect(max).toBe(8);
    const org = randomUUID();
    const sub = await subscribe(org, ['grant.expiring'], { statuses: [503] });
    await emit(org, 'grant.expiring', { grantId: randomUUID() });
    await dispatcher.fanOut();

    for (let n = 1; n <= max; n++) {
      await dispatcher.deliverDue();
      expect(receivedOn(sub.path)).toHaveLength(n);
      await dispatcher.deliverDue(); // not due again yet
      expect(receivedOn(sub.path)).toHaveLength(n);
      const [d] = await deliveriesOf(sub.id);
      if (n < max) {
        expect(d).toMatchObject({ status: 'pending', attempts: n, last_status_code: 503 });
        clock.advance(webhookRetryDelayMs(n));
      } else {
        expect(d).toMatchObject({ status: 'failed', attempts: max, next_attempt_at: null, last_status_code: 503 });
      }
    }
    clock.advance(24 * 3600_000);
    await runOnce();
    expect(receivedOn(sub.path)).toHaveLength(max);
  });

  it('records network errors and timeouts as failed attempts, without a status code or the reason', async () => {
    const org = randomUUID();
    const hanging = await subscribe(org, ['referral.status_changed'], { statuses: [200], hang: true });
    // A port nobody listens on: a closed server's.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await subscribe(org, ['referral.status_changed']);
    await db.query('UPDATE webhook_subscription SET url = $2 WHERE id = $1', [
      refused.id,
      `http://127.0.0.1:${deadPort}/hook`,
    ]);

    await emit(org, 'referral.status_changed', { referralId: randomUUID() });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const started = performance.now();
      expect(await runOnce()).toMatchObject({ retrying: 2 });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 2000);

      // The partner's delivery log says only that it failed: which ports refuse and which hang
      // would make registering URLs a port scanner. The reason is in the server log.
      const [timedOut] = await deliveriesOf(hanging.id);
      expect(timedOut).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_status_code: null,
        last_error: DELIVERY_FAILED,
      });
      const [notConnected] = await deliveriesOf(refused.id);
      expect(notConnected).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_status_code: null,
        last_error: DELIVERY_FAILED,
      });
      const logged = warn.mock.calls.map((c) => String(c[0]));
      expect(logged).toContainEqual(expect.stringMatching(new RegExp(`${timedOut.id}.*abort`, 'i')));
      expect(logged).toContainEqual(expect.stringMatching(new RegExp(`${notConnected.id}.*ECONNREFUSED`)));
    } finally {
      warn.mockRestore();
    }
  });

  it('connects to the address the resolver gave, without asking DNS again, and reports an unknown name generically', async () => {
    const org = randomUUID();
    const named = await subscribe(org, ['child.linked']);
    const port = new URL(baseUrl).port;
    await db.query('UPDATE webhook_subscription SET url = $2 WHERE id = $1', [
      named.id,
      `http://${RECEIVER_NAME}:${port}${named.path}`,
    ]);
    const unknown = await subscribe(org, ['child.linked']);
    await db.query('UPDATE webhook_subscription SET url = $2 WHERE id = $1', [
      unknown.id,
      `http://unknown.partner.test:${port}${unknown.path}`,
    ]);
    lookups.length = 0;
    await emit(org, 'child.linked', { childId: randomUUID() });
    expect(await runOnce()).toMatchObject({ delivered: 1, retrying: 1 });
    // The system resolver knows no .test name: the delivery went where the (checked) answer said.
    expect(receivedOn(named.path)).toHaveLength(1);
    expect(receivedOn(named.path)[0]!.headers.host).toBe(`${RECEIVER_NAME}:${port}`);
    expect(lookups.sort()).toEqual([RECEIVER_NAME, 'unknown.partner.test']);
    const [failed] = await deliveriesOf(unknown.id);
    expect(failed).toMatchObject({ status: 'pending', last_status_code: null, last_error: DELIVERY_FAILED });
  });

  it('replays a delivery: sends it again and keeps counting attempts', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['child.linked']);
    const eventId = await emit(org, 'child.linked', { childId: randomUUID() });
    await runOnce();
    const [delivered] = await deliveriesOf(sub.id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1 });

    clock.advance(3600_000);
    await dispatcher.replay(delivered.id);
    expect((await deliveriesOf(sub.id))[0]).toMatchObject({ status: 'pending', next_attempt_at: clock.now() });
    await dispatcher.deliverDue();
    const got = receivedOn(sub.path);
    expect(got).toHaveLength(2);
    expect(got[1].headers['webhook-id']).toBe(eventId);
    expect(got[1].headers['webhook-timestamp']).toBe(unixSeconds(clock.now()));
    const [again] = await deliveriesOf(sub.id);
    expect(again).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(again.delivered_at).toEqual(clock.now());

    // A failed one too: one more attempt.
    behaviours.get(sub.path)!.statuses = [500];
    await db.query(`UPDATE webhook_delivery SET status = 'failed', attempts = 8 WHERE id = $1`, [again.id]);
    await dispatcher.replay(again.id);
    await dispatcher.deliverDue();
    expect(receivedOn(sub.path)).toHaveLength(3);
    expect((await deliveriesOf(sub.id))[0]).toMatchObject({ status: 'failed', attempts: 9, last_status_code: 500 });

    await expect(dispatcher.replay(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(dispatcher.replay('not-a-uuid')).rejects.toBeInstanceOf(DomainError);
  });

  it('sends each delivery once when several workers run at the same time', async () => {
    const org = randomUUID();
    const subs = [
      await subscribe(org, ['referral.status_changed'], { statuses: [200], delayMs: 50 }),
      await subscribe(org, ['referral.status_changed'], { statuses: [200], delayMs: 50 }),
    ];
    const events: string[] = [];
    for (let i = 0; i < 25; i++) events.push(await emit(org, 'referral.status_changed', { n: i }));

    const fanned = await Promise.all([dispatcher.fanOut(), dispatcher.fanOut(), dispatcher.fanOut()]);
    expect(fanned.reduce((sum, f) => sum + f.deliveries, 0)).toBe(50);
    const sent = await Promise.all([dispatcher.deliverDue(), dispatcher.deliverDue(), dispatcher.deliverDue()]);
    expect(sent.reduce((sum, r) => sum + r.delivered, 0)).toBe(50);

    for (const sub of subs) {
      const ids = receivedOn(sub.path).map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(25);
      expect(new Set(ids)).toEqual(new Set(events));
      const rows = await deliveriesOf(sub.id);
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(25).fill(['delivered', 1]));
    }
  });

  it("closes a deactivated subscription's pending deliveries without sending them", async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['child.linked'], { statuses: [500] });
    await emit(org, 'child.linked', { childId: randomUUID() });
    await runOnce();
    await db.query('UPDATE webhook_subscription SET active = false WHERE id = $1', [sub.id]);
    clock.advance(webhookRetryDelayMs(1));
    expect(await dispatcher.deliverDue()).toMatchObject({ failed: 1 });
    expect(receivedOn(sub.path)).toHaveLength(1);
    expect((await deliveriesOf(sub.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'The subscription is not active.',
    });
  });

  it('lists the delivery log newest first, page by page, with each delivery’s attempts', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['referral.status_changed', 'child.linked'], { statuses: [200] });
    const eventIds: string[] = [];
    for (const type of ['referral.status_changed', 'child.linked', 'referral.status_changed']) {
      clock.advance(60_000);
      eventIds.push(await emit(org, type, {}));
      await dispatcher.fanOut();
    }
    behaviours.get(sub.path)!.statuses = [500, 200];
    await dispatcher.deliverDue(); // the first is sent once, fails; the other two get 200
    clock.advance(webhookRetryDelayMs(1));
    await dispatcher.deliverDue();

    const first = await dispatcher.deliveries(sub.id, 2);
    expect(first.data.map((d) => d.eventId)).toEqual([eventIds[2], eventIds[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await dispatcher.deliveries(sub.id, 2, first.nextCursor!);
    expect(second.data.map((d) => d.eventId)).toEqual([eventIds[0]]);
    expect(second.nextCursor).toBeNull();

    const all = [...first.data, ...second.data];
    expect(all.every((d) => d.subscriptionId === sub.id && d.status === 'delivered')).toBe(true);
    expect(all.map((d) => d.eventType)).toEqual(['referral.status_changed', 'child.linked', 'referral.status_changed']);
    expect(all.map((d) => d.attempts).sort()).toEqual([1, 1, 2]);
    expect(all[0].createdAt).toBeInstanceOf(Date);
    expect(all[0].createdAt.getTime()).toBeGreaterThan(all[1].createdAt.getTime());
    expect(all[0]).not.toHaveProperty('secret');

    await expect(dispatcher.deliveries(sub.id, 2, 'bm90IGEgY3Vyc29y')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await dispatcher.deliveries(randomUUID(), 10)).toEqual({ data: [], nextCursor: null });
  });

  it('runs on the worker schedule: fan out, then deliver', async () => {
    const org = randomUUID();
    const sub = await subscribe(org, ['grant.expiring']);
    await emit(org, 'grant.expiring', { grantId: randomUUID(), expiresAt: clock.now().toISOString() });
    const result = await moduleRef.get(WebhookJob).run();
    expect(result).toMatchObject({ deliveries: 1, delivered: 1 });
    expect(result!.events).toBeGreaterThanOrEqual(1);
    expect(receivedOn(sub.path)).toHaveLength(1);
  });
});
