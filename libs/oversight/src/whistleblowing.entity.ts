import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const REPORT_STATUSES = ['received', 'acknowledged', 'assigned', 'closed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const REPORT_OUTCOMES = [
  'substantiated',
  'partly_substantiated',
  'not_substantiated',
  'referred_to_organisation',
  'no_further_action',
] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

export const REPORT_CATEGORIES = ['practice', 'handling_of_a_child', 'information_sharing', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/**
 * A concern about an organisation's practice, made to the independent inspectorate (never to the
 * organisation concerned). Nothing here identifies the reporter: no account, no address, no user
 * agent. The follow-up secret is kept only as an argon2 hash; what was said is in
 * `whistleblowing_message`, sealed.
 */
@Entity('whistleblowing_report')
@Check('ck_whistleblowing_report_status', `status IN ('received', 'acknowledged', 'assigned', 'closed')`)
@Check('ck_whistleblowing_report_closed', `(status = 'closed') = (outcome IS NOT NULL)`)
@Index('uq_whistleblowing_report_reference', ['reference'], { unique: true })
@Index('ix_whistleblowing_report_org', ['organisationId', 'receivedAt'])
export class WhistleblowingReport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** What the reporter quotes back: `WB-` and 10 characters of an unambiguous alphabet. */
  @Column({ type: 'varchar', length: 20 })
  reference!: string;

  /** argon2id of the one-time follow-up secret. */
  @Column({ type: 'varchar', length: 200 })
  secretHash!: string;

  /** The inspectorate the report was made to. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  /** The organisation whose practice it is about, if the reporter named one. */
  @Column({ type: 'uuid', nullable: true })
  concernedOrganisationId!: string | null;

  @Column({ type: 'varchar', length: 30 })
  category!: ReportCategory;

  @Column({ type: 'varchar', length: 20, default: 'received' })
  status!: ReportStatus;

  /** The whistleblowing officer handling it. */
  @Column({ type: 'uuid', nullable: true })
  assignedTo!: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  outcome!: ReportOutcome | null;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;
}

export const MESSAGE_AUTHORS = ['reporter', 'officer'] as const;
/** Who may read a message: the inspectorate only, the reporter (and the inspectorate), or the organisation concerned. */
export const MESSAGE_AUDIENCES = ['inspectorate', 'reporter', 'organisation'] as const;
export type MessageAudience = (typeof MESSAGE_AUDIENCES)[number];

/** One thing said on a report; the text sealed (AES-256-GCM under DATA_ENCRYPTION_KEY, bound to the message id). */
@Entity('whistleblowing_message')
@Check('ck_whistleblowing_message_author', `author IN ('reporter', 'officer')`)
@Check('ck_whistleblowing_message_audience', `audience IN ('inspectorate', 'reporter', 'organisation')`)
@Index('ix_whistleblowing_message_report', ['reportId', 'createdAt'])
export class WhistleblowingMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  reportId!: string;

  @Column({ type: 'varchar', length: 10 })
  author!: (typeof MESSAGE_AUTHORS)[number];

  /** The officer who wrote it; never set for the reporter. */
  @Column({ type: 'uuid', nullable: true })
  authorUserId!: string | null;

  @Column({ type: 'varchar', length: 20 })
  audience!: MessageAudience;

  /** `enc:v1:...` (SecretBox). */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * Attempts counted without identity: `create` for new reports (one window for everybody) and
 * `ref:<sha256 of the reference>` for follow-ups, whether or not such a reference exists.
 */
@Entity('whistleblowing_attempt')
@Index('ix_whistleblowing_attempt_key_at', ['key', 'at'])
export class WhistleblowingAttempt {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 80 })
  key!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
