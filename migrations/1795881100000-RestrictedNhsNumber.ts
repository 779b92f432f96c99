import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An NHS number is unique among unrestricted records only: registering a restricted child's NHS
 * number must answer exactly as for an unknown child (the case team is told of the duplicate).
 */
export class RestrictedNhsNumber1795881100000 implements MigrationInterface {
  name = 'RestrictedNhsNumber1795881100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_child_nhs_number"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_child_nhs_number" ON "child" ("nhs_number") WHERE nhs_number IS NOT NULL AND NOT restricted`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_child_nhs_number"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_child_nhs_number" ON "child" ("nhs_number") WHERE nhs_number IS NOT NULL`,
    );
  }
}
