import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ChildrensServices1795890000000 implements MigrationInterface {
  name = 'ChildrensServices1795890000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "cs_case" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "child_id" uuid NOT NULL, "referral_id" uuid, "referral_date" date NOT NULL, "referral_source" character varying(3) NOT NULL, "primary_need" character varying(2), "status" character varying(10) NOT NULL, "referral_nfa" boolean NOT NULL DEFAULT false, "closure_date" date, "closure_reason" character varying(3), "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_case_status" CHECK (status IN (\'OPEN\', \'CLOSED\')), CONSTRAINT "PK_9444ec0af91ed915bb64aa2f38b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "ux_cs_case_referral" ON "cs_case"  ("referral_id") WHERE referral_id IS NOT NULL',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_case_child" ON "cs_case"  ("child_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_cs_case_org_referral_date" ON "cs_case"  ("organisation_id", "referral_date") ',
    );
    await queryRunner.query(
      'CREATE TABLE "cs_assessment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "status" character varying(12) NOT NULL, "start_date" date NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "authorised_date" date, "authorised_by" uuid, "outcome" character varying(24), "factors" text array NOT NULL DEFAULT \'{}\', "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_assessment_status" CHECK (status IN (\'OPEN\', \'AUTHORISED\')), CONSTRAINT "PK_59bac6f8026e9667ec991e0fdad" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_assessment_case" ON "cs_assessment"  ("case_id") ');
    await queryRunner.query(
      'CREATE TABLE "cs_strategy_discussion" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "status" character varying(12) NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "held_on" date, "attendees" jsonb NOT NULL DEFAULT \'[]\', "outcome" character varying(20), "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_strategy_status" CHECK (status IN (\'CONVENED\', \'HELD\')), CONSTRAINT "PK_b65c1e9289304f4d45c48084d74" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_strategy_case" ON "cs_strategy_discussion"  ("case_id") ');
    await queryRunner.query(
      'CREATE TABLE "cs_s47" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "strategy_discussion_id" uuid NOT NULL, "joint" boolean NOT NULL DEFAULT false, "status" character varying(12) NOT NULL, "start_date" date NOT NULL, "icpc_target" date NOT NULL, "completed_date" date, "outcome" character varying(16), "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_s47_status" CHECK (status IN (\'OPEN\', \'COMPLETED\')), CONSTRAINT "PK_72a90560585ce479ff1027e050b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_s47_case" ON "cs_s47"  ("case_id") ');
    await queryRunner.query(
      'CREATE TABLE "cs_conference" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "kind" character varying(8) NOT NULL, "s47_id" uuid, "plan_id" uuid, "held_on" date NOT NULL, "chair_id" uuid NOT NULL, "attendees" jsonb NOT NULL DEFAULT \'[]\', "decision" character varying(10) NOT NULL, "late_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_conference_kind" CHECK (kind IN (\'INITIAL\', \'REVIEW\')), CONSTRAINT "PK_9bfa197f454bc83fbfe70bff5d9" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_conference_case" ON "cs_conference"  ("case_id") ');
    await queryRunner.query(
      'CREATE TABLE "cs_plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "kind" character varying(3) NOT NULL, "status" character varying(8) NOT NULL, "start_date" date NOT NULL, "end_date" date, "initial_category" character varying(3), "latest_category" character varying(3), "lead_social_worker_id" uuid, "core_group" uuid array NOT NULL DEFAULT \'{}\', "next_review_due" date, "end_reason" text, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_cs_plan_status" CHECK (status IN (\'ACTIVE\', \'ENDED\')), CONSTRAINT "ck_cs_plan_kind" CHECK (kind IN (\'CP\', \'CIN\')), CONSTRAINT "PK_3571209dcc2ddbcf812592b5c19" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_plan_case" ON "cs_plan"  ("case_id") ');
    await queryRunner.query(
      'CREATE TABLE "cs_looked_after" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "case_id" uuid NOT NULL, "child_id" uuid NOT NULL, "start_date" date NOT NULL, "end_date" date, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_880d16cd5dd0c9ed7ad656976c7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_looked_after_case" ON "cs_looked_after"  ("case_id") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_cs_looked_after_case"');
    await queryRunner.query('DROP TABLE "cs_looked_after"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_plan_case"');
    await queryRunner.query('DROP TABLE "cs_plan"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_conference_case"');
    await queryRunner.query('DROP TABLE "cs_conference"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_s47_case"');
    await queryRunner.query('DROP TABLE "cs_s47"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_strategy_case"');
    await queryRunner.query('DROP TABLE "cs_strategy_discussion"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_assessment_case"');
    await queryRunner.query('DROP TABLE "cs_assessment"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_case_org_referral_date"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_case_child"');
    await queryRunner.query('DROP INDEX "public"."ux_cs_case_referral"');
    await queryRunner.query('DROP TABLE "cs_case"');
  }
}
