import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '@app/identity';
import { Child } from './child.entity';

export const CHRONOLOGY_CATEGORIES = [
  'concern',
  'referral',
  'assessment',
  'strategy_discussion',
  'conference',
  'missing_episode',
  'police_incident',
  'health_appointment',
  'education',
  'contact',
  'decision',
  'disclosure',
  'other',
] as const;

/**
 * Safeguarding events: recorded for the multi-agency chronology unless the recording agency
 * chooses otherwise. Police intelligence is the exception (never by default: tipping off).
 */
export const SAFEGUARDING_CATEGORIES: readonly string[] = [
  'concern',
  'referral',
  'assessment',
  'strategy_discussion',
  'conference',
  'missing_episode',
  'decision',
  'disclosure',
];

export function multiAgencyByDefault(category: string, sensitivity: string): boolean {
  return SAFEGUARDING_CATEGORIES.includes(category) && sensitivity !== 'police-intelligence';
}

/** One dated event in a child's life as an agency recorded it. */
@Entity('chronology_entry')
@Check(
  'ck_chronology_sensitivity',
  `sensitivity IN ('identity', 'contact', 'education', 'health', 'sexual-health', 'police-intelligence', 'social-care')`,
)
@Index('ix_chronology_child_occurred', ['childId', 'occurredAt', 'id'])
export class ChronologyEntry {
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

  @Column({ type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ type: 'varchar', length: 40 })
  category!: string;

  @Column({ type: 'varchar', length: 300 })
  summary!: string;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ type: 'varchar', length: 30 })
  sensitivity!: string;

  /** Readable in full by other agencies whose roles read this entry's class. */
  @Column({ type: 'boolean', default: false })
  shareable!: boolean;

  /**
   * On the multi-agency chronology: its summary (not its detail) is seen by every organisation
   * working with the child.
   */
  @Column({ type: 'boolean', default: false })
  multiAgency!: boolean;
}
