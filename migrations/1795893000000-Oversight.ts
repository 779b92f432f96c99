import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Oversight1795893000000 implements MigrationInterface {
  name = 'Oversight1795893000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "oversight_export" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "created_by" uuid NOT NULL, "format" character varying(10) NOT NULL, "sha256" character varying(64) NOT NULL, "audit_head_seal_seq" bigint, "audit_head_hash" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_oversight_export_format" CHECK (format IN (\'csv\', \'pdf\')), CONSTRAINT "PK_0994a9e822d6c175f389176bcaa" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_oversight_export_child" ON "oversight_export"  ("child_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "whistleblowing_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(20) NOT NULL, "secret_hash" character varying(200) NOT NULL, "organisation_id" uuid NOT NULL, "concerned_organisation_id" uuid, "category" character varying(30) NOT NULL, "status" character varying(20) NOT NULL DEFAULT \'received\', "assigned_to" uuid, "outcome" character varying(30), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT \'1\', CONSTRAINT "ck_whistleblowing_report_closed" CHECK ((status = \'closed\') = (outcome IS NOT NULL)), CONSTRAINT "ck_whistleblowing_report_status" CHECK (status IN (\'received\', \'acknowledged\', \'assigned\', \'closed\')), CONSTRAINT "PK_277ca4cdad88b79f61cae952699" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_whistleblowing_report_org" ON "whistleblowing_report"  ("organisation_id", "received_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_whistleblowing_report_reference" ON "whistleblowing_report"  ("reference") ',
    );
    await queryRunner.query(
      'CREATE TABLE "whistleblowing_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "report_id" uuid NOT NULL, "author" character varying(10) NOT NULL, "author_user_id" uuid, "audience" character varying(20) NOT NULL, "body" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_whistleblowing_message_audience" CHECK (audience IN (\'inspectorate\', \'reporter\', \'organisation\')), CONSTRAINT "ck_whistleblowing_message_author" CHECK (author IN (\'reporter\', \'officer\')), CONSTRAINT "PK_0a6176ceac6e6438a08fd0f36e5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_whistleblowing_message_report" ON "whistleblowing_message"  ("report_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "whistleblowing_attempt" ("id" BIGSERIAL NOT NULL, "key" character varying(80) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a4ac800d5c69f7094252bf57414" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_whistleblowing_attempt_key_at" ON "whistleblowing_attempt"  ("key", "at") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_whistleblowing_attempt_key_at"');
    await queryRunner.query('DROP TABLE "whistleblowing_attempt"');
    await queryRunner.query('DROP INDEX "public"."ix_whistleblowing_message_report"');
    await queryRunner.query('DROP TABLE "whistleblowing_message"');
    await queryRunner.query('DROP INDEX "public"."uq_whistleblowing_report_reference"');
    await queryRunner.query('DROP INDEX "public"."ix_whistleblowing_report_org"');
    await queryRunner.query('DROP TABLE "whistleblowing_report"');
    await queryRunner.query('DROP INDEX "public"."ix_oversight_export_child"');
    await queryRunner.query('DROP TABLE "oversight_export"');
  }
}
