import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version for each school's closure-day list (the ETag of GET /education/closure-days): PUT
 * replaces the whole list and must name the version it read (If-Match), so two DSLs editing at
 * once no longer lose each other's days. No row until a school first sets its list (version 1).
 */
export class SchoolCalendarVersion1796231860825 implements MigrationInterface {
  name = 'SchoolCalendarVersion1796231860825';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "school_calendar" ("organisation_id" uuid NOT NULL, "version" integer NOT NULL, CONSTRAINT "PK_2eb383d56d943fab49d99888d19" PRIMARY KEY ("organisation_id"))',
    );
    await queryRunner.query(
      'ALTER TABLE "school_calendar" ADD CONSTRAINT "FK_2eb383d56d943fab49d99888d19" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "school_calendar" DROP CONSTRAINT "FK_2eb383d56d943fab49d99888d19"');
    await queryRunner.query('DROP TABLE "school_calendar"');
  }
}
