import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProtectionStatusLookups1795892100000 implements MigrationInterface {
  name = 'ProtectionStatusLookups1795892100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "protection_status_lookup" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "nhs_number" character(10) NOT NULL, "child_id" uuid, "status" character varying(40) NOT NULL, "council_organisation_id" uuid, "organisation_id" uuid NOT NULL, "user_id" uuid NOT NULL, "purpose" character varying(40) NOT NULL, "looked_up_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_protection_lookup_status" CHECK (status IN (\'CHILD_PROTECTION_PLAN\', \'LOOKED_AFTER\', \'UNBORN_CHILD_PROTECTION_PLAN\', \'NONE_KNOWN\')), CONSTRAINT "PK_4d207e45d08d2a8a2e48383efff" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_protection_lookup_council" ON "protection_status_lookup"  ("council_organisation_id", "looked_up_at", "id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_protection_lookup_child" ON "protection_status_lookup"  ("child_id", "looked_up_at", "id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "protection_status_lookup" ADD CONSTRAINT "FK_b7d91f053d9c562b38c816b2269" FOREIGN KEY ("council_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "protection_status_lookup" ADD CONSTRAINT "FK_8215c70a8c7ee0c46d4856bd977" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "protection_status_lookup" DROP CONSTRAINT "FK_8215c70a8c7ee0c46d4856bd977"');
    await queryRunner.query('ALTER TABLE "protection_status_lookup" DROP CONSTRAINT "FK_b7d91f053d9c562b38c816b2269"');
    await queryRunner.query('DROP INDEX "public"."ix_protection_lookup_child"');
    await queryRunner.query('DROP INDEX "public"."ix_protection_lookup_council"');
    await queryRunner.query('DROP TABLE "protection_status_lookup"');
  }
}
