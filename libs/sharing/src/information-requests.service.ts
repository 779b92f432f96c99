import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, AGENCY_CLASSES, can, rolesAllowed, withholdPoliceText } from '@app/access';
import { Deadlines, Disclosures, Events, Notifier, SharedRecord, Timescales } from '@app/casework';
import { Clock, DomainError, type Page } from '@app/platform';
import type {
  CreateInformationRequestDto,
  InformationRequestDto,
  RequestDecisionDto,
  RequestListQuery,
} from './sharing.dto';
import { type RequestBox, type RequestRow, SharingRepository } from './sharing.repository';

const MAX_GRANT_DAYS = 366;

/** Who handles what: notifications about an item go only to roles that may act on it. */
const REQUEST_DECIDERS = rolesAllowed('receive', 'InformationRequest');
const REQUESTERS = rolesAllowed('create', 'InformationRequest');

/**
 * Information requests between organisations and the decisions on them (to share or not). Every
 * decision is recorded with its reason and lawful basis; the requester learns the decision, never
 * the content, until a grant lets its people read exactly the disclosed classes.
 */
@Injectable()
export class InformationRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: SharingRepository,
    private readonly record: SharedRecord,
    private readonly disclosures: Disclosures,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

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
      if (!(await this.repo.organisationExists(tx, dto.toOrganisationId)))
        throw DomainError.validation([
          { field: 'toOrganisationId', message: 'toOrganisationId is not a known organisation' },
        ]);
      const now = this.clock.now();
      const childId = await this.resolveChild(tx, ctx, dto);
      const identification: Record<string, string> = {};
      if (dto.childId) identification.childId = dto.childId;
      if (dto.matchReference) identification.matchReference = dto.matchReference;
      for (const [k, v] of Object.entries(ids)) if (typeof v === 'string') identification[k] = v;
      const request = await this.repo.insertRequest(tx, {
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
      });
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
      await this.record.recordStep(tx, ctx, 'information_request.create', 'InformationRequest', [request.id], childId, {
        toOrganisationId: dto.toOrganisationId,
        classesRequested: dto.classesRequested,
      });
      return this.view(tx, ctx, request.id);
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
      const row = await this.repo.requireRequest(tx, ctx, id, this.clock.now());
      await this.record.recordStep(
        tx,
        ctx,
        'information_request.read',
        'InformationRequest',
        [id],
        this.receiverSees(ctx, row) ? row.childId : null,
        {},
      );
      return this.presentOne(tx, ctx, row);
    });
  }

  /** The request as a write left it, for the writer's response (the write's own event covers it). */
  private async view(tx: EntityManager, ctx: AccessContext, id: string): Promise<InformationRequestDto> {
    return this.presentOne(tx, ctx, await this.repo.requireRequest(tx, ctx, id, this.clock.now()));
  }

  /** One request as its reader may see it: what a police force wrote stays with the parties (TIPPING_OFF_RULES). */
  private async presentOne(tx: EntityManager, ctx: AccessContext, row: RequestRow): Promise<InformationRequestDto> {
    const dto = this.present(ctx, row);
    const parties = [row.fromOrganisationId, row.toOrganisationId];
    const types = parties.includes(ctx.actor.organisationId)
      ? new Map<string, string>()
      : await this.repo.organisationTypesOf(tx, parties);
    dto.withheld = withholdPoliceText(dto, ctx.actor.organisationId, parties, [
      { organisationType: types.get(row.fromOrganisationId) ?? '', fields: ['purpose'] },
      { organisationType: types.get(row.toOrganisationId) ?? '', fields: ['decisionReason', 'justification'] },
    ]);
    return dto;
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
      const row = await this.repo.requireRequest(tx, ctx, id, this.clock.now(), true);
      if (!can(ctx.ability, 'receive', 'InformationRequest', row))
        throw DomainError.forbidden('Your role may not decide information requests.');
      if (row.status !== 'REQUESTED') {
        throw DomainError.conflict('INFORMATION_REQUEST.ALREADY_DECIDED', `The request is already ${row.status}.`, {
          currentStatus: row.status,
        });
      }
      const now = this.clock.now();
      if (dto.decision === 'DECLINE') {
        await this.repo.recordDecision(tx, id, {
          status: 'DECLINED',
          decisionReason: dto.reason,
          decidedBy: ctx.actor.id,
          decidedAt: now,
          lawfulBasis: dto.lawfulBasis ?? null,
        });
        await this.afterDecision(tx, ctx, row, 'DECLINED', row.childId, null);
        return this.view(tx, ctx, id);
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
      const agreementId = await this.repo.coveringAgreement(
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
      await this.repo.recordDecision(tx, id, {
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
      });
      await this.afterDecision(tx, ctx, row, 'DISCLOSED', childId, grantId, {
        classes,
        until: until.toISOString(),
        lawfulBasis: dto.lawfulBasis,
        agreementId,
      });
      return this.view(tx, ctx, id);
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
    await this.record.recordStep(
      tx,
      ctx,
      `information_request.${status === 'DISCLOSED' ? 'disclose' : 'decline'}`,
      'InformationRequest',
      [row.id],
      childId,
      { ...details, grantId },
    );
  }

  async requests(ctx: AccessContext, q: RequestListQuery, box: RequestBox): Promise<Page<InformationRequestDto>> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const page = await this.repo.requestsPage(tx, ctx, q, box, now);
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
}
