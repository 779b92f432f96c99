import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organisation } from '@app/identity';

/**
 * open: running; met: what was due was done; cancelled: it no longer needs doing; handed_over:
 * another holder carries on with it (the clock `handedOverTo`, same rule and due time).
 */
export const DEADLINE_STATES = ['open', 'met', 'cancelled', 'handed_over'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

/**
 * One clock on one piece of work (a referral's decision, a concern's decision, MASH checks, an
 * information request's answer, ...): whose it is, by when, under which rule, and what became of
 * it. Every workflow's clocks live here, written through `Deadlines` in the workflow's own
 * transaction; the escalation sweep reads this table only. A clock's holder is fixed when it
 * starts: a hand-over closes it ('handed_over') and starts the same clock for the new holder, so
 * the table is itself the history of who held what. A trigger keeps the kernel's read model of
 * the clocks (`deadline_count`, decision 0014) in the transaction of every change.
 */
@Entity('deadline')
@Check('ck_deadline_state', `state IN ('open', 'met', 'cancelled', 'handed_over')`)
@Check('ck_deadline_handed_over', `handed_over_to IS NULL OR state = 'handed_over'`)
@Check('ck_deadline_closed', `(state = 'open') = (closed_at IS NULL)`)
// At most one running clock per rule on a piece of work.
@Index('uq_deadline_open', ['subjectType', 'subjectId', 'rule'], { unique: true, where: `state = 'open'` })
// The sweep: clocks newly overdue, and clocks due to go up a level.
@Index('ix_deadline_due', ['dueAt'], { where: `state = 'open' AND overdue_at IS NULL` })
// Who held a clock before it (and the self-reference's check on delete).
@Index('ix_deadline_handed_over_to', ['handedOverTo'], { where: 'handed_over_to IS NOT NULL' })
@Index('ix_deadline_next_escalation', ['nextEscalationAt'], {
  where: `state = 'open' AND next_escalation_at IS NOT NULL`,
})
// The dashboard's exact lookups beside the read model (migration DeadlineCounts, decision 0014): a
// group's (organisation, team, rule) open clocks by due time, and closed clocks by closing time.
// `synchronize: false`: built by the migration, not compared.
@Index('ix_deadline_open_work', { synchronize: false })
@Index('ix_deadline_closed', { synchronize: false })
export class Deadline {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The kind of work, as notifications name it: `Referral`, `Concern`, `InformationRequest`, ... */
  @Column({ type: 'varchar', length: 40 })
  subjectType!: string;

  @Column({ type: 'uuid' })
  subjectId!: string;

  /** The child the work is about, when known (for the child's timeline). */
  @Column({ type: 'uuid', nullable: true })
  childId!: string | null;

  /** The organisation that must act: its managers hear of it when it is overdue. */
  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** The team that must act, if one: its managers hear first. */
  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  /** The person it is whose, if one is named. */
  @Column({ type: 'uuid', nullable: true })
  responsibleUserId!: string | null;

  /** The statutory or local rule it runs under (a declared deadline rule). */
  @Column({ type: 'varchar', length: 60 })
  rule!: string;

  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'varchar', length: 12, default: 'open' })
  state!: DeadlineState;

  /** The clock that carries on for the new holder, when this one was handed over. */
  @Column({ type: 'uuid', nullable: true })
  handedOverTo!: string | null;

  @ManyToOne(() => Deadline, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'handed_over_to', foreignKeyConstraintName: 'fk_deadline_handed_over_to' })
  successor?: Deadline;

  @Column({ type: 'timestamptz' })
  openedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** When the sweep first found it past due. */
  @Column({ type: 'timestamptz', nullable: true })
  overdueAt!: Date | null;

  /** When an overdue clock goes up a level next; null once fully escalated. */
  @Column({ type: 'timestamptz', nullable: true })
  nextEscalationAt!: Date | null;
}

/** One escalation of one overdue deadline at one level: the unique key makes it happen once. */
@Entity('escalation')
@Index('uq_escalation_deadline_level', ['deadlineId', 'level'], { unique: true })
@Index('ix_escalation_org', ['organisationId', 'raisedAt'])
export class Escalation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  deadlineId!: string;

  @ManyToOne(() => Deadline, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deadline_id' })
  deadline?: Deadline;

  @Column({ type: 'smallint' })
  level!: number;

  @Column({ type: 'uuid' })
  organisationId!: string;

  /** The team whose managers were told (level 1); null when the whole organisation's were. */
  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  /** The due time that was missed. */
  @Column({ type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'timestamptz' })
  raisedAt!: Date;
}
