import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A police disclosure can be asked for again once the last one ended (issue 14): a force keeps every
 * request it made under a match and every grant made to it (the history), with at most one request
 * waiting for a decision at a time; a grant belongs to one request. The warning before a disclosure
 * ends is given once per grant (`ending_announced_at`).
 */
export class PoliceDisclosureRenewal1796210000011 implements MigrationInterface {
  name = 'PoliceDisclosureRenewal1796210000011';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE police_match_request DROP CONSTRAINT uq_police_match_request');
    await q.query(
      `CREATE UNIQUE INDEX uq_police_match_request_pending ON police_match_request (match_id, from_organisation_id)
        WHERE status = 'REQUESTED'`,
    );
    // The order requests were made in (the latest is the one in force), whatever the clocks said.
    await q.query('ALTER TABLE police_match_request ADD COLUMN seq bigserial NOT NULL');
    await q.query('CREATE INDEX ix_police_match_request_match ON police_match_request (match_id, seq DESC)');
    await q.query('ALTER TABLE police_node_grant DROP CONSTRAINT uq_police_node_grant');
    await q.query(
      'ALTER TABLE police_node_grant ADD CONSTRAINT uq_police_node_grant_request UNIQUE (match_request_id)',
    );
    await q.query('CREATE INDEX ix_police_node_grant_node ON police_node_grant (node_id, grantee_organisation_id)');
    await q.query('ALTER TABLE police_node_grant ADD COLUMN ending_announced_at timestamptz');
    await q.query(
      `CREATE INDEX ix_police_node_grant_ending ON police_node_grant (until_at)
        WHERE revoked_at IS NULL AND ending_announced_at IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_police_node_grant_ending');
    await q.query('ALTER TABLE police_node_grant DROP COLUMN ending_announced_at');
    await q.query('DROP INDEX ix_police_node_grant_node');
    await q.query('ALTER TABLE police_node_grant DROP CONSTRAINT uq_police_node_grant_request');
    await q.query(
      'ALTER TABLE police_node_grant ADD CONSTRAINT uq_police_node_grant UNIQUE (node_id, grantee_organisation_id)',
    );
    await q.query('DROP INDEX ix_police_match_request_match');
    await q.query('ALTER TABLE police_match_request DROP COLUMN seq');
    await q.query('DROP INDEX uq_police_match_request_pending');
    await q.query(
      'ALTER TABLE police_match_request ADD CONSTRAINT uq_police_match_request UNIQUE (match_id, from_organisation_id)',
    );
  }
}
