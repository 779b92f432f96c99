import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something that happened, written in the same transaction as the change it reports
 * (ARCHITECTURE.md §2), so that it is published if and only if the change committed.
 * The payload names records (ids, statuses, organisations, times), never a child's personal data:
 * it leaves the system in webhooks.
 */
@Entity('outbox_event')
// Partial: only the events still to fan out are indexed, in the order they are taken.
@Index('ix_outbox_event_undispatched', ['occurredAt'], { where: 'dispatched_at IS NULL' })
// The purge walks published events oldest first.
@Index('ix_outbox_event_dispatched', ['dispatchedAt'], { where: 'dispatched_at IS NOT NULL' })
export class OutboxEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** e.g. `referral.status_changed`, `information_request.decided`, `child.linked`, `grant.expiring`. */
  @Column({ type: 'varchar', length: 60 })
  type!: string;

  /** The organisation the event is for: its webhook subscribers receive it. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  /** When the dispatcher created its webhook deliveries; null while still to do. */
  @Column({ type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
}
