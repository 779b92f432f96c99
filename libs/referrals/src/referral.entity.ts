import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Child } from '@app/children';
import { Organisation, Team } from '@app/identity';

export const CONCERN_CATEGORIES = [
  'neglect',
  'physical',
  'sexual',
  'emotional',
  'cse',
  'criminal_exploitation',
  'missing',
  'online_harm',
  'domestic_abuse',
  'other',
] as const;
export type ConcernCategory = (typeof CONCERN_CATEGORIES)[number];
export const CONCERN_STATUSES = ['OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED'] as const;
export type ConcernStatus = (typeof CONCERN_STATUSES)[number];

export const RAGS = ['RED', 'AMBER', 'GREEN'] as const;
export type Rag = (typeof RAGS)[number];

export const REFERRAL_STATUSES = ['SUBMITTED', 'ACKNOWLEDGED', 'ACCEPTED', 'DECLINED', 'WITHDRAWN', 'CLOSED'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Children's services outcomes of a contact/referral (DOMAIN.md). */
export const CS_OUTCOMES = [
  'NO_FURTHER_ACTION',
  'ADVICE',
  'EARLY_HELP',
  'S17_ASSESSMENT',
  'STRATEGY_DISCUSSION',
  'IMMEDIATE_PROTECTION',
] as const;
export type CsOutcome = (typeof CS_OUTCOMES)[number];

/** What is known of a child not (yet) identified on the system. */
export class SubjectDetails {
  @Column({ type: 'varchar', length: 100, nullable: true })
  givenName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  familyName!: string | null;

  @Column({ type: 'date', nullable: true })
  dateOfBirth!: string | null;

  @Column({ type: 'smallint', nullable: true })
  approximateAge!: number | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  school!: string | null;
}

/** A professional's worry about a child, waiting for their safeguarding lead's decision. */
@Entity('concern')
@Check('ck_concern_status', `status IN ('OPEN', 'MONITOR', 'NO_FURTHER_ACTION', 'REFERRED')`)
@Index('ix_concern_inbox', ['organisationId', 'status', 'urgency', 'dueAt', 'id'])
@Index('ix_concern_child', ['childId'])
export class Concern {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The reporter's organisation, whose safeguarding lead decides. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** The lead team that works the inbox (DSL, MASH, CSE unit, safeguarding team). */
  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ type: 'uuid' })
  reporterId!: string;

  @Column({ type: 'uuid', nullable: true })
  childId!: string | null;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'child_id' })
  child?: Child | null;

  @Column(() => SubjectDetails, { prefix: 'subject' })
  subject!: SubjectDetails;

  @Column({ type: 'varchar', length: 30 })
  category!: ConcernCategory;

  @Column({ type: 'text' })
  whatWasSeen!: string;

  @Column({ type: 'text', nullable: true })
  childsWords!: string | null;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'boolean', default: false })
  immediateDanger!: boolean;

  @Column({ type: 'varchar', length: 20, default: 'OPEN' })
  status!: ConcernStatus;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** 0 immediate danger ... 4 routine: the inbox order. */
  @Column({ type: 'smallint' })
  urgency!: number;

  /** The decision's due time, kept here for the inbox order (the clock itself is a deadline). */
  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A referral from one organisation to a team of another. */
@Entity('referral')
// The dashboard's part-day of received referrals (migration WorkCounts): built there, not compared.
@Index('ix_referral_created', { synchronize: false })
@Check('ck_referral_status', `status IN ('SUBMITTED', 'ACKNOWLEDGED', 'ACCEPTED', 'DECLINED', 'WITHDRAWN', 'CLOSED')`)
@Check('ck_referral_rag', `rag IN ('RED', 'AMBER', 'GREEN')`)
@Check('ck_referral_consent', `consent_obtained OR (lawful_basis IS NOT NULL AND no_consent_reason IS NOT NULL)`)
@Index('ix_referral_inbox', ['toOrganisationId', 'status', 'urgency', 'dueAt', 'id'])
// The open inbox in its own order: an index scan that stops after one page (bench/referrals).
@Index('ix_referral_inbox_open', ['toOrganisationId', 'urgency', 'dueAt', 'id'], {
  where: `status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
})
@Index('ix_referral_sent', ['fromOrganisationId', 'createdAt', 'id'])
@Index('ix_referral_child', ['childId'])
export class Referral {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  fromOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_organisation_id' })
  fromOrganisation?: Organisation;

  /** The person (or, for a partner system, the API client) who sent it. */
  @Column({ type: 'uuid' })
  fromActorId!: string;

  @Column({ type: 'uuid' })
  toOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_organisation_id' })
  toOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  toTeamId!: string;

  @ManyToOne(() => Team, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_team_id' })
  toTeam?: Team;

  @Column({ type: 'uuid', nullable: true })
  childId!: string | null;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'child_id' })
  child?: Child | null;

  /** Who the referral is about, as the sender shares it with the receiver. */
  @Column(() => SubjectDetails, { prefix: 'subject' })
  subject!: SubjectDetails;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 5 })
  rag!: Rag;

  @Column({ type: 'boolean', default: false })
  immediateDanger!: boolean;

  @Column({ type: 'boolean' })
  consentObtained!: boolean;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  noConsentReason!: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  lawfulBasis!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'SUBMITTED' })
  status!: ReferralStatus;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  declineReason!: string | null;

  // Children's services triage and decision (referrals received by a council).
  @Column({ type: 'varchar', length: 5, nullable: true })
  triageRag!: Rag | null;

  @Column({ type: 'timestamptz', nullable: true })
  triagedAt!: Date | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  outcome!: CsOutcome | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  outcomeReason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'smallint' })
  urgency!: number;

  /**
   * The earliest clock in force (the decision, or the partner checks after a RAG), kept here for
   * the inbox order and the overdue flag; the clocks themselves are deadlines. Null once decided.
   */
  @Column({ type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('referral_concern')
export class ReferralConcern {
  @PrimaryColumn({ type: 'uuid' })
  referralId!: string;

  @ManyToOne(() => Referral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: Referral;

  @PrimaryColumn({ type: 'uuid' })
  concernId!: string;

  @ManyToOne(() => Concern, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'concern_id' })
  concern?: Concern;
}

/** Every state change of a referral, with who and why: the history the sender and auditors read. */
@Entity('referral_transition')
@Index('ix_referral_transition_referral', ['referralId', 'at'])
export class ReferralTransition {
  /** A sequence, so the history reads in the order it happened even within one instant. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  referralId!: string;

  @ManyToOne(() => Referral, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'referral_id' })
  referral?: Referral;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fromStatus!: ReferralStatus | null;

  @Column({ type: 'varchar', length: 20 })
  toStatus!: ReferralStatus;

  @Column({ type: 'uuid' })
  actorId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}
