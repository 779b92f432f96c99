import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The kernel's read model of its deadlines (issue 16, decision 0014): open clocks counted per
 * organisation, team, rule and due hour, closed ones per organisation, rule, closing day and
 * outcome, kept by a trigger on `deadline` in the transaction of every change, whatever code
 * path makes it. The trigger only appends +1/-1 rows to `deadline_count_delta` (no row is ever
 * updated, so concurrent transactions never wait for each other or deadlock on a count); the
 * worker's sweep folds them into `deadline_count_bucket` under a lock (`deadline_count_fold()`).
 * Readers read the view `deadline_count`: buckets plus unfolded deltas, summed.
 *
 * Hours and days are UTC (`date_bin` from 2000-01-01Z), whatever the session's time zone.
 * Backfilled from the existing rows.
 */
export class DeadlineCounts1796210000050 implements MigrationInterface {
  name = 'DeadlineCounts1796210000050';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // What a clock counts as: open, or how it closed ('met' split by whether it was in time;
    // any other closed state, such as 'cancelled' or a later 'handed_over', under its own name).
    await queryRunner.query(`
      CREATE FUNCTION deadline_count_kind(state text, due_at timestamptz, closed_at timestamptz) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN state = 'open' THEN 'open'
                    WHEN state = 'met' THEN CASE WHEN closed_at <= due_at THEN 'met_in_time' ELSE 'met_late' END
                    ELSE state END
      $$`);
    // Its slot: the due hour of an open clock, the closing day of a closed one (UTC).
    await queryRunner.query(`
      CREATE FUNCTION deadline_count_slot(state text, due_at timestamptz, closed_at timestamptz) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN state = 'open' THEN date_bin('1 hour', due_at, timestamptz '2000-01-01 00:00:00+00')
                    ELSE date_bin('1 day', closed_at, timestamptz '2000-01-01 00:00:00+00') END
      $$`);
    await queryRunner.query(`
      CREATE TABLE "deadline_count_bucket" ("kind" character varying(20) NOT NULL, "organisation_id" uuid NOT NULL,
        "team_id" uuid, "rule" character varying(60) NOT NULL, "slot" TIMESTAMP WITH TIME ZONE NOT NULL,
        "n" integer NOT NULL,
        CONSTRAINT "uq_deadline_count_bucket" UNIQUE NULLS NOT DISTINCT ("kind", "organisation_id", "team_id", "rule", "slot"))`);
    // The fold removes emptied buckets.
    await queryRunner.query(
      'CREATE INDEX "ix_deadline_count_bucket_empty" ON "deadline_count_bucket" ("kind") WHERE n = 0',
    );
    await queryRunner.query(`
      CREATE TABLE "deadline_count_delta" ("kind" character varying(20) NOT NULL, "organisation_id" uuid NOT NULL,
        "team_id" uuid, "rule" character varying(60) NOT NULL, "slot" TIMESTAMP WITH TIME ZONE NOT NULL,
        "n" smallint NOT NULL)`);
    await queryRunner.query(`
      CREATE VIEW "deadline_count" AS
      SELECT kind, organisation_id, team_id, rule, slot, sum(n)::int AS n
        FROM (SELECT kind, organisation_id, team_id, rule, slot, n FROM deadline_count_bucket
              UNION ALL
              SELECT kind, organisation_id, team_id, rule, slot, n FROM deadline_count_delta) c
       GROUP BY kind, organisation_id, team_id, rule, slot
      HAVING sum(n) <> 0`);
    // Closed clocks carry no team (timeliness is per organisation and rule).
    await queryRunner.query(`
      CREATE FUNCTION deadline_count_track() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ok text; os timestamptz; ot uuid;
        nk text; ns timestamptz; nt uuid;
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          ok := deadline_count_kind(OLD.state, OLD.due_at, OLD.closed_at);
          os := deadline_count_slot(OLD.state, OLD.due_at, OLD.closed_at);
          ot := CASE WHEN OLD.state = 'open' THEN OLD.team_id END;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          nk := deadline_count_kind(NEW.state, NEW.due_at, NEW.closed_at);
          ns := deadline_count_slot(NEW.state, NEW.due_at, NEW.closed_at);
          nt := CASE WHEN NEW.state = 'open' THEN NEW.team_id END;
        END IF;
        IF TG_OP = 'UPDATE' AND ok = nk AND os = ns AND ot IS NOT DISTINCT FROM nt
           AND OLD.organisation_id = NEW.organisation_id AND OLD.rule = NEW.rule THEN
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO deadline_count_delta (kind, organisation_id, team_id, rule, slot, n)
          VALUES (ok, OLD.organisation_id, ot, OLD.rule, os, -1);
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO deadline_count_delta (kind, organisation_id, team_id, rule, slot, n)
          VALUES (nk, NEW.organisation_id, nt, NEW.rule, ns, 1);
        END IF;
        RETURN NULL;
      END $$`);
    // Only changes that can move a count (the sweep's overdue_at and next_escalation_at cannot).
    await queryRunner.query(`
      CREATE TRIGGER trg_deadline_count AFTER INSERT OR DELETE OR UPDATE OF state, due_at, closed_at, organisation_id, team_id, rule
      ON deadline FOR EACH ROW EXECUTE FUNCTION deadline_count_track()`);
    // Folds the deltas into the buckets; one fold at a time (another caller returns -1 at once).
    // Returns the number of deltas folded.
    await queryRunner.query(`
      CREATE FUNCTION deadline_count_fold() RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE folded integer;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(1796210000050) THEN
          RETURN -1;
        END IF;
        WITH moved AS (DELETE FROM deadline_count_delta RETURNING kind, organisation_id, team_id, rule, slot, n),
             sums AS (SELECT kind, organisation_id, team_id, rule, slot, sum(n)::int AS n, count(*)::int AS c
                        FROM moved GROUP BY kind, organisation_id, team_id, rule, slot),
             up AS (INSERT INTO deadline_count_bucket (kind, organisation_id, team_id, rule, slot, n)
                    SELECT kind, organisation_id, team_id, rule, slot, n FROM sums WHERE n <> 0
                    ON CONFLICT (kind, organisation_id, team_id, rule, slot)
                    DO UPDATE SET n = deadline_count_bucket.n + excluded.n)
        SELECT coalesce(sum(c), 0)::int INTO folded FROM sums;
        DELETE FROM deadline_count_bucket WHERE n = 0;
        RETURN folded;
      END $$`);
    // Backfill: the counts of the rows as they stand.
    await queryRunner.query(`
      INSERT INTO deadline_count_bucket (kind, organisation_id, team_id, rule, slot, n)
      SELECT deadline_count_kind(state, due_at, closed_at), organisation_id, CASE WHEN state = 'open' THEN team_id END,
             rule, deadline_count_slot(state, due_at, closed_at), count(*)::int
        FROM deadline GROUP BY 1, 2, 3, 4, 5`);
    // The dashboard's exact lookups: the earliest open clock of a group, and a group's clocks in one
    // hour (index-only: plain columns, a group without a team looked up with team_id IS NULL);
    // closed clocks of part of a day.
    await queryRunner.query(
      `CREATE INDEX "ix_deadline_open_work" ON "deadline" ("organisation_id", "team_id", "rule", "due_at") WHERE state = 'open'`,
    );
    await queryRunner.query(`CREATE INDEX "ix_deadline_closed" ON "deadline" ("closed_at") WHERE state <> 'open'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_deadline_closed"');
    await queryRunner.query('DROP INDEX "public"."ix_deadline_open_work"');
    await queryRunner.query('DROP TRIGGER trg_deadline_count ON deadline');
    await queryRunner.query('DROP FUNCTION deadline_count_fold()');
    await queryRunner.query('DROP FUNCTION deadline_count_track()');
    await queryRunner.query('DROP VIEW "deadline_count"');
    await queryRunner.query('DROP TABLE "deadline_count_delta"');
    await queryRunner.query('DROP TABLE "deadline_count_bucket"');
    await queryRunner.query('DROP FUNCTION deadline_count_slot(text, timestamptz, timestamptz)');
    await queryRunner.query('DROP FUNCTION deadline_count_kind(text, timestamptz, timestamptz)');
  }
}
