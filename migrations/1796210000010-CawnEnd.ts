import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A CAWN can be ended by the force (issue 14): withdrawn before its expiry, or, once lapsed, let
 * end. The day it ended, who ended it and why; its expiry clock is closed, so nothing escalates for
 * a notice that has ended.
 */
export class CawnEnd1796210000010 implements MigrationInterface {
  name = 'CawnEnd1796210000010';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cawn
      ADD COLUMN ended_on date,
      ADD COLUMN ended_at timestamptz,
      ADD COLUMN ended_by uuid,
      ADD COLUMN end_reason varchar(2000)`);
    await q.query(`ALTER TABLE cawn
      ADD CONSTRAINT ck_cawn_ended CHECK ((ended_at IS NULL) = (end_reason IS NULL) AND (ended_at IS NULL) = (ended_on IS NULL)),
      ADD CONSTRAINT ck_cawn_ended_on CHECK (ended_on IS NULL OR (ended_on >= served_on AND ended_on <= expires_on))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cawn
      DROP CONSTRAINT ck_cawn_ended_on,
      DROP CONSTRAINT ck_cawn_ended,
      DROP COLUMN end_reason,
      DROP COLUMN ended_by,
      DROP COLUMN ended_at,
      DROP COLUMN ended_on`);
  }
}
