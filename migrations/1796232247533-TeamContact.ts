import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A team's contact phone and mailbox (optional): the protection-status look-up answers the
 * council's front door (its MASH) with them, so a nurse can reach the council from the answer.
 */
export class TeamContact1796232247533 implements MigrationInterface {
  name = 'TeamContact1796232247533';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "team" ADD "contact_phone" character varying(30)');
    await queryRunner.query('ALTER TABLE "team" ADD "contact_email" character varying(254)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "team" DROP COLUMN "contact_email"');
    await queryRunner.query('ALTER TABLE "team" DROP COLUMN "contact_phone"');
  }
}
