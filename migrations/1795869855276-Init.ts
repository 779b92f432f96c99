import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795869855276 implements MigrationInterface {
  name = 'Init1795869855276';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "organisation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(20) NOT NULL, "name" character varying(200) NOT NULL, "type" character varying(20) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_organisation_type" CHECK (type IN (\'police_force\', \'local_authority\', \'school\', \'health\', \'oversight\')), CONSTRAINT "PK_c725ae234ef1b74cce43d2d00c1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_organisation_code" ON "organisation"  ("code") ');
    await queryRunner.query(
      'CREATE TABLE "team" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "function" character varying(40) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f57d8293406df4af348402e4b74" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_team_name" ON "team"  ("organisation_id", "name") ');
    await queryRunner.query(
      'CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "name" character varying(200) NOT NULL, "organisation_id" uuid NOT NULL, "team_id" uuid, "roles" text array NOT NULL DEFAULT \'{}\', "password_hash" character varying(255) NOT NULL, "active" boolean NOT NULL DEFAULT true, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_app_user_email_lower" CHECK (email = lower(email)), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_app_user_email" ON "app_user"  ("email") ');
    await queryRunner.query(
      'CREATE INDEX "ix_app_user_organisation" ON "app_user"  ("organisation_id", "name", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "api_client" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "client_id" character varying(100) NOT NULL, "secret_hash" character varying(255) NOT NULL, "scopes" text array NOT NULL DEFAULT \'{}\', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_82a5ec6981d2be903a9eb1d9b9a" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_api_client_client_id" ON "api_client"  ("client_id") ');
    await queryRunner.query(
      'CREATE TABLE "login_failure" ("id" BIGSERIAL NOT NULL, "key" character varying(100) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_5df78140d5d3f4afc249d879cdf" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_login_failure_key_at" ON "login_failure"  ("key", "at") ');
    await queryRunner.query(
      'ALTER TABLE "team" ADD CONSTRAINT "FK_f86f7d0f12e5ce185e6813b040d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "app_user" ADD CONSTRAINT "FK_6fa42e978fa7d7adc32736e26fd" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "app_user" ADD CONSTRAINT "FK_1fdf67ee935e78f5d7842795467" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "api_client" ADD CONSTRAINT "FK_8184d7cb314d8da1c6c8da37f50" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "api_client" DROP CONSTRAINT "FK_8184d7cb314d8da1c6c8da37f50"');
    await queryRunner.query('ALTER TABLE "app_user" DROP CONSTRAINT "FK_1fdf67ee935e78f5d7842795467"');
    await queryRunner.query('ALTER TABLE "app_user" DROP CONSTRAINT "FK_6fa42e978fa7d7adc32736e26fd"');
    await queryRunner.query('ALTER TABLE "team" DROP CONSTRAINT "FK_f86f7d0f12e5ce185e6813b040d"');
    await queryRunner.query('DROP INDEX "public"."ix_login_failure_key_at"');
    await queryRunner.query('DROP TABLE "login_failure"');
    await queryRunner.query('DROP INDEX "public"."uq_api_client_client_id"');
    await queryRunner.query('DROP TABLE "api_client"');
    await queryRunner.query('DROP INDEX "public"."ix_app_user_organisation"');
    await queryRunner.query('DROP INDEX "public"."uq_app_user_email"');
    await queryRunner.query('DROP TABLE "app_user"');
    await queryRunner.query('DROP INDEX "public"."uq_team_name"');
    await queryRunner.query('DROP TABLE "team"');
    await queryRunner.query('DROP INDEX "public"."uq_organisation_code"');
    await queryRunner.query('DROP TABLE "organisation"');
  }
}
