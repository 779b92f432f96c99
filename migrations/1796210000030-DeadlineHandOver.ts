import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The kernel hands a running clock over (Deadlines.handOver): the clock closes as 'handed_over',
 * naming the clock that carries on for the new holder (same rule, same due time). The state column
 * grows to hold the new word (a longer varchar: no rewrite). Indexed by the successor, so the
 * previous holder is found at once and deleting clocks checks the key without a scan.
 */
export class DeadlineHandOver1796210000030 implements MigrationInterface {
  name = 'DeadlineHandOver1796210000030';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "deadline" DROP CONSTRAINT "ck_deadline_state"');
    await queryRunner.query('ALTER TABLE "deadline" ALTER COLUMN "state" TYPE character varying(12)');
    await queryRunner.query('ALTER TABLE "deadline" ADD "handed_over_to" uuid');
    await queryRunner.query(
      `ALTER TABLE "deadline" ADD CONSTRAINT "ck_deadline_state" CHECK (state IN ('open', 'met', 'cancelled', 'handed_over'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "deadline" ADD CONSTRAINT "ck_deadline_handed_over" CHECK (handed_over_to IS NULL OR state = 'handed_over')`,
    );
    await queryRunner.query(
      'ALTER TABLE "deadline" ADD CONSTRAINT "fk_deadline_handed_over_to" FOREIGN KEY ("handed_over_to") REFERENCES "deadline"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    // Who held a clock before (responsibility, timeline), and the key's check when a clock is deleted.
    await queryRunner.query(
      'CREATE INDEX "ix_deadline_handed_over_to" ON "deadline" ("handed_over_to") WHERE handed_over_to IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // On the old shape a clock handed over is one its holder no longer had to meet: cancelled.
    await queryRunner.query('DROP INDEX "public"."ix_deadline_handed_over_to"');
    await queryRunner.query('ALTER TABLE "deadline" DROP CONSTRAINT "fk_deadline_handed_over_to"');
    await queryRunner.query('ALTER TABLE "deadline" DROP CONSTRAINT "ck_deadline_handed_over"');
    await queryRunner.query('ALTER TABLE "deadline" DROP CONSTRAINT "ck_deadline_state"');
    await queryRunner.query(`UPDATE "deadline" SET state = 'cancelled' WHERE state = 'handed_over'`);
    await queryRunner.query('ALTER TABLE "deadline" DROP COLUMN "handed_over_to"');
    await queryRunner.query('ALTER TABLE "deadline" ALTER COLUMN "state" TYPE character varying(10)');
    await queryRunner.query(
      `ALTER TABLE "deadline" ADD CONSTRAINT "ck_deadline_state" CHECK (state IN ('open', 'met', 'cancelled'))`,
    );
  }
}
