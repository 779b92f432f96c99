import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organisation } from '@app/identity';

/** One organisation's own value of one timescale; absent, the declared default applies. */
@Entity('organisation_timescale')
export class OrganisationTimescale {
  @PrimaryColumn({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** A declared timescale key, e.g. `referral.decision`. */
  @PrimaryColumn({ type: 'varchar', length: 60 })
  key!: string;

  /** In the timescale's unit, within its declared range. */
  @Column({ type: 'integer' })
  value!: number;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;

  /** The administrator who set it (null: carried over from before timescales were rows). */
  @Column({ type: 'uuid', nullable: true })
  updatedBy!: string | null;
}
