import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ClientTokenGeneration1795883000000 implements MigrationInterface {
  name = 'ClientTokenGeneration1795883000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "api_client" ADD "token_generation" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "api_client" ADD "tokens_valid_after" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "api_client" ADD "version" integer NOT NULL DEFAULT \'1\'');
    await queryRunner.query(
      'ALTER TABLE "api_client" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_api_client_tokens_valid_after" ON "api_client"  ("tokens_valid_after") WHERE tokens_valid_after IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_api_client_tokens_valid_after"');
    await queryRunner.query('ALTER TABLE "api_client" DROP COLUMN "updated_at"');
    await queryRunner.query('ALTER TABLE "api_client" DROP COLUMN "version"');
    await queryRunner.query('ALTER TABLE "api_client" DROP COLUMN "tokens_valid_after"');
    await queryRunner.query('ALTER TABLE "api_client" DROP COLUMN "token_generation"');
  }
}
