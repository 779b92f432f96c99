import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Education1795892000000 implements MigrationInterface {
  name = 'Education1795892000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "pupil" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "child_id" uuid NOT NULL, "upn" character(13) NOT NULL, "year_group" character varying(10), "on_roll_from" date NOT NULL, "left_on" date, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34f2dbae733affb8884c2255c21" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_pupil_child" ON "pupil"  ("child_id") ');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_pupil_on_roll" ON "pupil"  ("organisation_id", "child_id") WHERE left_on IS NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "school_closure_day" ("organisation_id" uuid NOT NULL, "day" date NOT NULL, "reason" character varying(200) NOT NULL, CONSTRAINT "PK_a5dc66a8513c6f2bca75e16beeb" PRIMARY KEY ("organisation_id", "day"))',
    );
    await queryRunner.query(
      'CREATE TABLE "safeguarding_action" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "pupil_id" uuid NOT NULL, "child_id" uuid NOT NULL, "action" text NOT NULL, "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL, "taken_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_791109cdacd8200e8db136d9dc6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_safeguarding_action_pupil" ON "safeguarding_action"  ("pupil_id", "taken_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "safeguarding_file_transfer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "pupil_id" uuid NOT NULL, "from_organisation_id" uuid NOT NULL, "destination" character varying(20) NOT NULL, "to_organisation_id" uuid, "council_organisation_id" uuid, "moved_on" date NOT NULL, "status" character varying(30) NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_by" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE, "received_by" uuid, "file" jsonb NOT NULL, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_file_transfer_to" CHECK ((destination = \'SCHOOL\') = (to_organisation_id IS NOT NULL) AND (destination = \'SCHOOL\' OR council_organisation_id IS NOT NULL)), CONSTRAINT "ck_file_transfer_destination" CHECK (destination IN (\'SCHOOL\', \'UNKNOWN\', \'OUT_OF_AREA\')), CONSTRAINT "ck_file_transfer_status" CHECK (status IN (\'SENT\', \'RECEIVED\', \'CHILD_MISSING_EDUCATION\')), CONSTRAINT "PK_98f5bdb409c596be6542b6bd581" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_file_transfer_pupil" ON "safeguarding_file_transfer"  ("pupil_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_file_transfer_from" ON "safeguarding_file_transfer"  ("from_organisation_id", "due_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_file_transfer_council" ON "safeguarding_file_transfer"  ("council_organisation_id", "status", "due_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_file_transfer_to" ON "safeguarding_file_transfer"  ("to_organisation_id", "status", "due_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "pupil" ADD CONSTRAINT "FK_88a779606385279237ed9cceb7d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "pupil" ADD CONSTRAINT "FK_220342a8ed1516a421b00ca258b" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "school_closure_day" ADD CONSTRAINT "FK_d0e22f4cbcb5598132e4d161588" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_action" ADD CONSTRAINT "FK_8fbc313bb5f785810793756d448" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_action" ADD CONSTRAINT "FK_e69320ad4471d9eaf49edfd381b" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" ADD CONSTRAINT "FK_824caeeaacb1d9c180398ad3e5e" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" ADD CONSTRAINT "FK_712cfa65a608d91bb92fb357504" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" ADD CONSTRAINT "FK_b41102920248ab937f61caf308b" FOREIGN KEY ("from_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" ADD CONSTRAINT "FK_46556a77d572fc8564c186aba06" FOREIGN KEY ("to_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" ADD CONSTRAINT "FK_2b225ff0c369938c94960cef349" FOREIGN KEY ("council_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" DROP CONSTRAINT "FK_2b225ff0c369938c94960cef349"',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" DROP CONSTRAINT "FK_46556a77d572fc8564c186aba06"',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" DROP CONSTRAINT "FK_b41102920248ab937f61caf308b"',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" DROP CONSTRAINT "FK_712cfa65a608d91bb92fb357504"',
    );
    await queryRunner.query(
      'ALTER TABLE "safeguarding_file_transfer" DROP CONSTRAINT "FK_824caeeaacb1d9c180398ad3e5e"',
    );
    await queryRunner.query('ALTER TABLE "safeguarding_action" DROP CONSTRAINT "FK_e69320ad4471d9eaf49edfd381b"');
    await queryRunner.query('ALTER TABLE "safeguarding_action" DROP CONSTRAINT "FK_8fbc313bb5f785810793756d448"');
    await queryRunner.query('ALTER TABLE "school_closure_day" DROP CONSTRAINT "FK_d0e22f4cbcb5598132e4d161588"');
    await queryRunner.query('ALTER TABLE "pupil" DROP CONSTRAINT "FK_220342a8ed1516a421b00ca258b"');
    await queryRunner.query('ALTER TABLE "pupil" DROP CONSTRAINT "FK_88a779606385279237ed9cceb7d"');
    await queryRunner.query('DROP INDEX "public"."ix_file_transfer_to"');
    await queryRunner.query('DROP INDEX "public"."ix_file_transfer_council"');
    await queryRunner.query('DROP INDEX "public"."ix_file_transfer_from"');
    await queryRunner.query('DROP INDEX "public"."uq_file_transfer_pupil"');
    await queryRunner.query('DROP TABLE "safeguarding_file_transfer"');
    await queryRunner.query('DROP INDEX "public"."ix_safeguarding_action_pupil"');
    await queryRunner.query('DROP TABLE "safeguarding_action"');
    await queryRunner.query('DROP TABLE "school_closure_day"');
    await queryRunner.query('DROP INDEX "public"."uq_pupil_on_roll"');
    await queryRunner.query('DROP INDEX "public"."ix_pupil_child"');
    await queryRunner.query('DROP TABLE "pupil"');
  }
}
