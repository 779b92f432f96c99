import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, can, filterFields, permittedFields } from '@app/access';
import { AuditService } from '@app/audit';
import {
  Clock,
  decodeCursor,
  DomainError,
  type FieldError,
  namedQuery,
  Notification,
  OutboxService,
  type Page,
  sentKeys,
  toPage,
} from '@app/platform';
import { CaseTeamMember, Child, ChildAddress } from './child.entity';
import { childDecisionColumns, childScope } from './child-scope';
import { ChildError } from './children.errors';
import { ChronologyEntry } from './chronology.entity';
import type { AddressDto, ChildDto, ChildSearchQuery, CreateChildDto, UpdateChildDto } from './children.dto';
import { Involvement, MatchReference } from './involvement.entity';
import { nameKeyOf, normaliseName, searchNameOf } from './names';

/** A child row as loaded for a decision: its fields plus the need-to-know attributes. */
export type LoadedChild = Record<string, unknown> & {
  id: string;
  version: number;
  restricted: boolean;
  involvedOrganisationIds: string[];
  caseTeamUserIds: string[];
  breakGlassUserIds: string[];
};

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
      'organisationId', i.organisation_id, 'organisationName', o.name, 'kind', i.kind, 'basis', i.basis,
      'fromAt', i.from_at, 'untilAt', i.until_at,
      'active', i.from_at <= :now AND (i.until_at IS NULL OR i.until_at > :now)) ORDER BY i.from_at), '[]'::json)
     FROM involvement i JOIN organisation o ON o.id = i.organisation_id WHERE i.child_id = c.id) AS involvements,
  (SELECT coalesce(json_agg(json_build_object(
      'id', a.id, 'organisationId', a.organisation_id, 'line1', a.line1, 'line2', a.line2, 'town', a.town,
      'postcode', a.postcode, 'fromDate', a.from_date, 'untilDate', a.until_date, 'confidential', a.confidential)
      ORDER BY a.from_date NULLS FIRST, a.created_at), '[]'::json)
     FROM child_address a WHERE a.child_id = c.id) AS addresses`;

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

/** Via break-glass only: the actor would not see the child through need-to-know. */
export function viaBreakGlass(ctx: AccessContext, child: LoadedChild): boolean {
  return (
    !child.involvedOrganisationIds.includes(ctx.actor.organisationId) &&
    !child.caseTeamUserIds.includes(ctx.actor.id) &&
    child.breakGlassUserIds.includes(ctx.actor.id)
  );
}

@Injectable()
export class ChildrenService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads a child the actor may see (or act on), or throws 404, exactly as for a child that does
   * not exist. Every use case on a child's data starts here.
   */
  async require(
    manager: EntityManager,
    ctx: AccessContext,
    id: string,
    options: { action?: 'read' | 'update'; details?: boolean; lock?: boolean } = {},
  ): Promise<LoadedChild> {
    const now = this.clock.now();
    const scope = childScope(ctx.ability, options.action ?? 'read', 'c', now);
    const rows = await namedQuery<LoadedChild>(
      manager,
      `SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now')}
              ${options.details ? `, ${DETAIL_COLUMNS}` : ''}
         FROM child c WHERE c.id = :id AND ${scope.sql} ${options.lock ? 'FOR UPDATE OF c' : ''}`,
      { ...scope.params, id, now },
    );
    const child = rows[0];
    // The SQL and the in-memory check judge the same rules; both must agree to let the actor in.
    if (!child || !can(ctx.ability, options.action ?? 'read', 'Child', child)) throw ChildError.notFound();
    return child;
  }

  async get(ctx: AccessContext, id: string): Promise<ChildDto> {
    return this.db.transaction(async (tx) => {
      let child: LoadedChild;
      try {
        child = await this.require(tx, ctx, id, { details: true });
      } catch (err) {
        await this.record(tx, ctx, 'child.read', [id], 'not_found');
        throw err;
      }
      await this.record(tx, ctx, 'child.read', [id], 'allowed', { breakGlass: viaBreakGlass(ctx, child) });
      return this.present(ctx, child);
    });
  }

  /** Fields filtered by permission, nested addresses and involvements filtered the same way. */
  present(ctx: AccessContext, child: LoadedChild): ChildDto {
    const out = filterFields(ctx.ability, 'Child', child) as Record<string, unknown>;
    if (Array.isArray(out.addresses)) {
      out.addresses = (out.addresses as Record<string, unknown>[]).filter((a) =>
        can(ctx.ability, 'read', 'ChildAddress', a),
      );
    }
    return out as unknown as ChildDto;
  }

  async search(ctx: AccessContext, query: ChildSearchQuery): Promise<Page<ChildDto>> {
    const limit = query.limit ?? 25;
    const now = this.clock.now();
    const scope = childScope(ctx.ability, 'read', 'c', now);
    const params: Record<string, unknown> = { ...scope.params, now, limit: limit + 1 };
    const where = [scope.sql];
    let order = 'c.family_name, c.given_name, c.id';
    let score = '0::real';
    const q = query.q !== undefined ? normaliseName(query.q) : '';
    if (q) {
      params.q = q;
      score = 'word_similarity(:q, c.search_name)';
      where.push(':q <% c.search_name');
      order = 'score DESC, c.id';
    }
    if (query.dateOfBirth) {
      params.dob = query.dateOfBirth;
      where.push('c.date_of_birth = :dob');
    }
    if (query.identifier) {
      params.ident = query.identifier.replace(/[\s-]/g, '').toUpperCase();
      params.identRaw = query.identifier.trim();
      where.push('(c.nhs_number = :ident OR c.upn = :ident OR c.pnc_id = :ident OR c.la_child_id = :identRaw)');
    }
    if (query.cursor) {
      if (q) {
        const [s, id] = decodeCursor(query.cursor, 2) as [number, string];
        Object.assign(params, { cs: s, cid: id });
        where.push(`(${score} < :cs OR (${score} = :cs AND c.id > :cid))`);
      } else {
        const [f, g, id] = decodeCursor(query.cursor, 3) as [string, string, string];
        Object.assign(params, { cf: f, cg: g, cid: id });
        where.push('(c.family_name, c.given_name, c.id) > (:cf, :cg, :cid)');
      }
    }
    return this.db.transaction(async (tx) => {
      // Fuzzy enough for typos and transliterations, strict enough to keep lists short.
      // JIT compiling costs more than a short search saves (40-350 ms measured at 1M children).
      await tx.query(
        `SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('jit', 'off', true)`,
      );
      const rows = await namedQuery<LoadedChild & { score: number }>(
        tx,
        `SELECT ${CHILD_COLUMNS}, ${childDecisionColumns('c', 'now')}, ${score} AS score
           FROM child c WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => (q ? [r.score, r.id] : [r.familyName, r.givenName, r.id]));
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
      return { data: page.data.map((r) => this.present(ctx, r)), nextCursor: page.nextCursor };
    });
  }

  async create(ctx: AccessContext, dto: CreateChildDto): Promise<ChildDto> {
    if (!dto.dateOfBirth && !dto.expectedDateOfBirth) {
      throw DomainError.validation([
        { field: 'dateOfBirth', message: 'dateOfBirth or expectedDateOfBirth is required' },
      ]);
    }
    // Judge the fields against the record as it will be: the registering organisation involved.
    const asRegistered = {
      restricted: false,
      involvedOrganisationIds: [ctx.actor.organisationId],
      caseTeamUserIds: [],
      breakGlassUserIds: [],
    };
    const writable = new Set(permittedFields(ctx.ability, 'update', 'Child', asRegistered));
    const refused = sentKeys(dto).filter((f) => f !== 'addresses' && !writable.has(f));
    if (refused.length) throw ChildError.fieldsForbidden(refused);
    await this.refuseMatches(ctx, dto);
    const now = this.clock.now();
    const id = await this.db.transaction(async (tx) => {
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
        kind: 'lead',
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
    });
    return this.db.transaction(async (tx) => this.present(ctx, await this.require(tx, ctx, id, { details: true })));
  }

  /**
   * A registration that matches a child already on the system (same NHS number, or same name
   * and date of birth): 409 with the child's id if the caller can see it, or with an opaque match
   * reference if it cannot, revealing nothing else.
   */
  private async refuseMatches(ctx: AccessContext, dto: CreateChildDto): Promise<void> {
    const outcome = await this.db.transaction(async (tx) => {
      const found = await namedQuery<{ id: string; on: 'nhs_number' | 'name_and_dob' }>(
        tx,
        `SELECT id, 'nhs_number' AS on FROM child WHERE :nhs::text IS NOT NULL AND nhs_number = :nhs
         UNION ALL
         SELECT id, 'name_and_dob' FROM child WHERE :dob::date IS NOT NULL AND name_key = :key AND date_of_birth = :dob
         LIMIT 1`,
        { nhs: dto.nhsNumber ?? null, key: nameKeyOf(dto), dob: dto.dateOfBirth ?? null },
      );
      const match = found[0];
      if (!match) return null;
      const visible = await this.require(tx, ctx, match.id).then(
        () => true,
        () => false,
      );
      if (visible) return { childId: match.id, reference: undefined, heldBy: [] };
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
      const heldBy = await this.tellHolders(tx, ctx, match.id, reference);
      return { childId: undefined, reference, heldBy };
    });
    if (outcome === null) return;
    if (outcome.childId !== undefined) throw ChildError.alreadyRegistered(outcome.childId);
    throw ChildError.possibleMatch(outcome.reference ?? '', outcome.heldBy);
  }

  /**
   * The duty to collaborate: both sides learn that the other holds information about this child
   * (who, and how to ask), never what it holds.
   */
  async tellHolders(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    reference: string,
  ): Promise<{ organisationId: string; name: string }[]> {
    const now = this.clock.now();
    const holders = await namedQuery<{ organisationId: string; name: string }>(
      tx,
      `SELECT DISTINCT o.id AS "organisationId", o.name FROM involvement i JOIN organisation o ON o.id = i.organisation_id
        WHERE i.child_id = :childId AND i.organisation_id <> :me AND i.from_at <= :now AND (i.until_at IS NULL OR i.until_at > :now)
        ORDER BY o.name`,
      { childId, me: ctx.actor.organisationId, now },
    );
    const mine = await namedQuery<{ name: string }>(tx, 'SELECT name FROM organisation WHERE id = :id', {
      id: ctx.actor.organisationId,
    });
    const myName = mine[0]?.name ?? 'Another organisation';
    for (const h of holders) {
      await tx.getRepository(Notification).insert({
        organisationId: h.organisationId,
        teamId: null,
        audienceRoles: [],
        kind: 'child.linked',
        subjectType: 'Child',
        subjectId: childId,
        message: `${myName} is working with a child your organisation holds (match reference ${reference}); expect an information request.`,
      });
      await this.outbox.emit(tx, {
        type: 'child.linked',
        organisationId: h.organisationId,
        payload: {
          childId,
          matchReference: reference,
          otherOrganisation: { id: ctx.actor.organisationId, name: myName },
        },
        occurredAt: now,
      });
    }
    await this.outbox.emit(tx, {
      type: 'child.linked',
      organisationId: ctx.actor.organisationId,
      payload: { matchReference: reference, heldBy: holders },
      occurredAt: now,
    });
    return holders;
  }

  async update(ctx: AccessContext, id: string, expectedVersion: number, dto: UpdateChildDto): Promise<ChildDto> {
    await this.db.transaction(async (tx) => {
      const child = await this.require(tx, ctx, id, { lock: true });
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
      await this.require(tx, ctx, id, { action: 'update' });
      if (!can(ctx.ability, 'create', 'ChildAddress', { childId: id }))
        throw DomainError.forbidden('You may not add addresses.');
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

  /** A chronology entry written by a workflow step (a referral, a decision), in the caller's transaction. */
  async addEntry(
    tx: EntityManager,
    ctx: AccessContext,
    childId: string,
    entry: { category: string; summary: string; sensitivity?: string; shareable: boolean; occurredAt?: Date },
  ): Promise<void> {
    const now = this.clock.now();
    await tx.getRepository(ChronologyEntry).insert({
      childId,
      organisationId: ctx.actor.organisationId,
      authorId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      occurredAt: entry.occurredAt ?? now,
      recordedAt: now,
      category: entry.category,
      summary: entry.summary,
      detail: null,
      sensitivity: entry.sensitivity ?? entryClassOf(ctx.actor.organisationType),
      shareable: entry.shareable,
    });
  }

  /** Opens (or keeps) an organisation's need-to-know about a child. */
  async involve(
    tx: EntityManager,
    childId: string,
    organisationId: string,
    basis: 'referral_accepted' | 'sharing_decision' | 'statutory',
    reason: string,
    createdBy: string | null,
    until: Date | null = null,
  ): Promise<void> {
    const now = this.clock.now();
    const active = await namedQuery(
      tx,
      `SELECT 1 FROM involvement WHERE child_id = :childId AND organisation_id = :organisationId
          AND from_at <= :now AND (until_at IS NULL OR until_at > :now) AND (:until::timestamptz IS NOT NULL OR until_at IS NULL)`,
      { childId, organisationId, now, until },
    );
    if (active.length) return;
    await tx.getRepository(Involvement).insert({
      childId,
      organisationId,
      kind: 'contributing',
      basis,
      fromAt: now,
      untilAt: until,
      reason,
      createdBy,
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
    extra: {
      breakGlass?: boolean;
      details?: Record<string, unknown>;
      subjectType?: string;
      subjectIds?: string[];
    } = {},
  ): Promise<void> {
    return this.audit.record(tx, {
      actor: ctx.actor,
      action,
      subjectType: extra.subjectType ?? 'Child',
      subjectIds: extra.subjectIds ?? childIds,
      childIds,
      outcome,
      purpose: ctx.purpose,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      breakGlass: extra.breakGlass ?? false,
      details: extra.details ?? {},
      at: this.clock.now(),
    });
  }
}
