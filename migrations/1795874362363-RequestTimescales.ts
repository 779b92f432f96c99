import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RequestTimescales1795874362363 implements MigrationInterface {
  name = 'RequestTimescales1795874362363';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "organisation_timescales" ADD "info_request_urgent_hours" smallint NOT NULL DEFAULT \'4\'',
    );
    await queryRunner.query(
      'ALTER TABLE "organisation_timescales" ADD "info_request_standard_working_days" smallint NOT NULL DEFAULT \'3\'',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "organisation_timescales" DROP COLUMN "info_request_standard_working_days"');
    await queryRunner.query('ALTER TABLE "organisation_timescales" DROP COLUMN "info_request_urgent_hours"');
  }
}
