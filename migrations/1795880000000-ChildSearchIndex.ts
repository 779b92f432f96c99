import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A narrow name-search index per organisation: one row per involvement, with the child's
 * search name and restricted flag beside the organisation and the involvement's period, under a
 * GIN index of (organisation, trigrams). A name search then reads only the candidates of the
 * caller's own organisation instead of every child in the country with that name (bench/README.md).
 *
 * It is derived data, kept by triggers in the same transaction as the involvement or child
 * change, so no code path can forget it. It is not an entity: nothing writes it but the triggers.
 * Hand-written: TypeORM describes neither triggers nor multi-column GIN operator classes.
 */
export class ChildSearchIndex1795880000000 implements MigrationInterface {
  name = 'ChildSearchIndex1795880000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // No involvement or child may change between the backfill and the triggers taking over:
    // writers wait for this migration (readers do not).
    await queryRunner.query('LOCK TABLE "involvement", "child" IN SHARE MODE');
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS btree_gin');
    await queryRunner.query(`
      CREATE TABLE "child_search" (
        "involvement_id" uuid NOT NULL,
        "child_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "from_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "until_at" TIMESTAMP WITH TIME ZONE,
        "restricted" boolean NOT NULL,
        "search_name" text NOT NULL,
        CONSTRAINT "pk_child_search" PRIMARY KEY ("involvement_id"),
        CONSTRAINT "fk_child_search_involvement" FOREIGN KEY ("involvement_id")
          REFERENCES "involvement"("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      INSERT INTO "child_search" (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
      SELECT i.id, i.child_id, i.organisation_id, i.from_at, i.until_at, c.restricted, c.search_name
        FROM "involvement" i JOIN "child" c ON c.id = i.child_id`);
    await queryRunner.query(
      'CREATE INDEX "ix_child_search_org_name" ON "child_search" USING gin ("organisation_id", "search_name" gin_trgm_ops)',
    );
    await queryRunner.query('CREATE INDEX "ix_child_search_child" ON "child_search" ("child_id")');
    // Statistics now, so the first searches after the upgrade are planned on the filled table.
    await queryRunner.query('ANALYZE "child_search"');

    await queryRunner.query(`
      CREATE FUNCTION child_search_from_involvement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO child_search (involvement_id, child_id, organisation_id, from_at, until_at, restricted, search_name)
          SELECT NEW.id, NEW.child_id, NEW.organisation_id, NEW.from_at, NEW.until_at, c.restricted, c.search_name
            FROM child c WHERE c.id = NEW.child_id;
        ELSE
          UPDATE child_search s
             SET child_id = NEW.child_id, organisation_id = NEW.organisation_id, from_at = NEW.from_at,
                 until_at = NEW.until_at, restricted = c.restricted, search_name = c.search_name
            FROM child c
           WHERE s.involvement_id = NEW.id AND c.id = NEW.child_id;
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_involvement_child_search
      AFTER INSERT OR UPDATE OF child_id, organisation_id, from_at, until_at ON involvement
      FOR EACH ROW EXECUTE FUNCTION child_search_from_involvement()`);

    await queryRunner.query(`
      CREATE FUNCTION child_search_from_child() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE child_search SET restricted = NEW.restricted, search_name = NEW.search_name WHERE child_id = NEW.id;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_child_child_search
      AFTER UPDATE OF search_name, restricted ON child
      FOR EACH ROW WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name OR OLD.restricted IS DISTINCT FROM NEW.restricted)
      EXECUTE FUNCTION child_search_from_child()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER trg_child_child_search ON child');
    await queryRunner.query('DROP FUNCTION child_search_from_child()');
    await queryRunner.query('DROP TRIGGER trg_involvement_child_search ON involvement');
    await queryRunner.query('DROP FUNCTION child_search_from_involvement()');
    await queryRunner.query('DROP TABLE "child_search"');
  }
}
