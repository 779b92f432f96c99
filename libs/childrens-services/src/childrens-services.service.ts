import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, can, columnsFrom, rolesAllowed } from '@app/access';
import {
  Deadlines,
  type DeadlineSubject,
  Events,
  Notifier,
  requireScoped,
  SharedRecord,
  Timescales,
} from '@app/casework';
import { childHiddenField } from '@app/children';
import {
  Clock,
  decodeCursor,
  DomainError,
  endOfLondonDay,
  londonDateString,
  namedQuery,
  type Page,
  toPage,
} from '@app/platform';
import { ReferralInboxesService } from '@app/referrals';
import {
  type Attendee,
  CsAssessment,
  CsCase,
  CsConference,
  CsLookedAfter,
  CsPlan,
  CsS47,
  CsStrategyDiscussion,
} from './childrens-services.entity';
import type {
  AttendeeDto,
  AuthoriseAssessmentDto,
  CaseListQuery,
  CaseSummary,
  CaseView,
  CloseCaseDto,
  ConferenceDto,
  ConveneStrategyDto,
  CreateCaseDto,
  EndLookedAfterDto,
  EndPlanDto,
  HoldStrategyDto,
  OpenAssessmentDto,
  ReallocateCaseDto,
  S47OutcomeDto,
  StartCinPlanDto,
  StartLookedAfterDto,
} from './childrens-services.dto';
import { CsError } from './childrens-services.errors';
import { addMonths, type CsMachine, CS_MACHINES, noonOf } from './childrens-services.state';
import type { CsStepRecorded } from './childrens-services.events';

/** MASH outcomes after which the council's own case work starts. */
const CASE_OUTCOMES = ['S17_ASSESSMENT', 'STRATEGY_DISCUSSION', 'IMMEDIATE_PROTECTION'];
/** The agencies a strategy discussion needs at least (Working Together 2023). */
const STRATEGY_AGENCIES = ['local_authority', 'police_force', 'health'] as const;
const WORDS = {
  local_authority: "children's services",
  police_force: 'police',
  health: 'health',
} as const;

const CASE_WORKERS = rolesAllowed('update', 'CsCase');
const CHAIRS = rolesAllowed('create', 'CsConference');

type CaseRow = CsCase & { childHiddenFrom: string[] };
type Kind = 'assessment' | 'strategy_discussion' | 's47' | 'plan' | 'looked_after';
const TABLES: Record<Kind, string> = {
  assessment: 'cs_assessment',
  strategy_discussion: 'cs_strategy_discussion',
  s47: 'cs_s47',
  plan: 'cs_plan',
  looked_after: 'cs_looked_after',
};
const CLOCK_TYPES: Record<Kind, string> = {
  assessment: 'Assessment',
  strategy_discussion: 'StrategyDiscussion',
  s47: 'S47Enquiry',
  plan: 'ChildProtectionPlan',
  looked_after: 'LookedAfter',
};
const clockOf = (kind: Kind, id: string): DeadlineSubject => ({ type: CLOCK_TYPES[kind], id });

const CASE_COLUMNS = `c.id, c.organisation_id AS "organisationId", c.child_id AS "childId", c.referral_id AS "referralId",
  to_char(c.referral_date, 'YYYY-MM-DD') AS "referralDate", c.referral_source AS "referralSource",
  c.primary_need AS "primaryNeed", c.status, c.referral_nfa AS "referralNfa",
  to_char(c.closure_date, 'YYYY-MM-DD') AS "closureDate", c.closure_reason AS "closureReason",
  c.allocated_worker_id AS "allocatedWorkerId", c.team_id AS "teamId", c.version`;

const caseFields = (tx: EntityManager) =>
  columnsFrom(tx.getRepository(CsCase).metadata, 'c', { childHiddenFrom: childHiddenField('c.child_id') });

/**
 * Children's services' statutory child-protection process: cases (child in need episodes),
 * assessments, strategy discussions, s47 enquiries, conferences, plans, looked-after periods and
 * closure. Each step checks the policy, moves its state machine, sets or stops its clocks, and
 * writes the chronology, the audit event and its typed event in one transaction.
 */
@Injectable()
export class ChildrensServicesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly referrals: ReferralInboxesService,
  ) {}

  // ---------- cases ----------

  async createCase(ctx: AccessContext, dto: CreateCaseDto): Promise<CaseView> {
    let childId = dto.childId;
    let referralDate = dto.referralDate;
    let convene = false;
    let decidedAt: Date | null = null;
    if (dto.referralId) {
      // The MASH decision, read through referrals' public service (under the caller's scope: 404 if not theirs).
      const referral = await this.referrals.getReferral(ctx, dto.referralId);
      if (!referral.outcome || !CASE_OUTCOMES.includes(referral.outcome)) {
        throw CsError.conflict(
          'CS.REFERRAL_NOT_FOR_CASE',
          `A case follows a referral decided ${CASE_OUTCOMES.join(', ')}; this one is ${referral.outcome ?? 'undecided'}.`,
          { outcome: referral.outcome ?? null, allowed: CASE_OUTCOMES },
        );
      }
      if (!referral.childId) throw CsError.field('referralId', 'the referral names no child your council may see');
      if (childId && childId !== referral.childId)
        throw CsError.field('childId', 'childId is not the child of the referral');
      childId = referral.childId;
      // Received when it was submitted (its first transition, on the application's clock).
      const submitted = referral.transitions?.find((x) => x.toStatus === 'SUBMITTED');
      referralDate = londonDateString(new Date(submitted?.at ?? referral.createdAt));
      convene = referral.outcome === 'STRATEGY_DISCUSSION' || referral.outcome === 'IMMEDIATE_PROTECTION';
      decidedAt = referral.decidedAt ? new Date(referral.decidedAt) : null;
    }
    if (!childId) throw CsError.field('childId', 'childId or referralId is required');
    if (!referralDate) throw CsError.field('referralDate', 'referralDate is required without a referralId');
    this.notFuture(referralDate, 'referralDate');
    const child = childId;
    return this.db.transaction(async (tx) => {
      await this.record.requireChild(tx, ctx, child, { working: true });
      if (dto.referralId) {
        // Two requests opening a case for the same referral queue here: the second finds the first's.
        await namedQuery(tx, 'SELECT pg_advisory_xact_lock(hashtext(:key))', { key: `cs_case:${dto.referralId}` });
        const taken = await namedQuery(tx, 'SELECT 1 FROM cs_case WHERE referral_id = :id', { id: dto.referralId });
        if (taken.length) throw CsError.conflict('CS.REFERRAL_HAS_CASE', 'This referral already has its case.');
      }
      // One open episode per child and council (the census refuses overlapping episodes): a new
      // referral while a case is open is recorded on that case. Two requests for one child queue here.
      await namedQuery(tx, 'SELECT pg_advisory_xact_lock(hashtext(:key))', {
        key: `cs_case_child:${ctx.actor.organisationId}:${child}`,
      });
      const [open] = await namedQuery<{ id: string }>(
        tx,
        `SELECT id FROM cs_case WHERE organisation_id = :org AND child_id = :child AND status = 'OPEN' LIMIT 1`,
        { org: ctx.actor.organisationId, child },
      );
      if (open) {
        throw CsError.conflict(
          'CS.CASE_OPEN',
          'The child already has an open case with the council: record the new referral on it, or close it first.',
          { openCaseId: open.id },
        );
      }
      const saved = await tx.getRepository(CsCase).save(
        tx.getRepository(CsCase).create({
          organisationId: ctx.actor.organisationId,
          childId: child,
          referralId: dto.referralId ?? null,
          referralDate: referralDate!,
          referralSource: dto.referralSource,
          primaryNeed: dto.primaryNeed ?? null,
          status: 'OPEN',
          // Allocated to whoever opens it (a person), in their team, until reallocated.
          allocatedWorkerId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
          teamId: ctx.actor.teamId ?? null,
        }),
      );
      await this.step(
        tx,
        ctx,
        saved,
        'case',
        saved.id,
        'opened',
        `Children in need case opened (referral of ${referralDate}).`,
        false,
      );
      if (convene) await this.convene(tx, ctx, saved, decidedAt ?? this.clock.now());
      return this.view(tx, ctx, saved.id);
    });
  }

  async getCase(ctx: AccessContext, id: string): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.loadCase(tx, ctx, id, 'read');
      await this.record.recordStep(tx, ctx, 'cs_case.read', 'CsCase', [id], c.childId);
      return this.view(tx, ctx, id);
    });
  }

  /**
   * A caseload: the cases allocated to me (default), my team's or the council's, newest referral
   * first, filtered; scoped in SQL by the same policy as reading one case (so a case the caller
   * could not open is never listed), each page on the access log of the children it names.
   */
  async listCases(ctx: AccessContext, q: CaseListQuery): Promise<Page<CaseSummary>> {
    return this.db.transaction(async (tx) => {
      const limit = q.limit ?? 50;
      const scope = abilityToSql(ctx.ability, 'read', 'CsCase', caseFields(tx), 'cs');
      const now = this.clock.now();
      const params: Record<string, unknown> = {
        ...scope.params,
        org: ctx.actor.organisationId,
        now,
        today: this.today(),
        limit: limit + 1,
      };
      const where = [scope.sql, 'c.organisation_id = :org'];
      const mode = q.scope ?? 'mine';
      if (mode === 'mine') {
        where.push('c.allocated_worker_id = :me');
        params.me = ctx.actor.id;
      } else if (mode === 'team') {
        if (!ctx.actor.teamId) throw CsError.field('scope', 'you are in no team: ask for scope=mine or organisation');
        where.push('c.team_id = :team');
        params.team = ctx.actor.teamId;
      }
      if (q.workerId) {
        where.push('c.allocated_worker_id = :worker');
        params.worker = q.workerId;
      }
      if (q.childId) {
        where.push('c.child_id = :child');
        params.child = q.childId;
      }
      where.push('c.status = :status');
      params.status = q.status ?? 'OPEN';
      const overdue = `(EXISTS (SELECT 1 FROM cs_assessment a WHERE a.case_id = c.id AND a.status = 'OPEN' AND a.due_at < :now)
        OR EXISTS (SELECT 1 FROM cs_strategy_discussion sd WHERE sd.case_id = c.id AND sd.status = 'CONVENED' AND sd.due_at < :now)
        OR EXISTS (SELECT 1 FROM cs_s47 s WHERE s.case_id = c.id AND s.icpc_target < CAST(:today AS date)
                     AND (s.status = 'OPEN' OR s.outcome = 'ICPC_REQUIRED')
                     AND NOT EXISTS (SELECT 1 FROM cs_conference x WHERE x.s47_id = s.id))
        OR EXISTS (SELECT 1 FROM cs_plan p WHERE p.case_id = c.id AND p.status = 'ACTIVE' AND p.kind = 'CP'
                     AND p.next_review_due < CAST(:today AS date)))`;
      if (q.overdue === 'true') where.push(overdue);
      if (q.overdue === 'false') where.push(`NOT ${overdue}`);
      const after = decodeCursor(q.cursor, ['text', 'uuid']);
      if (after) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(after[0])) {
          throw DomainError.validation([
            { field: 'cursor', message: 'cursor is not a cursor this API issued for this list' },
          ]);
        }
        where.push('(c.referral_date, c.id) < (CAST(:cd AS date), CAST(:ci AS uuid))');
        Object.assign(params, { cd: after[0], ci: after[1] });
      }
      const rows = await namedQuery<CaseSummary>(
        tx,
        `SELECT c.id, c.child_id AS "childId", to_char(c.referral_date, 'YYYY-MM-DD') AS "referralDate",
                c.referral_source AS "referralSource", c.primary_need AS "primaryNeed", c.status,
                to_char(c.closure_date, 'YYYY-MM-DD') AS "closureDate", c.closure_reason AS "closureReason",
                c.allocated_worker_id AS "allocatedWorkerId", c.team_id AS "teamId",
                (SELECT p.kind FROM cs_plan p WHERE p.case_id = c.id AND p.status = 'ACTIVE'
                  ORDER BY p.kind = 'CP' DESC LIMIT 1) AS "activePlan",
                (SELECT to_char(min(p.next_review_due), 'YYYY-MM-DD') FROM cs_plan p
                  WHERE p.case_id = c.id AND p.status = 'ACTIVE') AS "nextReviewDue",
                ${overdue} AS overdue, c.version
           FROM cs_case c WHERE ${where.join(' AND ')}
          ORDER BY c.referral_date DESC, c.id DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [r.referralDate, r.id]);
      await this.record.recordList(
        tx,
        ctx,
        'cs_case.list',
        'CsCase',
        page.data.map((r) => ({ id: r.id, childId: r.childId })),
        { scope: mode, status: params.status, overdue: q.overdue ?? null },
      );
      return page;
    });
  }

  async closeCase(ctx: AccessContext, id: string, version: number, dto: CloseCaseDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.loadCase(tx, ctx, id, 'update', true);
      this.expect(c.version, version);
      this.move('case', c.status, 'CLOSED');
      if (dto.closureDate < c.referralDate)
        throw CsError.field('closureDate', 'closureDate is before the referral date');
      this.notFuture(dto.closureDate, 'closureDate');
      const open = await namedQuery<{ what: string }>(
        tx,
        `SELECT 'assessment' AS what FROM cs_assessment WHERE case_id = :id AND status = 'OPEN'
         UNION ALL SELECT 's47' FROM cs_s47 WHERE case_id = :id AND status = 'OPEN'
         UNION ALL SELECT 'strategy_discussion' FROM cs_strategy_discussion WHERE case_id = :id AND status = 'CONVENED'
         UNION ALL SELECT lower(kind) || '_plan' FROM cs_plan WHERE case_id = :id AND status = 'ACTIVE'
         UNION ALL SELECT 'looked_after' FROM cs_looked_after WHERE case_id = :id AND end_date IS NULL`,
        { id },
      );
      if (open.length) {
        throw CsError.conflict(
          'CS.CASE_HAS_OPEN_WORK',
          `End the open work first: ${[...new Set(open.map((o) => o.what))].join(', ')}.`,
          { open: [...new Set(open.map((o) => o.what))] },
        );
      }
      // The census's ReferralNFA: the episode ends with nothing after the referral (no assessment,
      // strategy discussion, s47, plan or care period): the referral itself led to no further action.
      const [{ work }] = await namedQuery<{ work: boolean }>(
        tx,
        `SELECT EXISTS (SELECT 1 FROM cs_assessment WHERE case_id = :id)
             OR EXISTS (SELECT 1 FROM cs_strategy_discussion WHERE case_id = :id AND status = 'HELD')
             OR EXISTS (SELECT 1 FROM cs_s47 WHERE case_id = :id)
             OR EXISTS (SELECT 1 FROM cs_plan WHERE case_id = :id)
             OR EXISTS (SELECT 1 FROM cs_looked_after WHERE case_id = :id) AS work`,
        { id },
      );
      await tx
        .getRepository(CsCase)
        .update(
          { id },
          { status: 'CLOSED', closureDate: dto.closureDate, closureReason: dto.reason, referralNfa: !work },
        );
      await this.step(
        tx,
        ctx,
        c,
        'case',
        id,
        'closed',
        `Children in need case closed (${dto.reason}).`,
        true,
        dto.reason,
      );
      return this.view(tx, ctx, id);
    });
  }

  /**
   * A team manager reallocates an open case to another social worker (and their team, or a team
   * named): the case's allocation changes, under If-Match, with the audit event (the reason in it)
   * and the typed event in the same transaction; the new worker is told. No chronology entry: who
   * holds the case is the council's internal business, not an event in the child's life. The
   * case's running clocks follow the case (`handOverClocks`).
   */
  async reallocateCase(ctx: AccessContext, id: string, version: number, dto: ReallocateCaseDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.loadCase(tx, ctx, id, 'update', true);
      if (!can(ctx.ability, 'reallocate', 'CsCase', c)) {
        throw DomainError.forbidden('Only a team manager reallocates a case.');
      }
      this.expect(c.version, version);
      if (c.status !== 'OPEN') {
        throw CsError.conflict('CS.CASE_CLOSED', 'A closed case is not reallocated: open a new one for new work.', {
          currentStatus: c.status,
          allowed: [],
        });
      }
      const [worker] = await namedQuery<{ teamId: string | null }>(
        tx,
        `SELECT team_id AS "teamId" FROM app_user WHERE id = :userId AND organisation_id = :org AND active
            AND roles && ARRAY['social_worker', 'team_manager']::text[]`,
        { userId: dto.allocatedWorkerId, org: c.organisationId },
      );
      if (!worker) throw CsError.field('allocatedWorkerId', 'not an active social worker of the council');
      const teamId = dto.teamId ?? worker.teamId;
      if (dto.teamId) {
        const team = await namedQuery(tx, 'SELECT 1 FROM team WHERE id = :id AND organisation_id = :org', {
          id: dto.teamId,
          org: c.organisationId,
        });
        if (!team.length) throw CsError.field('teamId', 'not a team of the council');
      }
      if (dto.allocatedWorkerId === c.allocatedWorkerId && teamId === c.teamId) {
        throw CsError.field('allocatedWorkerId', 'the case is already allocated to this worker in this team');
      }
      await tx.getRepository(CsCase).update({ id }, { allocatedWorkerId: dto.allocatedWorkerId, teamId });
      await this.handOverClocks(tx, c, { teamId, responsibleUserId: dto.allocatedWorkerId });
      await this.record.recordStep(tx, ctx, 'cs_case.reallocated', 'CsCase', [id], c.childId, {
        fromWorkerId: c.allocatedWorkerId,
        toWorkerId: dto.allocatedWorkerId,
        fromTeamId: c.teamId,
        toTeamId: teamId,
        reason: dto.reason,
      });
      await this.events.emit(
        tx,
        'childrens_services.case_reallocated',
        {
          caseId: id,
          childId: c.childId,
          fromTeamId: c.teamId,
          toTeamId: teamId,
          fromWorkerId: c.allocatedWorkerId,
          toWorkerId: dto.allocatedWorkerId,
        },
        { organisationId: c.organisationId },
      );
      if (dto.allocatedWorkerId !== ctx.actor.id) {
        await this.notifier.send(
          tx,
          { organisationId: c.organisationId, userIds: [dto.allocatedWorkerId] },
          {
            kind: 'cs.case_allocated',
            subjectType: 'CsCase',
            subjectId: id,
            message: 'A children in need case has been allocated to you.',
          },
        );
      }
      return this.view(tx, ctx, id);
    });
  }

  // ---------- assessments ----------

  async openAssessment(ctx: AccessContext, caseId: string, dto: OpenAssessmentDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.openCase(tx, ctx, caseId);
      const startDate = dto.startDate ?? this.today();
      this.notFuture(startDate, 'startDate');
      if (startDate < c.referralDate) throw CsError.field('startDate', 'startDate is before the referral date');
      const running = await namedQuery(tx, `SELECT 1 FROM cs_assessment WHERE case_id = :caseId AND status = 'OPEN'`, {
        caseId,
      });
      if (running.length) throw CsError.conflict('CS.ASSESSMENT_OPEN', 'The case already has an open assessment.');
      // At most 45 working days from the referral (not from the assessment's own start).
      const dueAt = await this.timescales.due(tx, c.organisationId, 'assessment.completion', noonOf(c.referralDate));
      const a = await tx.getRepository(CsAssessment).save(
        tx.getRepository(CsAssessment).create({
          organisationId: c.organisationId,
          caseId,
          childId: c.childId,
          status: 'OPEN',
          startDate,
          dueAt,
        }),
      );
      await this.deadlines.open(tx, {
        subject: clockOf('assessment', a.id),
        rule: 'assessment.completion',
        dueAt,
        organisationId: c.organisationId,
        teamId: ctx.actor.teamId ?? null,
        responsibleUserId: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        childId: c.childId,
      });
      await this.step(tx, ctx, c, 'assessment', a.id, 'opened', 'Child and family assessment started.', false);
      return this.view(tx, ctx, caseId);
    });
  }

  async authoriseAssessment(
    ctx: AccessContext,
    id: string,
    version: number,
    dto: AuthoriseAssessmentDto,
  ): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const { c, row } = await this.loadPart<CsAssessment>(tx, ctx, 'assessment', id);
      if (!can(ctx.ability, 'authorise', 'CsCase', c)) {
        throw DomainError.forbidden('Only a team manager authorises an assessment.');
      }
      this.expect(row.version, version);
      this.move('assessment', row.status, 'AUTHORISED');
      const authorisedDate = dto.authorisedDate ?? this.today();
      this.notFuture(authorisedDate, 'authorisedDate');
      if (authorisedDate < row.startDate)
        throw CsError.field('authorisedDate', 'authorisedDate is before the start date');
      await tx.getRepository(CsAssessment).update(
        { id },
        {
          status: 'AUTHORISED',
          outcome: dto.outcome,
          factors: dto.factors,
          authorisedDate,
          authorisedBy: ctx.actor.id,
        },
      );
      await tx.getRepository(CsCase).update({ id: c.id }, { primaryNeed: dto.primaryNeed });
      await this.deadlines.close(tx, clockOf('assessment', id), 'met');
      await this.step(
        tx,
        ctx,
        c,
        'assessment',
        id,
        'authorised',
        `Child and family assessment authorised: ${dto.outcome.toLowerCase().replace(/_/g, ' ')}.`,
        dto.outcome !== 'NFA',
        dto.outcome,
      );
      if (dto.outcome === 'STRATEGY_DISCUSSION') await this.convene(tx, ctx, c, this.clock.now());
      return this.view(tx, ctx, c.id);
    });
  }

  // ---------- strategy discussions and s47 ----------

  async conveneStrategy(ctx: AccessContext, caseId: string, dto: ConveneStrategyDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.openCase(tx, ctx, caseId);
      await this.convene(tx, ctx, c, this.clock.now(), dto.reason);
      return this.view(tx, ctx, caseId);
    });
  }

  async holdStrategy(ctx: AccessContext, id: string, version: number, dto: HoldStrategyDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const { c, row } = await this.loadPart<CsStrategyDiscussion>(tx, ctx, 'strategy_discussion', id, 'update');
      this.expect(row.version, version);
      this.move('strategy_discussion', row.status, 'HELD');
      this.notFuture(dto.heldOn, 'heldOn');
      if (dto.heldOn < c.referralDate) throw CsError.field('heldOn', 'heldOn is before the referral date');
      const attendees = await this.checkAttendees(tx, dto.attendees, 'attendees');
      const types = new Set(attendees.map((a) => a.type));
      const missing = STRATEGY_AGENCIES.filter((t) => !types.has(t));
      if (missing.length) {
        throw CsError.field(
          'attendees',
          `a strategy discussion needs at least children's services, police and health: missing ${missing.map((m) => WORDS[m]).join(', ')}`,
        );
      }
      if (dto.outcome === 'S47_JOINT' && !types.has('police_force')) {
        throw CsError.field('outcome', 'a joint s47 enquiry needs the police at the discussion');
      }
      await tx.getRepository(CsStrategyDiscussion).update(
        { id },
        {
          status: 'HELD',
          heldOn: dto.heldOn,
          attendees: attendees.map(({ type: _t, ...a }) => a),
          outcome: dto.outcome,
        },
      );
      await this.deadlines.close(tx, clockOf('strategy_discussion', id), 'met');
      // Attending organisations work with the child from now on (need-to-know: open multi-agency work).
      for (const orgId of new Set(attendees.map((a) => a.organisationId))) {
        await this.record.involve(
          tx,
          c.childId,
          orgId,
          'strategy_discussion',
          `Strategy discussion ${id}`,
          ctx.actor.id,
        );
      }
      const s47 = dto.outcome !== 'NO_S47';
      await this.step(
        tx,
        ctx,
        c,
        'strategy_discussion',
        id,
        'held',
        s47
          ? 'Strategy discussion held: a section 47 enquiry starts.'
          : 'Strategy discussion held: no section 47 enquiry.',
        true,
        dto.outcome,
        dto.heldOn,
      );
      if (s47) await this.startS47(tx, ctx, c, id, dto.heldOn, dto.outcome === 'S47_JOINT');
      return this.view(tx, ctx, c.id);
    });
  }

  async s47Outcome(ctx: AccessContext, id: string, version: number, dto: S47OutcomeDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const { c, row } = await this.loadPart<CsS47>(tx, ctx, 's47', id, 'update');
      this.expect(row.version, version);
      this.move('s47', row.status, 'COMPLETED');
      this.notFuture(dto.completedDate, 'completedDate');
      if (dto.completedDate < row.startDate)
        throw CsError.field('completedDate', 'completedDate is before the start date');
      await tx
        .getRepository(CsS47)
        .update({ id }, { status: 'COMPLETED', outcome: dto.outcome, completedDate: dto.completedDate });
      if (dto.outcome === 'ICPC_REQUIRED') {
        await this.notifier.send(
          tx,
          { organisationId: c.organisationId, roles: CHAIRS },
          {
            kind: 'cs.icpc_required',
            subjectType: 'CsCase',
            subjectId: c.id,
            message: `An initial child protection conference is needed by ${row.icpcTarget}.`,
          },
        );
      } else {
        // No conference needed: the ICPC clock no longer runs.
        await this.deadlines.close(tx, clockOf('s47', id), 'cancelled', 'icpc.target');
      }
      await this.step(
        tx,
        ctx,
        c,
        's47',
        id,
        'completed',
        `Section 47 enquiry completed: ${dto.outcome === 'ICPC_REQUIRED' ? 'initial child protection conference required' : dto.outcome === 'CIN' ? 'child in need' : 'no further action'}.`,
        true,
        dto.outcome,
        dto.completedDate,
      );
      return this.view(tx, ctx, c.id);
    });
  }

  // ---------- conferences and plans ----------

  /** A conference; a review changes the active plan, under `planVersion` (its If-Match). */
  async recordConference(
    ctx: AccessContext,
    caseId: string,
    dto: ConferenceDto,
    planVersion?: number,
  ): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.loadCase(tx, ctx, caseId, 'read', true);
      if (!can(ctx.ability, 'create', 'CsConference', c))
        throw DomainError.forbidden('Conferences are recorded by their chair.');
      if (c.status !== 'OPEN') throw CsError.caseClosed(c.status);
      this.notFuture(dto.heldOn, 'heldOn');
      const attendees = await this.checkAttendees(tx, dto.attendees, 'attendees');
      return dto.kind === 'INITIAL'
        ? this.initialConference(tx, ctx, c, dto, attendees)
        : this.reviewConference(tx, ctx, c, dto, attendees, planVersion!);
    });
  }

  private async initialConference(
    tx: EntityManager,
    ctx: AccessContext,
    c: CaseRow,
    dto: ConferenceDto,
    attendees: (Attendee & { type: string })[],
  ): Promise<CaseView> {
    if (!['PLAN', 'CIN', 'NFA'].includes(dto.decision)) {
      throw CsError.field('decision', 'an initial conference decides PLAN, CIN or NFA');
    }
    const s47 = (
      await namedQuery<{ id: string; icpcTarget: string; completedDate: string }>(
        tx,
        `SELECT s.id, to_char(s.icpc_target, 'YYYY-MM-DD') AS "icpcTarget", to_char(s.completed_date, 'YYYY-MM-DD') AS "completedDate"
           FROM cs_s47 s WHERE s.case_id = :caseId AND s.outcome = 'ICPC_REQUIRED'
            AND NOT EXISTS (SELECT 1 FROM cs_conference x WHERE x.s47_id = s.id)
          ORDER BY s.start_date DESC LIMIT 1 FOR UPDATE`,
        { caseId: c.id },
      )
    )[0];
    if (!s47) {
      throw CsError.conflict(
        'CS.NO_ICPC_REQUIRED',
        'An initial conference follows a section 47 enquiry that completed ICPC_REQUIRED; this case has none waiting.',
      );
    }
    if (dto.heldOn < s47.completedDate) throw CsError.field('heldOn', 'heldOn is before the s47 enquiry completed');
    if (dto.heldOn > s47.icpcTarget && !dto.lateReason) {
      throw CsError.field('lateReason', `the conference is after its target of ${s47.icpcTarget}: record why`);
    }
    let planId: string | null = null;
    if (dto.decision === 'PLAN') {
      const errors = [];
      if (!dto.category)
        errors.push({ field: 'category', message: 'a plan needs its category (NEG, PHY, SAB, EMO, MUL)' });
      if (!dto.leadSocialWorkerId)
        errors.push({ field: 'leadSocialWorkerId', message: 'a plan needs its lead social worker' });
      if (errors.length) throw DomainError.validation(errors);
      await this.requireSocialWorker(tx, c.organisationId, dto.leadSocialWorkerId!);
      const coreGroup = [...new Set(attendees.map((a) => a.organisationId))];
      const nextReviewDue = addMonths(dto.heldOn, 3);
      const plan = await tx.getRepository(CsPlan).save(
        tx.getRepository(CsPlan).create({
          organisationId: c.organisationId,
          caseId: c.id,
          childId: c.childId,
          kind: 'CP',
          status: 'ACTIVE',
          startDate: dto.heldOn,
          initialCategory: dto.category!,
          latestCategory: dto.category!,
          leadSocialWorkerId: dto.leadSocialWorkerId!,
          coreGroup,
          nextReviewDue,
        }),
      );
      planId = plan.id;
      for (const orgId of coreGroup) {
        await this.record.involve(tx, c.childId, orgId, 'core_group', `Core group of plan ${plan.id}`, ctx.actor.id);
      }
      await this.deadlines.open(tx, {
        subject: clockOf('plan', plan.id),
        rule: 'review_conference.due',
        dueAt: endOfLondonDay(noonOf(nextReviewDue)),
        organisationId: c.organisationId,
        childId: c.childId,
      });
    }
    const conference = await tx.getRepository(CsConference).save(
      tx.getRepository(CsConference).create({
        organisationId: c.organisationId,
        caseId: c.id,
        childId: c.childId,
        kind: 'INITIAL',
        s47Id: s47.id,
        planId,
        heldOn: dto.heldOn,
        chairId: ctx.actor.id,
        attendees: attendees.map(({ type: _t, ...a }) => a),
        decision: dto.decision,
        lateReason: dto.lateReason ?? null,
      }),
    );
    for (const orgId of new Set(attendees.map((a) => a.organisationId))) {
      await this.record.involve(tx, c.childId, orgId, 'conference', `Conference ${conference.id}`, ctx.actor.id);
    }
    await this.deadlines.close(tx, clockOf('s47', s47.id), 'met', 'icpc.target');
    await this.step(
      tx,
      ctx,
      c,
      'conference',
      conference.id,
      'initial_held',
      dto.decision === 'PLAN'
        ? `Initial child protection conference: child protection plan (${dto.category}).`
        : `Initial child protection conference: ${dto.decision === 'CIN' ? 'child in need' : 'no further action'}.`,
      true,
      dto.decision,
      dto.heldOn,
    );
    return this.view(tx, ctx, c.id);
  }

  private async reviewConference(
    tx: EntityManager,
    ctx: AccessContext,
    c: CaseRow,
    dto: ConferenceDto,
    attendees: (Attendee & { type: string })[],
    planVersion: number,
  ): Promise<CaseView> {
    if (!['CONTINUE', 'END'].includes(dto.decision)) {
      throw CsError.field('decision', 'a review conference decides CONTINUE or END');
    }
    const plan = (
      await namedQuery<{
        id: string;
        startDate: string;
        nextReviewDue: string;
        latestCategory: string;
        version: number;
      }>(
        tx,
        `SELECT id, to_char(start_date, 'YYYY-MM-DD') AS "startDate", to_char(next_review_due, 'YYYY-MM-DD') AS "nextReviewDue",
                latest_category AS "latestCategory", version
           FROM cs_plan WHERE case_id = :caseId AND kind = 'CP' AND status = 'ACTIVE' FOR UPDATE`,
        { caseId: c.id },
      )
    )[0];
    if (!plan)
      throw CsError.conflict(
        'CS.NO_ACTIVE_PLAN',
        'A review conference reviews an active child protection plan; there is none.',
      );
    this.expect(plan.version, planVersion);
    if (dto.heldOn < plan.startDate) throw CsError.field('heldOn', 'heldOn is before the plan started');
    if (dto.decision === 'END' && !dto.endReason) throw CsError.field('endReason', 'ending the plan needs a reason');
    if (dto.decision === 'CONTINUE') {
      const nextReviewDue = addMonths(dto.heldOn, 6);
      await tx
        .getRepository(CsPlan)
        .update({ id: plan.id }, { nextReviewDue, latestCategory: dto.category ?? plan.latestCategory });
      await this.deadlines.reschedule(
        tx,
        clockOf('plan', plan.id),
        'review_conference.due',
        endOfLondonDay(noonOf(nextReviewDue)),
      );
    } else {
      await tx
        .getRepository(CsPlan)
        .update(
          { id: plan.id },
          { status: 'ENDED', endDate: dto.heldOn, endReason: dto.endReason!, nextReviewDue: null },
        );
      await this.deadlines.close(tx, clockOf('plan', plan.id), 'met');
    }
    const conference = await tx.getRepository(CsConference).save(
      tx.getRepository(CsConference).create({
        organisationId: c.organisationId,
        caseId: c.id,
        childId: c.childId,
        kind: 'REVIEW',
        planId: plan.id,
        heldOn: dto.heldOn,
        chairId: ctx.actor.id,
        attendees: attendees.map(({ type: _t, ...a }) => a),
        decision: dto.decision,
        lateReason: dto.lateReason ?? null,
      }),
    );
    await this.step(
      tx,
      ctx,
      c,
      'conference',
      conference.id,
      'review_held',
      dto.decision === 'END'
        ? 'Review child protection conference: the plan ends.'
        : 'Review child protection conference: the plan continues.',
      true,
      dto.decision,
      dto.heldOn,
    );
    return this.view(tx, ctx, c.id);
  }

  async startCinPlan(ctx: AccessContext, caseId: string, dto: StartCinPlanDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.openCase(tx, ctx, caseId);
      this.notFuture(dto.startDate, 'startDate');
      if (dto.startDate < c.referralDate) throw CsError.field('startDate', 'startDate is before the referral date');
      const running = await namedQuery(
        tx,
        `SELECT 1 FROM cs_plan WHERE case_id = :caseId AND kind = 'CIN' AND status = 'ACTIVE'`,
        {
          caseId,
        },
      );
      if (running.length)
        throw CsError.conflict('CS.PLAN_ACTIVE', 'The case already has an active child in need plan.');
      // A child on a child protection plan is not also on a child in need plan (the census refuses
      // the overlap): the CIN plan starts when a review conference ends the CP plan.
      const [cp] = await namedQuery<{ id: string }>(
        tx,
        `SELECT id FROM cs_plan WHERE child_id = :childId AND organisation_id = :org AND kind = 'CP' AND status = 'ACTIVE' LIMIT 1`,
        { childId: c.childId, org: c.organisationId },
      );
      if (cp) {
        throw CsError.conflict(
          'CS.CP_PLAN_ACTIVE',
          'The child is on a child protection plan: a child in need plan starts when a review conference ends it.',
          { planId: cp.id },
        );
      }
      const plan = await tx.getRepository(CsPlan).save(
        tx.getRepository(CsPlan).create({
          organisationId: c.organisationId,
          caseId,
          childId: c.childId,
          kind: 'CIN',
          status: 'ACTIVE',
          startDate: dto.startDate,
        }),
      );
      await this.step(
        tx,
        ctx,
        c,
        'plan',
        plan.id,
        'cin_started',
        'Child in need plan started.',
        true,
        undefined,
        dto.startDate,
      );
      return this.view(tx, ctx, caseId);
    });
  }

  async endPlan(ctx: AccessContext, id: string, version: number, dto: EndPlanDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const { c, row } = await this.loadPart<CsPlan>(tx, ctx, 'plan', id, 'update');
      this.expect(row.version, version);
      this.move('plan', row.status, 'ENDED');
      if (row.kind === 'CP') {
        throw CsError.conflict(
          'CS.PLAN_ENDS_AT_CONFERENCE',
          'A child protection plan ends at a review conference (decision END).',
        );
      }
      this.notFuture(dto.endDate, 'endDate');
      if (dto.endDate < row.startDate) throw CsError.field('endDate', 'endDate is before the plan started');
      await tx.getRepository(CsPlan).update({ id }, { status: 'ENDED', endDate: dto.endDate, endReason: dto.reason });
      await this.step(tx, ctx, c, 'plan', id, 'ended', 'Child in need plan ended.', true, undefined, dto.endDate);
      return this.view(tx, ctx, c.id);
    });
  }

  async startLookedAfter(ctx: AccessContext, caseId: string, dto: StartLookedAfterDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const c = await this.openCase(tx, ctx, caseId);
      this.notFuture(dto.startDate, 'startDate');
      const running = await namedQuery(
        tx,
        'SELECT 1 FROM cs_looked_after WHERE case_id = :caseId AND end_date IS NULL',
        { caseId },
      );
      if (running.length) throw CsError.conflict('CS.LOOKED_AFTER', 'The child is already looked after.');
      const la = await tx.getRepository(CsLookedAfter).save(
        tx.getRepository(CsLookedAfter).create({
          organisationId: c.organisationId,
          caseId,
          childId: c.childId,
          startDate: dto.startDate,
        }),
      );
      await this.step(
        tx,
        ctx,
        c,
        'looked_after',
        la.id,
        'started',
        'The child became looked after.',
        true,
        undefined,
        dto.startDate,
      );
      return this.view(tx, ctx, caseId);
    });
  }

  async endLookedAfter(ctx: AccessContext, id: string, version: number, dto: EndLookedAfterDto): Promise<CaseView> {
    return this.db.transaction(async (tx) => {
      const { c, row } = await this.loadPart<CsLookedAfter>(tx, ctx, 'looked_after', id, 'update');
      this.expect(row.version, version);
      if (row.endDate) {
        throw CsError.conflict('CS.ILLEGAL_TRANSITION', 'The looked-after period has already ended; it is final.', {
          currentStatus: 'ENDED',
          allowed: [],
        });
      }
      this.notFuture(dto.endDate, 'endDate');
      if (dto.endDate < row.startDate) throw CsError.field('endDate', 'endDate is before the start date');
      await tx.getRepository(CsLookedAfter).update({ id }, { endDate: dto.endDate });
      await this.step(
        tx,
        ctx,
        c,
        'looked_after',
        id,
        'ended',
        'The child ceased to be looked after.',
        true,
        undefined,
        dto.endDate,
      );
      return this.view(tx, ctx, c.id);
    });
  }

  // ---------- internals ----------

  /**
   * THE CLOCK HAND-OVER OF A REALLOCATION (to be wired at merge). The clocks still running on the
   * case must follow it to its new team and worker, so that a missed one escalates to the people
   * who now hold the case, not to those who held it when the clock started:
   *
   *   - `assessment.completion` of an OPEN assessment (opened with the opener's team and person);
   *   - `strategy.discussion` of a CONVENED strategy discussion (opened with the convener's team);
   *   - `icpc.target` of an s47 enquiry whose initial conference is still to come (OPEN, or
   *     completed ICPC_REQUIRED without a conference yet; opened with no team);
   *   - `review_conference.due` of an ACTIVE child protection plan (opened with no team).
   *
   * Ended records' clocks are closed already and stay with whoever held them. The running ones are
   * handed over (`Deadlines.handOver`: the old clock closes 'handed_over', the same rule and due time
   * runs for the new team and worker, whose managers hear if it is overdue).
   */
  private async handOverClocks(
    tx: EntityManager,
    c: { id: string },
    to: { teamId: string | null; responsibleUserId: string },
  ): Promise<DeadlineSubject[]> {
    const running = await namedQuery<{ kind: Kind; id: string }>(
      tx,
      `SELECT 'assessment' AS kind, id FROM cs_assessment WHERE case_id = :id AND status = 'OPEN'
       UNION ALL SELECT 'strategy_discussion', id FROM cs_strategy_discussion WHERE case_id = :id AND status = 'CONVENED'
       UNION ALL SELECT 's47', s.id FROM cs_s47 s WHERE s.case_id = :id
                   AND (s.status = 'OPEN' OR s.outcome = 'ICPC_REQUIRED')
                   AND NOT EXISTS (SELECT 1 FROM cs_conference x WHERE x.s47_id = s.id)
       UNION ALL SELECT 'plan', id FROM cs_plan WHERE case_id = :id AND kind = 'CP' AND status = 'ACTIVE'`,
      { id: c.id },
    );
    const subjects = running.map((r) => clockOf(r.kind, r.id));
    for (const subject of subjects) await this.deadlines.handOver(tx, subject, to);
    return subjects;
  }

  private async convene(tx: EntityManager, ctx: AccessContext, c: CaseRow | CsCase, from: Date, reason?: string) {
    const running = await namedQuery(
      tx,
      `SELECT 1 FROM cs_strategy_discussion WHERE case_id = :caseId AND status = 'CONVENED'`,
      { caseId: c.id },
    );
    if (running.length)
      throw CsError.conflict('CS.STRATEGY_CONVENED', 'A strategy discussion is already convened for this case.');
    const dueAt = await this.timescales.due(tx, c.organisationId, 'strategy.discussion', from);
    const sd = await tx.getRepository(CsStrategyDiscussion).save(
      tx.getRepository(CsStrategyDiscussion).create({
        organisationId: c.organisationId,
        caseId: c.id,
        childId: c.childId,
        status: 'CONVENED',
        dueAt,
      }),
    );
    await this.deadlines.open(tx, {
      subject: clockOf('strategy_discussion', sd.id),
      rule: 'strategy.discussion',
      dueAt,
      organisationId: c.organisationId,
      teamId: ctx.actor.teamId ?? null,
      childId: c.childId,
    });
    await this.notifier.send(
      tx,
      { organisationId: c.organisationId, roles: CASE_WORKERS },
      {
        kind: 'cs.strategy_convened',
        subjectType: 'CsCase',
        subjectId: c.id,
        message: `A strategy discussion is needed by ${dueAt.toISOString()}.`,
      },
    );
    await this.step(
      tx,
      ctx,
      c,
      'strategy_discussion',
      sd.id,
      'convened',
      'Strategy discussion convened.',
      false,
      undefined,
      undefined,
      {
        reason: reason ?? null,
      },
    );
  }

  private async startS47(
    tx: EntityManager,
    ctx: AccessContext,
    c: CaseRow,
    sdId: string,
    heldOn: string,
    joint: boolean,
  ) {
    // ICPC within 15 working days of the strategy discussion at which s47 began.
    const due = await this.timescales.due(tx, c.organisationId, 'icpc.target', noonOf(heldOn));
    const icpcTarget = londonDateString(due);
    const s47 = await tx.getRepository(CsS47).save(
      tx.getRepository(CsS47).create({
        organisationId: c.organisationId,
        caseId: c.id,
        childId: c.childId,
        strategyDiscussionId: sdId,
        joint,
        status: 'OPEN',
        startDate: heldOn,
        icpcTarget,
      }),
    );
    await this.deadlines.open(tx, {
      subject: clockOf('s47', s47.id),
      rule: 'icpc.target',
      dueAt: due,
      organisationId: c.organisationId,
      childId: c.childId,
    });
    await this.step(
      tx,
      ctx,
      c,
      's47',
      s47.id,
      'started',
      'Section 47 enquiry started.',
      false,
      joint ? 'JOINT' : 'SINGLE_AGENCY',
      heldOn,
    );
  }

  /**
   * The child's status on the council's section, from the plans and periods running now: a child
   * protection plan first, then looked after, then a child in need plan (the order the
   * protection-status look-up answers in). Health's look-up and schools' files read it there.
   */
  private async syncCouncilStatus(tx: EntityManager, childId: string, organisationId: string): Promise<void> {
    const [row] = await namedQuery<{
      status: 'child_protection_plan' | 'looked_after' | 'child_in_need_plan' | null;
      since: string | null;
    }>(
      tx,
      // The status in force and the day its plan or period started (the earliest running one).
      `SELECT status, since FROM (
         SELECT 1 AS rank, 'child_protection_plan' AS status, to_char(min(start_date), 'YYYY-MM-DD') AS since
           FROM cs_plan WHERE child_id = :childId AND organisation_id = :org AND kind = 'CP' AND status = 'ACTIVE'
         UNION ALL
         SELECT 2, 'looked_after', to_char(min(start_date), 'YYYY-MM-DD')
           FROM cs_looked_after WHERE child_id = :childId AND organisation_id = :org AND end_date IS NULL
         UNION ALL
         SELECT 3, 'child_in_need_plan', to_char(min(start_date), 'YYYY-MM-DD')
           FROM cs_plan WHERE child_id = :childId AND organisation_id = :org AND kind = 'CIN' AND status = 'ACTIVE'
       ) x WHERE since IS NOT NULL ORDER BY rank LIMIT 1`,
      { childId, org: organisationId },
    );
    await this.record.setCouncilStatus(tx, childId, organisationId, row?.status ?? null, row?.since ?? null);
  }

  /** Chronology (multi-agency where it is a safeguarding event), audit and the typed event of one step. */
  private async step(
    tx: EntityManager,
    ctx: AccessContext,
    c: { id: string; childId: string; organisationId: string },
    record: CsStepRecorded['record'],
    recordId: string,
    step: string,
    summary: string,
    multiAgency: boolean,
    outcome?: string,
    occurredOn?: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    if (record === 'plan' || record === 'looked_after' || record === 'conference') {
      await this.syncCouncilStatus(tx, c.childId, c.organisationId);
    }
    await this.record.addEntry(tx, ctx, c.childId, {
      category: 'childrens_services',
      summary,
      sensitivity: 'social-care',
      shareable: true,
      multiAgency,
      ...(occurredOn ? { occurredAt: noonOf(occurredOn) } : {}),
    });
    await this.record.recordStep(tx, ctx, `cs_${record}.${step}`, 'CsCase', [c.id, recordId], c.childId, {
      ...details,
      ...(outcome ? { outcome } : {}),
    });
    await this.events.emit(
      tx,
      'childrens_services.step_recorded',
      { caseId: c.id, record, recordId, step, ...(outcome ? { outcome } : {}) },
      { organisationId: c.organisationId },
    );
  }

  private async loadCase(tx: EntityManager, ctx: AccessContext, id: string, action: 'read' | 'update', lock = false) {
    return requireScoped<CaseRow>(tx, ctx, {
      action,
      subject: 'CsCase',
      fields: caseFields(tx),
      prefix: 'cs',
      sql: (scope) => `SELECT ${CASE_COLUMNS} FROM cs_case c WHERE c.id = :id AND ${scope} ${lock ? 'FOR UPDATE' : ''}`,
      params: { id },
      notFound: CsError.notFound('Case'),
    });
  }

  /** An open case the actor may work on (and the child, working with it). */
  private async openCase(tx: EntityManager, ctx: AccessContext, id: string): Promise<CaseRow> {
    const c = await this.loadCase(tx, ctx, id, 'update', true);
    if (c.status !== 'OPEN') throw CsError.caseClosed(c.status);
    await this.record.requireChild(tx, ctx, c.childId, { working: true });
    return c;
  }

  /** A record of a case, under the case's scope (404 if the case is not the actor's), locked. */
  private async loadPart<T>(
    tx: EntityManager,
    ctx: AccessContext,
    kind: Kind,
    id: string,
    action: 'read' | 'update' = 'read',
  ): Promise<{ c: CaseRow; row: T }> {
    const what = {
      assessment: 'Assessment',
      strategy_discussion: 'Strategy discussion',
      s47: 'Section 47 enquiry',
      plan: 'Plan',
      looked_after: 'Looked-after period',
    }[kind];
    const found = await namedQuery<{ caseId: string }>(
      tx,
      `SELECT case_id AS "caseId" FROM ${TABLES[kind]} WHERE id = :id`,
      { id },
    );
    if (!found[0]) throw DomainError.notFound(what);
    let c: CaseRow;
    try {
      c = await this.loadCase(tx, ctx, found[0].caseId, action, true);
    } catch (e) {
      if (e instanceof DomainError && e.status === 404) throw DomainError.notFound(what);
      throw e;
    }
    await this.record.requireChild(tx, ctx, c.childId, { working: true });
    const repo = {
      assessment: CsAssessment,
      strategy_discussion: CsStrategyDiscussion,
      s47: CsS47,
      plan: CsPlan,
      looked_after: CsLookedAfter,
    }[kind];
    const row = (await tx.getRepository(repo).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })) as T;
    return { c, row };
  }

  private async checkAttendees(tx: EntityManager, list: AttendeeDto[], field: string) {
    const ids = [...new Set(list.map((a) => a.organisationId))];
    const orgs = await namedQuery<{ id: string; type: string }>(
      tx,
      'SELECT id, type FROM organisation WHERE id = ANY(:ids)',
      { ids },
    );
    const types = new Map(orgs.map((o) => [o.id, o.type]));
    const unknown = list.findIndex((a) => !types.has(a.organisationId));
    if (unknown >= 0) throw CsError.field(`${field}.${unknown}.organisationId`, 'not an organisation of the directory');
    return list.map((a) => ({
      organisationId: a.organisationId,
      name: a.name,
      role: a.role,
      type: types.get(a.organisationId)!,
    }));
  }

  private async requireSocialWorker(tx: EntityManager, organisationId: string, userId: string) {
    const rows = await namedQuery(
      tx,
      `SELECT 1 FROM app_user WHERE id = :userId AND organisation_id = :organisationId AND active
          AND roles && ARRAY['social_worker', 'team_manager']::text[]`,
      { userId, organisationId },
    );
    if (!rows.length) throw CsError.field('leadSocialWorkerId', 'not a social worker of the council');
  }

  private move(machine: CsMachine, from: string, to: string): void {
    const allowed = (CS_MACHINES[machine] as Record<string, readonly string[]>)[from] ?? [];
    if (!allowed.includes(to)) throw CsError.illegalTransition(machine, from, to);
  }

  private expect(actual: number, expected: number): void {
    if (actual !== expected) throw CsError.stale(actual);
  }

  private today(): string {
    return londonDateString(this.clock.now());
  }

  private notFuture(date: string, field: string): void {
    if (date > this.today()) throw CsError.field(field, `${field} is in the future`);
  }

  /** The case with every record, as the council reads it. */
  private async view(tx: EntityManager, _ctx: AccessContext, id: string): Promise<CaseView> {
    const now = this.clock.now();
    const [c] = await namedQuery<CaseView & { organisationId: string }>(
      tx,
      `SELECT ${CASE_COLUMNS} FROM cs_case c WHERE c.id = :id`,
      { id },
    );
    const d = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
    const [assessments, strategyDiscussions, s47Enquiries, conferences, plans, lookedAfter] = await Promise.all([
      namedQuery(
        tx,
        `SELECT id, status, ${d('start_date')} AS "startDate", due_at AS "dueAt", (status = 'OPEN' AND due_at < :now) AS overdue,
                ${d('authorised_date')} AS "authorisedDate", outcome, factors, version
           FROM cs_assessment WHERE case_id = :id ORDER BY start_date, created_at`,
        { id, now },
      ),
      namedQuery(
        tx,
        `SELECT id, status, due_at AS "dueAt", (status = 'CONVENED' AND due_at < :now) AS overdue, ${d('held_on')} AS "heldOn",
                attendees, outcome, version FROM cs_strategy_discussion WHERE case_id = :id ORDER BY created_at`,
        { id, now },
      ),
      namedQuery(
        tx,
        `SELECT id, strategy_discussion_id AS "strategyDiscussionId", joint, status, ${d('start_date')} AS "startDate",
                ${d('icpc_target')} AS "icpcTarget", ${d('completed_date')} AS "completedDate", outcome, version
           FROM cs_s47 WHERE case_id = :id ORDER BY start_date, created_at`,
        { id },
      ),
      namedQuery(
        tx,
        `SELECT id, kind, ${d('held_on')} AS "heldOn", chair_id AS "chairId", attendees, decision, plan_id AS "planId",
                late_reason AS "lateReason" FROM cs_conference WHERE case_id = :id ORDER BY held_on, created_at`,
        { id },
      ),
      namedQuery(
        tx,
        `SELECT id, kind, status, ${d('start_date')} AS "startDate", ${d('end_date')} AS "endDate",
                initial_category AS "initialCategory", latest_category AS "latestCategory",
                lead_social_worker_id AS "leadSocialWorkerId", core_group AS "coreGroup",
                ${d('next_review_due')} AS "nextReviewDue", end_reason AS "endReason", version
           FROM cs_plan WHERE case_id = :id ORDER BY start_date, created_at`,
        { id },
      ),
      namedQuery(
        tx,
        `SELECT id, ${d('start_date')} AS "startDate", ${d('end_date')} AS "endDate", version
           FROM cs_looked_after WHERE case_id = :id ORDER BY start_date`,
        { id },
      ),
    ]);
    const { organisationId: _o, ...rest } = c!;
    return {
      ...rest,
      assessments: assessments as never,
      strategyDiscussions: strategyDiscussions as never,
      s47Enquiries: s47Enquiries as never,
      conferences: conferences as never,
      plans: plans as never,
      lookedAfter: lookedAfter as never,
    };
  }
}
