import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InboxIndex1795875078592 implements MigrationInterface {
  name = 'InboxIndex1795875078592';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "ix_referral_inbox_open" ON "referral"  ("to_organisation_id", "urgency", "due_at", "id") WHERE status IN (\'SUBMITTED\', \'ACKNOWLEDGED\')',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_referral_inbox_open"');
  }
}
