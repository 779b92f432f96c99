import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The council's section carries the start date of the plan or period its status stands for (the
 * protection-status look-up answers it). Filled, for statuses already recorded, from children's
 * services' running plan or period; a status with nothing behind it (seeded) keeps no date.
 */
export class CouncilPlanStartDate1796210000032 implements MigrationInterface {
  name = 'CouncilPlanStartDate1796210000032';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "agency_section" ADD "plan_start_date" date');
    await queryRunner.query(
      'ALTER TABLE "agency_section" ADD CONSTRAINT "ck_agency_section_plan_start" CHECK (plan_start_date IS NULL OR plan_status IS NOT NULL)',
    );
    await queryRunner.query(
      `UPDATE agency_section s SET plan_start_date = CASE
         WHEN s.plan_status IN ('child_protection_plan', 'unborn_child_protection_plan') THEN
           (SELECT min(p.start_date) FROM cs_plan p WHERE p.child_id = s.child_id AND p.organisation_id = s.organisation_id
               AND p.kind = 'CP' AND p.status = 'ACTIVE')
         WHEN s.plan_status = 'looked_after' THEN
           (SELECT min(l.start_date) FROM cs_looked_after l WHERE l.child_id = s.child_id
               AND l.organisation_id = s.organisation_id AND l.end_date IS NULL)
         WHEN s.plan_status = 'child_in_need_plan' THEN
           (SELECT min(p.start_date) FROM cs_plan p WHERE p.child_id = s.child_id AND p.organisation_id = s.organisation_id
               AND p.kind = 'CIN' AND p.status = 'ACTIVE')
       END
       WHERE s.agency_type = 'local_authority' AND s.plan_status IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "agency_section" DROP CONSTRAINT "ck_agency_section_plan_start"');
    await queryRunner.query('ALTER TABLE "agency_section" DROP COLUMN "plan_start_date"');
  }
}
