import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ManualClock, WebhookDispatcher } from '@app/platform';
import { AuditSealJob, AuditVerifier } from '@app/audit';
import { EscalationJob } from '@app/casework';
import { DisclosureEndingJob } from '@app/police';
import { GrantExpiryJob } from '@app/sharing';
import {
  PurgeIdempotencyRecordsJob,
  PurgeLoginFailuresJob,
  PurgeOutboxJob,
  PurgeRateLimitWindowsJob,
  WorkerModule,
} from '../apps/worker/src/worker.module';
import { testConfig } from './support/app';

describe('worker', () => {
  let worker: INestApplicationContext;
  const clock = new ManualClock(new Date('2026-11-28T12:00:00Z'));

  beforeAll(async () => {
    worker = await NestFactory.createApplicationContext(
      WorkerModule.register(testConfig(), process.env.TEST_DATABASE_URL!, clock),
      { logger: false },
    );
  });
  afterAll(() => worker.close());

  it('boots on the database and purges login failures older than the rate-limit window, and only those', async () => {
    const db = worker.get(DataSource);
    await db.query(`INSERT INTO login_failure (key, at) VALUES ('id:worker-old', $1), ('id:worker-new', $2)`, [
      new Date('2026-11-28T11:00:00Z'),
      new Date('2026-11-28T11:55:00Z'),
    ]);
    await worker.get(PurgeLoginFailuresJob).run();
    const left = await db.query(`SELECT key FROM login_failure WHERE key LIKE 'id:worker-%' ORDER BY key`);
    expect(left).toEqual([{ key: 'id:worker-new' }]);
  });

  it('seals the audit log: after a run every committed event is chained and the chain verifies', async () => {
    const db = worker.get(DataSource);
    await worker.get(AuditSealJob).run();
    await worker.get(AuditSealJob).run();
    const [{ unsealed }] = await db.query(
      'SELECT count(*)::int AS unsealed FROM audit_event e WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)',
    );
    expect(unsealed).toBe(0);
    expect(await worker.get(AuditVerifier).verify()).toMatchObject({ ok: true });
  });

  it('runs escalations and purges expired idempotency keys on its schedule', async () => {
    const db = worker.get(DataSource);
    const actor = '00000000-0000-4000-8000-0000000000aa';
    await db.query(
      `INSERT INTO idempotency_record (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, 'old', 'POST', '/x', 'h', 'completed', $2, $3), ($1, 'new', 'POST', '/x', 'h', 'completed', $2, $4)`,
      [actor, new Date('2026-11-27T00:00:00Z'), new Date('2026-11-28T00:00:00Z'), new Date('2026-11-29T00:00:00Z')],
    );
    expect(await worker.get(PurgeIdempotencyRecordsJob).run()).toBeGreaterThanOrEqual(1);
    const left = await db.query(`SELECT key FROM idempotency_record WHERE actor_id = $1`, [actor]);
    expect(left).toEqual([{ key: 'new' }]);
    await expect(worker.get(EscalationJob).run()).resolves.toMatchObject({ marked: expect.any(Number) });
  });

  it('purges published outbox events past their retention, with their delivery log, unless a delivery is pending', async () => {
    const db = worker.get(DataSource);
    const org = (await db.query(`SELECT id FROM organisation WHERE code = 'SSP'`))[0].id;
    const day = 86_400_000;
    const now = clock.now().getTime();
    const event = async (label: string, dispatchedDaysAgo: number | null): Promise<string> =>
      (
        await db.query(
          `INSERT INTO outbox_event (type, organisation_id, payload, occurred_at, dispatched_at)
           VALUES ('test.purge', $1, $2::jsonb, $3, $4) RETURNING id`,
          [
            org,
            JSON.stringify({ label }),
            new Date(now - 40 * day),
            dispatchedDaysAgo === null ? null : new Date(now - dispatchedDaysAgo * day),
          ],
        )
      )[0].id;
    const old = await event('old', 31);
    const oldPending = await event('old-pending', 31);
    const recent = await event('recent', 29);
    const undispatched = await event('undispatched', null);
    const hook = (
      await db.query(
        `INSERT INTO webhook_subscription (organisation_id, client_id, url, secret, events, active)
         VALUES ($1, (SELECT id FROM api_client WHERE organisation_id = $1 LIMIT 1), 'https://partner.example/hooks',
                 'purge-test-secret-0123456789', '{test.purge}', true) RETURNING id`,
        [org],
      )
    )[0].id;
    await db.query(
      `INSERT INTO webhook_delivery (subscription_id, event_id, event_type, status) VALUES
         ($1, $2, 'test.purge', 'delivered'), ($1, $3, 'test.purge', 'pending'), ($1, $4, 'test.purge', 'delivered')`,
      [hook, old, oldPending, recent],
    );
    expect(await worker.get(PurgeOutboxJob).run()).toBeGreaterThanOrEqual(1);
    const left = await db.query(`SELECT payload->>'label' AS label FROM outbox_event WHERE id = ANY($1) ORDER BY 1`, [
      [old, oldPending, recent, undispatched],
    ]);
    expect(left.map((r: { label: string }) => r.label)).toEqual(['old-pending', 'recent', 'undispatched']);
    const deliveries = await db.query(`SELECT event_id FROM webhook_delivery WHERE subscription_id = $1`, [hook]);
    expect(deliveries.map((d: { event_id: string }) => d.event_id).sort()).toEqual([oldPending, recent].sort());
    // A delivery replayed keeps its event: the replay counts as publishing it anew.
    const replayed = await event('replayed', 31);
    const [{ id: delivery }] = await db.query(
      `INSERT INTO webhook_delivery (subscription_id, event_id, event_type, status)
       VALUES ($1, $2, 'test.purge', 'delivered') RETURNING id`,
      [hook, replayed],
    );
    await worker.get(WebhookDispatcher).replay(delivery);
    await db.query(`UPDATE webhook_delivery SET status = 'delivered' WHERE id = $1`, [delivery]);
    await worker.get(PurgeOutboxJob).run();
    expect(await db.query(`SELECT id FROM outbox_event WHERE id = $1`, [replayed])).toEqual([{ id: replayed }]);
    await db.query(`DELETE FROM webhook_subscription WHERE id = $1`, [hook]);
    await db.query(`DELETE FROM outbox_event WHERE id = ANY($1)`, [[oldPending, recent, undispatched, replayed]]);
  });

  it('tells a grantee, once, that a disclosure to it ends within a day: a typed event to its webhooks and a notification', async () => {
    const db = worker.get(DataSource);
    const [grantor, grantee] = await Promise.all(
      ['NSC', 'SSP'].map(async (code) => (await db.query(`SELECT id FROM organisation WHERE code = $1`, [code]))[0].id),
    );
    const child = (await db.query(`SELECT id FROM child ORDER BY created_at LIMIT 1`))[0].id;
    const decider = (await db.query(`SELECT id FROM app_user WHERE organisation_id = $1 LIMIT 1`, [grantor]))[0].id;
    const now = clock.now().getTime();
    const grant = async (hours: number): Promise<string> =>
      (
        await db.query(
          `INSERT INTO sharing_grant (child_id, grantor_organisation_id, grantee_organisation_id, classes, from_at, until_at, decided_by)
           VALUES ($1, $2, $3, '{social-care}', $4, $5, $6) RETURNING id`,
          [child, grantor, grantee, new Date(now - 3_600_000), new Date(now + hours * 3_600_000), decider],
        )
      )[0].id;
    const ending = await grant(12);
    const later = await grant(48);
    const job = worker.get(GrantExpiryJob);
    const [first, second] = await Promise.all([job.run(), job.run()]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    await job.run();
    const events = await db.query(
      `SELECT type, organisation_id, payload FROM outbox_event WHERE payload->>'grantId' = ANY($1)`,
      [[ending, later]],
    );
    expect(events).toEqual([
      {
        type: 'grant.expiring',
        organisation_id: grantee,
        payload: {
          grantId: ending,
          grantorOrganisationId: grantor,
          classes: ['social-care'],
          untilAt: new Date(now + 12 * 3_600_000).toISOString(),
        },
      },
    ]);
    const notes = await db.query(
      `SELECT organisation_id, kind, audience_roles FROM notification WHERE subject_id = ANY($1)`,
      [[ending, later]],
    );
    expect(notes).toEqual([
      { organisation_id: grantee, kind: 'grant.expiring', audience_roles: expect.arrayContaining(['cse_officer']) },
    ]);
    await db.query(`DELETE FROM outbox_event WHERE payload->>'grantId' = $1`, [ending]);
    await db.query(`DELETE FROM notification WHERE subject_id = $1`, [ending]);
    await db.query(`DELETE FROM sharing_grant WHERE id = ANY($1)`, [[ending, later]]);
  });

  it('runs the police notice before a disclosure to another force ends (test/police-disclosures covers what it says)', async () => {
    await expect(worker.get(DisclosureEndingJob).run()).resolves.toEqual(expect.any(Number));
  });

  it('purges rate-limit windows an hour old, and only those', async () => {
    const db = worker.get(DataSource);
    await db.query(
      `INSERT INTO rate_limit_window (key, started_at, hits) VALUES
         ('test:old', clock_timestamp() - interval '2 hours', 5), ('test:live', clock_timestamp(), 1)`,
    );
    expect(await worker.get(PurgeRateLimitWindowsJob).run()).toBeGreaterThanOrEqual(1);
    const left = await db.query(`SELECT key FROM rate_limit_window WHERE key LIKE 'test:%'`);
    expect(left).toEqual([{ key: 'test:live' }]);
    await db.query(`DELETE FROM rate_limit_window WHERE key LIKE 'test:%'`);
  });

  it("purges the whistleblowing line's attempts once past any window (they name no one, but need not stay)", async () => {
    const db = worker.get(DataSource);
    await db.query(
      `INSERT INTO whistleblowing_attempt (key, at) VALUES
         ('test:old', clock_timestamp() - interval '3 hours'), ('test:live', clock_timestamp())`,
    );
    await worker.get(PurgeRateLimitWindowsJob).run();
    const left = await db.query(`SELECT key FROM whistleblowing_attempt WHERE key LIKE 'test:%'`);
    expect(left).toEqual([{ key: 'test:live' }]);
    await db.query(`DELETE FROM whistleblowing_attempt WHERE key LIKE 'test:%'`);
  });
});
