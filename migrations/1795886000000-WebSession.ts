import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web service's sessions (express-session + connect-pg-simple's columns). No entity: only
 * apps/web reads it, through its session store. The access token inside `sess` is sealed.
 */
export class WebSession1795886000000 implements MigrationInterface {
  name = 'WebSession1795886000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "web_session" ("sid" character varying NOT NULL, "sess" json NOT NULL, "expire" TIMESTAMP(6) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_web_session" PRIMARY KEY ("sid"))',
    );
    await queryRunner.query('CREATE INDEX "ix_web_session_expire" ON "web_session" ("expire")');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_web_session_expire"');
    await queryRunner.query('DROP TABLE "web_session"');
  }
}
