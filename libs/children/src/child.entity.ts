import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Organisation, User } from '@app/identity';

export const SEX_CODES = ['M', 'F', 'U'] as const;
/** DfE CIN census ethnicity codes. */
export const ETHNICITY_CODES = [
  'WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH', 'AIND', 'APKN', 'ABAN', 'AOTH',
  'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT',
] as const; // prettier-ignore
/** DfE CIN census disability codes. */
export const DISABILITY_CODES = [
  'NONE', 'MOB', 'HAND', 'PC', 'INC', 'COMM', 'LD', 'HEAR', 'VIS', 'BEH', 'CON', 'AUT', 'DDA',
] as const; // prettier-ignore

@Entity('child')
@Check('ck_child_sex', `sex IN ('M', 'F', 'U')`)
@Check('ck_child_birth', `date_of_birth IS NOT NULL OR expected_date_of_birth IS NOT NULL`)
@Index('ix_child_dob', ['dateOfBirth'])
@Index('ix_child_name_key_dob', ['nameKey', 'dateOfBirth'])
// Unique among unrestricted records: registering a restricted child's NHS number must answer as for an
// unknown child (a 409 would tell the registrant that a restricted record holds it).
@Index('uq_child_nhs_number', ['nhsNumber'], { unique: true, where: 'nhs_number IS NOT NULL AND NOT restricted' })
// Every record by NHS number, restricted ones too (the unique index above leaves them out, so a
// look-up, a match or an identifier search by NHS number could not use it and read the whole table).
@Index('ix_child_nhs_number', ['nhsNumber'], { where: 'nhs_number IS NOT NULL' })
@Index('ix_child_upn', ['upn'], { where: 'upn IS NOT NULL' })
@Index('ix_child_pnc_id', ['pncId'], { where: 'pnc_id IS NOT NULL' })
@Index('ix_child_la_child_id', ['laChildId'], { where: 'la_child_id IS NOT NULL' })
// GIN trigram index on search_name lives in the migration (TypeORM cannot describe it).
@Index('ix_child_search_name_trgm', { synchronize: false })
export class Child {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  givenName!: string;

  @Column({ type: 'varchar', length: 100 })
  familyName!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  preferredName!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  previousNames!: string[];

  /** Normalised given and family name, for "same name and date of birth" matching. */
  @Column({ type: 'varchar', length: 201, select: false })
  nameKey!: string;

  /** Lower-case, accent-free names and aliases, for fuzzy search (trigram index). */
  @Column({ type: 'text', select: false })
  searchName!: string;

  @Column({ type: 'date', nullable: true })
  dateOfBirth!: string | null;

  /** For an unborn child. */
  @Column({ type: 'date', nullable: true })
  expectedDateOfBirth!: string | null;

  @Column({ type: 'char', length: 1, default: 'U' })
  sex!: (typeof SEX_CODES)[number];

  @Column({ type: 'varchar', length: 4, nullable: true })
  ethnicity!: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  firstLanguage!: string | null;

  @Column({ type: 'boolean', default: false })
  interpreterNeeded!: boolean;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  disabilities!: string[];

  @Column({ type: 'char', length: 10, nullable: true })
  nhsNumber!: string | null;

  @Column({ type: 'char', length: 13, nullable: true })
  upn!: string | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  pncId!: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  laChildId!: string | null;

  /** Visible only to the named case team (e.g. a placement address hidden from family). */
  @Column({ type: 'boolean', default: false })
  restricted!: boolean;

  @Column({ type: 'uuid' })
  createdByOrganisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_organisation_id' })
  createdByOrganisation?: Organisation;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('child_address')
@Index('ix_child_address_child', ['childId'])
export class ChildAddress {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  /** The organisation that recorded it; the only one to see it when confidential. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'varchar', length: 200 })
  line1!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  line2!: string | null;

  @Column({ type: 'varchar', length: 100 })
  town!: string;

  @Column({ type: 'varchar', length: 10 })
  postcode!: string;

  @Column({ type: 'date', nullable: true })
  fromDate!: string | null;

  @Column({ type: 'date', nullable: true })
  untilDate!: string | null;

  /** A refuge or placement address: hidden from every other organisation. */
  @Column({ type: 'boolean', default: false })
  confidential!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** The people who may see a restricted child. */
@Entity('case_team_member')
export class CaseTeamMember {
  @Column({ type: 'uuid', primary: true })
  childId!: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Index('ix_case_team_member_user')
  @Column({ type: 'uuid', primary: true })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt!: Date;
}
