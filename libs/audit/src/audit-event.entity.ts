import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorKind = 'user' | 'client';
export type AuditOutcome = 'allowed' | 'denied' | 'not_found';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['allowed', 'denied', 'not_found'];

/**
 * One look at (or change to) child data: who, in which role and organisation, did what, to which
 * records and children, why, and whether it was allowed. Append-only: a trigger refuses UPDATE,
 * DELETE and TRUNCATE. No foreign keys: the log outlives what it describes.
 * `details` holds field names, counts and grant ids, never child data values.
 */
@Entity('audit_event')
@Check('ck_audit_event_actor_kind', `actor_kind IN ('user', 'client')`)
@Check('ck_audit_event_outcome', `outcome IN ('allowed', 'denied', 'not_found')`)
@Index('ix_audit_event_child_ids', ['childIds'], { type: 'gin' })
@Index('ix_audit_event_actor', ['actorId', 'seq'])
@Index('ix_audit_event_organisation', ['organisationId', 'seq'])
export class AuditEvent {
  /**
   * Assigned on insert by a trigger from the column's sequence (a value given is replaced): the
   * order the events were written in, and the chain order. Rolled-back transactions leave gaps.
   */
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 10 })
  actorKind!: AuditActorKind;

  @Column({ type: 'uuid' })
  actorId!: string;

  @Column({ type: 'text', array: true })
  actorRoles!: string[];

  @Column({ type: 'uuid' })
  organisationId!: string;

  /** e.g. `child.read`, `child.search`, `section.update`, `break_glass.open`. */
  @Column({ type: 'varchar', length: 60 })
  action!: string;

  @Column({ type: 'varchar', length: 40 })
  subjectType!: string;

  @Column({ type: 'uuid', array: true })
  subjectIds!: string[];

  /** The children touched; for a search, every child id it returned. */
  @Column({ type: 'uuid', array: true })
  childIds!: string[];

  @Column({ type: 'varchar', length: 20 })
  outcome!: AuditOutcome;

  @Column({ type: 'boolean', default: false })
  breakGlass!: boolean;

  @Column({ type: 'varchar', length: 60 })
  purpose!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientIp!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;
}

/**
 * A link of the hash chain: `hash = sha256hex(prevHash + canonicalJson(sealed form of the event))`.
 * Written by the sealer in batches; `sealSeq` is the chain order, and from version 2 on it follows
 * the events' seq order with nothing left out (see audit-sealer.ts).
 */
@Entity('audit_seal')
@Check('ck_audit_seal_chain_version', 'chain_version IN (1, 2)')
export class AuditSeal {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  sealSeq!: string;

  @Index('uq_audit_seal_event_seq', { unique: true })
  @Column({ type: 'bigint' })
  eventSeq!: string;

  /** Hex sha256 of the previous link; 64 zeros for the first. */
  @Column({ type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'timestamptz' })
  sealedAt!: Date;

  /** 1: sealed before the chain followed seq order (verified as sealed); 2: in seq order. */
  @Column({ type: 'smallint', default: 2 })
  chainVersion!: number;
}

export const AUDIT_ENTITIES = [AuditEvent, AuditSeal];
