/**
 * Typed domain events (the casework kernel): emitted in the transaction of the change, to the
 * outbox when published, to in-process handlers in that same transaction; nothing of either
 * survives a rollback, and a failing handler rolls the change back.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { declareEvents, type EventPayloads, Events, internalEvent, Notifier, publishedEvent } from '@app/casework';
import { startTestApp, type TestContext } from './support/app';

export const TEST_EVENTS = declareEvents({
  'kernel_test.noted': internalEvent<{ marker: string }>('A test event handlers react to.'),
  'kernel_test.announced': publishedEvent<{ marker: string; count: number }>('A test event for partners.'),
});

declare module '@app/casework' {
  interface DomainEvents extends EventPayloads<typeof TEST_EVENTS> {}
}

describe('typed domain events', () => {
  let t: TestContext;
  let events: Events;
  let org: string;
  const handled: { marker: string; tx: EntityManager }[] = [];
  let failNext = false;

  beforeAll(async () => {
    t = await startTestApp();
    events = t.app.get(Events, { strict: false });
    org = (await t.db.query(`SELECT id FROM organisation WHERE code = 'NSC'`))[0].id;
    const notifier = t.app.get(Notifier, { strict: false });
    // A module reacting to the event: it writes in the emitter's transaction.
    events.on('kernel_test.noted', async (tx, event) => {
      handled.push({ marker: event.payload.marker, tx });
      if (failNext) throw new Error('the handler failed');
      await notifier.send(
        tx,
        { organisationId: event.organisationId, roles: ['team_manager'] },
        { kind: 'kernel_test.noted', subjectType: 'Test', subjectId: randomUUID(), message: event.payload.marker },
      );
    });
  });
  afterAll(() => t.close());

  const notes = async (marker: string) =>
    Number((await t.db.query(`SELECT count(*)::int AS n FROM notification WHERE message = $1`, [marker]))[0].n);
  const outbox = async (marker: string) =>
    t.db.query(`SELECT type, organisation_id, payload FROM outbox_event WHERE payload->>'marker' = $1`, [marker]);

  it('runs the handlers in the transaction of the change: what they write commits with it', async () => {
    const marker = `noted-${randomUUID()}`;
    let emitter: EntityManager | undefined;
    await t.db.transaction(async (tx) => {
      emitter = tx;
      await events.emit(tx, 'kernel_test.noted', { marker }, { organisationId: org });
    });
    expect(handled.find((h) => h.marker === marker)?.tx).toBe(emitter);
    expect(await notes(marker)).toBe(1);
    // Internal: no outbox row, no webhook.
    expect(await outbox(marker)).toEqual([]);
  });

  it('keeps nothing of an event whose change rolls back: neither what handlers wrote nor the outbox row', async () => {
    const marker = `rolled-back-${randomUUID()}`;
    await expect(
      t.db.transaction(async (tx) => {
        await events.emit(tx, 'kernel_test.noted', { marker }, { organisationId: org });
        await events.emit(tx, 'kernel_test.announced', { marker, count: 1 }, { organisationId: org });
        throw new Error('the change failed after emitting');
      }),
    ).rejects.toThrow('the change failed after emitting');
    expect(handled.some((h) => h.marker === marker)).toBe(true);
    expect(await notes(marker)).toBe(0);
    expect(await outbox(marker)).toEqual([]);
  });

  it('rolls the change back when a handler fails', async () => {
    const marker = `handler-failed-${randomUUID()}`;
    failNext = true;
    try {
      await expect(
        t.db.transaction(async (tx) => {
          await events.emit(tx, 'kernel_test.announced', { marker, count: 2 }, { organisationId: org });
          await events.emit(tx, 'kernel_test.noted', { marker }, { organisationId: org });
        }),
      ).rejects.toThrow('the handler failed');
    } finally {
      failNext = false;
    }
    expect(await outbox(marker)).toEqual([]);
  });

  it('writes a published event to the outbox for the organisation named, with its payload as emitted', async () => {
    const marker = `announced-${randomUUID()}`;
    await t.db.transaction((tx) =>
      events.emit(tx, 'kernel_test.announced', { marker, count: 3 }, { organisationId: org }),
    );
    expect(await outbox(marker)).toEqual([
      { type: 'kernel_test.announced', organisation_id: org, payload: { marker, count: 3 } },
    ]);
  });

  it('refuses an event no module declared, and an emit outside a transaction', async () => {
    await expect(
      t.db.transaction((tx) =>
        // @ts-expect-error: an undeclared event does not compile either.
        events.emit(tx, 'kernel_test.undeclared', { marker: 'x' }, { organisationId: org }),
      ),
    ).rejects.toThrow(/No module declared the event kernel_test.undeclared/);
    await expect(
      events.emit(t.db.manager, 'kernel_test.noted', { marker: 'x' }, { organisationId: org }),
    ).rejects.toThrow(/transaction that makes the change/);
    expect(() => events.on('kernel_test.nobody' as 'kernel_test.noted', async () => undefined)).toThrow(
      /No module declared the event/,
    );
    // Payloads are typed by the event's declaration (checked by `npm run typecheck`).
    const typed = (tx: EntityManager) => [
      // @ts-expect-error: the payload of kernel_test.announced needs a count.
      events.emit(tx, 'kernel_test.announced', { marker: 'x' }, { organisationId: org }),
      // @ts-expect-error: referral.status_changed carries a referral's id, not a marker.
      events.emit(tx, 'referral.status_changed', { marker: 'x' }, { organisationId: org }),
    ];
    expect(typeof typed).toBe('function');
  });

  it('refuses two declarations of one event name', () => {
    expect(() => declareEvents({ 'kernel_test.noted': internalEvent<{ other: number }>('Again.') })).toThrow(
      /declared twice/,
    );
  });
});
