import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A support plan's review outcomes are sealed once recorded: the database refuses to change a
 * review row (a trigger), and a correction is a new review row naming the one it corrects, with a
 * reason; each review is corrected at most once (a chain: correct the latest).
 */
export class SupportReviewsSealed1796210000031 implements MigrationInterface {
  name = 'SupportReviewsSealed1796210000031';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" ADD "corrects_review_id" uuid');
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" ADD "correction_reason" text');
    await queryRunner.query(
      'ALTER TABLE "therapeutic_support_review" ADD CONSTRAINT "ck_support_review_correction" CHECK ((corrects_review_id IS NULL) = (correction_reason IS NULL))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_support_review_corrects" ON "therapeutic_support_review" ("corrects_review_id") WHERE corrects_review_id IS NOT NULL',
    );
    await queryRunner.query(
      'ALTER TABLE "therapeutic_support_review" ADD CONSTRAINT "fk_support_review_corrects" FOREIGN KEY ("corrects_review_id") REFERENCES "therapeutic_support_review"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      `CREATE FUNCTION "support_review_sealed"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'therapeutic_support_review is sealed: a review is corrected by a new review naming it'
           USING ERRCODE = 'integrity_constraint_violation';
       END $$`,
    );
    await queryRunner.query(
      'CREATE TRIGGER "support_review_sealed" BEFORE UPDATE ON "therapeutic_support_review" FOR EACH ROW EXECUTE FUNCTION "support_review_sealed"()',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "support_review_sealed" ON "therapeutic_support_review"');
    await queryRunner.query('DROP FUNCTION "support_review_sealed"()');
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" DROP CONSTRAINT "fk_support_review_corrects"');
    await queryRunner.query('DROP INDEX "public"."uq_support_review_corrects"');
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" DROP CONSTRAINT "ck_support_review_correction"');
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" DROP COLUMN "correction_reason"');
    await queryRunner.query('ALTER TABLE "therapeutic_support_review" DROP COLUMN "corrects_review_id"');
  }
}
