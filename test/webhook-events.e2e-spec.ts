/**
 * The webhook event list is the published events, declared beside the events themselves by the
 * modules that emit them (children, referrals, sharing): what a partner may subscribe to, what
 * the API documents and what reaches the outbox are one list.
 */
import { randomUUID } from 'node:crypto';
import { declaredEvents, declareEvents, type EventPayloads, internalEvent, publishedEventNames } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

export const INTERNAL = declareEvents({
  'webhook_test.internal': internalEvent<{ n: number }>('An event that stays in the process.'),
});
declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof INTERNAL> {}
}

describe('webhook events', () => {
  let t: TestContext;
  let client: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.post('/api/v1/auth/token').send({
      grant_type: 'client_credentials',
      client_id: 'southshire-police-case-system',
      client_secret: 'demo-client-secret',
    });
    client = `Bearer ${res.body.accessToken as string}`;
  });
  afterAll(async () => {
    await t.db.query(`DELETE FROM webhook_subscription WHERE url LIKE 'http://127.0.0.1:9/events-test/%'`);
    await t.close();
  });

  it('is the published events of the catalogue: the four partners had before, one or two per agency module, and no internal one', () => {
    const published = declaredEvents()
      .filter((e) => e.published)
      .map((e) => e.name);
    expect([...publishedEventNames()]).toEqual(published);
    expect(published).toEqual([
      'child.linked',
      // Each agency module publishes what partner systems of the organisation concerned act on.
      'childrens_services.step_recorded',
      'education.file_transfer.received',
      'education.file_transfer.sent',
      'grant.expiring',
      'health.protection_status.looked_up',
      'information_request.decided',
      'police.match_found',
      'referral.status_changed',
    ]);
    expect(published).not.toContain('webhook_test.internal');
  });

  it('is what the OpenAPI document offers for a subscription', async () => {
    const doc = (await t.http.get('/docs-json')).body;
    const events = doc.components.schemas.CreateWebhookDto.properties.events;
    expect(events).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(events.items.enum).toEqual([...publishedEventNames()]);
  });

  it('is what a subscription may name: each published event, and nothing else', async () => {
    for (const event of publishedEventNames()) {
      const res = await t.http
        .post('/api/v1/webhooks')
        .set('Authorization', client)
        .set('Idempotency-Key', randomUUID())
        .send({ url: `http://127.0.0.1:9/events-test/${event}`, secret: 'x'.repeat(32), events: [event] });
      expect({ event, status: res.status }).toEqual({ event, status: 201 });
    }
    for (const event of ['webhook_test.internal', 'referral.created']) {
      const res = await t.http
        .post('/api/v1/webhooks')
        .set('Authorization', client)
        .set('Idempotency-Key', randomUUID())
        .send({ url: 'http://127.0.0.1:9/events-test/refused', secret: 'x'.repeat(32), events: [event] });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['events']);
    }
  });
});
