import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { IdempotencyState, IdempotentResponseHeaders } from './idempotency-record.entity';

export interface IdempotencyOptions {
  /** How long a key is remembered. */
  ttlMs: number;
  /**
   * An in-progress record older than this, whose owner holds no lock on it, is a crashed request:
   * another request may take it over. A live owner holds the lock from just after its claim until
   * its transaction ends, so this only has to cover that instant (and clock skew between processes).
   */
  staleAfterMs: number;
  /** How long a duplicate waits for the first request to finish before answering 409. */
  waitMs: number;
  pollIntervalMs: number;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = {
  ttlMs: 24 * 60 * 60 * 1000,
  staleAfterMs: 10_000,
  waitMs: 5_000,
  pollIntervalMs: 100,
};

/** Optional provider of a Partial<IdempotencyOptions> (tests shorten the waits). */
export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');

/** What identifies one use of a key. */
export interface IdempotentRequest {
  actorId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

export interface StoredIdempotencyRecord {
  requestHash: string;
  state: IdempotencyState;
  statusCode: number | null;
  responseBody: unknown;
  responseHeaders: IdempotentResponseHeaders | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
  headers: IdempotentResponseHeaders;
}

/** Deletes the records whose 24 hours are over; for the worker's housekeeping. Returns how many. */
export async function purgeExpiredIdempotencyRecords(db: DataSource | EntityManager, now: Date): Promise<number> {
  const result: [unknown[], number] = await db.query('DELETE FROM idempotency_record WHERE expires_at <= $1', [now]);
  return result[1] ?? 0;
}

/**
 * The idempotency_record table, in plain SQL: every state change is one statement whose WHERE
 * clause re-checks ownership, so concurrent requests cannot both win a key.
 * `createdAt` of the attempt is its owner's fencing token: a request whose record was taken over
 * (as stale) can no longer lock, complete or release it. The owner locks its record (`lock`) in
 * the transaction that does its work and completes it there (`complete`, `release` given that
 * transaction's manager), so the record commits with the work or not at all.
 */
@Injectable()
export class IdempotencyStore {
  readonly options: IdempotencyOptions;

  constructor(
    @InjectDataSource() readonly db: DataSource,
    @Optional() @Inject(IDEMPOTENCY_OPTIONS) options?: Partial<IdempotencyOptions>,
  ) {
    this.options = { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options };
  }

  /** Claims a new key; false when a record for it exists already. */
  async insert(req: IdempotentRequest, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO idempotency_record (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7)
       ON CONFLICT (actor_id, key) DO NOTHING
       RETURNING actor_id`,
      [req.actorId, req.key, req.method, req.path, req.requestHash, now, this.expiry(now)],
    );
    return rows.length === 1;
  }

  async find(actorId: string, key: string): Promise<StoredIdempotencyRecord | null> {
    const rows: StoredIdempotencyRecord[] = await this.db.query(
      `SELECT request_hash AS "requestHash", state, status_code AS "statusCode", response_body AS "responseBody",
              response_headers AS "responseHeaders", created_at AS "createdAt", expires_at AS "expiresAt"
         FROM idempotency_record WHERE actor_id = $1 AND key = $2`,
      [actorId, key],
    );
    return rows[0] ?? null;
  }

  /**
   * Claims a key whose record has expired, or whose attempt is still in progress but started before
   * `staleBefore` (its request crashed). Of concurrent takers exactly one wins: the row lock makes
   * the others re-check the WHERE clause against the winner's fresh row.
   */
  async takeOver(req: IdempotentRequest, now: Date, staleBefore: Date): Promise<boolean> {
    // SKIP LOCKED: a record its owner holds locked is a request still running, however old.
    const [rows]: [unknown[], number] = await this.db.query(
      `UPDATE idempotency_record r
          SET method = $3, path = $4, request_hash = $5, state = 'in_progress', status_code = NULL,
              response_body = NULL, response_headers = NULL, created_at = $6, completed_at = NULL, expires_at = $7
         FROM (SELECT actor_id, key FROM idempotency_record
                WHERE actor_id = $1 AND key = $2
                  AND (expires_at <= $6 OR (state = 'in_progress' AND created_at <= $8))
                FOR UPDATE SKIP LOCKED) mine
        WHERE r.actor_id = mine.actor_id AND r.key = mine.key
        RETURNING r.actor_id`,
      [req.actorId, req.key, req.method, req.path, req.requestHash, now, this.expiry(now), staleBefore],
    );
    return rows.length === 1;
  }

  /**
   * Locks the record of the attempt that started at `startedAt` until the end of `tx`'s
   * transaction: while it is held nobody takes the key over. False when it was taken over already.
   */
  async lock(tx: EntityManager, actorId: string, key: string, startedAt: Date): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `SELECT 1 FROM idempotency_record
        WHERE actor_id = $1 AND key = $2 AND state = 'in_progress' AND created_at = $3
        FOR UPDATE`,
      [actorId, key, startedAt],
    );
    return rows.length === 1;
  }

  /** Keeps the response of the attempt that started at `startedAt`, for replays. */
  async complete(
    actorId: string,
    key: string,
    startedAt: Date,
    response: StoredResponse,
    now: Date,
    tx: DataSource | EntityManager = this.db,
  ): Promise<boolean> {
    const [, count]: [unknown[], number] = await tx.query(
      `UPDATE idempotency_record
          SET state = 'completed', status_code = $4, response_body = $5::jsonb, response_headers = $6::jsonb,
              completed_at = $7
        WHERE actor_id = $1 AND key = $2 AND state = 'in_progress' AND created_at = $3`,
      [
        actorId,
        key,
        startedAt,
        response.statusCode,
        // Stringified here: pg would send a JS array as a PostgreSQL array, not as JSON.
        response.body === undefined ? null : JSON.stringify(response.body),
        JSON.stringify(response.headers),
        now,
      ],
    );
    return count === 1;
  }

  /** Forgets the attempt that started at `startedAt`, so that the key can run again. */
  async release(
    actorId: string,
    key: string,
    startedAt: Date,
    tx: DataSource | EntityManager = this.db,
  ): Promise<void> {
    await tx.query(
      `DELETE FROM idempotency_record
        WHERE actor_id = $1 AND key = $2 AND state = 'in_progress' AND created_at = $3`,
      [actorId, key, startedAt],
    );
  }

  purgeExpired(now: Date): Promise<number> {
    return purgeExpiredIdempotencyRecords(this.db, now);
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.options.ttlMs);
  }
}
