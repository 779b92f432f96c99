import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TokenGeneration1795880600000 implements MigrationInterface {
  name = 'TokenGeneration1795880600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "app_user" ADD "token_generation" integer NOT NULL DEFAULT \'0\'');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "app_user" DROP COLUMN "token_generation"');
  }
}
