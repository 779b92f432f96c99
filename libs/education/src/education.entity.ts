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

/**
 * A child on a school's roll: what lets the school's staff name the pupil without reading the record.
 * The roll keeps the name and date of birth the school knows (as a school's own information system
 * does), taken at enrolment from the details the school gave or the record as the school could read
 * it, so the roll is listed, filtered and ordered from the school's own table.
 */
@Entity('pupil')
@Index('uq_pupil_on_roll', ['organisationId', 'childId'], { unique: true, where: 'left_on IS NULL' })
@Index('ix_pupil_child', ['childId'])
// The roll, in name order, and the family-name prefix search over it.
@Index('ix_pupil_roll_name', ['organisationId', 'familyName', 'givenName', 'id'], { where: 'left_on IS NULL' })
export class Pupil {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  /** The pupil's given name as the school knows it. */
  @Column({ type: 'varchar', length: 100 })
  givenName!: string;

  /** The pupil's family name as the school knows it. */
  @Column({ type: 'varchar', length: 100 })
  familyName!: string;

  @Column({ type: 'date', nullable: true })
  dateOfBirth!: string | null;

  /** Unique Pupil Number, validated with its check letter. */
  @Column({ type: 'char', length: 13 })
  upn!: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  yearGroup!: string | null;

  @Column({ type: 'date' })
  onRollFrom!: string;

  /** The day the pupil left (moved): the roll keeps them, the file goes on. */
  @Column({ type: 'date', nullable: true })
  leftOn!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A day the school is closed (INSET day, half term): not a school day for its clocks. */
@Entity('school_closure_day')
export class SchoolClosureDay {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'varchar', length: 200 })
  reason!: string;
}

/**
 * The version of a school's closure-day list (its ETag): PUT replaces the whole list, so a writer
 * names the version it read (If-Match). No row: the school has never set its list (version 1).
 */
@Entity('school_calendar')
export class SchoolCalendar {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'int' })
  version!: number;
}

/** An action the DSL took on a pupil's safeguarding file. */
@Entity('safeguarding_action')
@Index('ix_safeguarding_action_pupil', ['pupilId', 'takenAt'])
export class SafeguardingAction {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  pupilId!: string;

  @ManyToOne(() => Pupil, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: Pupil;

  @Column({ type: 'uuid' })
  childId!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'timestamptz' })
  takenAt!: Date;

  @Column({ type: 'uuid' })
  takenBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

export const TRANSFER_DESTINATIONS = ['SCHOOL', 'UNKNOWN', 'OUT_OF_AREA'] as const;
export type TransferDestination = (typeof TRANSFER_DESTINATIONS)[number];
export const TRANSFER_STATUSES = ['SENT', 'RECEIVED', 'CHILD_MISSING_EDUCATION'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * A pupil's safeguarding file sent on a move, separately from the main pupil file: a frozen copy
 * (with its provenance) the new school reads, or, when the pupil went nowhere known, a case for
 * the council's children missing education officer.
 */
@Entity('safeguarding_file_transfer')
@Check('ck_file_transfer_status', `status IN ('SENT', 'RECEIVED', 'CHILD_MISSING_EDUCATION')`)
@Check('ck_file_transfer_destination', `destination IN ('SCHOOL', 'UNKNOWN', 'OUT_OF_AREA')`)
@Check(
  'ck_file_transfer_to',
  `(destination = 'SCHOOL') = (to_organisation_id IS NOT NULL) AND (destination = 'SCHOOL' OR council_organisation_id IS NOT NULL)`,
)
@Index('ix_file_transfer_to', ['toOrganisationId', 'status', 'dueAt'])
@Index('ix_file_transfer_council', ['councilOrganisationId', 'status', 'dueAt'])
@Index('ix_file_transfer_from', ['fromOrganisationId', 'dueAt'])
@Index('uq_file_transfer_pupil', ['pupilId'], { unique: true })
export class FileTransfer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  /** The roll entry of the school the pupil left. */
  @Column({ type: 'uuid' })
  pupilId!: string;

  @ManyToOne(() => Pupil, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pupil_id' })
  pupil?: Pupil;

  @Column({ type: 'uuid' })
  fromOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'from_organisation_id' })
  fromOrganisation?: Organisation;

  @Column({ type: 'varchar', length: 20 })
  destination!: TransferDestination;

  @Column({ type: 'uuid', nullable: true })
  toOrganisationId!: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'to_organisation_id' })
  toOrganisation?: Organisation | null;

  /** The council whose children missing education officer takes an unknown or out-of-area move. */
  @Column({ type: 'uuid', nullable: true })
  councilOrganisationId!: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'council_organisation_id' })
  councilOrganisation?: Organisation | null;

  @Column({ type: 'date' })
  movedOn!: string;

  @Column({ type: 'varchar', length: 30 })
  status!: TransferStatus;

  /** Sent, and receipt confirmed, within 5 school days of the move (the clock is a deadline). */
  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'timestamptz' })
  sentAt!: Date;

  @Column({ type: 'uuid' })
  sentBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  receivedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  receivedBy!: string | null;

  /** The file as it stood when sent: read-only for the receiver. */
  @Column({ type: 'jsonb' })
  file!: Record<string, unknown>;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

export const EDUCATION_ENTITIES = [Pupil, SchoolClosureDay, SchoolCalendar, SafeguardingAction, FileTransfer];
