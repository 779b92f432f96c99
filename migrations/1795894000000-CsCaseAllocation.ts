import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Children's services: a case's allocated social worker and team (the caseload list, and Annex A's
 * "Allocated Team" / "Allocated Worker"), and the indexes Annex A and the census count a child's
 * earlier enquiries, conferences and plans with. Existing cases keep no allocation (null).
 */
export class CsCaseAllocation1795894000000 implements MigrationInterface {
  name = 'CsCaseAllocation1795894000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "cs_case" ADD "allocated_worker_id" uuid');
    await queryRunner.query('ALTER TABLE "cs_case" ADD "team_id" uuid');
    await queryRunner.query(
      'CREATE INDEX "ix_cs_case_worker" ON "cs_case"  ("organisation_id", "allocated_worker_id", "status", "referral_date", "id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_cs_case_team" ON "cs_case"  ("organisation_id", "team_id", "status", "referral_date", "id") ',
    );
    await queryRunner.query('CREATE INDEX "ix_cs_s47_child" ON "cs_s47"  ("child_id", "start_date") ');
    await queryRunner.query('CREATE INDEX "ix_cs_conference_child" ON "cs_conference"  ("child_id", "held_on") ');
    await queryRunner.query('CREATE INDEX "ix_cs_plan_child" ON "cs_plan"  ("child_id", "start_date") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_cs_plan_child"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_conference_child"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_s47_child"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_case_team"');
    await queryRunner.query('DROP INDEX "public"."ix_cs_case_worker"');
    await queryRunner.query('ALTER TABLE "cs_case" DROP COLUMN "team_id"');
    await queryRunner.query('ALTER TABLE "cs_case" DROP COLUMN "allocated_worker_id"');
  }
}
