import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { chainHash, GENESIS_HASH } from './canonical';
import { CHAIN_VERSION, type ChainVersion, EVENT_COLUMNS, type EventRow, sealedForm } from './event-row';

export type AuditVerification =
  { ok: true; sealed: number; unsealed: number } | { ok: false; brokenAt: string; reason: string };

/**
 * A link of the chain recorded outside the database (the worker logs the head as it seals;
 * ship those logs elsewhere). Verifying against it catches what the chain alone cannot: the
 * newest events deleted together with their seals, or the whole chain rebuilt.
 */
export interface AuditAnchor {
  sealSeq: string;
  hash: string;
}

const ANCHOR = /^([1-9][0-9]{0,18}):([0-9a-f]{64})$/;

/** `<sealSeq>:<hash>`, as the worker logs it and `audit:verify --anchor` takes it. */
export function parseAnchor(text: string): AuditAnchor {
  const m = ANCHOR.exec(text.trim());
  if (!m) throw new TypeError(`not an audit anchor (expected <sealSeq>:<64 hex characters>): ${text}`);
  return { sealSeq: m[1]!, hash: m[2]! };
}

interface LinkRow extends Omit<EventRow, 'seq'> {
  seal_seq: string;
  event_seq: string;
  prev_hash: string;
  hash: string;
  chain_version: number;
  /** null when the sealed event is gone. */
  seq: string | null;
}

/** Links read per round trip while walking the chain. */
const VERIFY_BATCH = 2000;

/**
 * Walks the chain in seal order, re-reads each sealed event, recomputes its hash and checks that
 * each link starts where the previous one ended; that links of version 2 follow seq order; and
 * that no event behind the head of those was left out (one that appears there was written after
 * the events around it were sealed: the sealer never skips one). Reports the first broken link.
 */
@Injectable()
export class AuditVerifier {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The newest link: what to record outside the database. */
  async head(): Promise<AuditAnchor | null> {
    const [row] = await this.db.query<{ seal_seq: string; hash: string }[]>(
      // Ordered by the bigint column, not by its text alias ('9' > '16').
      'SELECT s.seal_seq::text AS seal_seq, s.hash FROM audit_seal s ORDER BY s.seal_seq DESC LIMIT 1',
    );
    return row ? { sealSeq: row.seal_seq, hash: row.hash } : null;
  }

  async verify(anchors: AuditAnchor[] = []): Promise<AuditVerification> {
    const expected = new Map(anchors.map((a) => [a.sealSeq, a.hash]));
    // One snapshot for the whole walk: sealing may go on meanwhile without confusing the count.
    return this.db.transaction('REPEATABLE READ', async (m) => {
      let after = '0';
      let prev = GENESIS_HASH;
      let sealed = 0;
      // The seq of the last version-2 link so far: the next one must be higher.
      let lastInOrder: string | null = null;
      for (;;) {
        const links = await m.query<LinkRow[]>(
          `SELECT s.seal_seq::text AS seal_seq, s.event_seq::text AS event_seq, s.prev_hash, s.hash, s.chain_version,
                  ${EVENT_COLUMNS}
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
          const version = link.chain_version as ChainVersion;
          if (version !== 1 && version !== CHAIN_VERSION) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: `chain broken: the link has an unknown version ${link.chain_version}`,
            };
          }
          const outOfOrder = lastInOrder !== null && (version === 1 || BigInt(link.event_seq) <= BigInt(lastInOrder));
          if (outOfOrder) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: 'out of order: the event is linked after one written later (the chain follows seq order)',
            };
          }
          if (chainHash(prev, sealedForm({ ...link, seq: link.seq }, version)) !== link.hash) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: 'event changed: the event no longer matches the hash it was sealed with',
            };
          }
          const anchored = expected.get(link.seal_seq);
          if (anchored !== undefined && anchored !== link.hash) {
            return {
              ok: false as const,
              brokenAt: link.event_seq,
              reason: `chain rewritten: seal ${link.seal_seq} differs from the anchor recorded outside the database`,
            };
          }
          expected.delete(link.seal_seq);
          if (version === CHAIN_VERSION) lastInOrder = link.event_seq;
          prev = link.hash;
          sealed += 1;
        }
        const last = links[links.length - 1];
        if (last === undefined || links.length < VERIFY_BATCH) break;
        after = last.seal_seq;
      }
      // An anchor the walk never reached: the chain ends before a link that once existed.
      const missing = [...expected.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
      if (missing !== undefined) {
        return {
          ok: false as const,
          brokenAt: `seal ${missing}`,
          reason: `chain truncated: seal ${missing}, recorded outside the database, is no longer in the chain`,
        };
      }
      if (lastInOrder !== null) {
        const [inserted] = await m.query<{ seq: string }[]>(
          `SELECT e.seq::text AS seq FROM audit_event e
            WHERE e.seq < $1::bigint AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)
            ORDER BY e.seq LIMIT 1`,
          [lastInOrder],
        );
        if (inserted) {
          return {
            ok: false as const,
            brokenAt: inserted.seq,
            reason:
              'event inserted: it is behind the sealed head but was never sealed (written after the events around it were)',
          };
        }
      }
      const [count] = await m.query<{ unsealed: number }[]>(
        `SELECT count(*)::int AS unsealed FROM audit_event e
          WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_seq = e.seq)`,
      );
      return { ok: true as const, sealed, unsealed: count?.unsealed ?? 0 };
    });
  }
}
