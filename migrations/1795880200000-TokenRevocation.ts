import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TokenRevocation1795880200000 implements MigrationInterface {
  name = 'TokenRevocation1795880200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "app_user" ADD "tokens_valid_after" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query(
      'CREATE INDEX "ix_app_user_tokens_valid_after" ON "app_user"  ("tokens_valid_after") WHERE tokens_valid_after IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_app_user_tokens_valid_after"');
    await queryRunner.query('ALTER TABLE "app_user" DROP COLUMN "tokens_valid_after"');
  }
}
