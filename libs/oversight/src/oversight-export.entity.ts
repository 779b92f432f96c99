import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An export of a child's who-knew-what timeline: its SHA-256 and the head of the audit chain it
 * was built from, so a later reader can check the document against the chain (`npm run
 * audit:verify -- --anchor <sealSeq>:<hash>`). The export itself is an audit event carrying the
 * same hash, so the chain vouches for it.
 */
@Entity('oversight_export')
@Check('ck_oversight_export_format', `format IN ('csv', 'pdf')`)
@Index('ix_oversight_export_child', ['childId', 'createdAt'])
export class OversightExport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  childId!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'varchar', length: 10 })
  format!: 'csv' | 'pdf';

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  /** The newest sealed link when the export was built (null: nothing sealed yet). */
  @Column({ type: 'bigint', nullable: true })
  auditHeadSealSeq!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  auditHeadHash!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
