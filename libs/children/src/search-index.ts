import type { DataSource } from 'typeorm';

export interface SearchIndexReport {
  /** Involvements with no index row. */
  missing: number;
  /** Index rows whose copy of the involvement or child differs. */
  stale: number;
  /** Whether the differences were put right (in one transaction). */
  repaired: boolean;
}

/** Index rows as they should be: one per involvement, with the child's current name and flag. */
const EXPECTED = `SELECT i.id AS involvement_id, i.child_id, i.organisation_id, i.from_at, i.until_at,
                         c.restricted, c.search_name
                    FROM involvement i JOIN child c ON c.id = i.child_id`;

/**
 * Compares the name index (child_search, kept by triggers) with what the involvements and
 * children say it should hold, and with `repair` rewrites what differs. It should always find
 * nothing; a difference means something wrote with triggers off (a bulk load) or a bug. Rows
 * without an involvement cannot exist (foreign key, on delete cascade).
 */
export async function checkSearchIndex(db: DataSource, options: { repair?: boolean } = {}): Promise<SearchIndexReport> {
  return db.transaction(async (tx) => {
    // Writers wait while the index is compared (and repaired): the answer is exact. This reads
    // every involvement: seconds at a million children.
    await tx.query(
      `LOCK TABLE involvement, child, child_search IN ${options.repair ? 'SHARE ROW EXCLUSIVE' : 'SHARE'} MODE`,
    );
    const [counts] = await tx.query<{ missing: number; stale: number }[]>(
      `WITH expected AS (${EXPECTED})
       SELECT count(*) FILTER (WHERE s.involvement_id IS NULL)::int AS missing,
              count(*) FILTER (WHERE s.involvement_id IS NOT NULL AND (s.child_id, s.organisation_id, s.from_at,
                s.until_at, s.restricted, s.search_name) IS DISTINCT FROM (x.child_id, x.organisation_id, x.from_at,
                x.until_at, x.restricted, x.search_name))::int AS stale
         FROM expected x LEFT JOIN child_search s ON s.involvement_id = x.involvement_id`,
    );
    const report = { missing: counts?.missing ?? 0, stale: counts?.stale ?? 0, repaired: false };
    if (options.repair && report.missing + report.stale > 0) {
      await tx.query(
        `INSERT INTO child_search (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
         ${EXPECTED}
         ON CONFLICT (involvement_id) DO UPDATE SET
           child_id = EXCLUDED.child_id, organisation_id = EXCLUDED.organisation_id, from_at = EXCLUDED.from_at,
           until_at = EXCLUDED.until_at, restricted = EXCLUDED.restricted, search_name = EXCLUDED.search_name
         WHERE (child_search.child_id, child_search.organisation_id, child_search.from_at, child_search.until_at,
                child_search.restricted, child_search.search_name)
               IS DISTINCT FROM (EXCLUDED.child_id, EXCLUDED.organisation_id, EXCLUDED.from_at, EXCLUDED.until_at,
                                 EXCLUDED.restricted, EXCLUDED.search_name)`,
      );
      report.repaired = true;
    }
    return report;
  });
}
