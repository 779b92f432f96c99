import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

/** What a use case emits: the caller states the time (its Clock) and whom the event is for. */
export interface OutboxEventInput<P extends object = Record<string, unknown>> {
  /** e.g. `referral.status_changed`; at most 60 characters. */
  type: string;
  /** The organisation whose subscribers receive it. */
  organisationId: string;
  /** Ids, statuses, organisation ids and names, times: never a child's personal data. */
  payload: P;
  occurredAt: Date;
}

/** Writes domain events to the outbox (ARCHITECTURE.md §2); the worker publishes them. */
@Injectable()
export class OutboxService {
  /**
   * Inserts the event in the caller's transaction: it exists if and only if the change commits.
   * Refuses a manager outside a transaction, where the event and the change could part ways.
   * Returns the event's id.
   */
  async emit<P extends object>(manager: EntityManager, event: OutboxEventInput<P>): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxService.emit needs the entity manager of the transaction that makes the change');
    }
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO outbox_event (type, organisation_id, payload, occurred_at)
       VALUES ($1, $2, $3::jsonb, $4)
       RETURNING id`,
      // Stringified here: pg would send a JS array as a PostgreSQL array, not as JSON.
      [event.type, event.organisationId, JSON.stringify(event.payload), event.occurredAt],
    );
    return rows[0].id;
  }
}

/**
 * Housekeeping: deletes events published before `before` whose webhook deliveries are all
 * settled (delivered or failed), with their delivery log (cascade), in batches so that no
 * statement holds many locks. An event with a delivery still pending is kept whatever its age;
 * a replay re-publishes its event (dispatched_at) under the same row lock, so it is kept too.
 * Returns how many events were deleted.
 */
export async function purgePublishedOutboxEvents(db: DataSource, before: Date, batch = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result: [unknown[], number] = await db.query(
      `DELETE FROM outbox_event WHERE id IN (
         SELECT e.id FROM outbox_event e
          WHERE e.dispatched_at IS NOT NULL AND e.dispatched_at < $1
            AND NOT EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.event_id = e.id AND d.status = 'pending')
          ORDER BY e.dispatched_at LIMIT $2
            FOR UPDATE SKIP LOCKED)`,
      [before, batch],
    );
    const deleted = result[1] ?? 0;
    total += deleted;
    if (deleted < batch) return total;
  }
}
