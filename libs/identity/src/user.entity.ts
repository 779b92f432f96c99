import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Organisation, Team } from './organisation.entity';

@Entity('app_user')
@Check('ck_app_user_email_lower', 'email = lower(email)')
@Index('ix_app_user_organisation', ['organisationId', 'name', 'id'])
// Every API process reads the recent revocations every few seconds (TokenRevocations).
@Index('ix_app_user_tokens_valid_after', ['tokensValidAfter'], { where: 'tokens_valid_after IS NOT NULL' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-case; unique. */
  @Index('uq_app_user_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'uuid', nullable: true })
  teamId!: string | null;

  @ManyToOne(() => Team, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'team_id' })
  team?: Team | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  /** argon2id; never leaves the identity module. */
  @Column({ type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /**
   * Bumped when the user is deactivated or their roles or team change: tokens carry the
   * generation read at login (`gen`), and an older one is refused, so access already granted
   * ends within seconds, not at token expiry, even for a login that raced the change.
   */
  @Column({ type: 'int', default: 0 })
  tokenGeneration!: number;

  /** When the generation last moved: each API process reads the recent moves (TokenRevocations). */
  @Column({ type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('api_client')
// Every API process reads the recent revocations every few seconds (TokenRevocations).
@Index('ix_api_client_tokens_valid_after', ['tokensValidAfter'], { where: 'tokens_valid_after IS NOT NULL' })
export class ApiClient {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  organisationId!: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The public half of the credentials, e.g. `southshire-police-case-system`; unique. */
  @Index('uq_api_client_client_id', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  clientId!: string;

  /** argon2id of the client secret. */
  @Column({ type: 'varchar', length: 255, select: false })
  secretHash!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes!: string[];

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /**
   * Bumped when the client is deactivated: its tokens carry the generation they were issued with
   * (`gen`), and an older one is refused, as for users.
   */
  @Column({ type: 'int', default: 0 })
  tokenGeneration!: number;

  /** When the generation last moved: each API process reads the recent moves (TokenRevocations). */
  @Column({ type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  @VersionColumn({ default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Login attempts, counted per account and per address to rate-limit guessing across instances:
 * recorded before the secret is checked (LoginLimiter.reserve), kept as a failure, deleted on success.
 */
@Entity('login_failure')
@Index('ix_login_failure_key_at', ['key', 'at'])
export class LoginFailure {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** `id:<sha256 of the email or client id>` or `ip:<address>`; no plain email is stored here. */
  @Column({ type: 'varchar', length: 100 })
  key!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

/**
 * Per-client rate-limit counters (DatabaseThrottlerStorage): in the database, so that every API
 * instance counts the same requests. A window starts at a client's first request and lasts the
 * throttler's ttl; the worker deletes old windows.
 */
@Entity('rate_limit_window')
@Index('ix_rate_limit_window_started', ['startedAt'])
export class RateLimitWindow {
  @PrimaryColumn({ type: 'varchar', length: 160 })
  key!: string;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'int' })
  hits!: number;
}
