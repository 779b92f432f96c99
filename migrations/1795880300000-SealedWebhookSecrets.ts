import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook signing secrets are now stored sealed (SecretBox, AES-256-GCM), which is longer than
 * the secret itself. Edited by hand: TypeORM wanted to drop and re-add the column, losing every
 * subscription's secret. Secrets already stored in clear keep working (SecretBox passes them
 * through) and are sealed the next time they are set.
 */
export class SealedWebhookSecrets1795880300000 implements MigrationInterface {
  name = 'SealedWebhookSecrets1795880300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "webhook_subscription" ALTER COLUMN "secret" TYPE character varying(500)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "webhook_subscription" ALTER COLUMN "secret" TYPE character varying(200)');
  }
}
