import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OutboxEvent } from './outbox-event.entity';
import { WebhookSubscription } from './webhook-subscription.entity';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one subscription: its attempts so far and what the last one got back.
 * A pending delivery is due at `nextAttemptAt`; while a worker sends it, `nextAttemptAt` is its lease.
 */
@Entity('webhook_delivery')
@Check('ck_webhook_delivery_status', `status IN ('pending', 'delivered', 'failed')`)
@Index('uq_webhook_delivery_subscription_event', ['subscriptionId', 'eventId'], { unique: true })
@Index('ix_webhook_delivery_due', ['status', 'nextAttemptAt'])
@Index('ix_webhook_delivery_log', ['subscriptionId', 'createdAt', 'id'])
@Index('ix_webhook_delivery_event', ['eventId'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  subscriptionId!: string;

  @ManyToOne(() => WebhookSubscription, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'fk_webhook_delivery_subscription' })
  subscription?: WebhookSubscription;

  @Column({ type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => OutboxEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'fk_webhook_delivery_event' })
  event?: OutboxEvent;

  @Column({ type: 'varchar', length: 60 })
  eventType!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: WebhookDeliveryStatus;

  /** Sends started so far (counted when a worker claims the delivery). */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
