import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The name index's involvement trigger reads the child FOR SHARE: an involvement added while the
 * same child is renamed or restricted in another transaction then waits for that change (or the
 * change waits for it), so the index row never keeps the old name. Before, only the service's own
 * row lock on the child (update) kept the two apart.
 */
export class ChildSearchTriggerLock1795880500000 implements MigrationInterface {
  name = 'ChildSearchTriggerLock1795880500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(functionSql('FOR SHARE OF c'));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(functionSql(''));
  }
}

function functionSql(lock: string): string {
  return `
    CREATE OR REPLACE FUNCTION child_search_from_involvement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO child_search (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
        SELECT NEW.id, NEW.child_id, NEW.organisation_id, NEW.from_at, NEW.until_at, c.restricted, c.search_name
          FROM child c WHERE c.id = NEW.child_id ${lock};
      ELSE
        UPDATE child_search s
           SET child_id = NEW.child_id, organisation_id = NEW.organisation_id, from_at = NEW.from_at,
               until_at = NEW.until_at, restricted = c.restricted, search_name = c.search_name
          FROM (SELECT restricted, search_name FROM child WHERE id = NEW.child_id ${lock.replace(' OF c', '')}) c
         WHERE s.involvement_id = NEW.id;
      END IF;
      RETURN NULL;
    END $$`;
}
