import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ChildRecord1795871440720 implements MigrationInterface {
  name = 'ChildRecord1795871440720';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Written by hand: fuzzy, accent-insensitive name search (TypeORM cannot describe these).
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS unaccent');
    await queryRunner.query(
      'CREATE TABLE "notification" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "team_id" uuid, "user_id" uuid, "kind" character varying(60) NOT NULL, "subject_type" character varying(40) NOT NULL, "subject_id" uuid NOT NULL, "message" character varying(500) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_705b6c7cdf9b2c2ff7ac7872cb7" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_notification_user_created" ON "notification"  ("user_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_notification_org_created" ON "notification"  ("organisation_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "child" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "given_name" character varying(100) NOT NULL, "family_name" character varying(100) NOT NULL, "preferred_name" character varying(100), "previous_names" text array NOT NULL DEFAULT \'{}\', "name_key" character varying(201) NOT NULL, "search_name" text NOT NULL, "date_of_birth" date, "expected_date_of_birth" date, "sex" character(1) NOT NULL DEFAULT \'U\', "ethnicity" character varying(4), "first_language" character varying(60), "interpreter_needed" boolean NOT NULL DEFAULT false, "disabilities" text array NOT NULL DEFAULT \'{}\', "nhs_number" character(10), "upn" character(13), "pnc_id" character varying(12), "la_child_id" character varying(50), "restricted" boolean NOT NULL DEFAULT false, "created_by_organisation_id" uuid NOT NULL, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_child_birth" CHECK (date_of_birth IS NOT NULL OR expected_date_of_birth IS NOT NULL), CONSTRAINT "ck_child_sex" CHECK (sex IN (\'M\', \'F\', \'U\')), CONSTRAINT "PK_4609b9b323ca37c6bc435ec4b6b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_child_la_child_id" ON "child"  ("la_child_id") WHERE la_child_id IS NOT NULL',
    );
    await queryRunner.query('CREATE INDEX "ix_child_pnc_id" ON "child"  ("pnc_id") WHERE pnc_id IS NOT NULL');
    await queryRunner.query('CREATE INDEX "ix_child_upn" ON "child"  ("upn") WHERE upn IS NOT NULL');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_child_nhs_number" ON "child"  ("nhs_number") WHERE nhs_number IS NOT NULL',
    );
    await queryRunner.query('CREATE INDEX "ix_child_name_key_dob" ON "child"  ("name_key", "date_of_birth") ');
    await queryRunner.query('CREATE INDEX "ix_child_dob" ON "child"  ("date_of_birth") ');
    await queryRunner.query(
      'CREATE TABLE "child_address" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "line1" character varying(200) NOT NULL, "line2" character varying(200), "town" character varying(100) NOT NULL, "postcode" character varying(10) NOT NULL, "from_date" date, "until_date" date, "confidential" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6361e9ad4821157c38a0e6690c5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_child_address_child" ON "child_address"  ("child_id") ');
    await queryRunner.query(
      'CREATE TABLE "case_team_member" ("child_id" uuid NOT NULL, "user_id" uuid NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f2b76c856690f1cdb921ae910ca" PRIMARY KEY ("child_id", "user_id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_case_team_member_user" ON "case_team_member"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "chronology_entry" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "author_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "category" character varying(40) NOT NULL, "summary" character varying(300) NOT NULL, "detail" text, "sensitivity" character varying(30) NOT NULL, "shareable" boolean NOT NULL DEFAULT false, CONSTRAINT "ck_chronology_sensitivity" CHECK (sensitivity IN (\'identity\', \'contact\', \'education\', \'health\', \'sexual-health\', \'police-intelligence\', \'social-care\')), CONSTRAINT "PK_75dcf22d728bddb1a252bc45598" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_chronology_child_occurred" ON "chronology_entry"  ("child_id", "occurred_at", "id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "involvement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "basis" character varying(30) NOT NULL, "from_at" TIMESTAMP WITH TIME ZONE NOT NULL, "until_at" TIMESTAMP WITH TIME ZONE, "reason" character varying(500) NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_involvement_period" CHECK (until_at IS NULL OR until_at > from_at), CONSTRAINT "ck_involvement_basis" CHECK (basis IN (\'registered\', \'referral_accepted\', \'sharing_decision\', \'statutory\')), CONSTRAINT "ck_involvement_kind" CHECK (kind IN (\'lead\', \'contributing\')), CONSTRAINT "PK_6ba245aa0ab9f1aca6c5e2f7b5c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_involvement_organisation" ON "involvement"  ("organisation_id", "child_id") ',
    );
    await queryRunner.query('CREATE INDEX "ix_involvement_child" ON "involvement"  ("child_id", "organisation_id") ');
    await queryRunner.query(
      'CREATE TABLE "break_glass_grant" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "user_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "reason" character varying(1000) NOT NULL, "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_cf1c0db121085bb49f92ef295dc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_break_glass_child_user" ON "break_glass_grant"  ("child_id", "user_id", "expires_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "match_reference" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(20) NOT NULL, "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "created_by" uuid NOT NULL, "matched_on" character varying(20) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f93cf47359c4165b303c3da33b2" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_match_reference_reference" ON "match_reference"  ("reference") ');
    await queryRunner.query(
      'CREATE TABLE "agency_section" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "agency_type" character varying(20) NOT NULL, "markers" text array NOT NULL DEFAULT \'{}\', "intelligence_notes" text, "legal_status" character varying(40), "allocated_worker_id" uuid, "plan_status" character varying(40), "school_name" character varying(200), "year_group" character varying(10), "attendance_percent" numeric(5,2), "exclusions" integer, "safeguarding_notes" text, "gp_practice" character varying(200), "health_notes" text, "sexual_health_notes" text, "version" integer NOT NULL DEFAULT \'1\', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_289a7f83824f0262e30a347aac0" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_agency_section_child_org" ON "agency_section"  ("child_id", "organisation_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "child" ADD CONSTRAINT "FK_02b0531b7a6ab76ba3511bb24e3" FOREIGN KEY ("created_by_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "case_team_member" ADD CONSTRAINT "FK_c3ece129ccb189f3501403e7be2" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "case_team_member" ADD CONSTRAINT "FK_0d932b9fb91d9162ab1a4c827a6" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "chronology_entry" ADD CONSTRAINT "FK_d1eb697e0086d09c44f18d6cdf4" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "chronology_entry" ADD CONSTRAINT "FK_cd7da4bc20a53ec66d8084730ab" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "involvement" ADD CONSTRAINT "FK_566d1095d05ed0b7e859561ae08" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "involvement" ADD CONSTRAINT "FK_f057d11dcea80d920ee1b441a3c" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "break_glass_grant" ADD CONSTRAINT "FK_1639e01545f7fcdfa8063dc79af" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "break_glass_grant" ADD CONSTRAINT "FK_20f1233787345f2dc001972f5f7" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "match_reference" ADD CONSTRAINT "FK_72b48d174261d8c0c308bbae306" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "agency_section" ADD CONSTRAINT "FK_b1b84cd76eca406ed1b37413965" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "agency_section" ADD CONSTRAINT "FK_2d21cd4251bb8527b338129759d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_child_search_name_trgm" ON "child" USING gin ("search_name" gin_trgm_ops)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_child_search_name_trgm"');
    await queryRunner.query('ALTER TABLE "agency_section" DROP CONSTRAINT "FK_2d21cd4251bb8527b338129759d"');
    await queryRunner.query('ALTER TABLE "agency_section" DROP CONSTRAINT "FK_b1b84cd76eca406ed1b37413965"');
    await queryRunner.query('ALTER TABLE "match_reference" DROP CONSTRAINT "FK_72b48d174261d8c0c308bbae306"');
    await queryRunner.query('ALTER TABLE "break_glass_grant" DROP CONSTRAINT "FK_20f1233787345f2dc001972f5f7"');
    await queryRunner.query('ALTER TABLE "break_glass_grant" DROP CONSTRAINT "FK_1639e01545f7fcdfa8063dc79af"');
    await queryRunner.query('ALTER TABLE "involvement" DROP CONSTRAINT "FK_f057d11dcea80d920ee1b441a3c"');
    await queryRunner.query('ALTER TABLE "involvement" DROP CONSTRAINT "FK_566d1095d05ed0b7e859561ae08"');
    await queryRunner.query('ALTER TABLE "chronology_entry" DROP CONSTRAINT "FK_cd7da4bc20a53ec66d8084730ab"');
    await queryRunner.query('ALTER TABLE "chronology_entry" DROP CONSTRAINT "FK_d1eb697e0086d09c44f18d6cdf4"');
    await queryRunner.query('ALTER TABLE "case_team_member" DROP CONSTRAINT "FK_0d932b9fb91d9162ab1a4c827a6"');
    await queryRunner.query('ALTER TABLE "case_team_member" DROP CONSTRAINT "FK_c3ece129ccb189f3501403e7be2"');
    await queryRunner.query('ALTER TABLE "child" DROP CONSTRAINT "FK_02b0531b7a6ab76ba3511bb24e3"');
    await queryRunner.query('DROP INDEX "public"."uq_agency_section_child_org"');
    await queryRunner.query('DROP TABLE "agency_section"');
    await queryRunner.query('DROP INDEX "public"."uq_match_reference_reference"');
    await queryRunner.query('DROP TABLE "match_reference"');
    await queryRunner.query('DROP INDEX "public"."ix_break_glass_child_user"');
    await queryRunner.query('DROP TABLE "break_glass_grant"');
    await queryRunner.query('DROP INDEX "public"."ix_involvement_child"');
    await queryRunner.query('DROP INDEX "public"."ix_involvement_organisation"');
    await queryRunner.query('DROP TABLE "involvement"');
    await queryRunner.query('DROP INDEX "public"."ix_chronology_child_occurred"');
    await queryRunner.query('DROP TABLE "chronology_entry"');
    await queryRunner.query('DROP INDEX "public"."ix_case_team_member_user"');
    await queryRunner.query('DROP TABLE "case_team_member"');
    await queryRunner.query('DROP INDEX "public"."ix_child_address_child"');
    await queryRunner.query('DROP TABLE "child_address"');
    await queryRunner.query('DROP INDEX "public"."ix_child_dob"');
    await queryRunner.query('DROP INDEX "public"."ix_child_name_key_dob"');
    await queryRunner.query('DROP INDEX "public"."uq_child_nhs_number"');
    await queryRunner.query('DROP INDEX "public"."ix_child_upn"');
    await queryRunner.query('DROP INDEX "public"."ix_child_pnc_id"');
    await queryRunner.query('DROP INDEX "public"."ix_child_la_child_id"');
    await queryRunner.query('DROP TABLE "child"');
    await queryRunner.query('DROP INDEX "public"."ix_notification_org_created"');
    await queryRunner.query('DROP INDEX "public"."ix_notification_user_created"');
    await queryRunner.query('DROP TABLE "notification"');
  }
}
