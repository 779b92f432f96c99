import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@app/platform';
import { canonicalEvent, EVENT_COLUMNS, type EventRow } from './event-row';
import { AuditVerifier } from './audit-verifier';
import { chainHash, GENESIS_HASH } from './canonical';

/** PostgreSQL advisory lock key held by the one sealer at work (any fixed number unique to this use). */
export const AUDIT_SEAL_LOCK = 7_420_312;
/** Events linked per sealPending() call at most. */
export const AUDIT_SEAL_BATCH = 5000;

const maxSeq = (a: string, b: string): string => (BigInt(a) >= BigInt(b) ? a : b);
const minSeq = (a: string, b: string): string => (BigInt(a) <= BigInt(b) ? a : b);

/**
 * Links events into the hash chain in batches, moments after they were written, so inserting an
 * event never waits on a global chain head (ARCHITECTURE.md §5).
 *
 * The chain order is the seal order (audit_seal.seal_seq). An event whose transaction commits late
 * (a lower seq visible after higher ones were sealed) is sealed in a later batch: each batch takes
 * the unsealed events in seq order. To keep that anti-join cheap, each sealer keeps a floor below
 * which every event is known sealed *and* no event can still appear. The floor advances to a
 * checkpoint (the sequence's last value, and the transactions open when it was read) once every
 * one of those transactions has ended: any seq up to the checkpoint was taken by one of them or
 * by a transaction already finished. The floor is per process and only ever an optimisation: a
 * fresh sealer starts at 0 and finds everything.
 */
@Injectable()
export class AuditSealer {
  private floor = '0';
  private checkpoint: { upTo: string; openTransactions: string[] } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Seals up to `limit` unsealed events; returns how many. Returns 0 at once when another sealer
   * (in this or any other process) holds the lock.
   */
  async sealPending(limit: number = AUDIT_SEAL_BATCH): Promise<number> {
    const result = await this.db.transaction('READ COMMITTED', async (m) => {
      const [lock] = await m.query<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        AUDIT_SEAL_LOCK,
      ]);
      if (!lock?.locked) return null;

      // Has every transaction open at the checkpoint ended? Then no event up to it can still appear.
      let settled: string | null = null;
      if (this.checkpoint) {
        const open = await m.query<unknown[]>(
          `SELECT 1 FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY($1::text[]) LIMIT 1`,
          [this.checkpoint.openTransactions],
        );
        if (open.length === 0) settled = this.checkpoint.upTo;
      }
      const checkpoint = settled !== null || this.checkpoint === null ? await this.takeCheckpoint(m) : this.checkpoint;

      const [head] = await m.query<{ hash: string }[]>('SELECT hash FROM audit_seal ORDER BY seal_seq DESC LIMIT 1');
      const events = await m.query<EventRow[]>(
        `SELECT ${EVENT_COLUMNS}
           FROM audit_event e
          WHERE e.seq > $1::bigint AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)
          ORDER BY e.seq
          LIMIT $2`,
        [this.floor, limit],
      );

      let prev = head?.hash ?? GENESIS_HASH;
      const seqs: string[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of events) {
        const hash = chainHash(prev, canonicalEvent(row));
        seqs.push(row.seq);
        prevs.push(prev);
        hashes.push(hash);
        prev = hash;
      }
      if (seqs.length > 0) {
        // unnest ... WITH ORDINALITY yields the rows in array order, so seal_seq follows the chain.
        await m.query(
          `INSERT INTO audit_seal (event_seq, prev_hash, hash, sealed_at)
           SELECT u.event_seq, u.prev_hash, u.hash, $4::timestamptz
             FROM unnest($1::bigint[], $2::varchar[], $3::varchar[]) WITH ORDINALITY AS u(event_seq, prev_hash, hash, n)`,
          [seqs, prevs, hashes, this.clock.now()],
        );
      }

      // Everything visible above the floor up to the last event of a full batch (or all of it) is
      // now sealed; of that, what is also settled can never change again.
      let floor = this.floor;
      if (settled !== null) {
        const last = seqs[seqs.length - 1];
        floor = maxSeq(floor, seqs.length < limit || last === undefined ? settled : minSeq(settled, last));
      }
      return { sealed: seqs.length, floor, checkpoint };
    });
    if (result === null) return 0;
    // Only once committed: a rolled-back batch sealed nothing.
    this.floor = result.floor;
    this.checkpoint = result.checkpoint;
    return result.sealed;
  }

  private async takeCheckpoint(m: EntityManager): Promise<{ upTo: string; openTransactions: string[] }> {
    // The sequence first, then the open transactions: whoever took a seq up to `upTo` and has not
    // finished is in the list. (This relies on the sequence not caching values per session, i.e.
    // CACHE 1, the default of BIGSERIAL; and on no prepared (two-phase) transactions writing events.)
    const [sequence] = await m.query<{ last: string | null }[]>(
      `SELECT pg_sequence_last_value(pg_get_serial_sequence('audit_event', 'seq')::regclass)::text AS last`,
    );
    // Every transaction holds a lock on its own virtual transaction id from its first statement
    // to its end; only those connected to this database can write events.
    const open = await m.query<{ vxid: string }[]>(
      `SELECT l.virtualxid AS vxid
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'virtualxid' AND l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid()`,
    );
    return { upTo: sequence?.last ?? '0', openTransactions: open.map((row) => row.vxid) };
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
