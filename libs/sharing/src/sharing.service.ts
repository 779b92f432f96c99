import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  abilityToSql,
  type AccessContext,
  AGENCY_CLASSES,
  can,
  columnsFrom,
  type FieldSql,
  rolesAllowed,
} from '@app/access';
import { Deadlines, Disclosures, Events, Notifier, requireScoped, SharedRecord, Timescales } from '@app/casework';
import { childHiddenColumn, childHiddenField } from '@app/children';
import { Clock, decodeCursor, DomainError, namedQuery, type Page, toPage } from '@app/platform';
import type {
  AgreementDto,
  CreateAgreementDto,
  CreateInformationRequestDto,
  GrantDto,
  InformationRequestDto,
  RequestDecisionDto,
  RequestListQuery,
} from './sharing.dto';
import { InformationRequest, SharingAgreement, SharingAgreementParty } from './sharing.entity';

const MAX_GRANT_DAYS = 366;

const REQUEST_COLUMNS = `
  q.id, q.from_organisation_id AS "fromOrganisationId", fo.name AS "fromOrganisationName",
  q.to_organisation_id AS "toOrganisationId", tor.name AS "toOrganisationName", q.child_id AS "childId",
  q.identification, q.purpose, q.classes_requested AS "classesRequested", q.urgency, q.status, q.due_at AS "dueAt",
  (q.status = 'REQUESTED' AND q.due_at < :now) AS overdue, q.classes_disclosed AS "classesDisclosed",
  q.disclosed_until AS "disclosedUntil", q.lawful_basis AS "lawfulBasis", q.decision_reason AS "decisionReason",
  q.agreement_id AS "agreementId", q.justification, q.grant_id AS "grantId", q.decided_at AS "decidedAt",
  q.created_at AS "createdAt", ${childHiddenColumn('q.child_id', 'viewerId')} AS "childHiddenFrom"`;
const REQUEST_FROM = `information_request q
  JOIN organisation fo ON fo.id = q.from_organisation_id
  JOIN organisation tor ON tor.id = q.to_organisation_id`;

type RequestRow = InformationRequestDto & { childId: string | null; childHiddenFrom?: string[] };

/** Who handles what: notifications about an item go only to roles that may act on it. */
const REQUEST_DECIDERS = rolesAllowed('receive', 'InformationRequest');
const REQUESTERS = rolesAllowed('create', 'InformationRequest');
const GRANTEE_READERS = rolesAllowed('read', 'SharingGrant');

/** Condition fields of requests: their columns, and whether they name a hidden child. */
const requestFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(InformationRequest).metadata, 'q', { childHiddenFrom: childHiddenField('q.child_id') });

const agreementParties = (alias: string): FieldSql => ({
  custom: (op, p) => {
    if (op !== 'eq') throw new Error('partyOrganisationIds supports only equality');
    return `EXISTS (SELECT 1 FROM sharing_agreement_party ap WHERE ap.agreement_id = ${alias}.id AND ap.organisation_id = :${p})`;
  },
});

/**
 * Information sharing across organisations: agreements, requests and decisions (to share or not),
 * and the time-limited grants that disclosures become. Every decision is recorded with its
 * reason and lawful basis; the requester learns the decision, never the content, until a grant
 * lets its people read exactly the disclosed classes.
 */
@Injectable()
export class SharingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly disclosures: Disclosures,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  // ---------- agreements ----------

  async createAgreement(ctx: AccessContext, dto: CreateAgreementDto): Promise<AgreementDto> {
    const errors = [];
    if (dto.endsOn < dto.startsOn) errors.push({ field: 'endsOn', message: 'endsOn must not be before startsOn' });
    if (!dto.parties.some((p) => p.organisationId === ctx.actor.organisationId)) {
      errors.push({ field: 'parties', message: 'your organisation must be a party' });
    }
    if (new Set(dto.parties.map((p) => p.organisationId)).size !== dto.parties.length) {
      errors.push({ field: 'parties', message: 'each organisation may be a party once' });
    }
    if (errors.length) throw DomainError.validation(errors);
    const id = await this.db.transaction(async (tx) => {
      const known = await namedQuery<{ id: string }>(tx, 'SELECT id FROM organisation WHERE id = ANY(:ids)', {
        ids: dto.parties.map((p) => p.organisationId),
      });
      if (known.length !== dto.parties.length) {
        throw DomainError.validation([{ field: 'parties', message: 'every party must be a known organisation' }]);
      }
      const agreement = await tx.getRepository(SharingAgreement).save(
        tx.getRepository(SharingAgreement).create({
          name: dto.name,
          purpose: dto.purpose,
          lawfulBasis: dto.lawfulBasis,
          lawfulBasisDetail: dto.lawfulBasisDetail ?? null,
          startsOn: dto.startsOn,
          endsOn: dto.endsOn,
          createdByOrganisationId: ctx.actor.organisationId,
          approvedBy: ctx.actor.id,
          approvedAt: this.clock.now(),
        }),
      );
      await tx.getRepository(SharingAgreementParty).insert(
        dto.parties.map((p) => ({
          agreementId: agreement.id,
          organisationId: p.organisationId,
          receivableClasses: p.receivableClasses,
        })),
      );
      await this.audit(tx, ctx, 'sharing_agreement.create', 'SharingAgreement', [agreement.id], null, {
        parties: dto.parties.map((p) => p.organisationId),
        lawfulBasis: dto.lawfulBasis,
      });
      return agreement.id;
    });
    const page = await this.listAgreements(ctx, 1, undefined, id);
    return page.data[0]!;
  }

  async listAgreements(
    ctx: AccessContext,
    limit: number,
    cursor?: string,
    onlyId?: string,
  ): Promise<Page<AgreementDto>> {
    const scope = abilityToSql(
      ctx.ability,
      'read',
      'SharingAgreement',
      columnsFrom(this.db.getRepository(SharingAgreement).metadata, 'a', {
        partyOrganisationIds: agreementParties('a'),
      }),
      'ag',
    );
    const params: Record<string, unknown> = { ...scope.params, limit: limit + 1 };
    const where = [scope.sql];
    if (onlyId) {
      where.push('a.id = :onlyId');
      params.onlyId = onlyId;
    }
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    if (after) {
      Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
      where.push('(a.created_at, a.id) < (:cc, :ci)');
    }
    const rows = await namedQuery<AgreementDto & { createdAt: Date }>(
      this.db.manager,
      `SELECT a.id, a.name, a.purpose, a.lawful_basis AS "lawfulBasis", a.lawful_basis_detail AS "lawfulBasisDetail",
              to_char(a.starts_on, 'YYYY-MM-DD') AS "startsOn", to_char(a.ends_on, 'YYYY-MM-DD') AS "endsOn",
              a.approved_by AS "approvedBy", a.approved_at AS "approvedAt", a.created_at AS "createdAt",
              (SELECT json_agg(json_build_object('organisationId', p.organisation_id, 'receivableClasses', p.receivable_classes))
                 FROM sharing_agreement_party p WHERE p.agreement_id = a.id) AS parties
         FROM sharing_agreement a WHERE ${where.join(' AND ')} ORDER BY a.created_at DESC, a.id DESC LIMIT :limit`,
      params,
    );
    if (onlyId && !rows[0]) throw DomainError.notFound('Agreement');
    return toPage(rows, limit, (r) => [new Date(r.createdAt).toISOString(), r.id]);
  }

  /** An agreement in force today under which the grantor may give the grantee all these classes. */
  private async coveringAgreement(tx: EntityManager, grantor: string, grantee: string, classes: string[], now: Date) {
    const rows = await namedQuery<{ id: string }>(
      tx,
      `SELECT a.id FROM sharing_agreement a
         JOIN sharing_agreement_party pg ON pg.agreement_id = a.id AND pg.organisation_id = :grantee
         JOIN sharing_agreement_party pr ON pr.agreement_id = a.id AND pr.organisation_id = :grantor
        WHERE a.starts_on <= :today AND a.ends_on >= :today AND pg.receivable_classes @> :classes::text[]
        ORDER BY a.ends_on DESC LIMIT 1`,
      { grantor, grantee, classes, today: now.toISOString().slice(0, 10) },
    );
    return rows[0]?.id ?? null;
  }

  // ---------- requests ----------

  async createRequest(ctx: AccessContext, dto: CreateInformationRequestDto): Promise<InformationRequestDto> {
    const ids = dto.identifiers ?? {};
    const identified =
      dto.childId || dto.matchReference || ids.nhsNumber || (ids.givenName && ids.familyName && ids.dateOfBirth);
    if (!identified) {
      throw DomainError.validation([
        {
          field: 'identifiers',
          message: 'identify the child: childId, matchReference, an NHS number, or names and date of birth',
        },
      ]);
    }
    if (dto.toOrganisationId === ctx.actor.organisationId) {
      throw DomainError.validation([{ field: 'toOrganisationId', message: 'ask another organisation' }]);
    }
    return this.db.transaction(async (tx) => {
      const org = await namedQuery<{ id: string; type: string }>(
        tx,
        'SELECT id, type FROM organisation WHERE id = :id',
        {
          id: dto.toOrganisationId,
        },
      );
      if (!org[0])
        throw DomainError.validation([
          { field: 'toOrganisationId', message: 'toOrganisationId is not a known organisation' },
        ]);
      const now = this.clock.now();
      const childId = await this.resolveChild(tx, ctx, dto);
      const identification: Record<string, string> = {};
      if (dto.childId) identification.childId = dto.childId;
      if (dto.matchReference) identification.matchReference = dto.matchReference;
      for (const [k, v] of Object.entries(ids)) if (typeof v === 'string') identification[k] = v;
      const request = await tx.getRepository(InformationRequest).save(
        tx.getRepository(InformationRequest).create({
          fromOrganisationId: ctx.actor.organisationId,
          fromActorId: ctx.actor.id,
          toOrganisationId: dto.toOrganisationId,
          childId,
          identification,
          purpose: dto.purpose,
          classesRequested: dto.classesRequested,
          urgency: dto.urgency,
          status: 'REQUESTED',
          dueAt: await this.timescales.due(tx, dto.toOrganisationId, `information_request.${dto.urgency}`, now),
        }),
      );
      // The asked organisation's to decide, whoever works it: no team.
      await this.deadlines.open(tx, {
        subject: { type: 'InformationRequest', id: request.id },
        rule: 'information_request.decision',
        dueAt: request.dueAt,
        organisationId: dto.toOrganisationId,
        childId,
      });
      await this.notifier.send(
        tx,
        { organisationId: dto.toOrganisationId, roles: REQUEST_DECIDERS },
        {
          kind: dto.urgency === 'urgent' ? 'information_request.received.urgent' : 'information_request.received',
          subjectType: 'InformationRequest',
          subjectId: request.id,
          message: `${dto.urgency === 'urgent' ? 'URGENT: ' : ''}An information request needs a decision by ${request.dueAt.toISOString()}.`,
        },
      );
      // The requester's own record of asking; the matched child's log shows it too (its holder reads that).
      await this.audit(tx, ctx, 'information_request.create', 'InformationRequest', [request.id], childId, {
        toOrganisationId: dto.toOrganisationId,
        classesRequested: dto.classesRequested,
      });
      return this.viewRequest(tx, ctx, request.id);
    });
  }

  /**
   * Which child the request is about, among those the asked organisation works with. Never revealed
   * to the requester: an identification that matches nothing answers exactly like one that
   * matches. A restricted child is never matched this way (only its case team names it).
   */
  private async resolveChild(tx: EntityManager, ctx: AccessContext, dto: CreateInformationRequestDto) {
    if (dto.childId) return (await this.record.requireChild(tx, ctx, dto.childId)).id;
    let candidate: string | null = null;
    if (dto.matchReference) {
      candidate = await this.record.childOfMatchReference(tx, ctx, dto.matchReference);
    } else {
      const match = await this.record.findMatch(tx, dto.identifiers ?? {});
      candidate = match && !match.restricted ? match.id : null;
    }
    if (!candidate) return null;
    return (await this.record.worksWith(tx, candidate, dto.toOrganisationId)) ? candidate : null;
  }

  async getRequest(ctx: AccessContext, id: string): Promise<InformationRequestDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadRequest(tx, ctx, id, 'read');
      await this.audit(
        tx,
        ctx,
        'information_request.read',
        'InformationRequest',
        [id],
        this.receiverSees(ctx, row) ? row.childId : null,
      );
      return this.present(ctx, row);
    });
  }

  /** The request as a write left it, for the writer's response (the write's own event covers it). */
  private async viewRequest(tx: EntityManager, ctx: AccessContext, id: string): Promise<InformationRequestDto> {
    return this.present(ctx, await this.loadRequest(tx, ctx, id, 'read'));
  }

  private receiverSees(ctx: AccessContext, row: RequestRow): boolean {
    return row.toOrganisationId === ctx.actor.organisationId || ctx.actor.roles.includes('inspector');
  }

  /** The requester learns the decision; which child matched, and how, stays with the receiver. */
  private present(ctx: AccessContext, row: RequestRow): InformationRequestDto {
    const { childHiddenFrom: _h, ...shown } = row;
    if (this.receiverSees(ctx, row)) return shown;
    const { childId: _c, identification: _i, ...rest } = shown;
    return rest;
  }

  async decide(ctx: AccessContext, id: string, dto: RequestDecisionDto): Promise<InformationRequestDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadRequest(tx, ctx, id, 'read', true);
      if (!can(ctx.ability, 'receive', 'InformationRequest', row))
        throw DomainError.forbidden('Your role may not decide information requests.');
      if (row.status !== 'REQUESTED') {
        throw DomainError.conflict('INFORMATION_REQUEST.ALREADY_DECIDED', `The request is already ${row.status}.`, {
          currentStatus: row.status,
        });
      }
      const now = this.clock.now();
      if (dto.decision === 'DECLINE') {
        await tx.getRepository(InformationRequest).update(
          { id },
          {
            status: 'DECLINED',
            decisionReason: dto.reason,
            decidedBy: ctx.actor.id,
            decidedAt: now,
            lawfulBasis: dto.lawfulBasis ?? null,
          },
        );
        await this.afterDecision(tx, ctx, row, 'DECLINED', row.childId, null);
        return this.viewRequest(tx, ctx, id);
      }
      const errors = [];
      if (!dto.classes?.length) errors.push({ field: 'classes', message: 'classes are required to disclose' });
      if (!dto.until) errors.push({ field: 'until', message: 'until is required to disclose' });
      if (!dto.lawfulBasis) errors.push({ field: 'lawfulBasis', message: 'lawfulBasis is required to disclose' });
      const until = dto.until ? new Date(dto.until) : now;
      if (dto.until && (until <= now || until.getTime() - now.getTime() > MAX_GRANT_DAYS * 86_400_000)) {
        errors.push({ field: 'until', message: `until must be in the future and within ${MAX_GRANT_DAYS} days` });
      }
      // An organisation discloses only what it holds: the classes its kind of agency records.
      const holds = AGENCY_CLASSES[ctx.actor.organisationType as keyof typeof AGENCY_CLASSES] ?? [];
      const foreign = (dto.classes ?? []).filter((c) => !(holds as readonly string[]).includes(c));
      if (foreign.length) {
        errors.push({
          field: 'classes',
          message: `your organisation may disclose only ${holds.join(', ')}; not ${foreign.join(', ')}`,
        });
      }
      if (errors.length) throw DomainError.validation(errors);
      // ...and only about a child it works with: a grantee never passes on what it was granted.
      const candidate = row.childId ?? dto.childId ?? null;
      const childId = candidate
        ? await this.record.requireChild(tx, ctx, candidate, { working: true }).then(
            (c) => c.id,
            () => null,
          )
        : null;
      if (!childId) {
        throw new DomainError(
          'INFORMATION_REQUEST.CHILD_REQUIRED',
          422,
          'Unprocessable Content',
          'The request matched no child you hold: name the child (childId) to disclose, or decline.',
        );
      }
      const classes = dto.classes!;
      const agreementId = await this.coveringAgreement(
        tx,
        ctx.actor.organisationId,
        row.fromOrganisationId,
        classes,
        now,
      );
      if (!agreementId && !dto.justification) {
        throw DomainError.validation([
          { field: 'justification', message: 'no agreement in force covers this disclosure: record the justification' },
        ]);
      }
      const grantId = await this.disclosures.grant(tx, {
        childId,
        grantorOrganisationId: ctx.actor.organisationId,
        granteeOrganisationId: row.fromOrganisationId,
        classes,
        fromAt: now,
        untilAt: until,
        requestId: id,
        decidedBy: ctx.actor.id,
      });
      await tx.getRepository(InformationRequest).update(
        { id },
        {
          status: 'DISCLOSED',
          childId,
          classesDisclosed: classes,
          disclosedUntil: until,
          lawfulBasis: dto.lawfulBasis!,
          decisionReason: dto.reason,
          agreementId,
          justification: dto.justification ?? null,
          grantId,
          decidedBy: ctx.actor.id,
          decidedAt: now,
        },
      );
      await this.afterDecision(tx, ctx, row, 'DISCLOSED', childId, grantId, {
        classes,
        until: until.toISOString(),
        lawfulBasis: dto.lawfulBasis,
        agreementId,
      });
      return this.viewRequest(tx, ctx, id);
    });
  }

  private async afterDecision(
    tx: EntityManager,
    ctx: AccessContext,
    row: RequestRow,
    status: 'DISCLOSED' | 'DECLINED',
    childId: string | null,
    grantId: string | null,
    details: Record<string, unknown> = {},
  ) {
    // Decided either way: the decision that was due is made.
    await this.deadlines.close(tx, { type: 'InformationRequest', id: row.id }, 'met');
    await this.notifier.send(
      tx,
      { organisationId: row.fromOrganisationId, roles: REQUESTERS },
      {
        kind: 'information_request.decided',
        subjectType: 'InformationRequest',
        subjectId: row.id,
        message: `${row.toOrganisationName} ${status === 'DISCLOSED' ? 'disclosed information' : 'declined to disclose'} in answer to your request.`,
      },
    );
    await this.events.emit(
      tx,
      'information_request.decided',
      {
        requestId: row.id,
        status,
        grantId,
        decidedBy: { organisationId: ctx.actor.organisationId, name: row.toOrganisationName },
      },
      { organisationId: row.fromOrganisationId },
    );
    if (childId) {
      await this.record.addEntry(tx, ctx, childId, {
        category: 'decision',
        summary:
          status === 'DISCLOSED'
            ? `Disclosed ${String((details.classes as string[]).join(', '))} to ${row.fromOrganisationName} until ${String(details.until)} (${String(details.lawfulBasis)}).`
            : `Declined an information request from ${row.fromOrganisationName}.`,
        shareable: false,
      });
    }
    await this.audit(
      tx,
      ctx,
      `information_request.${status === 'DISCLOSED' ? 'disclose' : 'decline'}`,
      'InformationRequest',
      [row.id],
      childId,
      {
        ...details,
        grantId,
      },
    );
  }

  async requests(
    ctx: AccessContext,
    q: RequestListQuery,
    box: 'inbox' | 'sent' | 'decisions',
  ): Promise<Page<InformationRequestDto>> {
    const limit = q.limit ?? 50;
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'InformationRequest', requestFields(tx), 'ir');
      const params: Record<string, unknown> = {
        ...scope.params,
        org: ctx.actor.organisationId,
        now,
        viewerId: ctx.actor.id,
        limit: limit + 1,
      };
      const where = [scope.sql];
      if (box === 'inbox') where.push('q.to_organisation_id = :org');
      if (box === 'sent') where.push('q.from_organisation_id = :org');
      if (box === 'decisions') where.push(`q.status <> 'REQUESTED'`);
      if (q.status) {
        where.push('q.status = :status');
        params.status = q.status;
      }
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      const orderCol = box === 'inbox' ? 'q.due_at' : 'q.created_at';
      if (after) {
        Object.assign(params, { cc: new Date(after[0]), ci: after[1] });
        where.push(box === 'inbox' ? `(${orderCol}, q.id) > (:cc, :ci)` : `(${orderCol}, q.id) < (:cc, :ci)`);
      }
      const rows = await namedQuery<RequestRow>(
        tx,
        `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE ${where.join(' AND ')}
          ORDER BY ${box === 'inbox' ? `${orderCol}, q.id` : `${orderCol} DESC, q.id DESC`} LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(box === 'inbox' ? r.dueAt : r.createdAt).toISOString(), r.id]);
      // The log of a child the requester may not know of shows the receiver's reads only.
      await this.record.recordList(
        tx,
        ctx,
        `information_request.${box}`,
        'InformationRequest',
        page.data.map((r) => ({ id: r.id, childId: this.receiverSees(ctx, r) ? r.childId : null })),
        { count: page.data.length },
      );
      return { data: page.data.map((r) => this.present(ctx, r)), nextCursor: page.nextCursor };
    });
  }

  private async loadRequest(tx: EntityManager, ctx: AccessContext, id: string, action: 'read', lock = false) {
    return requireScoped<RequestRow>(tx, ctx, {
      action,
      subject: 'InformationRequest',
      fields: requestFields(tx),
      prefix: 'ir',
      sql: (scope) =>
        `SELECT ${REQUEST_COLUMNS} FROM ${REQUEST_FROM} WHERE q.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF q' : ''}`,
      params: { id, now: this.clock.now(), viewerId: ctx.actor.id },
      notFound: () => DomainError.notFound('Information request'),
    });
  }

  // ---------- grants ----------

  async grants(ctx: AccessContext, limit: number, cursor?: string): Promise<Page<GrantDto>> {
    return this.db.transaction(async (tx) => {
      const page = await this.disclosures.list(tx, ctx, limit, cursor);
      await this.record.recordList(tx, ctx, 'sharing_grant.list', 'SharingGrant', page.data, {});
      return page;
    });
  }

  /** Revocation stops access at once: what a grant opens is computed from the live grants themselves. */
  async revoke(ctx: AccessContext, grantId: string, reason: string): Promise<GrantDto> {
    return this.db.transaction(async (tx) => {
      const { granteeName, ...grant } = await this.disclosures.revoke(tx, ctx, grantId, reason);
      await this.notifier.send(
        tx,
        { organisationId: grant.granteeOrganisationId, roles: GRANTEE_READERS },
        {
          kind: 'grant.revoked',
          subjectType: 'SharingGrant',
          subjectId: grantId,
          message: 'A disclosure to your organisation was revoked.',
        },
      );
      await this.record.addEntry(tx, ctx, grant.childId, {
        category: 'decision',
        summary: `Revoked a disclosure to ${granteeName}.`,
        shareable: false,
      });
      await this.audit(tx, ctx, 'sharing_grant.revoke', 'SharingGrant', [grantId], grant.childId, { reason });
      return grant;
    });
  }

  private audit(
    tx: EntityManager,
    ctx: AccessContext,
    action: string,
    subjectType: string,
    subjectIds: string[],
    childId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    return this.record.recordStep(tx, ctx, action, subjectType, subjectIds, childId, details);
  }
}
