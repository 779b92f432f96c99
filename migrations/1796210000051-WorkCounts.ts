import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts of the partnership's received work for the dashboard (issue 16, decision 0014), in the
 * deadlines' model's way: the kernel's generic `work_count_delta` (append-only +1/-1 rows, by
 * counter, organisation, two keys and UTC day), folded by the sweep into `work_count_bucket`
 * (`work_count_fold()`), read through the view `work_count`. Two counters, each kept by a trigger
 * on its owner's table in the transaction of every change:
 *
 * - `referral` (referrals): by receiving organisation, status, outcome and day created;
 * - `information_request` (sharing): by receiving organisation, status, answered in time
 *   (`in_time` or '') and day created.
 *
 * Backfilled from the rows. Indexes on created_at for the part-day the buckets do not cover.
 */
export class WorkCounts1796210000051 implements MigrationInterface {
  name = 'WorkCounts1796210000051';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['work_count_bucket', 'work_count_delta']) {
      await queryRunner.query(`
        CREATE TABLE "${table}" ("counter" character varying(40) NOT NULL, "organisation_id" uuid NOT NULL,
          "a" character varying(30), "b" character varying(30), "slot" TIMESTAMP WITH TIME ZONE NOT NULL,
          "n" ${table === 'work_count_bucket' ? 'integer' : 'smallint'} NOT NULL
          ${table === 'work_count_bucket' ? ', CONSTRAINT "uq_work_count_bucket" UNIQUE NULLS NOT DISTINCT ("counter", "organisation_id", "a", "b", "slot")' : ''})`);
    }
    await queryRunner.query('CREATE INDEX "ix_work_count_bucket_empty" ON "work_count_bucket" ("counter") WHERE n = 0');
    await queryRunner.query(`
      CREATE VIEW "work_count" AS
      SELECT counter, organisation_id, a, b, slot, sum(n)::int AS n
        FROM (SELECT counter, organisation_id, a, b, slot, n FROM work_count_bucket
              UNION ALL
              SELECT counter, organisation_id, a, b, slot, n FROM work_count_delta) c
       GROUP BY counter, organisation_id, a, b, slot
      HAVING sum(n) <> 0`);
    await queryRunner.query(`
      CREATE FUNCTION work_count_fold() RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE folded integer;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(1796210000051) THEN
          RETURN -1;
        END IF;
        WITH moved AS (DELETE FROM work_count_delta RETURNING counter, organisation_id, a, b, slot, n),
             sums AS (SELECT counter, organisation_id, a, b, slot, sum(n)::int AS n, count(*)::int AS c
                        FROM moved GROUP BY counter, organisation_id, a, b, slot),
             up AS (INSERT INTO work_count_bucket (counter, organisation_id, a, b, slot, n)
                    SELECT counter, organisation_id, a, b, slot, n FROM sums WHERE n <> 0
                    ON CONFLICT (counter, organisation_id, a, b, slot)
                    DO UPDATE SET n = work_count_bucket.n + excluded.n)
        SELECT coalesce(sum(c), 0)::int INTO folded FROM sums;
        DELETE FROM work_count_bucket WHERE n = 0;
        RETURN folded;
      END $$`);
    const day = (col: string) => `date_bin('1 day', ${col}, timestamptz '2000-01-01 00:00:00+00')`;
    const inTime = (r: string) =>
      `CASE WHEN ${r}.decided_at IS NOT NULL AND ${r}.decided_at <= ${r}.due_at THEN 'in_time' ELSE '' END`;
    const counters = [
      {
        table: 'referral',
        columns: 'status, outcome, to_organisation_id, created_at',
        a: (r: string) => `${r}.status`,
        b: (r: string) => `${r}.outcome`,
      },
      {
        table: 'information_request',
        columns: 'status, decided_at, due_at, to_organisation_id, created_at',
        a: (r: string) => `${r}.status`,
        b: inTime,
      },
    ];
    for (const c of counters) {
      const key = (r: string) =>
        `'${c.table}', ${r}.to_organisation_id, ${c.a(r)}, ${c.b(r)}, ${day(`${r}.created_at`)}`;
      await queryRunner.query(`
        CREATE FUNCTION ${c.table}_count_track() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND ROW(${key('OLD')}) IS NOT DISTINCT FROM ROW(${key('NEW')}) THEN
            RETURN NULL;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO work_count_delta (counter, organisation_id, a, b, slot, n) VALUES (${key('OLD')}, -1);
          END IF;
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO work_count_delta (counter, organisation_id, a, b, slot, n) VALUES (${key('NEW')}, 1);
          END IF;
          RETURN NULL;
        END $$`);
      await queryRunner.query(`
        CREATE TRIGGER trg_${c.table}_count AFTER INSERT OR DELETE OR UPDATE OF ${c.columns}
        ON ${c.table} FOR EACH ROW EXECUTE FUNCTION ${c.table}_count_track()`);
      await queryRunner.query(`
        INSERT INTO work_count_bucket (counter, organisation_id, a, b, slot, n)
        SELECT ${key('r')}, count(*)::int FROM ${c.table} r GROUP BY 1, 2, 3, 4, 5`);
      await queryRunner.query(`CREATE INDEX "ix_${c.table}_created" ON "${c.table}" ("created_at")`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['information_request', 'referral']) {
      await queryRunner.query(`DROP INDEX "public"."ix_${table}_created"`);
      await queryRunner.query(`DROP TRIGGER trg_${table}_count ON ${table}`);
      await queryRunner.query(`DROP FUNCTION ${table}_count_track()`);
    }
    await queryRunner.query('DROP FUNCTION work_count_fold()');
    await queryRunner.query('DROP VIEW "work_count"');
    await queryRunner.query('DROP TABLE "work_count_delta"');
    await queryRunner.query('DROP TABLE "work_count_bucket"');
  }
}
