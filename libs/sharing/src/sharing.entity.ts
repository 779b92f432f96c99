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
  VersionColumn,
} from 'typeorm';
import { Child } from '@app/children';
import { Organisation } from '@app/identity';

/** What may flow between organisations, on which lawful basis, for what, until when. */
@Entity('sharing_agreement')
@Check('ck_sharing_agreement_period', 'ends_on >= starts_on')
export class SharingAgreement {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 2000 })
  purpose!: string;

  @Column({ type: 'varchar', length: 60 })
  lawfulBasis!: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  lawfulBasisDetail!: string | null;

  @Column({ type: 'date' })
  startsOn!: string;

  @Column({ type: 'date' })
  endsOn!: string;

  @Column({ type: 'uuid' })
  createdByOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_organisation_id' })
  createdByOrganisation?: Organisation;

  /** The administrator or nominated lead who approved it. */
  @Column({ type: 'uuid' })
  approvedBy!: string;

  @Column({ type: 'timestamptz' })
  approvedAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A party to an agreement, and the classes of data it may receive under it. */
@Entity('sharing_agreement_party')
@Index('ix_sharing_agreement_party_org', ['organisationId'])
export class SharingAgreementParty {
  @PrimaryColumn({ type: 'uuid' })
  agreementId!: string;

  @ManyToOne(() => SharingAgreement, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agreement_id' })
  agreement?: SharingAgreement;

  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'text', array: true })
  receivableClasses!: string[];
}

export const REQUEST_STATUSES = ['REQUESTED', 'DISCLOSED', 'DECLINED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Organisation A asks organisation B about a child; B discloses or declines, with reasons. */
@Entity('information_request')
// The dashboard's part-day of received requests (migration WorkCounts): built there, not compared.
@Index('ix_information_request_created', { synchronize: false })
@Check('ck_information_request_status', `status IN ('REQUESTED', 'DISCLOSED', 'DECLINED')`)
@Check('ck_information_request_urgency', `urgency IN ('urgent', 'standard')`)
@Index('ix_information_request_inbox', ['toOrganisationId', 'status', 'dueAt', 'id'])
@Index('ix_information_request_sent', ['fromOrganisationId', 'createdAt', 'id'])
export class InformationRequest {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  fromOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_organisation_id' })
  fromOrganisation?: Organisation;

  @Column({ type: 'uuid' })
  fromActorId!: string;

  @Column({ type: 'uuid' })
  toOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'to_organisation_id' })
  toOrganisation?: Organisation;

  /** The child, when the identification matched one the receiver holds; never shown to the requester. */
  @Column({ type: 'uuid', nullable: true })
  childId!: string | null;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'child_id' })
  child?: Child | null;

  /** How the requester identified the child: what they sent, for the receiver to check. */
  @Column({ type: 'jsonb' })
  identification!: Record<string, string>;

  @Column({ type: 'varchar', length: 2000 })
  purpose!: string;

  @Column({ type: 'text', array: true })
  classesRequested!: string[];

  @Column({ type: 'varchar', length: 10 })
  urgency!: 'urgent' | 'standard';

  @Column({ type: 'varchar', length: 20, default: 'REQUESTED' })
  status!: RequestStatus;

  /** The decision's due time, kept here for the inbox order (the clock itself is a deadline). */
  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text', array: true, nullable: true })
  classesDisclosed!: string[] | null;

  @Column({ type: 'timestamptz', nullable: true })
  disclosedUntil!: Date | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  lawfulBasis!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  decisionReason!: string | null;

  /** The agreement the disclosure relied on; without one, the justification is required. */
  @Column({ type: 'uuid', nullable: true })
  agreementId!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  justification!: string | null;

  @Column({ type: 'uuid', nullable: true })
  grantId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
