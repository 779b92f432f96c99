import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each old column of organisation_timescales and the timescale key it becomes (with its default). */
const TIMESCALE_COLUMNS: [column: string, key: string, fallback: number][] = [
  ['referral_decision_working_days', 'referral.decision', 1],
  ['rag_red_working_hours', 'mash.checks.red', 4],
  ['rag_amber_working_hours', 'mash.checks.amber', 24],
  ['rag_green_hours', 'mash.checks.green', 72],
  ['concern_decision_working_days', 'concern.decision', 1],
  ['immediate_danger_minutes', 'concern.immediate_danger', 60],
  ['escalation_level2_working_days', 'escalation.level2', 1],
  ['info_request_urgent_hours', 'information_request.urgent', 4],
  ['info_request_standard_working_days', 'information_request.standard', 3],
];

/** Where each kind of work kept its clock before, and the rule its deadline runs under now. */
const CLOCKS = [
  {
    type: 'Concern',
    table: 'concern',
    rule: 'concern.decision',
    org: 'x.organisation_id',
    team: 'x.team_id',
    open: `x.status = 'OPEN'`,
    closedAt: 'x.decided_at',
    state: `'met'`,
  },
  {
    type: 'Referral',
    table: 'referral',
    rule: 'referral.decision',
    org: 'x.to_organisation_id',
    team: 'x.to_team_id',
    open: `x.status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
    closedAt: 'coalesce(x.decided_at, x.updated_at)',
    state: `CASE WHEN x.status = 'WITHDRAWN' THEN 'cancelled' ELSE 'met' END`,
  },
  {
    type: 'InformationRequest',
    table: 'information_request',
    rule: 'information_request.decision',
    org: 'x.to_organisation_id',
    team: 'NULL::uuid',
    open: `x.status = 'REQUESTED'`,
    closedAt: 'x.decided_at',
    state: `'met'`,
  },
];

/**
 * The casework kernel (issue #11): one `deadline` table for every clock, escalations keyed by
 * deadline and level, and local timescales as rows per organisation and key.
 *
 * Existing data: every open concern, referral and information request gets its deadline (its
 * due time and escalation state as they were); an item already decided that had escalations gets
 * a closed one, so its escalations keep a deadline to belong to. The due/overdue/escalation
 * columns go from the three tables, except `due_at`, which the inboxes sort by (kept in step by
 * the workflows). Each organisation_timescales row becomes one row per timescale.
 */
export class CaseworkKernel1795887000000 implements MigrationInterface {
  name = 'CaseworkKernel1795887000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "deadline" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subject_type" character varying(40) NOT NULL, "subject_id" uuid NOT NULL, "child_id" uuid, "organisation_id" uuid NOT NULL, "team_id" uuid, "responsible_user_id" uuid, "rule" character varying(60) NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "state" character varying(10) NOT NULL DEFAULT 'open', "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "overdue_at" TIMESTAMP WITH TIME ZONE, "next_escalation_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_deadline_closed" CHECK ((state = 'open') = (closed_at IS NULL)), CONSTRAINT "ck_deadline_state" CHECK (state IN ('open', 'met', 'cancelled')), CONSTRAINT "PK_9b68db28fc035ed8a84691bfbaf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "deadline" ADD CONSTRAINT "FK_19a4220662b9ff26098bf32ae51" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    // Open work: its clock as it stood. Decided work that was escalated: a closed deadline.
    for (const c of CLOCKS) {
      await queryRunner.query(
        `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, team_id, rule, due_at, state,
                               opened_at, overdue_at, next_escalation_at)
         SELECT '${c.type}', x.id, x.child_id, ${c.org}, ${c.team}, '${c.rule}', x.due_at, 'open', x.created_at,
                x.overdue_at, x.next_escalation_at
           FROM ${c.table} x WHERE ${c.open} AND x.due_at IS NOT NULL`,
      );
      await queryRunner.query(
        `INSERT INTO deadline (subject_type, subject_id, child_id, organisation_id, team_id, rule, due_at, state,
                               opened_at, closed_at, overdue_at)
         SELECT '${c.type}', x.id, x.child_id, ${c.org}, ${c.team}, '${c.rule}', e.due_at, ${c.state}, x.created_at,
                coalesce(${c.closedAt}, e.last_raised), e.first_raised
           FROM ${c.table} x
           JOIN (SELECT subject_id, min(due_at) AS due_at, min(raised_at) AS first_raised, max(raised_at) AS last_raised
                   FROM escalation WHERE subject_type = '${c.type}' GROUP BY subject_id) e ON e.subject_id = x.id
          WHERE NOT (${c.open} AND x.due_at IS NOT NULL)`,
      );
    }
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_deadline_open" ON "deadline"  ("subject_type", "subject_id", "rule") WHERE state = 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_deadline_due" ON "deadline"  ("due_at") WHERE state = 'open' AND overdue_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_deadline_next_escalation" ON "deadline"  ("next_escalation_at") WHERE state = 'open' AND next_escalation_at IS NOT NULL`,
    );

    // Escalations belong to deadlines now (one deadline per item above, so the match is exact).
    await queryRunner.query(`ALTER TABLE "escalation" ADD "deadline_id" uuid`);
    await queryRunner.query(
      `UPDATE escalation e SET deadline_id = d.id FROM deadline d
        WHERE d.subject_type = e.subject_type AND d.subject_id = e.subject_id`,
    );
    // Escalations of work no longer in the database have nothing left to belong to.
    await queryRunner.query(`DELETE FROM escalation WHERE deadline_id IS NULL`);
    await queryRunner.query(`ALTER TABLE "escalation" ALTER COLUMN "deadline_id" SET NOT NULL`);
    await queryRunner.query(`DROP INDEX "public"."uq_escalation_item_level"`);
    await queryRunner.query(`ALTER TABLE "escalation" DROP COLUMN "subject_id"`);
    await queryRunner.query(`ALTER TABLE "escalation" DROP COLUMN "subject_type"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_escalation_deadline_level" ON "escalation"  ("deadline_id", "level") `,
    );
    await queryRunner.query(
      `ALTER TABLE "escalation" ADD CONSTRAINT "FK_0286d481a6422aec5f8cb293d4c" FOREIGN KEY ("deadline_id") REFERENCES "deadline"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // The clocks' state lives in deadline now; due_at stays for the inbox order.
    await queryRunner.query(`DROP INDEX "public"."ix_concern_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_referral_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_information_request_due"`);
    for (const table of ['concern', 'referral', 'information_request']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "overdue_at"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "next_escalation_at"`);
    }

    // Local timescales: one row per organisation and key. Every column of an existing row is
    // carried over (the row held them all), so nothing an organisation had changes.
    await queryRunner.query(
      `CREATE TABLE "organisation_timescale" ("organisation_id" uuid NOT NULL, "key" character varying(60) NOT NULL, "value" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" uuid, CONSTRAINT "PK_3c12829341aafc353a3c1f94bb2" PRIMARY KEY ("organisation_id", "key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "organisation_timescale" ADD CONSTRAINT "FK_30466b9b8e7a12a32c2e3929696" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO organisation_timescale (organisation_id, key, value, updated_at, updated_by)
       SELECT t.organisation_id, v.key, v.value, now(), NULL FROM organisation_timescales t
        CROSS JOIN LATERAL (VALUES ${TIMESCALE_COLUMNS.map(([column, key]) => `('${key}', t.${column}::int)`).join(', ')}) AS v(key, value)`,
    );
    await queryRunner.query(`DROP TABLE "organisation_timescales"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organisation_timescales" ("organisation_id" uuid NOT NULL, ${TIMESCALE_COLUMNS.map(
        ([column, , fallback]) => `"${column}" smallint NOT NULL DEFAULT '${fallback}'`,
      ).join(', ')}, CONSTRAINT "PK_0b8ae3b2c1ca4815e390e5e005d" PRIMARY KEY ("organisation_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "organisation_timescales" ADD CONSTRAINT "FK_0b8ae3b2c1ca4815e390e5e005d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO organisation_timescales (organisation_id, ${TIMESCALE_COLUMNS.map(([column]) => column).join(', ')})
       SELECT organisation_id, ${TIMESCALE_COLUMNS.map(
         ([, key, fallback]) => `coalesce(max(value) FILTER (WHERE key = '${key}'), ${fallback})`,
       ).join(', ')}
         FROM organisation_timescale GROUP BY organisation_id`,
    );
    await queryRunner.query(`DROP TABLE "organisation_timescale"`);

    for (const table of ['concern', 'referral', 'information_request']) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD "overdue_at" TIMESTAMP WITH TIME ZONE`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD "next_escalation_at" TIMESTAMP WITH TIME ZONE`);
    }
    for (const c of CLOCKS) {
      await queryRunner.query(
        `UPDATE ${c.table} x SET overdue_at = d.overdue_at, next_escalation_at = d.next_escalation_at FROM deadline d
          WHERE d.subject_type = '${c.type}' AND d.subject_id = x.id AND d.rule = '${c.rule}' AND d.state = 'open'`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX "ix_concern_due" ON "concern" USING btree ("due_at") WHERE ((status)::text = 'OPEN'::text)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_referral_due" ON "referral" USING btree ("due_at") WHERE ((status)::text = ANY ((ARRAY['SUBMITTED'::character varying, 'ACKNOWLEDGED'::character varying])::text[]))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_information_request_due" ON "information_request" USING btree ("due_at") WHERE ((status)::text = 'REQUESTED'::text)`,
    );

    // An escalation goes back to its item; of two deadlines of one item (a referral's decision
    // and its MASH checks), the item keeps one escalation per level, as before.
    await queryRunner.query(`ALTER TABLE "escalation" DROP CONSTRAINT "FK_0286d481a6422aec5f8cb293d4c"`);
    await queryRunner.query(`DROP INDEX "public"."uq_escalation_deadline_level"`);
    await queryRunner.query(`ALTER TABLE "escalation" ADD "subject_type" character varying(30)`);
    await queryRunner.query(`ALTER TABLE "escalation" ADD "subject_id" uuid`);
    await queryRunner.query(
      `UPDATE escalation e SET subject_type = d.subject_type, subject_id = d.subject_id FROM deadline d WHERE d.id = e.deadline_id`,
    );
    await queryRunner.query(
      `DELETE FROM escalation e USING escalation f WHERE f.subject_type = e.subject_type AND f.subject_id = e.subject_id
          AND f.level = e.level AND (f.raised_at, f.id) < (e.raised_at, e.id)`,
    );
    await queryRunner.query(`ALTER TABLE "escalation" ALTER COLUMN "subject_type" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "escalation" ALTER COLUMN "subject_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "escalation" DROP COLUMN "deadline_id"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_escalation_item_level" ON "escalation" USING btree ("subject_type", "subject_id", "level") `,
    );
    await queryRunner.query(`DROP TABLE "deadline"`);
  }
}
