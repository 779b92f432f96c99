import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '@app/identity';

/** The four answers of the protection-status look-up (the CP-IS pattern), and nothing else. */
export const PROTECTION_STATUSES = [
  'CHILD_PROTECTION_PLAN',
  'LOOKED_AFTER',
  'UNBORN_CHILD_PROTECTION_PLAN',
  'NONE_KNOWN',
] as const;
export type ProtectionStatus = (typeof PROTECTION_STATUSES)[number];

/**
 * One protection-status look-up by a health practitioner: every one is kept, those that found
 * nothing too; the responsible council reads the latest 25 and the whole history of its children.
 */
@Entity('protection_status_lookup')
@Check(
  'ck_protection_lookup_status',
  `status IN ('CHILD_PROTECTION_PLAN', 'LOOKED_AFTER', 'UNBORN_CHILD_PROTECTION_PLAN', 'NONE_KNOWN')`,
)
@Index('ix_protection_lookup_child', ['childId', 'lookedUpAt', 'id'])
@Index('ix_protection_lookup_council', ['councilOrganisationId', 'lookedUpAt', 'id'])
export class ProtectionLookup {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 10 })
  nhsNumber!: string;

  /** The child found on a plan (null when none known). */
  @Column({ type: 'uuid', nullable: true })
  childId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  status!: ProtectionStatus;

  @Column({ type: 'uuid', nullable: true })
  councilOrganisationId!: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'council_organisation_id' })
  councilOrganisation?: Organisation | null;

  /** Who looked: the practitioner and their organisation. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 40 })
  purpose!: string;

  @Column({ type: 'timestamptz' })
  lookedUpAt!: Date;
}

export const HEALTH_ENTITIES = [ProtectionLookup];
