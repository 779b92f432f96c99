import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Need-to-know without leaks (issue 9): a disclosure no longer opens an involvement (what a grant
 * opens is computed from the live grants), triage access for the receiving team of an open
 * referral, the multi-agency chronology, one lead agency (children's services), and
 * notifications always addressed to a user or to roles.
 */
export class NeedToKnow1795881000000 implements MigrationInterface {
  name = 'NeedToKnow1795881000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Involvements opened by disclosures outlived their grants; access now follows the grants.
    await queryRunner.query(`DELETE FROM "involvement" WHERE basis = 'sharing_decision'`);
    await queryRunner.query(`ALTER TABLE "involvement" DROP CONSTRAINT "ck_involvement_basis"`);
    await queryRunner.query(
      `ALTER TABLE "involvement" ADD CONSTRAINT "ck_involvement_basis" CHECK (basis IN ('registered', 'referral_accepted', 'mash_enquiry', 'strategy_discussion', 'conference', 'core_group', 'statutory'))`,
    );
    // The lead agency is children's services; whoever registered first (a school) is not.
    await queryRunner.query(
      `UPDATE "involvement" i SET kind = 'contributing' FROM "organisation" o
        WHERE o.id = i.organisation_id AND i.kind = 'lead' AND o.type <> 'local_authority'`,
    );
    await queryRunner.query(
      `UPDATE "involvement" i SET kind = 'contributing'
        WHERE i.kind = 'lead' AND i.until_at IS NULL AND EXISTS (
          SELECT 1 FROM "involvement" j WHERE j.child_id = i.child_id AND j.kind = 'lead' AND j.until_at IS NULL
             AND (j.from_at, j.id) < (i.from_at, i.id))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_involvement_one_lead" ON "involvement" ("child_id") WHERE kind = 'lead' AND until_at IS NULL`,
    );

    await queryRunner.query(
      `CREATE TABLE "triage_access" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "team_id" uuid NOT NULL, "referral_id" uuid NOT NULL, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4126d1a077a405eaa931ad0a2b7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_triage_access_referral" ON "triage_access" ("referral_id")`);
    await queryRunner.query(
      `CREATE INDEX "ix_triage_access_child_team" ON "triage_access" ("child_id", "team_id") WHERE closed_at IS NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "triage_access" ADD CONSTRAINT "FK_7c62923f48bb52c1b65b6f0ebce" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Open referrals that already name a child give their receiving team triage access.
    await queryRunner.query(
      `INSERT INTO "triage_access" (child_id, organisation_id, team_id, referral_id, opened_at)
       SELECT child_id, to_organisation_id, to_team_id, id, created_at FROM "referral"
        WHERE child_id IS NOT NULL AND status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
    );

    await queryRunner.query(`ALTER TABLE "chronology_entry" ADD "multi_agency" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `UPDATE "chronology_entry" SET multi_agency = true
        WHERE category IN ('concern', 'referral', 'assessment', 'strategy_discussion', 'conference', 'missing_episode', 'decision', 'disclosure')
          AND sensitivity <> 'police-intelligence'`,
    );

    // Organisation-wide notifications go to the roles that handle case work, never to everyone.
    await queryRunner.query(
      `UPDATE "notification" SET audience_roles = '{mash_officer,team_manager,cse_officer,cse_supervisor,dsl,named_safeguarding_professional}'
        WHERE user_id IS NULL AND cardinality(audience_roles) = 0`,
    );
    await queryRunner.query(
      `ALTER TABLE "notification" ADD CONSTRAINT "ck_notification_audience" CHECK (user_id IS NOT NULL OR cardinality(audience_roles) > 0)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification" DROP CONSTRAINT "ck_notification_audience"`);
    await queryRunner.query(`ALTER TABLE "chronology_entry" DROP COLUMN "multi_agency"`);
    await queryRunner.query(`DROP TABLE "triage_access"`);
    await queryRunner.query(`DROP INDEX "public"."uq_involvement_one_lead"`);
    await queryRunner.query(`ALTER TABLE "involvement" DROP CONSTRAINT "ck_involvement_basis"`);
    await queryRunner.query(
      `ALTER TABLE "involvement" ADD CONSTRAINT "ck_involvement_basis" CHECK (basis IN ('registered', 'referral_accepted', 'sharing_decision', 'statutory'))`,
    );
  }
}
