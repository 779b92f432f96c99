import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something a person or a team must know about: addressed to one user, or to the roles (within an
 * organisation, optionally one team) that handle the item. Never to a whole organisation: an
 * administrator or a teacher must not learn of a case they may not open. The message names what
 * happened and where to look, never the child's details or anybody's free text.
 */
@Entity('notification')
@Check('ck_notification_audience', 'user_id IS NOT NULL OR cardinality(audience_roles) > 0')
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

  /** Users of the organisation (and team, if set) holding one of these roles see it. */
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
