import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';

/**
 * DfE CIN census codes, 2025-26 (docs/domain.md names the sources they were checked against).
 * Primary need: the code set also has N0 (not stated), which the census accepts (rule 8650) but an
 * authorised assessment never records, so it is not offered here.
 */
export const PRIMARY_NEEDS = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9'] as const;
/** The primary need codes the census accepts (rule 8650): ours and N0. */
export const CENSUS_PRIMARY_NEEDS: readonly string[] = ['N0', ...PRIMARY_NEEDS];
/**
 * Factors identified at the end of assessment (AssessmentFactor): A the child, B a parent or
 * carer, C another person in the household (alcohol, drugs, domestic abuse, mental health,
 * learning disability, physical disability or illness); 7A young carer; 8B-8F privately fostered
 * (8A is not a code: rule 8617); 9A unaccompanied asylum seeking; 10A missing; 11A child sexual
 * exploitation; 12A trafficking; 13A gangs; 14A socially unacceptable behaviour; 15A self-harm;
 * 16A neglect; 17A emotional abuse; 18B/18C physical abuse by an adult/another child and 19B/19C
 * sexual abuse likewise (18A and 19A withdrawn: queries 8945Q, 8950Q); 20 other; 21 no factors;
 * 22A female genital mutilation; 23A abuse linked to faith or belief; 24A the last added.
 */
export const CIN_FACTORS = [
  ...['1', '2', '3', '4', '5', '6'].flatMap((n) => [`${n}A`, `${n}B`, `${n}C`]),
  '7A',
  '8B',
  '8C',
  '8D',
  '8E',
  '8F',
  '9A',
  '10A',
  '11A',
  '12A',
  '13A',
  '14A',
  '15A',
  '16A',
  '17A',
  '18B',
  '18C',
  '19B',
  '19C',
  '20',
  '21',
  '22A',
  '23A',
  '24A',
] as const;
export const CLOSURE_REASONS = ['RC1', 'RC2', 'RC3', 'RC4', 'RC5', 'RC6', 'RC7', 'RC8', 'RC9'] as const;
export const REFERRAL_SOURCES = [
  '1A',
  '1B',
  '1C',
  '1D',
  '2A',
  '2B',
  '3A',
  '3B',
  '3C',
  '3D',
  '3E',
  '3F',
  '4',
  '5A',
  '5B',
  '5C',
  '5D',
  '6',
  '7',
  '8',
  '9',
  '10',
] as const;
export const CP_CATEGORIES = ['NEG', 'PHY', 'SAB', 'EMO', 'MUL'] as const;
export const ASSESSMENT_OUTCOMES = ['NFA', 'CIN_PLAN', 'STRATEGY_DISCUSSION', 'LOOKED_AFTER'] as const;
export const STRATEGY_OUTCOMES = ['NO_S47', 'S47_SINGLE_AGENCY', 'S47_JOINT'] as const;
export const S47_OUTCOMES = ['NFA', 'CIN', 'ICPC_REQUIRED'] as const;
export const ICPC_DECISIONS = ['PLAN', 'CIN', 'NFA'] as const;
export const REVIEW_DECISIONS = ['CONTINUE', 'END'] as const;

export type PrimaryNeed = (typeof PRIMARY_NEEDS)[number];
export type ClosureReason = (typeof CLOSURE_REASONS)[number];
export type CpCategory = (typeof CP_CATEGORIES)[number];
export type AssessmentOutcome = (typeof ASSESSMENT_OUTCOMES)[number];
export type StrategyOutcome = (typeof STRATEGY_OUTCOMES)[number];
export type S47Outcome = (typeof S47_OUTCOMES)[number];

/** One attendee of a strategy discussion or conference: an organisation and a person. */
export interface Attendee {
  organisationId: string;
  name: string;
  role: string;
}

/**
 * A child in need episode of the council (the census's CINdetails): from the referral (or the
 * council's own start) to its closure with a reason RC1-RC9. Every other record belongs to one.
 */
@Entity('cs_case')
@Check('ck_cs_case_status', `status IN ('OPEN', 'CLOSED')`)
@Index('ix_cs_case_org_referral_date', ['organisationId', 'referralDate'])
@Index('ix_cs_case_child', ['childId'])
// The caseloads: a worker's and a team's cases, newest referral first.
@Index('ix_cs_case_worker', ['organisationId', 'allocatedWorkerId', 'status', 'referralDate', 'id'])
@Index('ix_cs_case_team', ['organisationId', 'teamId', 'status', 'referralDate', 'id'])
// One case per MASH referral, even when two requests race.
@Index('ux_cs_case_referral', ['referralId'], { unique: true, where: 'referral_id IS NOT NULL' })
export class CsCase {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') childId!: string;
  /** The MASH referral it came from, when there was one (libs/referrals). */
  @Column({ type: 'uuid', nullable: true }) referralId!: string | null;
  @Column({ type: 'date' }) referralDate!: string;
  @Column({ type: 'varchar', length: 3 }) referralSource!: string;
  @Column({ type: 'varchar', length: 2, nullable: true }) primaryNeed!: string | null;
  @Column({ type: 'varchar', length: 10 }) status!: 'OPEN' | 'CLOSED';
  @Column({ type: 'boolean', default: false }) referralNfa!: boolean;
  @Column({ type: 'date', nullable: true }) closureDate!: string | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) closureReason!: string | null;
  /** The social worker the case is allocated to (whoever opened it, to begin with). */
  @Column({ type: 'uuid', nullable: true }) allocatedWorkerId!: string | null;
  /** The team holding the case (the allocated worker's team). */
  @Column({ type: 'uuid', nullable: true }) teamId!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A child and family assessment (s17): due 45 working days from the referral; authorised by a manager. */
@Entity('cs_assessment')
@Check('ck_cs_assessment_status', `status IN ('OPEN', 'AUTHORISED')`)
@Index('ix_cs_assessment_case', ['caseId'])
export class CsAssessment {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column({ type: 'varchar', length: 12 }) status!: 'OPEN' | 'AUTHORISED';
  @Column({ type: 'date' }) startDate!: string;
  @Column({ type: 'timestamptz' }) dueAt!: Date;
  @Column({ type: 'date', nullable: true }) authorisedDate!: string | null;
  @Column({ type: 'uuid', nullable: true }) authorisedBy!: string | null;
  @Column({ type: 'varchar', length: 24, nullable: true }) outcome!: string | null;
  /** The factors identified at assessment (census codes such as 2A, 4B, 21). */
  @Column({ type: 'text', array: true, default: () => "'{}'" }) factors!: string[];
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A strategy discussion: convened, then held with its attendees and an outcome. */
@Entity('cs_strategy_discussion')
@Check('ck_cs_strategy_status', `status IN ('CONVENED', 'HELD')`)
@Index('ix_cs_strategy_case', ['caseId'])
export class CsStrategyDiscussion {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column({ type: 'varchar', length: 12 }) status!: 'CONVENED' | 'HELD';
  @Column({ type: 'timestamptz' }) dueAt!: Date;
  @Column({ type: 'date', nullable: true }) heldOn!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) attendees!: Attendee[];
  @Column({ type: 'varchar', length: 20, nullable: true }) outcome!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A section 47 enquiry, started at a strategy discussion; the ICPC target is its date + 15 working days. */
@Entity('cs_s47')
@Check('ck_cs_s47_status', `status IN ('OPEN', 'COMPLETED')`)
@Index('ix_cs_s47_case', ['caseId'])
// Annex A counts a child's earlier enquiries.
@Index('ix_cs_s47_child', ['childId', 'startDate'])
export class CsS47 {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column('uuid') strategyDiscussionId!: string;
  @Column({ type: 'boolean', default: false }) joint!: boolean;
  @Column({ type: 'varchar', length: 12 }) status!: 'OPEN' | 'COMPLETED';
  @Column({ type: 'date' }) startDate!: string;
  @Column({ type: 'date' }) icpcTarget!: string;
  @Column({ type: 'date', nullable: true }) completedDate!: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) outcome!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** An initial or review child protection conference. */
@Entity('cs_conference')
@Check('ck_cs_conference_kind', `kind IN ('INITIAL', 'REVIEW')`)
@Index('ix_cs_conference_case', ['caseId'])
@Index('ix_cs_conference_child', ['childId', 'heldOn'])
export class CsConference {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column({ type: 'varchar', length: 8 }) kind!: 'INITIAL' | 'REVIEW';
  @Column({ type: 'uuid', nullable: true }) s47Id!: string | null;
  @Column({ type: 'uuid', nullable: true }) planId!: string | null;
  @Column({ type: 'date' }) heldOn!: string;
  @Column('uuid') chairId!: string;
  @Column({ type: 'jsonb', default: () => "'[]'" }) attendees!: Attendee[];
  @Column({ type: 'varchar', length: 10 }) decision!: string;
  /** Why the conference was held after its target (ICPC) or due date (review). */
  @Column({ type: 'text', nullable: true }) lateReason!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A child protection plan or a child in need plan. */
@Entity('cs_plan')
@Check('ck_cs_plan_kind', `kind IN ('CP', 'CIN')`)
@Check('ck_cs_plan_status', `status IN ('ACTIVE', 'ENDED')`)
@Index('ix_cs_plan_case', ['caseId'])
// NumberOfPreviousCPP: a child's plans in order.
@Index('ix_cs_plan_child', ['childId', 'startDate'])
export class CsPlan {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column({ type: 'varchar', length: 3 }) kind!: 'CP' | 'CIN';
  @Column({ type: 'varchar', length: 8 }) status!: 'ACTIVE' | 'ENDED';
  @Column({ type: 'date' }) startDate!: string;
  @Column({ type: 'date', nullable: true }) endDate!: string | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) initialCategory!: string | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) latestCategory!: string | null;
  @Column({ type: 'uuid', nullable: true }) leadSocialWorkerId!: string | null;
  /** Organisations in the core group (each working with the child). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" }) coreGroup!: string[];
  @Column({ type: 'date', nullable: true }) nextReviewDue!: string | null;
  @Column({ type: 'text', nullable: true }) endReason!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

/** A period in which the child is looked after by the council. */
@Entity('cs_looked_after')
@Index('ix_cs_looked_after_case', ['caseId'])
export class CsLookedAfter {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') organisationId!: string;
  @Column('uuid') caseId!: string;
  @Column('uuid') childId!: string;
  @Column({ type: 'date' }) startDate!: string;
  @Column({ type: 'date', nullable: true }) endDate!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}

export const CHILDRENS_SERVICES_ENTITIES = [
  CsCase,
  CsAssessment,
  CsStrategyDiscussion,
  CsS47,
  CsConference,
  CsPlan,
  CsLookedAfter,
];
