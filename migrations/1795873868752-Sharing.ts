import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Sharing1795873868752 implements MigrationInterface {
  name = 'Sharing1795873868752';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Edited by hand: widen escalation.subject_type in place (TypeORM would drop and re-add it), and let
    // an involvement end at the instant it began (a disclosure revoked at once).
    await queryRunner.query('ALTER TABLE "involvement" DROP CONSTRAINT "ck_involvement_period"');
    await queryRunner.query(
      'ALTER TABLE "involvement" ADD CONSTRAINT "ck_involvement_period" CHECK (until_at IS NULL OR until_at >= from_at)',
    );
    await queryRunner.query(
      'CREATE TABLE "outbox_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(60) NOT NULL, "organisation_id" uuid NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cc0c9e40998e45ecfc5e313429d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_outbox_event_undispatched" ON "outbox_event"  ("occurred_at") WHERE dispatched_at IS NULL',
    );
    await queryRunner.query(
      'CREATE TABLE "webhook_subscription" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "client_id" uuid NOT NULL, "url" character varying(500) NOT NULL, "secret" character varying(200) NOT NULL, "events" text array NOT NULL DEFAULT \'{}\', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b52cb4811c5ada4f42896c37ba8" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_subscription_organisation" ON "webhook_subscription"  ("organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "webhook_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "subscription_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" character varying(60) NOT NULL, "status" character varying(20) NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" character varying(500), "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_webhook_delivery_status" CHECK (status IN (\'pending\', \'delivered\', \'failed\')), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ix_webhook_delivery_event" ON "webhook_delivery"  ("event_id") ');
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_delivery_log" ON "webhook_delivery"  ("subscription_id", "created_at", "id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_webhook_delivery_due" ON "webhook_delivery"  ("status", "next_attempt_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_webhook_delivery_subscription_event" ON "webhook_delivery"  ("subscription_id", "event_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "sharing_grant" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "child_id" uuid NOT NULL, "grantor_organisation_id" uuid NOT NULL, "grantee_organisation_id" uuid NOT NULL, "classes" text array NOT NULL, "from_at" TIMESTAMP WITH TIME ZONE NOT NULL, "until_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by" uuid, "revoke_reason" character varying(1000), "request_id" uuid, "decided_by" uuid NOT NULL, "expiry_notice_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_15411bd3ac755afb8e72d940eff" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_sharing_grant_until" ON "sharing_grant"  ("until_at") WHERE revoked_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_sharing_grant_child" ON "sharing_grant"  ("child_id", "grantee_organisation_id", "grantor_organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "sharing_agreement" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "purpose" character varying(2000) NOT NULL, "lawful_basis" character varying(60) NOT NULL, "lawful_basis_detail" character varying(2000), "starts_on" date NOT NULL, "ends_on" date NOT NULL, "created_by_organisation_id" uuid NOT NULL, "approved_by" uuid NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE NOT NULL, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_sharing_agreement_period" CHECK (ends_on >= starts_on), CONSTRAINT "PK_a8856bd7e100c2684982e96fa34" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "sharing_agreement_party" ("agreement_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "receivable_classes" text array NOT NULL, CONSTRAINT "PK_fdf16420b076fb48c26b46cd220" PRIMARY KEY ("agreement_id", "organisation_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_sharing_agreement_party_org" ON "sharing_agreement_party"  ("organisation_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "information_request" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "from_organisation_id" uuid NOT NULL, "from_actor_id" uuid NOT NULL, "to_organisation_id" uuid NOT NULL, "child_id" uuid, "identification" jsonb NOT NULL, "purpose" character varying(2000) NOT NULL, "classes_requested" text array NOT NULL, "urgency" character varying(10) NOT NULL, "status" character varying(20) NOT NULL DEFAULT \'REQUESTED\', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "overdue_at" TIMESTAMP WITH TIME ZONE, "next_escalation_at" TIMESTAMP WITH TIME ZONE, "classes_disclosed" text array, "disclosed_until" TIMESTAMP WITH TIME ZONE, "lawful_basis" character varying(60), "decision_reason" character varying(2000), "agreement_id" uuid, "justification" character varying(2000), "grant_id" uuid, "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_information_request_urgency" CHECK (urgency IN (\'urgent\', \'standard\')), CONSTRAINT "ck_information_request_status" CHECK (status IN (\'REQUESTED\', \'DISCLOSED\', \'DECLINED\')), CONSTRAINT "PK_22ee58c0e1303385ecf6cda545d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_information_request_due" ON "information_request"  ("due_at") WHERE status = \'REQUESTED\'',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_information_request_sent" ON "information_request"  ("from_organisation_id", "created_at", "id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_information_request_inbox" ON "information_request"  ("to_organisation_id", "status", "due_at", "id") ',
    );
    await queryRunner.query('DROP INDEX "public"."uq_escalation_item_level"');
    await queryRunner.query('ALTER TABLE "escalation" ALTER COLUMN "subject_type" TYPE character varying(30)');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_escalation_item_level" ON "escalation"  ("subject_type", "subject_id", "level") ',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_delivery" ADD CONSTRAINT "fk_webhook_delivery_subscription" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscription"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "webhook_delivery" ADD CONSTRAINT "fk_webhook_delivery_event" FOREIGN KEY ("event_id") REFERENCES "outbox_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "child_address" ADD CONSTRAINT "FK_bc01a5f2e12c5c345736ebe2852" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_grant" ADD CONSTRAINT "FK_da3a0d9c99dc43e7287d1e85576" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_grant" ADD CONSTRAINT "FK_a15038a4580299228b6c2683e20" FOREIGN KEY ("grantor_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_grant" ADD CONSTRAINT "FK_d985d6ebdc7388a671b3d36e773" FOREIGN KEY ("grantee_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_agreement" ADD CONSTRAINT "FK_dd1530edf4dea7bfc9076a1c032" FOREIGN KEY ("created_by_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_agreement_party" ADD CONSTRAINT "FK_d667e7578742030960e1ca27d34" FOREIGN KEY ("agreement_id") REFERENCES "sharing_agreement"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "sharing_agreement_party" ADD CONSTRAINT "FK_31f28cb8e6470d8fe32cf5c46a2" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "information_request" ADD CONSTRAINT "FK_e145158b10247e9b3f156dd0360" FOREIGN KEY ("from_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "information_request" ADD CONSTRAINT "FK_84520f3789f061a4745b5da5a4d" FOREIGN KEY ("to_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "information_request" ADD CONSTRAINT "FK_bd011e97b2d388f795f88bcd62e" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "involvement" DROP CONSTRAINT "ck_involvement_period"');
    await queryRunner.query(
      'ALTER TABLE "involvement" ADD CONSTRAINT "ck_involvement_period" CHECK (until_at IS NULL OR until_at > from_at)',
    );
    await queryRunner.query('ALTER TABLE "information_request" DROP CONSTRAINT "FK_bd011e97b2d388f795f88bcd62e"');
    await queryRunner.query('ALTER TABLE "information_request" DROP CONSTRAINT "FK_84520f3789f061a4745b5da5a4d"');
    await queryRunner.query('ALTER TABLE "information_request" DROP CONSTRAINT "FK_e145158b10247e9b3f156dd0360"');
    await queryRunner.query('ALTER TABLE "sharing_agreement_party" DROP CONSTRAINT "FK_31f28cb8e6470d8fe32cf5c46a2"');
    await queryRunner.query('ALTER TABLE "sharing_agreement_party" DROP CONSTRAINT "FK_d667e7578742030960e1ca27d34"');
    await queryRunner.query('ALTER TABLE "sharing_agreement" DROP CONSTRAINT "FK_dd1530edf4dea7bfc9076a1c032"');
    await queryRunner.query('ALTER TABLE "sharing_grant" DROP CONSTRAINT "FK_d985d6ebdc7388a671b3d36e773"');
    await queryRunner.query('ALTER TABLE "sharing_grant" DROP CONSTRAINT "FK_a15038a4580299228b6c2683e20"');
    await queryRunner.query('ALTER TABLE "sharing_grant" DROP CONSTRAINT "FK_da3a0d9c99dc43e7287d1e85576"');
    await queryRunner.query('ALTER TABLE "child_address" DROP CONSTRAINT "FK_bc01a5f2e12c5c345736ebe2852"');
    await queryRunner.query('ALTER TABLE "webhook_delivery" DROP CONSTRAINT "fk_webhook_delivery_event"');
    await queryRunner.query('ALTER TABLE "webhook_delivery" DROP CONSTRAINT "fk_webhook_delivery_subscription"');
    await queryRunner.query('DROP INDEX "public"."uq_escalation_item_level"');
    await queryRunner.query('ALTER TABLE "escalation" ALTER COLUMN "subject_type" TYPE character varying(20)');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "uq_escalation_item_level" ON "escalation" USING btree ("subject_type", "subject_id", "level") ',
    );
    await queryRunner.query('DROP INDEX "public"."ix_information_request_inbox"');
    await queryRunner.query('DROP INDEX "public"."ix_information_request_sent"');
    await queryRunner.query('DROP INDEX "public"."ix_information_request_due"');
    await queryRunner.query('DROP TABLE "information_request"');
    await queryRunner.query('DROP INDEX "public"."ix_sharing_agreement_party_org"');
    await queryRunner.query('DROP TABLE "sharing_agreement_party"');
    await queryRunner.query('DROP TABLE "sharing_agreement"');
    await queryRunner.query('DROP INDEX "public"."ix_sharing_grant_child"');
    await queryRunner.query('DROP INDEX "public"."ix_sharing_grant_until"');
    await queryRunner.query('DROP TABLE "sharing_grant"');
    await queryRunner.query('DROP INDEX "public"."uq_webhook_delivery_subscription_event"');
    await queryRunner.query('DROP INDEX "public"."ix_webhook_delivery_due"');
    await queryRunner.query('DROP INDEX "public"."ix_webhook_delivery_log"');
    await queryRunner.query('DROP INDEX "public"."ix_webhook_delivery_event"');
    await queryRunner.query('DROP TABLE "webhook_delivery"');
    await queryRunner.query('DROP INDEX "public"."ix_webhook_subscription_organisation"');
    await queryRunner.query('DROP TABLE "webhook_subscription"');
    await queryRunner.query('DROP INDEX "public"."ix_outbox_event_undispatched"');
    await queryRunner.query('DROP TABLE "outbox_event"');
  }
}
