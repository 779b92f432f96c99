import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '@app/identity';

export const SUPPORT_PLAN_STATUSES = ['ACTIVE', 'ENDED'] as const;
export type SupportPlanStatus = (typeof SUPPORT_PLAN_STATUSES)[number];

/** Who gave consent to the referral: the child or young person, a parent or carer for them, or the adult survivor. */
export const CONSENT_GIVERS = ['child', 'young_person', 'parent_carer', 'adult'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

/** Why therapeutic support ended (never by age alone: a plan survives the 18th birthday). */
export const SUPPORT_END_REASONS = [
  'goals_met',
  'no_longer_needed',
  'consent_withdrawn',
  'moved_to_another_service',
  'moved_away',
  'other',
] as const;
export type SupportEndReason = (typeof SUPPORT_END_REASONS)[number];

/**
 * Therapeutic support for a survivor of exploitation (DOMAIN.md, issue 15): a referral to a
 * therapeutic service with consent recorded, a key worker, reviews every few months (3 by default)
 * on a clock that escalates to the service's managers, and no end date: support lasts as long as
 * it is needed, past the 18th birthday, and ends only with a reason and the person's own view.
 * Held by the organisation that provides or commissions it; read by its key worker and managers.
 */
@Entity('therapeutic_support_plan')
@Check('ck_support_plan_status', `status IN ('ACTIVE', 'ENDED')`)
@Check('ck_support_plan_consent', `consent_given_by IN ('child', 'young_person', 'parent_carer', 'adult')`)
@Check('ck_support_plan_interval', 'review_interval_months BETWEEN 1 AND 12')
@Check(
  'ck_support_plan_ended',
  `(status = 'ENDED') = (ended_on IS NOT NULL AND end_reason IS NOT NULL AND persons_view IS NOT NULL)`,
)
@Index('ix_support_plan_organisation', ['organisationId', 'status', 'nextReviewDue', 'id'])
@Index('ix_support_plan_child', ['childId'])
export class TherapeuticSupportPlan {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  /** The organisation that holds the plan (the service, or the agency that commissioned it). */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** The therapeutic service (e.g. a CSE recovery service, CAMHS trauma team). */
  @Column({ type: 'varchar', length: 200 })
  service!: string;

  @Column({ type: 'varchar', length: 20 })
  consentGivenBy!: ConsentGiver;

  @Column({ type: 'date' })
  consentGivenOn!: string;

  @Column({ type: 'text', nullable: true })
  consentNotes!: string | null;

  @Column({ type: 'date' })
  startDate!: string;

  @Column({ type: 'uuid' })
  keyWorkerId!: string;

  @Column({ type: 'integer', default: 3 })
  reviewIntervalMonths!: number;

  @Column({ type: 'date' })
  nextReviewDue!: string;

  @Column({ type: 'varchar', length: 10 })
  status!: SupportPlanStatus;

  @Column({ type: 'date', nullable: true })
  endedOn!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  endReason!: SupportEndReason | null;

  /** In the person's own words: how they see the support ending. */
  @Column({ type: 'text', nullable: true })
  personsView!: string | null;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'integer', default: 1 })
  version!: number;
}

/**
 * One review of a support plan: when it was held and its outcome. Sealed once recorded (a trigger
 * refuses any change, migration 1796210000031): a correction is a new row naming the review it
 * corrects, with a reason, and a review is corrected at most once (correct the latest).
 */
@Entity('therapeutic_support_review')
@Index('ix_support_review_plan', ['planId', 'heldOn', 'id'])
@Index('uq_support_review_corrects', ['correctsReviewId'], { unique: true, where: 'corrects_review_id IS NOT NULL' })
@Check('ck_support_review_correction', '(corrects_review_id IS NULL) = (correction_reason IS NULL)')
export class SupportPlanReview {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  planId!: string;

  @ManyToOne(() => TherapeuticSupportPlan, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: TherapeuticSupportPlan;

  @Column({ type: 'date' })
  heldOn!: string;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'uuid' })
  recordedBy!: string;

  @Column({ type: 'timestamptz' })
  recordedAt!: Date;

  /** The review this one corrects (its outcome as it should have been recorded), if it is a correction. */
  @Column({ type: 'uuid', nullable: true })
  correctsReviewId!: string | null;

  @ManyToOne(() => SupportPlanReview, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'corrects_review_id', foreignKeyConstraintName: 'fk_support_review_corrects' })
  corrects?: SupportPlanReview;

  /** Why the earlier outcome was wrong (required on a correction). */
  @Column({ type: 'text', nullable: true })
  correctionReason!: string | null;
}

export const SUPPORT_PLAN_ENTITIES = [TherapeuticSupportPlan, SupportPlanReview];
