import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Organisation } from '@app/identity';
import { Child } from './child.entity';
import type { OrganisationType } from '@app/platform';

/** One agency's own part of a child's record; the columns in use depend on the agency type. */
@Entity('agency_section')
@Index('uq_agency_section_child_org', ['childId', 'organisationId'], { unique: true })
@Check('ck_agency_section_plan_start', 'plan_start_date IS NULL OR plan_status IS NOT NULL')
export class AgencySection {
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
  agencyType!: Exclude<OrganisationType, 'oversight'>;

  // police
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  markers!: string[];

  @Column({ type: 'text', nullable: true })
  intelligenceNotes!: string | null;

  // children's services
  @Column({ type: 'varchar', length: 40, nullable: true })
  legalStatus!: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocatedWorkerId!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  planStatus!: string | null;

  /** When the plan or period planStatus stands for started (the protection-status look-up answers it). */
  @Column({ type: 'date', nullable: true })
  planStartDate!: string | null;

  // education
  @Column({ type: 'varchar', length: 200, nullable: true })
  schoolName!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  yearGroup!: string | null;

  @Column({ type: 'numeric', precision: 5, scale: 2, nullable: true })
  attendancePercent!: string | null;

  @Column({ type: 'integer', nullable: true })
  exclusions!: number | null;

  @Column({ type: 'text', nullable: true })
  safeguardingNotes!: string | null;

  // health
  @Column({ type: 'varchar', length: 200, nullable: true })
  gpPractice!: string | null;

  @Column({ type: 'text', nullable: true })
  healthNotes!: string | null;

  @Column({ type: 'text', nullable: true })
  sexualHealthNotes!: string | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
