import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimitWindow1795880400000 implements MigrationInterface {
  name = 'RateLimitWindow1795880400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "rate_limit_window" ("key" character varying(160) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "hits" integer NOT NULL, CONSTRAINT "PK_abed1cba8b3f195c0ed701bafb3" PRIMARY KEY ("key"))',
    );
    await queryRunner.query('CREATE INDEX "ix_rate_limit_window_started" ON "rate_limit_window"  ("started_at") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_rate_limit_window_started"');
    await queryRunner.query('DROP TABLE "rate_limit_window"');
  }
}
