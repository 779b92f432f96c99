import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { columnsFrom, type SqlScope } from '@app/access';
import { decodeCursor, namedQuery, type OrganisationType, type Page, toPage } from '@app/platform';
import { activeInvolvement, grantInForce, partConditionSql } from './child-scope';
import { ChronologyEntry } from './chronology.entity';
import type { ChronologyEntryDto } from './children.dto';
import { BreakGlassGrant } from './involvement.entity';
import { AgencySection } from './section.entity';

export type ChronologyRow = ChronologyEntryDto & { organisationId: string; occurredAt: Date };

/**
 * The SQL of the parts of a child's record around the core (sections, chronology, break-glass):
 * RecordPartsService decides who may do what; this class only reads and writes, each statement
 * in the caller's transaction.
 */
@Injectable()
export class RecordPartsRepository {
  /** Classes each organisation disclosed to `grantee` about this child, live at `now`. */
  async grantsByOrganisation(
    tx: EntityManager,
    childId: string,
    grantee: string,
    now: Date,
  ): Promise<Map<string, string[]>> {
    const rows = await namedQuery<{ grantor: string; classes: string[] }>(
      tx,
      `SELECT g.grantor_organisation_id AS grantor, array_agg(DISTINCT c) AS classes
         FROM sharing_grant g, unnest(g.classes) c
        WHERE g.child_id = :childId AND g.grantee_organisation_id = :me AND ${grantInForce('g', 'now')}
        GROUP BY g.grantor_organisation_id`,
      { childId, me: grantee, now },
    );
    return new Map(rows.map((r) => [r.grantor, r.classes]));
  }

  /** The directory's kind of an organisation (undefined when there is none). */
  async organisationType(tx: EntityManager, id: string): Promise<OrganisationType | undefined> {
    const rows = await namedQuery<{ type: OrganisationType }>(tx, 'SELECT type FROM organisation WHERE id = :id', {
      id,
    });
    return rows[0]?.type;
  }

  /** The directory's name of an organisation ('' when there is none). */
  async organisationName(tx: EntityManager, id: string): Promise<string> {
    const rows = await namedQuery<{ name: string }>(tx, 'SELECT name FROM organisation WHERE id = :id', { id });
    return rows[0]?.name ?? '';
  }

  findSection(tx: EntityManager, childId: string, organisationId: string): Promise<AgencySection | null> {
    return tx.getRepository(AgencySection).findOneBy({ childId, organisationId });
  }

  /** The section, locked for the rest of the transaction (null when the organisation has none yet). */
  lockSection(tx: EntityManager, childId: string, organisationId: string): Promise<AgencySection | null> {
    return tx
      .getRepository(AgencySection)
      .findOne({ where: { childId, organisationId }, lock: { mode: 'pessimistic_write' } });
  }

  newSection(tx: EntityManager, values: Partial<AgencySection>): AgencySection {
    return tx.getRepository(AgencySection).create(values);
  }

  /** Saves the section and reads it back as stored (version bumped, numerics as the database keeps them). */
  async saveSection(tx: EntityManager, section: AgencySection): Promise<AgencySection> {
    const repo = tx.getRepository(AgencySection);
    const saved = await repo.save(section);
    return repo.findOneByOrFail({ id: saved.id });
  }

  /** One page of the child's chronology under the entry rules, newest first. */
  async chronologyPage(
    tx: EntityManager,
    childId: string,
    scopeFor: (resolve: ReturnType<typeof partConditionSql>) => SqlScope,
    options: { limit: number; cursor?: string; multiAgencyOnly: boolean; now: Date; organisationId: string },
  ): Promise<Page<ChronologyRow>> {
    const meta = tx.getRepository(ChronologyEntry).metadata;
    const scope = scopeFor(partConditionSql('e', columnsFrom(meta, 'e'), { now: 'ce_now', org: 'ce_org' }));
    const params: Record<string, unknown> = {
      ...scope.params,
      childId,
      limit: options.limit + 1,
      ce_now: options.now,
      ce_org: options.organisationId,
    };
    let after = '';
    const c = decodeCursor(options.cursor, ['timestamp', 'uuid']);
    if (c) {
      Object.assign(params, { cAt: new Date(c[0]), cId: c[1] });
      after = 'AND (e.occurred_at, e.id) < (:cAt, :cId)';
    }
    const rows = await namedQuery<ChronologyRow>(
      tx,
      `SELECT e.id, e.child_id AS "childId", e.organisation_id AS "organisationId", o.name AS "organisationName",
              e.author_id AS "authorId", e.occurred_at AS "occurredAt", e.recorded_at AS "recordedAt", e.category,
              e.summary, e.detail, e.sensitivity, e.shareable, e.multi_agency AS "multiAgency"
         FROM chronology_entry e JOIN organisation o ON o.id = e.organisation_id
        WHERE e.child_id = :childId AND ${scope.sql} ${options.multiAgencyOnly ? 'AND e.multi_agency' : ''} ${after}
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT :limit`,
      params,
    );
    return toPage(rows, options.limit, (r) => [new Date(r.occurredAt).toISOString(), r.id]);
  }

  insertChronologyEntry(tx: EntityManager, values: Partial<ChronologyEntry>): Promise<ChronologyEntry> {
    const repo = tx.getRepository(ChronologyEntry);
    return repo.save(repo.create(values));
  }

  /** Whether the child is restricted, the row locked (undefined when there is no such child). */
  async lockChildRestricted(tx: EntityManager, childId: string): Promise<boolean | undefined> {
    const rows = await namedQuery<{ restricted: boolean }>(
      tx,
      'SELECT restricted FROM child WHERE id = :id FOR UPDATE',
      { id: childId },
    );
    return rows[0]?.restricted;
  }

  insertBreakGlass(tx: EntityManager, values: Partial<BreakGlassGrant>): Promise<BreakGlassGrant> {
    const repo = tx.getRepository(BreakGlassGrant);
    return repo.save(repo.create(values));
  }

  /** The organisation leading the child's case now; without one, the organisation that registered the child. */
  async leadOrRegistrant(tx: EntityManager, childId: string, now: Date): Promise<string[]> {
    const rows = await namedQuery<{ organisation_id: string | null }>(
      tx,
      `SELECT coalesce(
         (SELECT organisation_id FROM involvement
           WHERE child_id = :childId AND kind = 'lead' AND ${activeInvolvement('involvement', 'now')} LIMIT 1),
         (SELECT created_by_organisation_id FROM child WHERE id = :childId)) AS organisation_id`,
      { childId, now },
    );
    return rows.flatMap((r) => (r.organisation_id ? [r.organisation_id] : []));
  }
}
