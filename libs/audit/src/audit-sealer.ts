import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@app/platform';
import { CHAIN_VERSION, EVENT_COLUMNS, type EventRow, sealedForm } from './event-row';
import { AuditVerifier } from './audit-verifier';
import { chainHash, GENESIS_HASH } from './canonical';

/** PostgreSQL advisory lock key held by the one sealer at work (any fixed number unique to this use). */
export const AUDIT_SEAL_LOCK = 7_420_312;
/** Events linked per sealPending() call at most. */
export const AUDIT_SEAL_BATCH = 5000;

const maxSeq = (a: string, b: string): string => (BigInt(a) >= BigInt(b) ? a : b);

/** The sequence's last value, then the transactions (with an id) in progress in this database. */
interface Checkpoint {
  upTo: string;
  transactions: string[];
}

/**
 * Links events into the hash chain in batches, moments after they were written, so inserting an
 * event never waits on a global chain head (ARCHITECTURE.md §5).
 *
 * The chain follows seq order with nothing left out: each batch links the events after the sealed
 * head, in seq order, up to a horizon below which no event can still appear. An event that
 * appears behind the head later (inserted with the triggers bypassed, say, into a gap that a
 * rolled-back transaction left) is then never sealed, and the verifier reports it.
 *
 * The horizon: a trigger gives each inserting transaction its id before its seq (migration
 * 1795884000000), so whoever holds a seq up to the sequence's last value is in the list of
 * transactions in progress read just after it, or has ended. Once every transaction of such a
 * checkpoint has ended, every seq up to it is settled: committed and visible, or never to be. A
 * checkpoint read while no transaction of this database is in progress is settled at once. A
 * transaction still open holds the horizon back (its event and the ones after it wait), never
 * skips it. The horizon is per process and only ever rises; a fresh sealer starts from nothing.
 */
@Injectable()
export class AuditSealer {
  private settled = '0';
  private checkpoint: Checkpoint | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Seals up to `limit` unsealed events; returns how many. Returns 0 at once when another sealer
   * (in this or any other process) holds the lock.
   */
  async sealPending(limit: number = AUDIT_SEAL_BATCH): Promise<number> {
    const sealed = await this.db.transaction('READ COMMITTED', async (m) => {
      const [lock] = await m.query<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        AUDIT_SEAL_LOCK,
      ]);
      if (!lock?.locked) return 0;
      const horizon = await this.horizon(m);

      const [head] = await m.query<{ hash: string; event_seq: string; chain_version: number }[]>(
        'SELECT hash, event_seq::text AS event_seq, chain_version FROM audit_seal ORDER BY seal_seq DESC LIMIT 1',
      );
      // After links of the version before, the first batch takes whatever they left unsealed.
      const after = head?.chain_version === CHAIN_VERSION ? head.event_seq : '0';
      const events = await m.query<EventRow[]>(
        `SELECT ${EVENT_COLUMNS}
           FROM audit_event e
          WHERE e.seq > $1::bigint AND e.seq <= $2::bigint
            AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)
          ORDER BY e.seq
          LIMIT $3`,
        [after, horizon, limit],
      );

      let prev = head?.hash ?? GENESIS_HASH;
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of events) {
        const hash = chainHash(prev, sealedForm(row, CHAIN_VERSION));
        seqs.push(row.seq);
        prevs.push(prev);
        hashes.push(hash);
        prev = hash;
      }
      if (seqs.length > 0) {
        // unnest ... WITH ORDINALITY yields the rows in array order, so seal_seq follows the chain.
        await m.query(
          `INSERT INTO audit_seal (event_seq, prev_hash, hash, sealed_at, chain_version)
           SELECT u.event_seq, u.prev_hash, u.hash, $4::timestamptz, $5::smallint
             FROM unnest($1::bigint[], $2::varchar[], $3::varchar[]) WITH ORDINALITY AS u(event_seq, prev_hash, hash, n)
            ORDER BY u.n`,
          [seqs, prevs, hashes, this.clock.now(), CHAIN_VERSION],
        );
      }
      return seqs.length;
    });
    return sealed;
  }

  /** The highest seq below which no event can still appear (see the class comment). */
  private async horizon(m: EntityManager): Promise<string> {
    if (this.checkpoint) {
      const [row] = await m.query<{ ended: boolean }[]>(
        `SELECT coalesce(bool_and(pg_visible_in_snapshot(x::xid8, pg_current_snapshot())), true) AS ended
           FROM unnest($1::text[]) AS x`,
        [this.checkpoint.transactions],
      );
      if (row?.ended) {
        this.settled = maxSeq(this.settled, this.checkpoint.upTo);
        this.checkpoint = null;
      }
    }
    if (!this.checkpoint) {
      const fresh = await this.takeCheckpoint(m);
      if (fresh.transactions.length === 0) this.settled = maxSeq(this.settled, fresh.upTo);
      else this.checkpoint = fresh;
    }
    return this.settled;
  }

  private async takeCheckpoint(m: EntityManager): Promise<Checkpoint> {
    // Two statements, in this order: the sequence, then the transactions in progress. (This
    // relies on the sequence not caching values per session, i.e. CACHE 1, the default of
    // BIGSERIAL; and on no prepared (two-phase) transactions writing events.)
    const [sequence] = await m.query<{ last: string | null }[]>(
      `SELECT pg_sequence_last_value(pg_get_serial_sequence('audit_event', 'seq')::regclass)::text AS last`,
    );
    // Transaction ids are cluster-wide: those of backends connected to other databases cannot
    // hold an event's seq and would only hold the horizon back. (Where this role may not see
    // another backend's xid, that transaction is waited for: slower, never wrong.)
    const open = await m.query<{ xid: string }[]>(
      `SELECT x::text AS xid
         FROM pg_snapshot_xip(pg_current_snapshot()) AS x
        WHERE NOT EXISTS (
          SELECT 1 FROM pg_stat_activity a
           WHERE a.datname <> current_database()
             AND a.backend_xid::text::bigint = x::text::bigint % 4294967296)`,
    );
    return { upTo: sequence?.last ?? '0', transactions: open.map((row) => row.xid) };
  }
}

/**
 * Seals every 2 seconds. Register it in a process that runs @nestjs/schedule (the worker), next to
 * an import of AuditModule; any number of processes may run it, one seals at a time.
 */
@Injectable()
export class AuditSealJob {
  private readonly logger = new Logger(AuditSealJob.name);
  private running = false;

  private anchoredAt = 0;
  private anchoredSeq: string | undefined;

  constructor(
    private readonly sealer: AuditSealer,
    private readonly verifier: AuditVerifier,
  ) {}

  @Interval(2000)
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let total = 0;
    try {
      // Drain a backlog (after downtime, say) batch after batch rather than one batch per tick.
      for (;;) {
        const sealed = await this.sealer.sealPending();
        total += sealed;
        if (sealed < AUDIT_SEAL_BATCH) break;
      }
      // The head of the chain, into the logs (kept outside the database) at most once a minute
      // and whenever it moved since the last one, sealed by this process or another:
      // `npm run audit:verify -- --anchor <anchor>` later proves nothing up to it was removed.
      if (Date.now() - this.anchoredAt >= 60_000) {
        const head = await this.verifier.head();
        if (head && head.sealSeq !== this.anchoredSeq) {
          this.logger.log(`Audit anchor ${head.sealSeq}:${head.hash}`);
          this.anchoredSeq = head.sealSeq;
          this.anchoredAt = Date.now();
        }
      }
    } catch (err) {
      this.logger.error(`Sealing the audit log failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
    return total;
  }
}
