import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A partner system's endpoint that receives an organisation's events of the listed types. */
@Entity('webhook_subscription')
@Index('ix_webhook_subscription_organisation', ['organisationId'])
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  /** The API client that registered it: `api_client.id` (not its public `client_id`). */
  @Column({ type: 'uuid' })
  clientId!: string;

  @Column({ type: 'varchar', length: 500 })
  url!: string;

  /**
   * The HMAC key deliveries are signed with, sealed with DATA_ENCRYPTION_KEY (SecretBox): signing
   * needs it back, and a copy of the database alone must not let anyone sign as us.
   */
  @Column({ type: 'varchar', length: 500, select: false })
  secret!: string;

  /** Event types delivered, e.g. `{referral.status_changed}`. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  events!: string[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
