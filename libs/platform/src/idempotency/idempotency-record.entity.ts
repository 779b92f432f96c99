import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyState = 'in_progress' | 'completed';

/** The response headers a replay repeats; nothing else of the first response is kept. */
export interface IdempotentResponseHeaders {
  Location?: string;
  ETag?: string;
}

/**
 * One `Idempotency-Key` of one actor: the request it was first used with (as a hash) and, once
 * the handler succeeded, the response to replay. Keys are per actor: the same key from two actors
 * names two different requests. Rows live 24 hours; the worker purges expired ones.
 */
@Entity('idempotency_record')
@Index('ix_idempotency_record_expires', ['expiresAt'])
@Check('ck_idempotency_record_state', `state IN ('in_progress', 'completed')`)
export class IdempotencyRecord {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_idempotency_record' })
  actorId!: string;

  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_idempotency_record' })
  key!: string;

  @Column({ type: 'varchar', length: 10 })
  method!: string;

  /** The path without its query string (a query can hold a child's name). */
  @Column({ type: 'varchar', length: 300 })
  path!: string;

  /** sha256 (hex) of method, URL and canonical JSON of the body. */
  @Column({ type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 20 })
  state!: IdempotencyState;

  @Column({ type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  responseBody!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  responseHeaders!: IdempotentResponseHeaders | null;

  /** When the current attempt started: also the fencing token of its owner. */
  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}

export const IDEMPOTENCY_ENTITIES = [IdempotencyRecord];
