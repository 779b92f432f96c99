import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RoleGrants1795883100000 implements MigrationInterface {
  name = 'RoleGrants1795883100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "role_grant" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "user_id" uuid NOT NULL, "roles" text array NOT NULL, "status" character varying(10) NOT NULL DEFAULT \'pending\', "requested_by" uuid NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "comment" character varying(500), CONSTRAINT "ck_role_grant_decided" CHECK ((status = \'pending\') = (decided_by IS NULL AND decided_at IS NULL)), CONSTRAINT "ck_role_grant_status" CHECK (status IN (\'pending\', \'approved\', \'rejected\')), CONSTRAINT "PK_b9e50aafa723c536731c38529fb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_role_grant_pending_user" ON "role_grant"  ("user_id") WHERE status = \'pending\'',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_role_grant_organisation" ON "role_grant"  ("organisation_id", "requested_at", "id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "role_grant" ADD CONSTRAINT "FK_32da50c60e4e89311514ba70a7a" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "role_grant" ADD CONSTRAINT "FK_cbca8b01eca20fa033ef14946b2" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "role_grant" ADD CONSTRAINT "FK_c740e2653ec451f51e37c63bd55" FOREIGN KEY ("requested_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "role_grant" ADD CONSTRAINT "FK_e18f55450ac8c01a234b6e7fec0" FOREIGN KEY ("decided_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "role_grant" DROP CONSTRAINT "FK_e18f55450ac8c01a234b6e7fec0"');
    await queryRunner.query('ALTER TABLE "role_grant" DROP CONSTRAINT "FK_c740e2653ec451f51e37c63bd55"');
    await queryRunner.query('ALTER TABLE "role_grant" DROP CONSTRAINT "FK_cbca8b01eca20fa033ef14946b2"');
    await queryRunner.query('ALTER TABLE "role_grant" DROP CONSTRAINT "FK_32da50c60e4e89311514ba70a7a"');
    await queryRunner.query('DROP INDEX "public"."ix_role_grant_organisation"');
    await queryRunner.query('DROP INDEX "public"."uq_role_grant_pending_user"');
    await queryRunner.query('DROP TABLE "role_grant"');
  }
}
