import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Referrals1795872550944 implements MigrationInterface {
  name = 'Referrals1795872550944';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "notification_read" ("notification_id" uuid NOT NULL, "user_id" uuid NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fbd2cd09eea11fef350670afcdf" PRIMARY KEY ("notification_id", "user_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "idempotency_record" ("actor_id" uuid NOT NULL, "key" character varying(200) NOT NULL, "method" character varying(10) NOT NULL, "path" character varying(300) NOT NULL, "request_hash" character varying(64) NOT NULL, "state" character varying(20) NOT NULL, "status_code" integer, "response_body" jsonb, "response_headers" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_idempotency_record_state" CHECK (state IN (\'in_progress\', \'completed\')), CONSTRAINT "pk_idempotency_record" PRIMARY KEY ("actor_id", "key"))',
    );
    await queryRunner.query('CREATE INDEX "ix_idempotency_record_expires" ON "idempotency_record"  ("expires_at") ');
    await queryRunner.query(
      'CREATE TABLE "concern" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "team_id" uuid, "reporter_id" uuid NOT NULL, "child_id" uuid, "category" character varying(30) NOT NULL, "what_was_seen" text NOT NULL, "childs_words" text, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "immediate_danger" boolean NOT NULL DEFAULT false, "status" character varying(20) NOT NULL DEFAULT \'OPEN\', "decision_reason" character varying(2000), "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "urgency" smallint NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "overdue_at" TIMESTAMP WITH TIME ZONE, "next_escalation_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "subject_given_name" character varying(100), "subject_family_name" character varying(100), "subject_date_of_birth" date, "subject_approximate_age" smallint, "subject_address" character varying(300), "subject_school" character varying(200), CONSTRAINT "ck_concern_status" CHECK (status IN (\'OPEN\', \'MONITOR\', \'NO_FURTHER_ACTION\', \'REFERRED\')), CONSTRAINT "PK_17272f51582db9d4ed6af9c7007" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_concern_due" ON "concern"  ("due_at") WHERE status = \'OPEN\'');
    await queryRunner.query('CREATE INDEX "ix_concern_child" ON "concern"  ("child_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_concern_inbox" ON "concern"  ("organisation_id", "status", "urgency", "due_at", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "referral" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "from_organisation_id" uuid NOT NULL, "from_actor_id" uuid NOT NULL, "to_organisation_id" uuid NOT NULL, "to_team_id" uuid NOT NULL, "child_id" uuid, "reason" text NOT NULL, "rag" character varying(5) NOT NULL, "immediate_danger" boolean NOT NULL DEFAULT false, "consent_obtained" boolean NOT NULL, "no_consent_reason" character varying(1000), "lawful_basis" character varying(60), "status" character varying(20) NOT NULL DEFAULT \'SUBMITTED\', "decline_reason" character varying(2000), "triage_rag" character varying(5), "triaged_at" TIMESTAMP WITH TIME ZONE, "outcome" character varying(30), "outcome_reason" character varying(2000), "decided_at" TIMESTAMP WITH TIME ZONE, "urgency" smallint NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "overdue_at" TIMESTAMP WITH TIME ZONE, "next_escalation_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "subject_given_name" character varying(100), "subject_family_name" character varying(100), "subject_date_of_birth" date, "subject_approximate_age" smallint, "subject_address" character varying(300), "subject_school" character varying(200), CONSTRAINT "ck_referral_consent" CHECK (consent_obtained OR (lawful_basis IS NOT NULL AND no_consent_reason IS NOT NULL)), CONSTRAINT "ck_referral_rag" CHECK (rag IN (\'RED\', \'AMBER\', \'GREEN\')), CONSTRAINT "ck_referral_status" CHECK (status IN (\'SUBMITTED\', \'ACKNOWLEDGED\', \'ACCEPTED\', \'DECLINED\', \'WITHDRAWN\', \'CLOSED\')), CONSTRAINT "PK_a2d3e935a6591168066defec5ad" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_referral_due" ON "referral"  ("due_at") WHERE status IN (\'SUBMITTED\', \'ACKNOWLEDGED\')',
    );
    await queryRunner.query('CREATE INDEX "ix_referral_child" ON "referral"  ("child_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_referral_sent" ON "referral"  ("from_organisation_id", "created_at", "id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_referral_inbox" ON "referral"  ("to_organisation_id", "status", "urgency", "due_at", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "referral_concern" ("referral_id" uuid NOT NULL, "concern_id" uuid NOT NULL, CONSTRAINT "PK_57a17641b2bbd19b6dc42c8b169" PRIMARY KEY ("referral_id", "concern_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "referral_transition" ("id" BIGSERIAL NOT NULL, "referral_id" uuid NOT NULL, "from_status" character varying(20), "to_status" character varying(20) NOT NULL, "actor_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "reason" character varying(2000), "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8d97262518aa045748622135c57" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_referral_transition_referral" ON "referral_transition"  ("referral_id", "at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "escalation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subject_type" character varying(20) NOT NULL, "subject_id" uuid NOT NULL, "level" smallint NOT NULL, "organisation_id" uuid NOT NULL, "team_id" uuid, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_2c9a4d9277ed8620a8a72813864" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_escalation_org" ON "escalation"  ("organisation_id", "raised_at") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_escalation_item_level" ON "escalation"  ("subject_type", "subject_id", "level") ',
    );
    await queryRunner.query(
      'CREATE TABLE "organisation_timescales" ("organisation_id" uuid NOT NULL, "referral_decision_working_days" smallint NOT NULL DEFAULT \'1\', "rag_red_working_hours" smallint NOT NULL DEFAULT \'4\', "rag_amber_working_hours" smallint NOT NULL DEFAULT \'24\', "rag_green_hours" smallint NOT NULL DEFAULT \'72\', "concern_decision_working_days" smallint NOT NULL DEFAULT \'1\', "immediate_danger_minutes" smallint NOT NULL DEFAULT \'60\', "escalation_level2_working_days" smallint NOT NULL DEFAULT \'1\', CONSTRAINT "PK_0b8ae3b2c1ca4815e390e5e005d" PRIMARY KEY ("organisation_id"))',
    );
    await queryRunner.query('ALTER TABLE "notification" ADD "audience_roles" text array NOT NULL DEFAULT \'{}\'');
    await queryRunner.query(
      'ALTER TABLE "concern" ADD CONSTRAINT "FK_164441ecb3e92ce813a1f502ce3" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "concern" ADD CONSTRAINT "FK_945a27196865dea563860edd858" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral" ADD CONSTRAINT "FK_5c5abe3dd5528fe3f5256b23a0f" FOREIGN KEY ("from_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral" ADD CONSTRAINT "FK_c7d50865a0ac0561c4a793a0d44" FOREIGN KEY ("to_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral" ADD CONSTRAINT "FK_d69a364c3939c558cd11545c930" FOREIGN KEY ("to_team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral" ADD CONSTRAINT "FK_8dd5a51777a1148b7a3b5f35fd2" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_concern" ADD CONSTRAINT "FK_ade08cfbc73756ec08b86f480b8" FOREIGN KEY ("referral_id") REFERENCES "referral"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_concern" ADD CONSTRAINT "FK_6386422abf46c792e2224291bec" FOREIGN KEY ("concern_id") REFERENCES "concern"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "referral_transition" ADD CONSTRAINT "FK_3f1eb4a69836d5e025da18c2e22" FOREIGN KEY ("referral_id") REFERENCES "referral"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "organisation_timescales" ADD CONSTRAINT "FK_0b8ae3b2c1ca4815e390e5e005d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "organisation_timescales" DROP CONSTRAINT "FK_0b8ae3b2c1ca4815e390e5e005d"');
    await queryRunner.query('ALTER TABLE "referral_transition" DROP CONSTRAINT "FK_3f1eb4a69836d5e025da18c2e22"');
    await queryRunner.query('ALTER TABLE "referral_concern" DROP CONSTRAINT "FK_6386422abf46c792e2224291bec"');
    await queryRunner.query('ALTER TABLE "referral_concern" DROP CONSTRAINT "FK_ade08cfbc73756ec08b86f480b8"');
    await queryRunner.query('ALTER TABLE "referral" DROP CONSTRAINT "FK_8dd5a51777a1148b7a3b5f35fd2"');
    await queryRunner.query('ALTER TABLE "referral" DROP CONSTRAINT "FK_d69a364c3939c558cd11545c930"');
    await queryRunner.query('ALTER TABLE "referral" DROP CONSTRAINT "FK_c7d50865a0ac0561c4a793a0d44"');
    await queryRunner.query('ALTER TABLE "referral" DROP CONSTRAINT "FK_5c5abe3dd5528fe3f5256b23a0f"');
    await queryRunner.query('ALTER TABLE "concern" DROP CONSTRAINT "FK_945a27196865dea563860edd858"');
    await queryRunner.query('ALTER TABLE "concern" DROP CONSTRAINT "FK_164441ecb3e92ce813a1f502ce3"');
    await queryRunner.query('ALTER TABLE "notification" DROP COLUMN "audience_roles"');
    await queryRunner.query('DROP TABLE "organisation_timescales"');
    await queryRunner.query('DROP INDEX "public"."uq_escalation_item_level"');
    await queryRunner.query('DROP INDEX "public"."ix_escalation_org"');
    await queryRunner.query('DROP TABLE "escalation"');
    await queryRunner.query('DROP INDEX "public"."ix_referral_transition_referral"');
    await queryRunner.query('DROP TABLE "referral_transition"');
    await queryRunner.query('DROP TABLE "referral_concern"');
    await queryRunner.query('DROP INDEX "public"."ix_referral_inbox"');
    await queryRunner.query('DROP INDEX "public"."ix_referral_sent"');
    await queryRunner.query('DROP INDEX "public"."ix_referral_child"');
    await queryRunner.query('DROP INDEX "public"."ix_referral_due"');
    await queryRunner.query('DROP TABLE "referral"');
    await queryRunner.query('DROP INDEX "public"."ix_concern_inbox"');
    await queryRunner.query('DROP INDEX "public"."ix_concern_child"');
    await queryRunner.query('DROP INDEX "public"."ix_concern_due"');
    await queryRunner.query('DROP TABLE "concern"');
    await queryRunner.query('DROP INDEX "public"."ix_idempotency_record_expires"');
    await queryRunner.query('DROP TABLE "idempotency_record"');
    await queryRunner.query('DROP TABLE "notification_read"');
  }
}
