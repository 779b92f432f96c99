import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from './organisation.entity';
import { User } from './user.entity';

export type RoleGrantStatus = 'pending' | 'approved' | 'rejected';
export const ROLE_GRANT_STATUSES: readonly RoleGrantStatus[] = ['pending', 'approved', 'rejected'];

/**
 * Roles asked for a person that a second administrator of the organisation must approve before
 * the person holds them (ROLES_NEEDING_APPROVAL: child-data roles and org_admin). Never decided by
 * the administrator who asked, nor approved by the person it is for. At most one pending per person.
 */
@Entity('role_grant')
@Check('ck_role_grant_status', `status IN ('pending', 'approved', 'rejected')`)
@Check('ck_role_grant_decided', `(status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)`)
@Index('ix_role_grant_organisation', ['organisationId', 'requestedAt', 'id'])
@Index('uq_role_grant_pending_user', ['userId'], { unique: true, where: `status = 'pending'` })
export class RoleGrant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** The person the roles are for. */
  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  /** Added to the person's roles on approval. */
  @Column({ type: 'text', array: true })
  roles!: string[];

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status!: RoleGrantStatus;

  @Column({ type: 'uuid' })
  requestedBy!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'requested_by' })
  requester?: User;

  @Column({ type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'decided_by' })
  decider?: User | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** The deciding administrator's note, if any. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  comment!: string | null;
}
