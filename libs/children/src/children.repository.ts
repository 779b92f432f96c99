import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccessContext } from '@app/access';
import { type AuditEntry, AuditService } from '@app/audit';
import {
  decodeCursor,
  encodeCursor,
  namedQuery,
  type OrganisationType,
  type Page,
  Statements,
  toPage,
} from '@app/platform';
import { can } from '@app/access';
import type { ReturnIdentifiers } from '@app/casework';
import { CaseTeamMember, Child, ChildAddress } from './child.entity';
import type { LoadedChild } from './child-rules';
import {
  activeInvolvement,
  breakGlassInForce,
  childDecisionColumns,
  childScope,
  grantInForce,
  SEARCHED_FIELD,
  type SearchPaths,
} from './child-scope';
import type { AddressDto, ChildSearchQuery } from './children.dto';
import { ChronologyEntry } from './chronology.entity';
import { Involvement, MatchReference, TriageAccess } from './involvement.entity';
import { wordsOf } from './child-rules';

const CHILD_COLUMNS = `
  c.id, c.version, c.restricted, c.given_name AS "givenName", c.family_name AS "familyName",
  c.preferred_name AS "preferredName", c.previous_names AS "previousNames",
  to_char(c.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth",
  to_char(c.expected_date_of_birth, 'YYYY-MM-DD') AS "expectedDateOfBirth",
  c.sex, c.ethnicity, c.first_language AS "firstLanguage", c.interpreter_needed AS "interpreterNeeded",
  c.disabilities, c.nhs_number AS "nhsNumber", c.upn, c.pnc_id AS "pncId", c.la_child_id AS "laChildId",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

const DETAIL_COLUMNS = `
  (SELECT coalesce(json_agg(json_build_object(
      'organisationId', i.organisation_id, 'organisationName', o.name, 'organisationType', o.type, 'kind', i.kind,
      'basis', i.basis, 'fromAt', i.from_at, 'untilAt', i.until_at,
      'active', ${activeInvolvement('i', 'now')}) ORDER BY i.from_at), '[]'::json)
     FROM involvement i JOIN organisation o ON o.id = i.organisation_id WHERE i.child_id = c.id) AS involvements,
  (SELECT json_build_object('organisationId', o.id, 'organisationName', o.name)
     FROM involvement i JOIN organisation o ON o.id = i.organisation_id
    WHERE i.child_id = c.id AND i.kind = 'lead' AND ${activeInvolvement('i', 'now')}
    LIMIT 1) AS lead,
  (SELECT coalesce(json_agg(json_build_object(
      'id', a.id, 'organisationId', a.organisation_id, 'line1', a.line1, 'line2', a.line2, 'town', a.town,
      'postcode', a.postcode, 'fromDate', a.from_date, 'untilDate', a.until_date, 'confidential', a.confidential,
      'grantedClasses', ARRAY(SELECT DISTINCT gc FROM sharing_grant g, unnest(g.classes) gc
                               WHERE g.child_id = c.id AND g.grantor_organisation_id = a.organisation_id
                                 AND g.grantee_organisation_id = :org AND ${grantInForce('g', 'now')}))
      ORDER BY a.from_date NULLS FIRST, a.created_at), '[]'::json)
     FROM child_address a WHERE a.child_id = c.id) AS addresses`;

/** Neither working with the child nor on its case team nor under break-glass (the read's other ways). */
const ONLY_BY = (f: string) => `NOT (NOT ${f}.restricted AND :bg_org = ANY(${f}."involvedOrganisationIds"))
  AND NOT (:bg_me = ANY(${f}."caseTeamUserIds")) AND NOT (:bg_me = ANY(${f}."breakGlassUserIds"))`;

/** A child already on the system that a registration may describe, and on what it matched. */
export interface ChildMatchRow {
  id: string;
  on: 'nhs_number' | 'name_and_dob';
  restricted: boolean;
}

/** An organisation working with a child, as the duty to collaborate names it. */
export interface HolderRow {
  organisationId: string;
  name: string;
  type: OrganisationType;
}

/**
 * The SQL of the shared child record. Every method runs on the caller's EntityManager (its
 * transaction); reads of a child are scoped by the policy in SQL (childScope), and the callers
 * judge the rows again in memory before answering.
 */
@Injectable()
export class ChildrenRepository {
  private readonly logger = new Logger('ChildrenService');

  constructor(
    private readonly audit: AuditService,
    private readonly statements: Statements,
  ) {}

  // ---------- reading a child ----------

  /** The child under the caller's scope for the action (with its details, locked, when asked), if any. */
  async findScoped(
    manager: EntityManager,
    ctx: AccessContext,
    id: string,
    options: { action?: 'read' | 'update'; details?: boolean; lock?: boolean },
    now: Date,
  ): Promise<LoadedChild | undefined> {
    const scope = childScope(ctx.ability, ctx.actor.organisationId, options.action ?? 'read', 'c', now);
    const rows = await namedQuery<LoadedChild>(
      manager,
      `SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now', 'org')}
              ${options.details ? `, ${DETAIL_COLUMNS}` : ''}
         FROM child c WHERE c.id = :id AND ${scope.sql} ${options.lock ? 'FOR UPDATE OF c' : ''}`,
      { ...scope.params, id, now, org: ctx.actor.organisationId },
    );
    return rows[0];
  }

  /**
   * The hot read, as one statement: the scoped select and its audit event (allowed, or not_found
   * when the scope let nothing through) in one round trip, atomic without a transaction, and
   * prepared so each connection plans it once (bench/README.md has the figures).
   */
  async readAudited(ctx: AccessContext, id: string, entry: AuditEntry, now: Date): Promise<LoadedChild | undefined> {
    const scope = childScope(ctx.ability, ctx.actor.organisationId, 'read', 'c', now);
    const audit = this.audit.insertSql(entry, {
      expressions: {
        outcomeSql: `CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'allowed' ELSE 'not_found' END`,
        // As viaBreakGlass: seen only because of the actor's own break-glass grant.
        breakGlassSql: `coalesce((SELECT NOT (:bg_org = ANY(f."involvedOrganisationIds"))
            AND NOT (:bg_me = ANY(f."caseTeamUserIds")) AND :bg_me = ANY(f."breakGlassUserIds") FROM found f), false)`,
        // As accessRecordOf: a triage read, or a read under disclosures (naming their classes and disclosers).
        purposeSql: `coalesce((SELECT 'referral_triage' FROM found f WHERE ${ONLY_BY('f')}
            AND cardinality(f."grantedClasses") = 0 AND :bg_team = ANY(f."triageTeamIds")), :bg_purpose)`,
        detailsSql: `coalesce((SELECT jsonb_build_object('underGrant', to_jsonb(f."grantedClasses"), 'grantors',
            (SELECT to_jsonb(array_agg(DISTINCT g.grantor_organisation_id)) FROM sharing_grant g
              WHERE g.child_id = f.id AND g.grantee_organisation_id = :org AND ${grantInForce('g', 'now')}))
            FROM found f WHERE ${ONLY_BY('f')} AND cardinality(f."grantedClasses") > 0), '{}'::jsonb)`,
      },
    });
    const rows = await this.statements.query<LoadedChild>(
      `WITH found AS (
         SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now', 'org')}, ${DETAIL_COLUMNS}
           FROM child c WHERE c.id = :id AND ${scope.sql}
       ), audit AS (${audit.sql})
       SELECT * FROM found`,
      {
        ...scope.params,
        ...audit.params,
        id,
        now,
        org: ctx.actor.organisationId,
        bg_org: ctx.actor.organisationId,
        bg_me: ctx.actor.id,
        bg_team: ctx.actor.teamId ?? '00000000-0000-0000-0000-000000000000',
        bg_purpose: ctx.purpose,
      },
    );
    return rows[0];
  }

  /** The search's settings, for this transaction only. */
  async tuneSearch(tx: EntityManager): Promise<void> {
    // Fuzzy enough for typos and transliterations, strict enough to keep lists short.
    // JIT compiling costs more than a short search saves (40-350 ms measured at 1M children).
    await tx.query(
      `SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('jit', 'off', true)`,
    );
  }

  /**
   * A name search through the organisation's own name index (child_search): candidates of the
   * caller's need-to-know paths are ranked there, one page is taken, and only then is each child
   * loaded under the full scope. A child the scope refuses (never expected: the index mirrors
   * the same conditions) is left out of the page rather than shown.
   */
  async nameIndexPage(
    tx: EntityManager,
    ctx: AccessContext,
    paths: SearchPaths,
    q: string,
    limit: number,
    cursor: string | undefined,
    now: Date,
  ): Promise<Page<LoadedChild>> {
    const scope = childScope(ctx.ability, ctx.actor.organisationId, 'read', 'c', now, SEARCHED_FIELD);
    const words = wordsOf(q);
    const params: Record<string, unknown> = { ...scope.params, now, q, org: ctx.actor.organisationId };
    words.forEach((w, i) => (params[`w${i}`] = w));
    const matches = (column: string) => words.map((_, i) => `:w${i} <% ${column}`).join(' AND ');
    const hits: string[] = [];
    paths.organisations.forEach((org, i) => {
      params[`org${i}`] = org.id;
      hits.push(`SELECT s.child_id AS id, word_similarity(:q, s.search_name) AS score FROM child_search s
         WHERE s.organisation_id = :org${i} ${org.unrestrictedOnly ? 'AND NOT s.restricted' : ''}
           AND ${activeInvolvement('s', 'now')} AND ${matches('s.search_name')}`);
    });
    paths.caseTeamUsers.forEach((user, i) => {
      params[`team${i}`] = user;
      hits.push(`SELECT c.id, word_similarity(:q, c.search_name) AS score FROM case_team_member m JOIN child c ON c.id = m.child_id
         WHERE m.user_id = :team${i} AND ${matches('c.search_name')}`);
    });
    paths.breakGlassUsers.forEach((user, i) => {
      params[`bg${i}`] = user.id;
      hits.push(`SELECT c.id, word_similarity(:q, c.search_name) AS score FROM break_glass_grant g JOIN child c ON c.id = g.child_id
         WHERE g.user_id = :bg${i} ${user.unrestrictedOnly ? 'AND NOT c.restricted' : ''}
           AND ${breakGlassInForce('g', 'now')} AND ${matches('c.search_name')}`);
    });
    for (const grant of paths.identityGrants.slice(0, 1)) {
      hits.push(`SELECT c.id, word_similarity(:q, c.search_name) AS score FROM sharing_grant g JOIN child c ON c.id = g.child_id
         WHERE g.grantee_organisation_id = :org AND 'identity' = ANY(g.classes) AND ${grantInForce('g', 'now')}
           ${grant.unrestrictedOnly ? 'AND NOT c.restricted' : ''}
           AND ${matches('c.search_name')}`);
    }
    paths.triageTeams.forEach((team, i) => {
      params[`tt${i}`] = team.id;
      hits.push(`SELECT c.id, word_similarity(:q, c.search_name) AS score FROM triage_access t JOIN child c ON c.id = t.child_id
         WHERE t.team_id = :tt${i} AND t.closed_at IS NULL ${team.unrestrictedOnly ? 'AND NOT c.restricted' : ''}
           AND ${matches('c.search_name')}`);
    });
    if (hits.length === 0) return { data: [], nextCursor: null };
    let position = decodeCursor(cursor, ['number', 'uuid']);
    const shown: (LoadedChild & { score: number })[] = [];
    // One round normally. Should the index ever offer a child the scope refuses (never
    // expected: it mirrors the same conditions), the page is filled from further candidates,
    // and a cursor is only ever built from a child shown: a cursor is readable, and must not
    // carry the id of a child the caller may not see.
    for (let round = 0; round < 5; round++) {
      const rows = await namedQuery<LoadedChild & { hitId: string; score: number }>(
        tx,
        `WITH hits AS (${hits.join(' UNION ALL ')}),
         best AS (SELECT id, max(score) AS score FROM hits GROUP BY id
                  ${position ? 'HAVING max(score) < :cs OR (max(score) = :cs AND id > :cid)' : ''}
                  ORDER BY score DESC, id LIMIT :limit)
         SELECT b.id AS "hitId", b.score, v.* FROM best b
           LEFT JOIN LATERAL (
             SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now', 'org')} FROM child c WHERE c.id = b.id AND ${scope.sql}
           ) v ON true
          ORDER BY b.score DESC, b.id`,
        { ...params, limit: limit - shown.length + 1, ...(position ? { cs: position[0], cid: position[1] } : {}) },
      );
      const more = rows.length > limit - shown.length;
      const candidates = more ? rows.slice(0, limit - shown.length) : rows;
      const visible = candidates.filter((r) => r.id !== null && can(ctx.ability, 'read', 'Child', r));
      if (visible.length < candidates.length) {
        this.logger.error(`The name index offered ${candidates.length - visible.length} children the scope refuses`);
      }
      shown.push(...visible.map(({ hitId: _, ...child }) => child as LoadedChild & { score: number }));
      const lastCandidate = candidates[candidates.length - 1];
      if (!more || lastCandidate === undefined) return { data: shown, nextCursor: null };
      const last = shown[shown.length - 1];
      if (shown.length >= limit && last !== undefined) {
        return { data: shown, nextCursor: encodeCursor([last.score, last.id]) };
      }
      position = [lastCandidate.score, lastCandidate.hitId];
    }
    const last = shown[shown.length - 1];
    return { data: shown, nextCursor: last !== undefined ? encodeCursor([last.score, last.id]) : null };
  }

  /** Any search on the child table itself, scoped in SQL. */
  async searchPage(
    tx: EntityManager,
    ctx: AccessContext,
    query: ChildSearchQuery,
    q: string,
    limit: number,
    now: Date,
  ): Promise<Page<LoadedChild>> {
    const scope = childScope(ctx.ability, ctx.actor.organisationId, 'read', 'c', now, SEARCHED_FIELD);
    const params: Record<string, unknown> = { ...scope.params, now, org: ctx.actor.organisationId, limit: limit + 1 };
    const where = [scope.sql];
    let order = 'c.family_name, c.given_name, c.id';
    let score = '0::real';
    if (q) {
      params.q = q;
      score = 'word_similarity(:q, c.search_name)';
      wordsOf(q).forEach((w, i) => {
        params[`w${i}`] = w;
        where.push(`:w${i} <% c.search_name`);
      });
      order = 'score DESC, c.id';
    }
    if (query.dateOfBirth) {
      params.dob = query.dateOfBirth;
      where.push('c.date_of_birth = :dob');
    }
    if (query.identifier) {
      params.ident = query.identifier.replace(/[\s-]/g, '').toUpperCase();
      params.identRaw = query.identifier.trim();
      // An identifier finds a child only where the caller may read it: a PNC ID is police information.
      const pnc = childScope(ctx.ability, ctx.actor.organisationId, 'read', 'c', now, 'pncId', 'c_pnc');
      Object.assign(params, pnc.params);
      where.push(
        `(c.nhs_number = :ident OR c.upn = :ident OR c.la_child_id = :identRaw OR (c.pnc_id = :ident AND ${pnc.sql}))`,
      );
    }
    if (query.cursor) {
      if (q) {
        const [s, id] = decodeCursor(query.cursor, ['number', 'uuid'])!;
        Object.assign(params, { cs: s, cid: id });
        where.push(`(${score} < :cs OR (${score} = :cs AND c.id > :cid))`);
      } else {
        const [f, g, id] = decodeCursor(query.cursor, ['text', 'text', 'uuid'])!;
        Object.assign(params, { cf: f, cg: g, cid: id });
        where.push('(c.family_name, c.given_name, c.id) > (:cf, :cg, :cid)');
      }
    }
    const rows = await namedQuery<LoadedChild & { score: number }>(
      tx,
      `SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now', 'org')}, ${score} AS score
         FROM child c WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT :limit`,
      params,
    );
    return toPage(rows, limit, (r) => (q ? [r.score, r.id] : [r.familyName, r.givenName, r.id]));
  }

  // ---------- registering and matching ----------

  /** Serialises work on one identity key until the transaction ends. */
  async lockIdentityKey(tx: EntityManager, key: string): Promise<void> {
    await namedQuery(tx, `SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))`, { key: `child-identity:${key}` });
  }

  insertChild(tx: EntityManager, values: Partial<Child>): Promise<Child> {
    return tx.getRepository(Child).save(tx.getRepository(Child).create(values));
  }

  /** The child with this NHS number, else with this name key and date of birth (unrestricted first). */
  async findMatch(
    tx: EntityManager,
    who: { nhs: string | null; key: string | null; dob: string | null },
  ): Promise<ChildMatchRow | null> {
    const found = await namedQuery<ChildMatchRow>(
      tx,
      `SELECT * FROM (
         SELECT id, 'nhs_number' AS on, restricted, 0 AS rank FROM child WHERE :nhs::text IS NOT NULL AND nhs_number = :nhs
         UNION ALL
         SELECT id, 'name_and_dob', restricted, 1 FROM child
          WHERE :key::text IS NOT NULL AND :dob::date IS NOT NULL AND name_key = :key AND date_of_birth = :dob
       ) m ORDER BY rank, restricted, id LIMIT 1`,
      { nhs: who.nhs, key: who.key, dob: who.dob },
    );
    return found[0] ?? null;
  }

  async insertMatchReference(tx: EntityManager, values: Partial<MatchReference>): Promise<void> {
    await tx.getRepository(MatchReference).insert(values);
  }

  /** The child behind a match reference given to the organisation, if it was given one. */
  async childOfMatchReference(tx: EntityManager, reference: string, organisationId: string): Promise<string | null> {
    const match = await namedQuery<{ child_id: string }>(
      tx,
      'SELECT child_id FROM match_reference WHERE reference = :ref AND organisation_id = :org',
      { ref: reference, org: organisationId },
    );
    return match[0]?.child_id ?? null;
  }

  // ---------- who works with the child ----------

  /** Statutory-return identifiers of many children in one statement (SharedRecord.returnIdentifiers). */
  returnIdentifiers(tx: EntityManager, childIds: string[]): Promise<Map<string, ReturnIdentifiers>> {
    return returnIdentifiersOf(tx, childIds);
  }

  /** Whether the child is restricted (null: no such child). */
  async restrictedOf(tx: EntityManager, childId: string): Promise<boolean | null> {
    const rows = await namedQuery<{ restricted: boolean }>(tx, 'SELECT restricted FROM child WHERE id = :id', {
      id: childId,
    });
    return rows[0]?.restricted ?? null;
  }

  /** Whether the organisation works with the child now (an active involvement). */
  async isInvolved(tx: EntityManager, childId: string, organisationId: string, now: Date): Promise<boolean> {
    const rows = await namedQuery(
      tx,
      `SELECT 1 FROM involvement i WHERE i.child_id = :childId AND i.organisation_id = :organisationId
          AND ${activeInvolvement('i', 'now')} LIMIT 1`,
      { childId, organisationId, now },
    );
    return rows.length > 0;
  }

  /** The organisations working with the child now, but for these two. */
  activeHolders(
    tx: EntityManager,
    childId: string,
    except: { me: string; newcomer: string },
    now: Date,
  ): Promise<HolderRow[]> {
    return namedQuery<HolderRow>(
      tx,
      `SELECT DISTINCT o.id AS "organisationId", o.name, o.type FROM involvement i JOIN organisation o ON o.id = i.organisation_id
        WHERE i.child_id = :childId AND i.organisation_id NOT IN (:me, :newcomer) AND ${activeInvolvement('i', 'now')}
        ORDER BY o.name`,
      { childId, me: except.me, newcomer: except.newcomer, now },
    );
  }

  /** An organisation's name and kind, from identity's directory. */
  async organisation(tx: EntityManager, id: string): Promise<{ name: string; type: OrganisationType } | undefined> {
    const [org] = await namedQuery<{ name: string; type: OrganisationType }>(
      tx,
      'SELECT name, type FROM organisation WHERE id = :id',
      { id },
    );
    return org;
  }

  /** Whether someone (active) of the restricted child's case team works in this organisation. */
  async caseTeamWorksIn(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    const rows = await namedQuery(
      tx,
      `SELECT 1 FROM case_team_member m JOIN app_user u ON u.id = m.user_id
        WHERE m.child_id = :childId AND u.organisation_id = :organisationId AND u.active LIMIT 1`,
      { childId, organisationId },
    );
    return rows.length > 0;
  }

  /** The active members of the child's case team, with their organisations. */
  activeCaseTeam(tx: EntityManager, childId: string): Promise<{ user_id: string; organisation_id: string }[]> {
    return namedQuery<{ user_id: string; organisation_id: string }>(
      tx,
      `SELECT m.user_id, u.organisation_id FROM case_team_member m JOIN app_user u ON u.id = m.user_id
        WHERE m.child_id = :childId AND u.active`,
      { childId },
    );
  }

  /** The case team of a restricted child (empty for any other child). */
  /** Children's services' plan statuses on the child's record (their sections). */
  async planStatusesOf(tx: EntityManager, childId: string): Promise<string[]> {
    const rows = await namedQuery<{ plan: string }>(
      tx,
      `SELECT s.plan_status AS plan FROM agency_section s
        WHERE s.child_id = :childId AND s.agency_type = 'local_authority' AND s.plan_status IS NOT NULL`,
      { childId },
    );
    return rows.map((r) => r.plan);
  }

  /** Writes the council's status and its start date into its section (created if the council has none yet). */
  async setCouncilStatus(
    tx: EntityManager,
    childId: string,
    councilId: string,
    status: string | null,
    since: string | null = null,
  ): Promise<void> {
    await namedQuery(
      tx,
      `WITH s AS (
         SELECT CASE WHEN :status = 'child_protection_plan' AND c.date_of_birth IS NULL
                          AND c.expected_date_of_birth IS NOT NULL
                     THEN 'unborn_child_protection_plan' ELSE :status END AS plan
           FROM child c WHERE c.id = :childId)
       INSERT INTO agency_section (child_id, organisation_id, agency_type, plan_status, plan_start_date)
       SELECT :childId, :councilId, 'local_authority', s.plan, CASE WHEN s.plan IS NOT NULL THEN CAST(:since AS date) END
         FROM s
       ON CONFLICT (child_id, organisation_id) DO UPDATE
         SET plan_status = EXCLUDED.plan_status, plan_start_date = EXCLUDED.plan_start_date,
             version = agency_section.version + 1, updated_at = now()
         WHERE (agency_section.plan_status, agency_section.plan_start_date)
               IS DISTINCT FROM (EXCLUDED.plan_status, EXCLUDED.plan_start_date)`,
      { childId, councilId, status, since },
    );
  }

  /** Children with this NHS number on one of these plans, and the council recording it (the CP-IS look-up). */
  async plansByNhsNumber(
    tx: EntityManager,
    nhsNumber: string,
    plans: readonly string[],
  ): Promise<
    { childId: string; restricted: boolean; plan: string; councilId: string; planStartDate: string | null }[]
  > {
    return namedQuery(
      tx,
      `SELECT c.id AS "childId", c.restricted, s.plan_status AS plan, s.organisation_id AS "councilId",
              to_char(s.plan_start_date, 'YYYY-MM-DD') AS "planStartDate"
         FROM child c
         JOIN agency_section s ON s.child_id = c.id AND s.agency_type = 'local_authority'
        WHERE c.nhs_number = :nhs AND s.plan_status IN (:...plans)
        ORDER BY array_position(ARRAY['child_protection_plan', 'unborn_child_protection_plan', 'looked_after']::text[],
                 s.plan_status::text), s.id`,
      { nhs: nhsNumber, plans: [...plans] },
    );
  }

  async caseTeamOf(tx: EntityManager, childId: string): Promise<string[]> {
    const rows = await namedQuery<{ user_id: string }>(
      tx,
      `SELECT m.user_id FROM case_team_member m JOIN child c ON c.id = m.child_id WHERE c.id = :id AND c.restricted`,
      { id: childId },
    );
    return rows.map((r) => r.user_id);
  }

  /** How many of these are active users (a case team is made of them). */
  async countActiveUsers(tx: EntityManager, ids: string[]): Promise<number> {
    const found = await namedQuery<{ id: string }>(tx, 'SELECT id FROM app_user WHERE id = ANY(:ids) AND active', {
      ids,
    });
    return found.length;
  }

  // ---------- changing the record ----------

  entityOf(tx: EntityManager, id: string): Promise<Child> {
    return tx.getRepository(Child).findOneByOrFail({ id });
  }

  async save(tx: EntityManager, child: Child): Promise<void> {
    await tx.getRepository(Child).save(child);
  }

  async replaceCaseTeam(tx: EntityManager, childId: string, userIds: string[]): Promise<void> {
    await tx.getRepository(CaseTeamMember).delete({ childId });
    await tx.getRepository(CaseTeamMember).insert(userIds.map((userId) => ({ childId, userId })));
  }

  /** Locks the child against other additions, and answers how many addresses it holds. */
  async lockAddressCount(tx: EntityManager, childId: string): Promise<number> {
    await tx.query('SELECT 1 FROM child WHERE id = $1 FOR NO KEY UPDATE', [childId]);
    const [{ held }] = await tx.query('SELECT count(*)::int AS held FROM child_address WHERE child_id = $1', [childId]);
    return held as number;
  }

  async insertAddress(tx: EntityManager, childId: string, organisationId: string, a: AddressDto): Promise<void> {
    await tx.getRepository(ChildAddress).insert({
      childId,
      organisationId,
      line1: a.line1,
      line2: a.line2 ?? null,
      town: a.town,
      postcode: a.postcode,
      fromDate: a.fromDate ?? null,
      untilDate: a.untilDate ?? null,
      confidential: a.confidential ?? false,
    });
  }

  async insertEntry(tx: EntityManager, values: Partial<ChronologyEntry>): Promise<void> {
    await tx.getRepository(ChronologyEntry).insert(values);
  }

  // ---------- involvements and triage ----------

  /** Steps that change the child's lead queue here. */
  async lockChild(tx: EntityManager, childId: string): Promise<void> {
    await namedQuery(tx, 'SELECT 1 FROM child WHERE id = :childId FOR UPDATE', { childId });
  }

  /**
   * The organisation's open-ended involvement with the child (its lead one first), if any. Not
   * `activeInvolvement` on purpose: an involvement that ends (a disclosure's, until a date) does not
   * stand for the lasting one a statutory step starts, so `involve` adds that beside it.
   */
  async openInvolvementOf(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    now: Date,
  ): Promise<{ id: string; kind: string } | undefined> {
    const active = await namedQuery<{ id: string; kind: string }>(
      tx,
      `SELECT id, kind FROM involvement WHERE child_id = :childId AND organisation_id = :organisationId
          AND from_at <= :now AND until_at IS NULL ORDER BY kind = 'lead' DESC LIMIT 1`,
      { childId, organisationId, now },
    );
    return active[0];
  }

  /** The child's lead becomes this involvement (the previous lead keeps working with it, contributing). */
  async moveLead(tx: EntityManager, childId: string, to: string | undefined): Promise<void> {
    await namedQuery(
      tx,
      `UPDATE involvement SET kind = 'contributing' WHERE child_id = :childId AND kind = 'lead' AND until_at IS NULL`,
      { childId },
    );
    if (to) await namedQuery(tx, `UPDATE involvement SET kind = 'lead' WHERE id = :id`, { id: to });
  }

  async insertInvolvement(tx: EntityManager, values: Partial<Involvement>): Promise<void> {
    await tx.getRepository(Involvement).insert(values);
  }

  async insertTriage(tx: EntityManager, values: Partial<TriageAccess>): Promise<void> {
    await tx.getRepository(TriageAccess).insert(values);
  }

  async closeTriage(tx: EntityManager, referralId: string, now: Date): Promise<void> {
    await namedQuery(tx, 'UPDATE triage_access SET closed_at = :now WHERE referral_id = :id AND closed_at IS NULL', {
      id: referralId,
      now,
    });
  }
}

/**
 * The statutory-return identifiers of many children in one statement: what SharedRecord gives the
 * council's returns, and what the returns CLIs (which run without the Nest container) read directly.
 */
export async function returnIdentifiersOf(
  tx: EntityManager,
  childIds: string[],
): Promise<Map<string, ReturnIdentifiers>> {
  const rows = await namedQuery<ReturnIdentifiers & { id: string }>(
    tx,
    `SELECT id, la_child_id AS "laChildId", upn, to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth",
            to_char(expected_date_of_birth, 'YYYY-MM-DD') AS "expectedDateOfBirth", sex, ethnicity,
            coalesce(disabilities, '{}') AS disabilities
       FROM child WHERE id = ANY(:ids)`,
    { ids: childIds },
  );
  return new Map(rows.map(({ id, ...r }) => [id, r]));
}
