import type { ThrottlerStorage } from '@nestjs/throttler';
import type { DataSource } from 'typeorm';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * @nestjs/throttler's storage in PostgreSQL (table rate_limit_window), so that a partner
 * system's limit holds across every API instance rather than per process. One statement per
 * request: the window opens at the first hit and lasts `ttl`; past it, the count starts again.
 * Times are the database's, shared by all instances.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly db: DataSource) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const rows: { hits: number; remaining: number }[] = await this.db.query(
      // One instant for the whole decision: EXCLUDED.started_at is the time this hit proposed.
      `INSERT INTO rate_limit_window AS w (key, started_at, hits) VALUES ($1, clock_timestamp(), 1)
       ON CONFLICT (key) DO UPDATE SET
         started_at = CASE WHEN w.started_at <= EXCLUDED.started_at - make_interval(secs => $2::float8 / 1000)
                           THEN EXCLUDED.started_at ELSE w.started_at END,
         hits = CASE WHEN w.started_at <= EXCLUDED.started_at - make_interval(secs => $2::float8 / 1000)
                     THEN 1 ELSE w.hits + 1 END
       RETURNING hits,
         greatest(0, extract(epoch FROM started_at + make_interval(secs => $2::float8 / 1000) - clock_timestamp()))::float8
           AS remaining`,
      [`${throttlerName}:${key}`, ttl],
    );
    const { hits, remaining } = rows[0];
    const timeToExpire = Math.max(1, Math.ceil(remaining));
    const isBlocked = hits > limit;
    // Blocked until the window ends (the throttler's block duration is its ttl here).
    return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
