import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TherapeuticSupportPlans1796202336819 implements MigrationInterface {
  name = 'TherapeuticSupportPlans1796202336819';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "therapeutic_support_plan" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "service" character varying(200) NOT NULL, "consent_given_by" character varying(20) NOT NULL, "consent_given_on" date NOT NULL, "consent_notes" text, "start_date" date NOT NULL, "key_worker_id" uuid NOT NULL, "review_interval_months" integer NOT NULL DEFAULT \'3\', "next_review_due" date NOT NULL, "status" character varying(10) NOT NULL, "ended_on" date, "end_reason" character varying(40), "persons_view" text, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "version" integer NOT NULL DEFAULT \'1\', CONSTRAINT "ck_support_plan_ended" CHECK ((status = \'ENDED\') = (ended_on IS NOT NULL AND end_reason IS NOT NULL AND persons_view IS NOT NULL)), CONSTRAINT "ck_support_plan_interval" CHECK (review_interval_months BETWEEN 1 AND 12), CONSTRAINT "ck_support_plan_consent" CHECK (consent_given_by IN (\'child\', \'young_person\', \'parent_carer\', \'adult\')), CONSTRAINT "ck_support_plan_status" CHECK (status IN (\'ACTIVE\', \'ENDED\')), CONSTRAINT "PK_4287c3db54d3a834ecb8d83b5cb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_support_plan_child" ON "therapeutic_support_plan"  ("child_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_support_plan_organisation" ON "therapeutic_support_plan"  ("organisation_id", "status", "next_review_due", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "therapeutic_support_review" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "plan_id" uuid NOT NULL, "held_on" date NOT NULL, "outcome" text NOT NULL, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_4959d43d9996d1cc013bd944f40" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_support_review_plan" ON "therapeutic_support_review"  ("plan_id", "held_on", "id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "therapeutic_support_plan" ADD CONSTRAINT "FK_be8838fd9f672e0e5598fc079a6" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "therapeutic_support_review" ADD CONSTRAINT "FK_4c45042d2206c496656a2b0027e" FOREIGN KEY ("plan_id") REFERENCES "therapeutic_support_plan"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "therapeutic_support_review" DROP CONSTRAINT "FK_4c45042d2206c496656a2b0027e"',
    );
    await queryRunner.query('ALTER TABLE "therapeutic_support_plan" DROP CONSTRAINT "FK_be8838fd9f672e0e5598fc079a6"');
    await queryRunner.query('DROP INDEX "public"."ix_support_review_plan"');
    await queryRunner.query('DROP TABLE "therapeutic_support_review"');
    await queryRunner.query('DROP INDEX "public"."ix_support_plan_organisation"');
    await queryRunner.query('DROP INDEX "public"."ix_support_plan_child"');
    await queryRunner.query('DROP TABLE "therapeutic_support_plan"');
  }
}
