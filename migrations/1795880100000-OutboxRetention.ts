import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxRetention1795880100000 implements MigrationInterface {
  name = 'OutboxRetention1795880100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_event_dispatched" ON "outbox_event"  ("dispatched_at") WHERE dispatched_at IS NOT NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_outbox_event_dispatched"');
  }
}
