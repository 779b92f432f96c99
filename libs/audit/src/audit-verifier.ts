import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { chainHash, GENESIS_HASH } from './canonical';
import { canonicalEvent, EVENT_COLUMNS, type EventRow } from './event-row';

export type AuditVerification =
  { ok: true; sealed: number; unsealed: number } | { ok: false; brokenAt: string; reason: string };

interface LinkRow extends Omit<EventRow, 'seq'> {
  seal_seq: string;
  event_seq: string;
  prev_hash: string;
  hash: string;
  /** null when the sealed event is gone. */
  seq: string | null;
}

/** Links read per round trip while walking the chain. */
const VERIFY_BATCH = 2000;

/**
 * Walks the chain in seal order, re-reads each sealed event, recomputes its hash and checks that
 * each link starts where the previous one ended. Reports the first broken link.
 */
@Injectable()
export class AuditVerifier {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async verify(): Promise<AuditVerification> {
    // One snapshot for the whole walk: sealing may go on meanwhile without confusing the count.
    return this.db.transaction('REPEATABLE READ', async (m) => {
      let after = '0';
      let prev = GENESIS_HASH;
      let sealed = 0;
      for (;;) {
        const links = await m.query<LinkRow[]>(
          `SELECT s.seal_seq::text AS seal_seq, s.event_seq::text AS event_seq, s.prev_hash, s.hash, ${EVENT_COLUMNS}
             FROM audit_seal s
             LEFT JOIN audit_event e ON e.seq = s.event_seq
            WHERE s.seal_seq > $1::bigint
            ORDER BY s.seal_seq
            LIMIT $2`,
          [after, VERIFY_BATCH],
        );
        for (const link of links) {
          if (link.prev_hash !== prev) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: 'chain broken: the link does not follow the one sealed before it (a seal was changed or removed)',
            };
          }
          if (link.seq === null) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: 'event missing: the event was sealed but is no longer in the log',
            };
          }
          if (chainHash(prev, canonicalEvent({ ...link, seq: link.seq })) !== link.hash) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: 'event changed: the event no longer matches the hash it was sealed with',
            };
          }
          prev = link.hash;
          sealed += 1;
        }
        const last = links[links.length - 1];
        if (last === undefined || links.length < VERIFY_BATCH) break;
        after = last.seal_seq;
      }
      const [count] = await m.query<{ unsealed: number }[]>(
        `SELECT count(*)::int AS unsealed FROM audit_event e
          WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)`,
      );
      return { ok: true as const, sealed, unsealed: count?.unsealed ?? 0 };
    });
  }
}
