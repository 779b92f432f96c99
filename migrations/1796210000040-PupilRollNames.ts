import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pupil roll keeps the name and date of birth the school knows (issue 11: education no longer
 * joins the children module's `child` table to list, filter or order its roll). Existing pupils take
 * them from the record they were enrolled from; then the columns are required.
 */
export class PupilRollNames1796210000040 implements MigrationInterface {
  name = 'PupilRollNames1796210000040';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "pupil" ADD "given_name" character varying(100)');
    await queryRunner.query('ALTER TABLE "pupil" ADD "family_name" character varying(100)');
    await queryRunner.query('ALTER TABLE "pupil" ADD "date_of_birth" date');
    await queryRunner.query(
      `UPDATE "pupil" p SET "given_name" = c."given_name", "family_name" = c."family_name", "date_of_birth" = c."date_of_birth"
         FROM "child" c WHERE c."id" = p."child_id"`,
    );
    await queryRunner.query('ALTER TABLE "pupil" ALTER COLUMN "given_name" SET NOT NULL');
    await queryRunner.query('ALTER TABLE "pupil" ALTER COLUMN "family_name" SET NOT NULL');
    await queryRunner.query(
      'CREATE INDEX "ix_pupil_roll_name" ON "pupil" ("organisation_id", "family_name", "given_name", "id") WHERE left_on IS NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_pupil_roll_name"');
    await queryRunner.query('ALTER TABLE "pupil" DROP COLUMN "date_of_birth"');
    await queryRunner.query('ALTER TABLE "pupil" DROP COLUMN "family_name"');
    await queryRunner.query('ALTER TABLE "pupil" DROP COLUMN "given_name"');
  }
}
