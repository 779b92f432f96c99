import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log (ARCHITECTURE.md §5): `audit_event`, append-only, and `audit_seal`, its hash chain.
 * The tables and indexes are what `migration:generate` writes for the entities in libs/audit; the
 * trigger and the REVOKE are by hand (the schema diff does not see them).
 */
export class AuditLog1795870000000 implements MigrationInterface {
  name = 'AuditLog1795870000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_event" ("seq" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_kind" character varying(10) NOT NULL, "actor_id" uuid NOT NULL, "actor_roles" text array NOT NULL, "organisation_id" uuid NOT NULL, "action" character varying(60) NOT NULL, "subject_type" character varying(40) NOT NULL, "subject_ids" uuid array NOT NULL, "child_ids" uuid array NOT NULL, "outcome" character varying(20) NOT NULL, "break_glass" boolean NOT NULL DEFAULT false, "purpose" character varying(60) NOT NULL, "request_id" character varying(64), "client_ip" character varying(64), "details" jsonb NOT NULL DEFAULT \'{}\', CONSTRAINT "ck_audit_event_outcome" CHECK (outcome IN (\'allowed\', \'denied\', \'not_found\')), CONSTRAINT "ck_audit_event_actor_kind" CHECK (actor_kind IN (\'user\', \'client\')), CONSTRAINT "PK_53300da00860bdf4dc3ef7daae6" PRIMARY KEY ("seq"))',
    );
    await queryRunner.query('CREATE INDEX "ix_audit_event_organisation" ON "audit_event"  ("organisation_id", "seq") ');
    await queryRunner.query('CREATE INDEX "ix_audit_event_actor" ON "audit_event"  ("actor_id", "seq") ');
    await queryRunner.query('CREATE INDEX "ix_audit_event_child_ids" ON "audit_event" USING gin ("child_ids") ');
    await queryRunner.query(
      'CREATE TABLE "audit_seal" ("seal_seq" BIGSERIAL NOT NULL, "event_seq" bigint NOT NULL, "prev_hash" character varying(64) NOT NULL, "hash" character varying(64) NOT NULL, "sealed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6273d936cfe42c97bd765372240" PRIMARY KEY ("seal_seq"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "uq_audit_seal_event_seq" ON "audit_seal"  ("event_seq") ');

    // Append-only, enforced twice: the trigger stops everyone short of the table owner disabling
    // it; the grants leave PUBLIC nothing but what it is given explicitly (grant the app role
    // SELECT, INSERT only, and run it as a role that does not own these tables).
    await queryRunner.query(
      `CREATE FUNCTION "audit_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only'
    USING ERRCODE = 'insufficient_privilege', DETAIL = format('%s on %s refused', TG_OP, TG_TABLE_NAME);
END
$$`,
    );
    for (const table of ['audit_event', 'audit_seal']) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION "audit_refuse_change"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_refuse_change"()`,
      );
    }
    await queryRunner.query('REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event", "audit_seal" FROM PUBLIC');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_seal', 'audit_event']) {
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_append_only" ON "${table}"`);
    }
    await queryRunner.query('DROP FUNCTION "audit_refuse_change"()');
    await queryRunner.query('DROP INDEX "public"."uq_audit_seal_event_seq"');
    await queryRunner.query('DROP TABLE "audit_seal"');
    await queryRunner.query('DROP INDEX "public"."ix_audit_event_child_ids"');
    await queryRunner.query('DROP INDEX "public"."ix_audit_event_actor"');
    await queryRunner.query('DROP INDEX "public"."ix_audit_event_organisation"');
    await queryRunner.query('DROP TABLE "audit_event"');
  }
}
