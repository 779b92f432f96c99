import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something a person or a team must know about: addressed to an organisation, optionally to one
 * of its teams or one user. The message names what happened, never the child's details.
 */
@Entity('notification')
@Index('ix_notification_org_created', ['organisationId', 'createdAt'])
@Index('ix_notification_user_created', ['userId', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  /** Only users holding one of these roles see it (empty: everyone addressed). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  audienceRoles!: string[];

  @Column({ type: 'varchar', length: 60 })
  kind!: string;

  @Column({ type: 'varchar', length: 40 })
  subjectType!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 500 })
  message!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}

/** Who has read which notification (a team- or organisation-wide one is read person by person). */
@Entity('notification_read')
export class NotificationRead {
  @PrimaryColumn({ type: 'uuid' })
  notificationId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'timestamptz' })
  readAt!: Date;
}
