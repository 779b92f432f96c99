import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Police disclosures end (issue 14): a node disclosed to another force is disclosed until a time
 * (at most 366 days, as every disclosure) and may be revoked with a reason; the grantee's access is
 * computed from the live grants at read time, so either ends it at once. Grants made before this
 * migration run 366 days from when they were made.
 */
export class PoliceDisclosureEnds1795893500000 implements MigrationInterface {
  name = 'PoliceDisclosureEnds1795893500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE police_node_grant
      ADD COLUMN until_at timestamptz,
      ADD COLUMN revoked_at timestamptz,
      ADD COLUMN revoked_by uuid,
      ADD COLUMN revoke_reason varchar(2000)`);
    await q.query("UPDATE police_node_grant SET until_at = granted_at + interval '366 days'");
    await q.query('ALTER TABLE police_node_grant ALTER COLUMN until_at SET NOT NULL');
    await q.query(`ALTER TABLE police_node_grant
      ADD CONSTRAINT ck_police_node_grant_until CHECK (until_at > granted_at),
      ADD CONSTRAINT ck_police_node_grant_revoked CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE police_node_grant
      DROP CONSTRAINT ck_police_node_grant_revoked,
      DROP CONSTRAINT ck_police_node_grant_until,
      DROP COLUMN revoke_reason,
      DROP COLUMN revoked_by,
      DROP COLUMN revoked_at,
      DROP COLUMN until_at`);
  }
}
