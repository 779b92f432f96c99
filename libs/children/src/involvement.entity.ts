import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation, User } from '@app/identity';
import { Child } from './child.entity';

export const INVOLVEMENT_KINDS = ['lead', 'contributing'] as const;
/**
 * How an organisation came to be *working with* a child (ARCHITECTURE.md §4). A disclosure is not
 * one of them: what a grant opens is computed from the live grants themselves (sharing_grant).
 */
export const INVOLVEMENT_BASES = [
  'registered',
  'referral_accepted',
  'mash_enquiry',
  'strategy_discussion',
  'conference',
  'core_group',
  'statutory',
] as const;
export type InvolvementKind = (typeof INVOLVEMENT_KINDS)[number];
export type InvolvementBasis = (typeof INVOLVEMENT_BASES)[number];

/**
 * An organisation working with a child, while active (from <= now < until). At most one active
 * involvement of kind `lead`: children's services, once it accepts a referral or opens an assessment.
 */
@Entity('involvement')
@Check('ck_involvement_kind', `kind IN ('lead', 'contributing')`)
@Check(
  'ck_involvement_basis',
  `basis IN ('registered', 'referral_accepted', 'mash_enquiry', 'strategy_discussion', 'conference', 'core_group', 'statutory')`,
)
@Index('uq_involvement_one_lead', ['childId'], { unique: true, where: `kind = 'lead' AND until_at IS NULL` })
@Check('ck_involvement_period', `until_at IS NULL OR until_at >= from_at`)
@Index('ix_involvement_child', ['childId', 'organisationId'])
@Index('ix_involvement_organisation', ['organisationId', 'childId'])
export class Involvement {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 20 })
  kind!: InvolvementKind;

  @Column({ type: 'varchar', length: 30 })
  basis!: InvolvementBasis;

  @Column({ type: 'timestamptz' })
  fromAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  untilAt!: Date | null;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Time-limited emergency access outside need-to-know, with the reason stated. */
@Entity('break_glass_grant')
@Index('ix_break_glass_child_user', ['childId', 'userId', 'expiresAt'])
export class BreakGlassGrant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 1000 })
  reason!: string;

  @Column({ type: 'timestamptz' })
  grantedAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}

/**
 * Triage: the receiving team of an open referral reads the referred child's identity (and the
 * referral) until it decides. Opened when a referral names the child, closed in the same
 * transaction as the decision, so it cannot outlive the referral it serves.
 */
@Entity('triage_access')
@Index('ix_triage_access_child_team', ['childId', 'teamId'], { where: 'closed_at IS NULL' })
@Index('ix_triage_access_referral', ['referralId'])
export class TriageAccess {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  teamId!: string;

  /** The referral it serves (owned by the referrals module; no foreign key across modules). */
  @Column({ type: 'uuid' })
  referralId!: string;

  @Column({ type: 'timestamptz' })
  openedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}

/**
 * An opaque handle on a child the holder may not see: given when a registration matches a
 * record of another agency, usable later by a referral or an information request.
 */
@Entity('match_reference')
export class MatchReference {
  /** e.g. MR-7Q2K9XH4PA: random, reveals nothing. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_match_reference_reference', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  reference!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'varchar', length: 20 })
  matchedOn!: 'nhs_number' | 'name_and_dob';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A disclosure decision made concrete: the grantee organisation's people may read these classes
 * of the grantor's section of this child, from..until, unless revoked.
 */
@Entity('sharing_grant')
@Index('ix_sharing_grant_child', ['childId', 'granteeOrganisationId', 'grantorOrganisationId'])
@Index('ix_sharing_grant_until', ['untilAt'], { where: 'revoked_at IS NULL' })
export class SharingGrant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Column({ type: 'uuid' })
  grantorOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'grantor_organisation_id' })
  grantorOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  granteeOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'grantee_organisation_id' })
  granteeOrganisation?: Organisation;

  @Column({ type: 'text', array: true })
  classes!: string[];

  @Column({ type: 'timestamptz' })
  fromAt!: Date;

  @Column({ type: 'timestamptz' })
  untilAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  revokeReason!: string | null;

  /** The information request it answers, when it came from one. */
  @Column({ type: 'uuid', nullable: true })
  requestId!: string | null;

  @Column({ type: 'uuid' })
  decidedBy!: string;

  /** Set when the grant has been announced as expiring (once). */
  @Column({ type: 'timestamptz', nullable: true })
  expiryNoticeAt!: Date | null;
}
