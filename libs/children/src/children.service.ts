import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AccessContext,
  can,
  filterFields,
  mayLearnOfInvolvement,
  mayNameHolder,
  permittedFields,
  rolesAllowed,
} from '@app/access';
import { type AuditEntry, AuditService } from '@app/audit';
import { type ChildDetails, type CollaborationNotice, Events, Notifier } from '@app/casework';
import {
  Clock,
  decodeCursor,
  DomainError,
  encodeCursor,
  type FieldError,
  namedQuery,
  type OrganisationType,
  type Page,
  sentKeys,
  Statements,
  toPage,
} from '@app/platform';
import { CaseTeamMember, Child, ChildAddress } from './child.entity';
import {
  activeInvolvement,
  childDecisionColumns,
  childScope,
  SEARCHED_FIELD,
  type SearchPaths,
  searchPaths,
} from './child-scope';
import { ChildError } from './children.errors';
import { ChronologyEntry, multiAgencyByDefault } from './chronology.entity';
import {
  type AddressDto,
  type ChildDto,
  type ChildSearchQuery,
  type CreateChildDto,
  MAX_ADDRESSES_PER_CHILD,
  type UpdateChildDto,
} from './children.dto';
import { Involvement, type InvolvementBasis, MatchReference, TriageAccess } from './involvement.entity';
import { normaliseIdentifier } from './identifiers';
import { nameKeyOf, normaliseName, searchNameOf } from './names';

interface AuditExtra {
  breakGlass?: boolean;
  details?: Record<string, unknown>;
  subjectType?: string;
  subjectIds?: string[];
  /** Instead of the caller's purpose: e.g. a triage read is recorded as `referral_triage`. */
  purpose?: string;
}

/** A child row as loaded for a decision: its fields plus the need-to-know attributes. */
export type LoadedChild = Record<string, unknown> & {
  id: string;
  version: number;
  restricted: boolean;
  involvedOrganisationIds: string[];
  caseTeamUserIds: string[];
  breakGlassUserIds: string[];
  /** Classes live grants disclose to the actor's organisation (loaded relative to the actor). */
  grantedClasses: string[];
  triageTeamIds: string[];
};

/** The child's relations, as the parts of its record (addresses, sections, entries) are judged by them. */
export function childRelations(child: LoadedChild) {
  return {
    childRestricted: child.restricted,
    childInvolvedOrganisationIds: child.involvedOrganisationIds,
    childCaseTeamUserIds: child.caseTeamUserIds,
    childBreakGlassUserIds: child.breakGlassUserIds,
  };
}

/** Roles that handle a possible match on a child their organisation holds: those who decide what to share. */
const MATCH_HANDLERS = rolesAllowed('receive', 'InformationRequest');
/** Roles that work a receiving team's referrals. */
const REFERRAL_RECEIVERS = rolesAllowed('receive', 'Referral');

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
                                 AND g.grantee_organisation_id = :org AND g.revoked_at IS NULL
                                 AND g.from_at <= :now AND g.until_at > :now))
      ORDER BY a.from_date NULLS FIRST, a.created_at), '[]'::json)
     FROM child_address a WHERE a.child_id = c.id) AS addresses`;

/** Neither working with the child nor on its case team nor under break-glass (the read's other ways). */
const ONLY_BY = (f: string) => `NOT (NOT ${f}.restricted AND :bg_org = ANY(${f}."involvedOrganisationIds"))
  AND NOT (:bg_me = ANY(${f}."caseTeamUserIds")) AND NOT (:bg_me = ANY(${f}."breakGlassUserIds"))`;

/** The words of a normalised search text: each must match a word of the name (at most six). */
export function wordsOf(q: string): string[] {
  return [...new Set(q.split(' ').filter((w) => w.length > 0))].slice(0, 6);
}

/** The sensitivity class an agency's own workflow entries are recorded in. */
export function entryClassOf(organisationType: string): string {
  const classes: Record<string, string> = {
    police_force: 'police-intelligence',
    local_authority: 'social-care',
    school: 'education',
    health: 'health',
  };
  return classes[organisationType] ?? 'identity';
}

/**
 * A date of birth is in the past and within living memory (from 1900); an expected one (an unborn
 * child) is at most a month past and within ten months ahead.
 */
export function birthDateErrors(
  dto: { dateOfBirth?: string | null; expectedDateOfBirth?: string | null },
  now: Date,
  prefix = '',
): FieldError[] {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const errors: FieldError[] = [];
  if (dto.dateOfBirth && (dto.dateOfBirth < '1900-01-01' || dto.dateOfBirth > day(now))) {
    errors.push({
      field: `${prefix}dateOfBirth`,
      message: `${prefix}dateOfBirth must be between 1900-01-01 and today`,
    });
  }
  const from = day(new Date(now.getTime() - 31 * 86_400_000));
  const to = day(new Date(now.getTime() + 300 * 86_400_000));
  if (dto.expectedDateOfBirth && (dto.expectedDateOfBirth < from || dto.expectedDateOfBirth > to)) {
    errors.push({
      field: `${prefix}expectedDateOfBirth`,
      message: `${prefix}expectedDateOfBirth must be between ${from} and ${to}`,
    });
  }
  return errors;
}

/** Working with the child: its organisation's involvement, or its user on the case team. */
export function worksWith(ctx: AccessContext, child: LoadedChild): boolean {
  return (
    (!child.restricted && child.involvedOrganisationIds.includes(ctx.actor.organisationId)) ||
    child.caseTeamUserIds.includes(ctx.actor.id)
  );
}

/** Via break-glass only: the actor would not see the child through need-to-know. */
export function viaBreakGlass(ctx: AccessContext, child: LoadedChild): boolean {
  return (
    !child.involvedOrganisationIds.includes(ctx.actor.organisationId) &&
    !child.caseTeamUserIds.includes(ctx.actor.id) &&
    child.breakGlassUserIds.includes(ctx.actor.id)
  );
}

/**
 * What an access to this child is recorded as, beyond the caller's stated purpose: a triage read
 * is `referral_triage`; a read under disclosures names their classes and disclosers, so that each
 * discloser sees in its access log what was read under its grant.
 */
export function accessRecordOf(
  ctx: AccessContext,
  child: LoadedChild,
  grantors: string[] = [],
): { purpose?: string; details?: Record<string, unknown> } {
  if (worksWith(ctx, child) || child.breakGlassUserIds.includes(ctx.actor.id)) return {};
  if (child.grantedClasses.length) return { details: { underGrant: child.grantedClasses, grantors } };
  if (ctx.actor.teamId && child.triageTeamIds.includes(ctx.actor.teamId)) return { purpose: 'referral_triage' };
  return {};
}

@Injectable()
export class ChildrenService {
  private readonly logger = new Logger(ChildrenService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly statements: Statements,
    private readonly notifier: Notifier,
  ) {}

  /**
   * Loads a child the actor may see (or act on), or throws 404, exactly as for a child that does
   * not exist. Every use case on a child's data starts here.
   */
  async require(
    manager: EntityManager,
    ctx: AccessContext,
    id: string,
    options: { action?: 'read' | 'update'; details?: boolean; lock?: boolean; working?: boolean } = {},
  ): Promise<LoadedChild> {
    const now = this.clock.now();
    const scope = childScope(ctx.ability, ctx.actor.organisationId, options.action ?? 'read', 'c', now);
    const rows = await namedQuery<LoadedChild>(
      manager,
      `SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now', 'org')}
              ${options.details ? `, ${DETAIL_COLUMNS}` : ''}
         FROM child c WHERE c.id = :id AND ${scope.sql} ${options.lock ? 'FOR UPDATE OF c' : ''}`,
      { ...scope.params, id, now, org: ctx.actor.organisationId },
    );
    const child = rows[0];
    // The SQL and the in-memory check judge the same rules; both must agree to let the actor in.
    if (!child || !can(ctx.ability, options.action ?? 'read', 'Child', child)) throw ChildError.notFound();
    // Naming a child in a workflow step writes onto its record (a chronology entry, an involvement,
    // triage for another team): only those working with it may. A disclosure, triage or break-glass
    // reads; it never lets the reader act on the child.
    if (options.working && !worksWith(ctx, child)) throw ChildError.notFound();
    return child;
  }

  /**
   * The hot read, as one statement: the scoped select and its audit event (allowed, or not_found
   * when the scope let nothing through) in one round trip, atomic without a transaction, and
   * prepared so each connection plans it once (bench/README.md has the figures).
   */
  async get(ctx: AccessContext, id: string): Promise<ChildDto> {
    const now = this.clock.now();
    const scope = childScope(ctx.ability, ctx.actor.organisationId, 'read', 'c', now);
    const audit = this.audit.insertSql(this.entry(ctx, 'child.read', [id], 'allowed'), {
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
              WHERE g.child_id = f.id AND g.grantee_organisation_id = :org AND g.revoked_at IS NULL
                AND g.from_at <= :now AND g.until_at > :now))
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
    const child = rows[0];
    if (!child) throw ChildError.notFound();
    if (!can(ctx.ability, 'read', 'Child', child)) {
      // The SQL scope and the policy disagree: a bug. Answer as for any child out of reach, and
      // correct the record the statement wrote ("allowed") with what the caller actually got.
      this.logger.error(`The SQL scope returned child ${id}, which the policy refuses`);
      await this.record(this.db.manager, ctx, 'child.read', [id], 'denied', {
        details: { correction: 'the policy refused the row the scope returned; nothing was answered' },
      });
      throw ChildError.notFound();
    }
    return this.present(ctx, child);
  }

  /**
   * Fields filtered by permission; each address judged by the address rules (whose it is, and
   * what its recorder disclosed); involvements by the tipping-off rules.
   */
  present(ctx: AccessContext, child: LoadedChild): ChildDto {
    const out = filterFields(ctx.ability, 'Child', child) as Record<string, unknown>;
    if (Array.isArray(out.addresses)) {
      const relations = childRelations(child);
      out.addresses = (out.addresses as (Record<string, unknown> & { grantedClasses?: string[] })[])
        .filter((a) => can(ctx.ability, 'read', 'ChildAddress', { ...a, ...relations }))
        .map(({ grantedClasses: _g, ...address }) => address);
    }
    if (Array.isArray(out.involvements)) {
      out.involvements = (
        out.involvements as { organisationId: string; organisationType: OrganisationType; basis: string }[]
      ).filter((i) => mayLearnOfInvolvement(ctx.actor, i));
    }
    return out as unknown as ChildDto;
  }

  async search(ctx: AccessContext, query: ChildSearchQuery): Promise<Page<ChildDto>> {
    const limit = query.limit ?? 25;
    const q = query.q !== undefined ? normaliseName(query.q) : '';
    const paths = searchPaths(ctx.ability, 'read');
    const found = await this.db.transaction(async (tx) => {
      // Fuzzy enough for typos and transliterations, strict enough to keep lists short.
      // JIT compiling costs more than a short search saves (40-350 ms measured at 1M children).
      await tx.query(
        `SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('jit', 'off', true)`,
      );
      const page =
        q && paths && !query.dateOfBirth && !query.identifier
          ? await this.searchByName(tx, ctx, paths, q, limit, query.cursor)
          : await this.searchChildren(tx, ctx, query, q, limit);
      // Every child a search returned is on that child's access log.
      await this.record(
        tx,
        ctx,
        'child.search',
        page.data.map((r) => r.id),
        'allowed',
        {
          details: {
            filters: sentKeys(query).filter((k) => !['limit', 'cursor'].includes(k)),
            count: page.data.length,
          },
        },
      );
      return page;
    });
    return { data: found.data.map((r) => this.present(ctx, r)), nextCursor: found.nextCursor };
  }

  /**
   * A name search through the organisation's own name index (child_search): candidates of the
   * caller's need-to-know paths are ranked there, one page is taken, and only then is each child
   * loaded under the full scope. A child the scope refuses (never expected: the index mirrors
   * the same conditions) is left out of the page rather than shown.
   */
  private async searchByName(
    tx: EntityManager,
    ctx: AccessContext,
    paths: SearchPaths,
    q: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<LoadedChild>> {
    const now = this.clock.now();
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
           AND g.granted_at <= :now AND g.expires_at > :now AND ${matches('c.search_name')}`);
    });
    for (const grant of paths.identityGrants.slice(0, 1)) {
      hits.push(`SELECT c.id, word_similarity(:q, c.search_name) AS score FROM sharing_grant g JOIN child c ON c.id = g.child_id
         WHERE g.grantee_organisation_id = :org AND 'identity' = ANY(g.classes) AND g.revoked_at IS NULL
           AND g.from_at <= :now AND g.until_at > :now ${grant.unrestrictedOnly ? 'AND NOT c.restricted' : ''}
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
  private async searchChildren(
    tx: EntityManager,
    ctx: AccessContext,
    query: ChildSearchQuery,
    q: string,
    limit: number,
  ): Promise<Page<LoadedChild>> {
    const now = this.clock.now();
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

  async create(ctx: AccessContext, dto: CreateChildDto): Promise<ChildDto> {
    this.checkRegistration(ctx, dto);
    // One transaction: the match check and the registration see the same world (two registrations
    // of the same child at once queue on the identity lock); a refused one commits its match
    // reference and notices, then answers 409.
    const outcome = await this.db.transaction(async (tx) => {
      await this.lockIdentity(tx, dto);
      const match = await this.judgeMatch(tx, ctx, dto);
      if (match.kind !== 'none' && match.kind !== 'restricted') return match;
      const childId = await this.register(tx, ctx, dto);
      if (match.kind === 'restricted') await this.tellCaseTeam(tx, match.childId);
      return { kind: 'created' as const, childId };
    });
    if (outcome.kind === 'visible') throw ChildError.alreadyRegistered(outcome.childId);
    if (outcome.kind === 'hidden') throw ChildError.possibleMatch(outcome.reference, outcome.heldBy);
    return this.db.transaction(async (tx) =>
      this.present(ctx, await this.require(tx, ctx, outcome.childId, { details: true })),
    );
  }

  /**
   * Serialises registrations (and decisions that register) describing the same child, so that two
   * at once cannot both find no match and register the child twice. In the caller's transaction.
   */
  async lockIdentity(tx: EntityManager, who: Partial<CreateChildDto>): Promise<void> {
    const keys = [
      who.nhsNumber ? `nhs:${normaliseIdentifier('nhs_number', who.nhsNumber)}` : null,
      who.givenName && who.familyName && who.dateOfBirth
        ? `name:${nameKeyOf({ givenName: who.givenName, familyName: who.familyName })}:${who.dateOfBirth}`
        : null,
    ].filter((k): k is string => k !== null);
    // Always in the same order, so that two registrations never wait on each other's second key.
    for (const key of keys.sort()) {
      await namedQuery(tx, `SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))`, { key: `child-identity:${key}` });
    }
  }

  /** A registration's own checks: a date of birth (or expected one), and only fields the caller may write. */
  checkRegistration(ctx: AccessContext, dto: Partial<CreateChildDto>, prefix = ''): void {
    const errors: FieldError[] = [];
    for (const field of ['givenName', 'familyName'] as const) {
      if (!dto[field]) errors.push({ field: `${prefix}${field}`, message: `${prefix}${field} is required` });
    }
    if (!dto.dateOfBirth && !dto.expectedDateOfBirth) {
      errors.push({
        field: `${prefix}dateOfBirth`,
        message: `${prefix}dateOfBirth or ${prefix}expectedDateOfBirth is required`,
      });
    }
    errors.push(...birthDateErrors(dto, this.clock.now(), prefix));
    if (errors.length) throw DomainError.validation(errors);
    // Judge the fields against the record as it will be: the registering organisation working with it.
    const asRegistered = {
      restricted: false,
      involvedOrganisationIds: [ctx.actor.organisationId],
      caseTeamUserIds: [],
      breakGlassUserIds: [],
      grantedClasses: [],
      triageTeamIds: [],
    };
    const writable = new Set(permittedFields(ctx.ability, 'update', 'Child', asRegistered));
    const refused = sentKeys(dto).filter((f) => f !== 'addresses' && !writable.has(f));
    if (refused.length) throw ChildError.fieldsForbidden(refused);
  }

  /**
   * Registers a child in the caller's transaction (matches already judged): the caller's
   * organisation works with it from now on, and is its lead agency if it is children's services.
   */
  async register(tx: EntityManager, ctx: AccessContext, dto: CreateChildDto): Promise<string> {
    const now = this.clock.now();
    const child = await tx.getRepository(Child).save(
      tx.getRepository(Child).create({
        givenName: dto.givenName,
        familyName: dto.familyName,
        preferredName: dto.preferredName ?? null,
        previousNames: dto.previousNames ?? [],
        searchName: searchNameOf(dto),
        nameKey: nameKeyOf(dto),
        dateOfBirth: dto.dateOfBirth ?? null,
        expectedDateOfBirth: dto.expectedDateOfBirth ?? null,
        sex: dto.sex ?? 'U',
        ethnicity: dto.ethnicity ?? null,
        firstLanguage: dto.firstLanguage ?? null,
        interpreterNeeded: dto.interpreterNeeded ?? false,
        disabilities: dto.disabilities ?? [],
        nhsNumber: dto.nhsNumber ?? null,
        upn: dto.upn ?? null,
        pncId: dto.pncId ?? null,
        laChildId: dto.laChildId ?? null,
        restricted: false,
        createdByOrganisationId: ctx.actor.organisationId,
      }),
    );
    await tx.getRepository(Involvement).insert({
      childId: child.id,
      organisationId: ctx.actor.organisationId,
      kind: ctx.actor.organisationType === 'local_authority' ? 'lead' : 'contributing',
      basis: 'registered',
      fromAt: now,
      untilAt: null,
      reason: 'Registered the child',
      createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null,
    });
    for (const address of dto.addresses ?? []) await this.insertAddress(tx, ctx, child.id, address);
    await this.record(tx, ctx, 'child.create', [child.id], 'allowed', {
      details: { fields: sentKeys(dto).filter((k) => k !== 'addresses'), addresses: dto.addresses?.length ?? 0 },
    });
    return child.id;
  }

  /**
   * The child already on the system that a registration describes (same NHS number, or same name
   * and date of birth), if any. The one matching rule for registrations, referrals and requests.
   */
  async findMatch(
    tx: EntityManager,
    who: {
      nhsNumber?: string | null;
      givenName?: string | null;
      familyName?: string | null;
      dateOfBirth?: string | null;
    },
  ): Promise<{ id: string; on: 'nhs_number' | 'name_and_dob'; restricted: boolean } | null> {
    const nhs = who.nhsNumber ? normaliseIdentifier('nhs_number', who.nhsNumber) : null;
    const key =
      who.givenName && who.familyName ? nameKeyOf({ givenName: who.givenName, familyName: who.familyName }) : null;
    const found = await namedQuery<{ id: string; on: 'nhs_number' | 'name_and_dob'; restricted: boolean }>(
      tx,
      `SELECT * FROM (
         SELECT id, 'nhs_number' AS on, restricted, 0 AS rank FROM child WHERE :nhs::text IS NOT NULL AND nhs_number = :nhs
         UNION ALL
         SELECT id, 'name_and_dob', restricted, 1 FROM child
          WHERE :key::text IS NOT NULL AND :dob::date IS NOT NULL AND name_key = :key AND date_of_birth = :dob
       ) m ORDER BY rank, restricted, id LIMIT 1`,
      { nhs, key, dob: who.dateOfBirth ?? null },
    );
    return found[0] ?? null;
  }

  /**
   * What a registration (or a decision registering a child) that may describe a child already on
   * the system is told: the child's id if the caller can see it (`visible`); an opaque match
   * reference naming only the holders the tipping-off rules let it learn of, every holder told
   * (`hidden`); for a restricted child nothing at all (`restricted`: go ahead as for an unknown
   * child, the case team is told in the same transaction); or `none`. In the caller's transaction,
   * after lockIdentity.
   */
  async judgeMatch(
    tx: EntityManager,
    ctx: AccessContext,
    who: Partial<CreateChildDto>,
  ): Promise<
    | { kind: 'none' }
    | { kind: 'visible'; childId: string }
    | { kind: 'restricted'; childId: string }
    | { kind: 'hidden'; childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }
  > {
    const match = await this.findMatch(tx, who);
    if (!match) return { kind: 'none' };
    const visible = await this.require(tx, ctx, match.id).then(
      () => true,
      () => false,
    );
    if (visible) return { kind: 'visible', childId: match.id };
    if (match.restricted) {
      await this.record(tx, ctx, 'child.possible_match', [match.id], 'not_found', {
        details: { matchedOn: match.on, restricted: true },
      });
      return { kind: 'restricted', childId: match.id };
    }
    return { kind: 'hidden', ...(await this.referenceMatch(tx, ctx, match)) };
  }

  /**
   * A match the actor may not act on: an opaque match reference for it (for a referral or an
   * information request), the holders told, and only the holders the tipping-off rules let the
   * actor learn of named.
   */
  private async referenceMatch(
    tx: EntityManager,
    ctx: AccessContext,
    match: { id: string; on: 'nhs_number' | 'name_and_dob' },
  ): Promise<{ childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }> {
    const reference = `MR-${randomBytes(6).toString('hex').toUpperCase()}`;
    await tx.getRepository(MatchReference).insert({
      reference,
      childId: match.id,
      organisationId: ctx.actor.organisationId,
      createdBy: ctx.actor.id,
      matchedOn: match.on,
    });
    // The other agency's child's log shows that someone registered a possible duplicate.
    await this.record(tx, ctx, 'child.possible_match', [match.id], 'denied', {
      details: { matchedOn: match.on, reference },
    });
    const holders = await this.tellHolders(tx, ctx, match.id, { matchReference: reference });
    const heldBy = holders
      .filter((h) => mayNameHolder(ctx.actor.organisationType, h.type))
      .map((h) => ({ organisationId: h.organisationId, name: h.name }));
    await this.events.emit(
      tx,
      'child.linked',
      { matchReference: reference, heldBy },
      { organisationId: ctx.actor.organisationId },
    );
    return { childId: match.id, reference, heldBy };
  }

  /**
   * The child these details describe, for a workflow step that needs one (a referral's decision):
   * the record already on the system (same NHS number, or same name and date of birth), else a new
   * registration by the actor's organisation. A restricted record is never linked this way: a new
   * one is registered and its case team is told, as for any registration that may duplicate it.
   */
  async findOrRegister(tx: EntityManager, ctx: AccessContext, who: ChildDetails, fieldPrefix: string): Promise<string> {
    this.checkRegistration(ctx, who as Partial<CreateChildDto>, fieldPrefix);
    await this.lockIdentity(tx, who as Partial<CreateChildDto>);
    const match = await this.findMatch(tx, who);
    if (match && !match.restricted) {
      if (await this.actorWorksWith(tx, ctx, match.id)) return match.id;
      // Registered by another agency since the step judged the match: judging again gets its reference.
      throw DomainError.conflict(
        'CHILD.REGISTERED_MEANWHILE',
        'A record that may be this child was registered meanwhile by another agency: try again.',
      );
    }
    const registered = await this.register(tx, ctx, who as CreateChildDto);
    if (match?.restricted) await this.tellCaseTeam(tx, match.id);
    return registered;
  }

  /** judgeMatch for a step that may register a child: see SharedRecord.judgeMatch. */
  async judgeDecisionMatch(
    tx: EntityManager,
    ctx: AccessContext,
    who: ChildDetails,
    fieldPrefix: string,
  ): Promise<
    | { kind: 'none' | 'working' | 'restricted'; childId?: string }
    | { kind: 'held'; childId: string; reference: string; heldBy: { organisationId: string; name: string }[] }
  > {
    this.checkRegistration(ctx, who as Partial<CreateChildDto>, fieldPrefix);
    await this.lockIdentity(tx, who as Partial<CreateChildDto>);
    const match = await this.findMatch(tx, who);
    if (!match) return { kind: 'none' };
    if (match.restricted) return { kind: 'restricted', childId: match.id };
    if (await this.actorWorksWith(tx, ctx, match.id)) return { kind: 'working', childId: match.id };
    return { kind: 'held', ...(await this.referenceMatch(tx, ctx, match)) };
  }

  /** Whether the actor works with the child (its organisation, or its own place on the case team). */
  private async actorWorksWith(tx: EntityManager, ctx: AccessContext, childId: string): Promise<boolean> {
    return this.require(tx, ctx, childId, { working: true }).then(
      () => true,
      () => false,
    );
  }

  /** Whether the organisation works with the child now (an active involvement). */
  async worksWith(tx: EntityManager, childId: string, organisationId: string): Promise<boolean> {
    const rows = await namedQuery(
      tx,
      `SELECT 1 FROM involvement i WHERE i.child_id = :childId AND i.organisation_id = :organisationId
          AND ${activeInvolvement('i', 'now')} LIMIT 1`,
      { childId, organisationId, now: this.clock.now() },
    );
    return rows.length > 0;
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

  /**
   * A restricted child's case team, told privately (by name, never a whole role): by default that a
   * registration may duplicate the child.
   */
  async tellCaseTeam(
    tx: EntityManager,
    childId: string,
    notice: { kind: string; message: string } = {
      kind: 'child.possible_duplicate',
      message:
        'Another organisation registered a child who may be this restricted child. Review it with the case team.',
    },
  ): Promise<void> {
    const team = await namedQuery<{ user_id: string; organisation_id: string }>(
      tx,
      `SELECT m.user_id, u.organisation_id FROM case_team_member m JOIN app_user u ON u.id = m.user_id
        WHERE m.child_id = :childId AND u.active`,
      { childId },
    );
    for (const orgId of new Set(team.map((m) => m.organisation_id))) {
      await this.notifier.send(
        tx,
        { organisationId: orgId, userIds: team.filter((m) => m.organisation_id === orgId).map((m) => m.user_id) },
        { kind: notice.kind, subjectType: 'Child', subjectId: childId, message: notice.message },
      );
    }
  }

  /** The case team of a restricted child (empty for any other child). */
  async caseTeamOf(tx: EntityManager, childId: string): Promise<string[]> {
    const rows = await namedQuery<{ user_id: string }>(
      tx,
      `SELECT m.user_id FROM case_team_member m JOIN child c ON c.id = m.child_id WHERE c.id = :id AND c.restricted`,
      { id: childId },
    );
    return rows.map((r) => r.user_id);
  }

  async isRestricted(tx: EntityManager, childId: string): Promise<boolean> {
    const rows = await namedQuery<{ restricted: boolean }>(tx, 'SELECT restricted FROM child WHERE id = :id', {
      id: childId,
    });
    return rows[0]?.restricted ?? false;
  }

  /**
   * The child behind a match reference the caller's organisation was given (a possible match it
   * could not see), for a referral or an information request. Anything else is 400 naming the field.
   */
  async childOfMatchReference(tx: EntityManager, ctx: AccessContext, reference: string): Promise<string> {
    const match = await namedQuery<{ child_id: string }>(
      tx,
      'SELECT child_id FROM match_reference WHERE reference = :ref AND organisation_id = :org',
      { ref: reference, org: ctx.actor.organisationId },
    );
    if (!match[0]) {
      throw DomainError.validation([
        { field: 'matchReference', message: 'matchReference is not one your organisation was given' },
      ]);
    }
    return match[0].child_id;
  }

  /**
   * The duty to collaborate, both ways, in one place. The organisations working with a child learn
   * that another one is now working with it (a registration that matched: `matchReference`) or has
   * received a referral about it (`referral`): who, and how to ask, never what it holds. Told are
   * the roles that decide what their organisation shares. The receiver of a referral learns in turn
   * who works with the child, those the tipping-off rules let it learn of, to ask them.
   * Returns every holder told: the caller decides what else it may repeat to whom.
   * A restricted child's holders are not told at all (nor the receiver): only its case team, by name;
   * and the newcomer is named to a holder only where a match answer could name it (tipping off).
   */
  async tellHolders(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    about: CollaborationNotice,
  ): Promise<{ organisationId: string; name: string; type: OrganisationType }[]> {
    const now = this.clock.now();
    const newcomerId = 'referral' in about ? about.referral.organisationId : ctx.actor.organisationId;
    const [newcomer] = await namedQuery<{ name: string; type: OrganisationType }>(
      tx,
      'SELECT name, type FROM organisation WHERE id = :id',
      { id: newcomerId },
    );
    const [child] = await namedQuery<{ restricted: boolean }>(tx, 'SELECT restricted FROM child WHERE id = :id', {
      id: childId,
    });
    if (!newcomer || !child) return [];
    if (child.restricted) {
      await this.tellCaseTeam(tx, childId, {
        kind: 'child.linked',
        message:
          'referral' in about
            ? `${newcomer.name} has received a referral about this restricted child.`
            : `${newcomer.name} asked about a child who may be this restricted child.`,
      });
      return [];
    }
    const holders = await namedQuery<{ organisationId: string; name: string; type: OrganisationType }>(
      tx,
      `SELECT DISTINCT o.id AS "organisationId", o.name, o.type FROM involvement i JOIN organisation o ON o.id = i.organisation_id
        WHERE i.child_id = :childId AND i.organisation_id NOT IN (:me, :newcomer) AND ${activeInvolvement('i', 'now')}
        ORDER BY o.name`,
      { childId, me: ctx.actor.organisationId, newcomer: newcomerId, now },
    );
    for (const h of holders) {
      const named = mayNameHolder(h.type, newcomer.type);
      const who = named ? newcomer.name : 'Another agency';
      const message =
        'matchReference' in about
          ? `${who} is working with a child your organisation holds (match reference ${about.matchReference}); expect an information request.`
          : `${who} has received a referral about a child your organisation holds.`;
      await this.notifier.send(
        tx,
        { organisationId: h.organisationId, roles: MATCH_HANDLERS },
        { kind: 'child.linked', subjectType: 'Child', subjectId: childId, message },
      );
      await this.events.emit(
        tx,
        'child.linked',
        {
          childId,
          ...('matchReference' in about ? { matchReference: about.matchReference } : {}),
          ...('referral' in about ? { referralId: about.referral.id } : {}),
          otherOrganisation: named ? { id: newcomerId, name: newcomer.name } : { id: null, name: 'Another agency' },
        },
        { organisationId: h.organisationId },
      );
    }
    if ('referral' in about) await this.tellReceiver(tx, childId, about.referral, holders);
    return holders;
  }

  /** The receiving team of a referral learns who else works with the child (those it may learn of). */
  private async tellReceiver(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; organisationType: OrganisationType; teamId: string },
    holders: { organisationId: string; name: string; type: OrganisationType }[],
  ): Promise<void> {
    const known = holders
      .filter((h) =>
        mayLearnOfInvolvement(
          { organisationId: referral.organisationId, organisationType: referral.organisationType, roles: [] },
          { organisationId: h.organisationId, organisationType: h.type, basis: 'referral_accepted' },
        ),
      )
      .map((h) => ({ id: h.organisationId, name: h.name }));
    if (!known.length) return;
    await this.notifier.send(
      tx,
      { organisationId: referral.organisationId, teamId: referral.teamId, roles: REFERRAL_RECEIVERS },
      {
        kind: 'child.linked',
        subjectType: 'Referral',
        subjectId: referral.id,
        message: `Other organisations work with the child in this referral: ${known.map((o) => o.name).join(', ')}. Ask them with an information request.`,
      },
    );
    await this.events.emit(
      tx,
      'child.linked',
      { referralId: referral.id, childId, holders: known },
      { organisationId: referral.organisationId },
    );
  }

  async update(ctx: AccessContext, id: string, expectedVersion: number, dto: UpdateChildDto): Promise<ChildDto> {
    await this.db.transaction(async (tx) => {
      // Only those who may change the record find it here: a disclosure, triage or inspection is read-only.
      const child = await this.require(tx, ctx, id, { action: 'update', lock: true });
      if (child.version !== expectedVersion) throw ChildError.stale(child.version);
      const changing = sentKeys(dto);
      const allowed = new Set(permittedFields(ctx.ability, 'update', 'Child', child));
      // caseTeamUserIds travels with the restricted flag: the same people may set both.
      const refused = changing.filter((f) => !allowed.has(f === 'caseTeamUserIds' ? 'restricted' : f));
      if (refused.length) throw ChildError.fieldsForbidden(refused);
      await this.checkRestriction(tx, dto, child);

      const repo = tx.getRepository(Child);
      const entity = await repo.findOneByOrFail({ id });
      const { caseTeamUserIds, ...fields } = dto;
      Object.assign(entity, fields);
      entity.searchName = searchNameOf(entity);
      entity.nameKey = nameKeyOf(entity);
      if (!entity.dateOfBirth && !entity.expectedDateOfBirth) {
        throw DomainError.validation([
          { field: 'dateOfBirth', message: 'dateOfBirth or expectedDateOfBirth is required' },
        ]);
      }
      const dates = birthDateErrors(dto, this.clock.now());
      if (dates.length) throw DomainError.validation(dates);
      await repo.save(entity);
      if (caseTeamUserIds !== undefined) {
        await tx.getRepository(CaseTeamMember).delete({ childId: id });
        await tx.getRepository(CaseTeamMember).insert(caseTeamUserIds.map((userId) => ({ childId: id, userId })));
      }
      await this.record(tx, ctx, 'child.update', [id], 'allowed', { details: { fields: changing } });
    });
    return this.db.transaction(async (tx) => this.present(ctx, await this.require(tx, ctx, id, { details: true })));
  }

  private async checkRestriction(tx: EntityManager, dto: UpdateChildDto, child: LoadedChild): Promise<void> {
    const restricting = dto.restricted ?? child.restricted;
    const team = dto.caseTeamUserIds ?? child.caseTeamUserIds;
    const errors: FieldError[] = [];
    if (restricting && team.length === 0) {
      errors.push({ field: 'caseTeamUserIds', message: 'a restricted record needs a named case team' });
    }
    if (dto.caseTeamUserIds?.length) {
      const found = await namedQuery<{ id: string }>(tx, 'SELECT id FROM app_user WHERE id = ANY(:ids) AND active', {
        ids: dto.caseTeamUserIds,
      });
      if (found.length !== dto.caseTeamUserIds.length) {
        errors.push({ field: 'caseTeamUserIds', message: 'caseTeamUserIds must all be active users' });
      }
    }
    if (errors.length) throw DomainError.validation(errors);
  }

  async addAddress(ctx: AccessContext, id: string, dto: AddressDto): Promise<ChildDto> {
    await this.db.transaction(async (tx) => {
      const child = await this.require(tx, ctx, id, { action: 'update' });
      // Judged by the child's relations, as the policy's conditions on addresses are written.
      if (!can(ctx.ability, 'create', 'ChildAddress', { childId: id, ...childRelations(child) }))
        throw DomainError.forbidden('You may not add addresses.');
      // Additions to one child in turn, so two at once cannot pass the count together.
      await tx.query('SELECT 1 FROM child WHERE id = $1 FOR NO KEY UPDATE', [id]);
      const [{ held }] = await tx.query('SELECT count(*)::int AS held FROM child_address WHERE child_id = $1', [id]);
      if (held >= MAX_ADDRESSES_PER_CHILD) throw ChildError.tooManyAddresses(MAX_ADDRESSES_PER_CHILD);
      await this.insertAddress(tx, ctx, id, dto);
      await this.record(tx, ctx, 'child.address_added', [id], 'allowed', {
        details: { confidential: dto.confidential ?? false },
      });
    });
    return this.db.transaction(async (tx) => this.present(ctx, await this.require(tx, ctx, id, { details: true })));
  }

  private async insertAddress(tx: EntityManager, ctx: AccessContext, childId: string, a: AddressDto): Promise<void> {
    await tx.getRepository(ChildAddress).insert({
      childId,
      organisationId: ctx.actor.organisationId,
      line1: a.line1,
      line2: a.line2 ?? null,
      town: a.town,
      postcode: a.postcode,
      fromDate: a.fromDate ?? null,
      untilDate: a.untilDate ?? null,
      confidential: a.confidential ?? false,
    });
  }

  /**
   * A chronology entry written by a workflow step (a referral, a decision), in the caller's
   * transaction. Safeguarding events go to the multi-agency chronology unless the step says not.
   */
  async addEntry(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    entry: {
      category: string;
      summary: string;
      detail?: string | null;
      sensitivity?: string;
      shareable: boolean;
      multiAgency?: boolean;
      occurredAt?: Date;
    },
  ): Promise<void> {
    const now = this.clock.now();
    const sensitivity = entry.sensitivity ?? entryClassOf(ctx.actor.organisationType);
    await tx.getRepository(ChronologyEntry).insert({
      childId,
      organisationId: ctx.actor.organisationId,
      authorId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      occurredAt: entry.occurredAt ?? now,
      recordedAt: now,
      category: entry.category,
      summary: entry.summary,
      detail: entry.detail ?? null,
      sensitivity,
      shareable: entry.shareable,
      multiAgency: entry.multiAgency ?? multiAgencyByDefault(entry.category, sensitivity),
    });
  }

  /**
   * Opens (or keeps) an organisation's working with a child. `lead`: it becomes the child's lead
   * agency (children's services accepting a referral or opening an assessment); the previous lead,
   * if any, keeps working with the child as a contributor.
   */
  async involve(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    basis: Exclude<InvolvementBasis, 'registered'>,
    reason: string,
    createdBy: string | null,
    options: { lead?: boolean } = {},
  ): Promise<void> {
    const now = this.clock.now();
    // One lead at a time: concurrent steps on the same child queue here.
    if (options.lead) await namedQuery(tx, 'SELECT 1 FROM child WHERE id = :childId FOR UPDATE', { childId });
    const active = await namedQuery<{ id: string; kind: string }>(
      tx,
      `SELECT id, kind FROM involvement WHERE child_id = :childId AND organisation_id = :organisationId
          AND from_at <= :now AND until_at IS NULL ORDER BY kind = 'lead' DESC LIMIT 1`,
      { childId, organisationId, now },
    );
    if (options.lead && active[0]?.kind !== 'lead') {
      await namedQuery(
        tx,
        `UPDATE involvement SET kind = 'contributing' WHERE child_id = :childId AND kind = 'lead' AND until_at IS NULL`,
        { childId },
      );
      if (active[0]) await namedQuery(tx, `UPDATE involvement SET kind = 'lead' WHERE id = :id`, { id: active[0].id });
    }
    if (active[0]) return;
    await tx.getRepository(Involvement).insert({
      childId,
      organisationId,
      kind: options.lead ? 'lead' : 'contributing',
      basis,
      fromAt: now,
      untilAt: null,
      reason,
      createdBy,
    });
  }

  /** Triage: the receiving team of an open referral about the child reads its identity until it decides. */
  async openTriage(
    tx: EntityManager,
    childId: string,
    referral: { id: string; organisationId: string; teamId: string },
  ): Promise<void> {
    await tx.getRepository(TriageAccess).insert({
      childId,
      organisationId: referral.organisationId,
      teamId: referral.teamId,
      referralId: referral.id,
      openedAt: this.clock.now(),
      closedAt: null,
    });
  }

  /** Ends the triage access a referral opened (its decision, acceptance, decline or withdrawal). */
  async closeTriage(tx: EntityManager, referralId: string): Promise<void> {
    await namedQuery(tx, 'UPDATE triage_access SET closed_at = :now WHERE referral_id = :id AND closed_at IS NULL', {
      id: referralId,
      now: this.clock.now(),
    });
  }

  /** The audit event of one workflow step about (at most) one child. */
  recordStep(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.record(tx, ctx, action, childId ? [childId] : [], 'allowed', { subjectType, subjectIds, details });
  }

  /** One audit event, in the caller's transaction. */
  record(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    childIds: string[],
    outcome: 'allowed' | 'denied' | 'not_found',
    extra: AuditExtra = {},
  ): Promise<void> {
    return this.audit.record(tx, this.entry(ctx, action, childIds, outcome, extra));
  }

  private entry(
    ctx: AccessContext,
    action: string,
    childIds: string[],
    outcome: 'allowed' | 'denied' | 'not_found',
    extra: AuditExtra = {},
  ): AuditEntry {
    return {
      actor: ctx.actor,
      action,
      subjectType: extra.subjectType ?? 'Child',
      subjectIds: extra.subjectIds ?? childIds,
      childIds,
      outcome,
      purpose: extra.purpose ?? ctx.purpose,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      breakGlass: extra.breakGlass ?? false,
      details: extra.details ?? {},
      at: this.clock.now(),
    };
  }
}
