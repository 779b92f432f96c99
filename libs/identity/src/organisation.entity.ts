import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { OrganisationType } from '@app/platform';

@Entity('organisation')
@Check('ck_organisation_type', `type IN ('police_force', 'local_authority', 'school', 'health', 'oversight')`)
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Short stable code, e.g. NSP for Northshire Police; unique. */
  @Index('uq_organisation_code', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  type!: OrganisationType;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('team')
@Index('uq_team_name', ['organisationId', 'name'], { unique: true })
export class Team {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 120 })
  name!: string;

  /** What the team is for, so workflows can route to it: e.g. cse_unit, mash, safeguarding. */
  @Column({ type: 'varchar', length: 40 })
  function!: string;

  /** How another agency reaches the team (a front door's phone line), if it has given one. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  contactPhone!: string | null;

  /** The team's shared mailbox, if it has given one (lower case). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  contactEmail!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
