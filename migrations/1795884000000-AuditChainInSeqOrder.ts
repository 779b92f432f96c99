import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit chain in seq order (libs/audit, audit-sealer.ts): an event that appears behind the
 * sealed head, e.g. inserted with the triggers bypassed into a gap of the sequence, breaks it.
 *
 * - `audit_seal.chain_version`: 1 for the links sealed before (in the order they were sealed, which
 *   may differ from seq order: they verify as they were made), 2 for every link from now on.
 * - A BEFORE INSERT trigger assigns `seq` itself, after giving the transaction its id: an insert
 *   cannot choose its seq, and every seq is held by a transaction already visible as in progress
 *   to any snapshot taken after it, which is how the sealer knows which seqs may still commit.
 *   The column loses its default (taken before the trigger runs, it would only leave gaps); the
 *   sequence stays owned by the column.
 */
export class AuditChainInSeqOrder1795884000000 implements MigrationInterface {
  name = 'AuditChainInSeqOrder1795884000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "audit_seal" ADD "chain_version" smallint NOT NULL DEFAULT 1');
    await queryRunner.query('ALTER TABLE "audit_seal" ALTER COLUMN "chain_version" SET DEFAULT 2');
    await queryRunner.query(
      `ALTER TABLE "audit_seal" ADD CONSTRAINT "ck_audit_seal_chain_version" CHECK (chain_version IN (1, 2))`,
    );
    const [{ sequence }] = (await queryRunner.query(
      `SELECT pg_get_serial_sequence('audit_event', 'seq') AS sequence`,
    )) as { sequence: string }[];
    await queryRunner.query(
      `CREATE FUNCTION "audit_event_assign_seq"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The transaction id first, the seq second: whoever holds a seq is in every later snapshot's
  -- list of transactions in progress until it ends.
  PERFORM pg_current_xact_id();
  NEW.seq := nextval('${sequence.replace(/'/g, "''")}'::regclass);
  RETURN NEW;
END
$$`,
    );
    await queryRunner.query('ALTER TABLE "audit_event" ALTER COLUMN "seq" DROP DEFAULT');
    await queryRunner.query(
      `CREATE TRIGGER "audit_event_assign_seq" BEFORE INSERT ON "audit_event" FOR EACH ROW EXECUTE FUNCTION "audit_event_assign_seq"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "audit_event_assign_seq" ON "audit_event"');
    await queryRunner.query('DROP FUNCTION "audit_event_assign_seq"()');
    const [{ sequence }] = (await queryRunner.query(
      `SELECT pg_get_serial_sequence('audit_event', 'seq') AS sequence`,
    )) as { sequence: string }[];
    await queryRunner.query(
      `ALTER TABLE "audit_event" ALTER COLUMN "seq" SET DEFAULT nextval('${sequence.replace(/'/g, "''")}'::regclass)`,
    );
    await queryRunner.query('ALTER TABLE "audit_seal" DROP CONSTRAINT "ck_audit_seal_chain_version"');
    await queryRunner.query('ALTER TABLE "audit_seal" DROP COLUMN "chain_version"');
  }
}
