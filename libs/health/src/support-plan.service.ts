import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { abilityToSql, type AccessContext, columnsFrom } from '@app/access';
import { Deadlines, type DeadlineSubject, Events, Notifier, requireScoped, SharedRecord } from '@app/casework';
import { childHiddenField } from '@app/children';
import {
  Clock,
  decodeCursor,
  DomainError,
  endOfLondonDay,
  londonDateString,
  namedQuery,
  type Page,
  refuseClearing,
  toPage,
} from '@app/platform';
import { SUPPORT_REVIEW_MONTHS } from './health.clocks';
import type {
  AddSupportReviewDto,
  CorrectSupportReviewDto,
  CreateSupportPlanDto,
  EndSupportPlanDto,
  SupportPlanDto,
  SupportPlanListQuery,
  SupportPlanSummaryDto,
  SupportReviewDto,
  UpdateSupportPlanDto,
} from './support-plan.dto';
import { SupportPlanReview, TherapeuticSupportPlan } from './support-plan.entity';

const reviewClock = (id: string): DeadlineSubject => ({ type: 'SupportPlan', id });

/** Add whole calendar months to a date (YYYY-MM-DD), clamped to the month's last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** A review is due by the end of its London day. */
const dueAtOf = (date: string): Date => endOfLondonDay(new Date(`${date}T12:00:00Z`));

type PlanRow = Omit<SupportPlanDto, 'consent' | 'reviews'> & {
  consentGivenBy: string;
  consentGivenOn: string;
  consentNotes: string | null;
  childHiddenFrom?: string[];
};

const PLAN_COLUMNS = `p.id, p.child_id AS "childId", p.organisation_id AS "organisationId", p.service,
  p.consent_given_by AS "consentGivenBy", to_char(p.consent_given_on, 'YYYY-MM-DD') AS "consentGivenOn",
  p.consent_notes AS "consentNotes", to_char(p.start_date, 'YYYY-MM-DD') AS "startDate", p.key_worker_id AS "keyWorkerId",
  p.review_interval_months AS "reviewIntervalMonths",
  CASE WHEN p.status = 'ACTIVE' THEN to_char(p.next_review_due, 'YYYY-MM-DD') END AS "nextReviewDue",
  (p.status = 'ACTIVE' AND p.next_review_due < :today) AS "reviewOverdue",
  p.status, to_char(p.ended_on, 'YYYY-MM-DD') AS "endedOn", p.end_reason AS "endReason", p.persons_view AS "personsView",
  p.version`;

/**
 * Therapeutic support for survivors of exploitation, shared by every agency (issue 15): the
 * organisation working with the child refers them to a therapeutic service with consent
 * recorded, names a key worker, and reviews the plan every few months on a clock that escalates
 * to its managers. Nothing ends a plan but a person: not the 18th birthday, not a date; it ends
 * with a reason and the person's view. Only the key worker and the organisation's managers read it.
 */
@Injectable()
export class SupportPlanService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly record: SharedRecord,
    private readonly deadlines: Deadlines,
    private readonly events: Events,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  async create(ctx: AccessContext, dto: CreateSupportPlanDto): Promise<SupportPlanDto> {
    const today = londonDateString(this.clock.now());
    const errors = [];
    if (dto.consent.givenOn > today)
      errors.push({ field: 'consent.givenOn', message: 'consent.givenOn is in the future' });
    if (dto.consent.givenOn > dto.startDate)
      errors.push({ field: 'consent.givenOn', message: 'consent is recorded before support starts' });
    if (errors.length) throw DomainError.validation(errors);
    return this.db.transaction(async (tx) => {
      // Only an organisation working with the child starts support on its record.
      const child = await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const dob = this.record.identityOf(ctx, child).dateOfBirth;
      if (dob) {
        const adult = addMonths(String(dob).slice(0, 10), 12 * 18) <= dto.consent.givenOn;
        if (adult !== (dto.consent.givenBy === 'adult')) {
          throw DomainError.validation([
            {
              field: 'consent.givenBy',
              message: adult
                ? 'an adult survivor consents for themselves (givenBy adult)'
                : 'under 18: the child, the young person or a parent or carer consents',
            },
          ]);
        }
      }
      const keyWorkerId = dto.keyWorkerId ?? ctx.actor.id;
      await this.requireColleague(tx, ctx, keyWorkerId);
      const interval = dto.reviewIntervalMonths ?? SUPPORT_REVIEW_MONTHS;
      const nextReviewDue = addMonths(dto.startDate, interval);
      const repo = tx.getRepository(TherapeuticSupportPlan);
      const plan = await repo.save(
        repo.create({
          childId: child.id,
          organisationId: ctx.actor.organisationId,
          service: dto.service,
          consentGivenBy: dto.consent.givenBy,
          consentGivenOn: dto.consent.givenOn,
          consentNotes: dto.consent.notes ?? null,
          startDate: dto.startDate,
          keyWorkerId,
          reviewIntervalMonths: interval,
          nextReviewDue,
          status: 'ACTIVE',
          createdBy: ctx.actor.id,
          createdAt: this.clock.now(),
          version: 1,
        }),
      );
      await this.openReviewClock(tx, plan.id, child.id, ctx.actor.organisationId, keyWorkerId, nextReviewDue);
      if (keyWorkerId !== ctx.actor.id) await this.tellKeyWorker(tx, ctx, plan.id, keyWorkerId);
      await this.record.addEntry(tx, ctx, child.id, {
        category: 'other',
        summary: 'Therapeutic support began (consent recorded, key worker named).',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'health.support_plan.started',
        { planId: plan.id, childId: child.id, organisationId: ctx.actor.organisationId, nextReviewDue },
        { organisationId: ctx.actor.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'support_plan.create', 'SupportPlan', [plan.id], child.id);
      return this.view(tx, await this.load(tx, ctx, plan.id, 'read'));
    });
  }

  async get(ctx: AccessContext, id: string): Promise<SupportPlanDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.load(tx, ctx, id, 'read');
      await this.record.recordStep(tx, ctx, 'support_plan.read', 'SupportPlan', [id], row.childId);
      return this.view(tx, row);
    });
  }

  /** The plans the actor may read (key worker: theirs; managers: their organisation's), scoped in SQL. */
  async list(ctx: AccessContext, q: SupportPlanListQuery): Promise<Page<SupportPlanSummaryDto>> {
    const limit = q.limit ?? 50;
    return this.db.transaction(async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'SupportPlan', this.fields(tx), 'sp');
      const params: Record<string, unknown> = {
        ...scope.params,
        limit: limit + 1,
        today: londonDateString(this.clock.now()),
        viewerId: ctx.actor.id,
      };
      const where = [scope.sql];
      if (q.childId) {
        where.push('p.child_id = :childId');
        params.childId = q.childId;
      }
      if (q.status) {
        where.push('p.status = :status');
        params.status = q.status;
      }
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        where.push('(p.created_at, p.id) < (:ct, :ci)');
        Object.assign(params, { ct: new Date(after[0]), ci: after[1] });
      }
      const rows = await namedQuery<SupportPlanSummaryDto & { createdAt: Date }>(
        tx,
        `SELECT p.id, p.child_id AS "childId", p.service, p.key_worker_id AS "keyWorkerId", p.status,
                CASE WHEN p.status = 'ACTIVE' THEN to_char(p.next_review_due, 'YYYY-MM-DD') END AS "nextReviewDue",
                (p.status = 'ACTIVE' AND p.next_review_due < :today) AS "reviewOverdue", p.created_at AS "createdAt"
           FROM therapeutic_support_plan p
          WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.id DESC LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.createdAt).toISOString(), r.id]);
      await this.record.recordList(
        tx,
        ctx,
        'support_plan.list',
        'SupportPlan',
        page.data.map((r) => ({ id: r.id, childId: r.childId })),
        { count: page.data.length },
      );
      return { data: page.data.map(({ createdAt: _c, ...r }) => r), nextCursor: page.nextCursor };
    });
  }

  async update(
    ctx: AccessContext,
    id: string,
    expectedVersion: number,
    dto: UpdateSupportPlanDto,
  ): Promise<SupportPlanDto> {
    refuseClearing(dto, ['keyWorkerId', 'service', 'reviewIntervalMonths']);
    return this.db.transaction(async (tx) => {
      const row = await this.loadForChange(tx, ctx, id, expectedVersion);
      const changes: Partial<TherapeuticSupportPlan> = { version: row.version + 1 };
      if (dto.service !== undefined) changes.service = dto.service;
      if (dto.reviewIntervalMonths !== undefined) changes.reviewIntervalMonths = dto.reviewIntervalMonths;
      if (dto.keyWorkerId !== undefined && dto.keyWorkerId !== row.keyWorkerId) {
        await this.requireColleague(tx, ctx, dto.keyWorkerId);
        changes.keyWorkerId = dto.keyWorkerId;
        // The review clock goes with the plan: the new key worker holds it from now (same due date).
        await this.deadlines.handOver(
          tx,
          reviewClock(id),
          { responsibleUserId: dto.keyWorkerId },
          'support_plan.review',
        );
        if (dto.keyWorkerId !== ctx.actor.id) await this.tellKeyWorker(tx, ctx, id, dto.keyWorkerId);
        await this.events.emit(
          tx,
          'health.support_plan.key_worker_changed',
          {
            planId: id,
            childId: row.childId,
            organisationId: row.organisationId,
            fromKeyWorkerId: row.keyWorkerId,
            toKeyWorkerId: dto.keyWorkerId,
          },
          { organisationId: row.organisationId },
        );
      }
      await tx.getRepository(TherapeuticSupportPlan).update({ id }, changes);
      await this.record.recordStep(tx, ctx, 'support_plan.update', 'SupportPlan', [id], row.childId, {
        fields: Object.keys(dto),
      });
      // Not reloaded under the actor's scope: a key worker who hands the plan on no longer sees it,
      // but is answered with what they changed.
      return this.view(tx, { ...row, ...changes } as PlanRow);
    });
  }

  /** A review held: its outcome kept, the next review due an interval after it, the clock restarted. */
  async addReview(
    ctx: AccessContext,
    id: string,
    expectedVersion: number,
    dto: AddSupportReviewDto,
  ): Promise<SupportPlanDto> {
    const today = londonDateString(this.clock.now());
    if (dto.heldOn > today) throw DomainError.validation([{ field: 'heldOn', message: 'heldOn is in the future' }]);
    return this.db.transaction(async (tx) => {
      const row = await this.loadForChange(tx, ctx, id, expectedVersion);
      if (dto.heldOn < row.startDate) {
        throw DomainError.validation([{ field: 'heldOn', message: 'heldOn is before the support started' }]);
      }
      await tx.getRepository(SupportPlanReview).insert({
        planId: id,
        heldOn: dto.heldOn,
        outcome: dto.outcome,
        recordedBy: ctx.actor.id,
        recordedAt: this.clock.now(),
      });
      const nextReviewDue = addMonths(dto.heldOn, row.reviewIntervalMonths);
      await tx.getRepository(TherapeuticSupportPlan).update({ id }, { nextReviewDue, version: row.version + 1 });
      await this.deadlines.close(tx, reviewClock(id), 'met', 'support_plan.review');
      await this.openReviewClock(tx, id, row.childId, row.organisationId, row.keyWorkerId, nextReviewDue);
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'other',
        summary: 'Therapeutic support reviewed.',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'health.support_plan.reviewed',
        { planId: id, childId: row.childId, organisationId: row.organisationId, nextReviewDue },
        { organisationId: row.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'support_plan.review', 'SupportPlan', [id], row.childId);
      return this.view(tx, await this.load(tx, ctx, id, 'read'));
    });
  }

  /**
   * A recorded review is never edited: its outcome is sealed (the database refuses a change too).
   * Answers why, after the same 404 as any other change of a plan the actor may not see.
   */
  async refuseEdit(ctx: AccessContext, id: string, reviewId: string): Promise<never> {
    return this.db.transaction(async (tx) => {
      await this.load(tx, ctx, id, 'update');
      await this.requireReview(tx, id, reviewId);
      throw DomainError.conflict(
        'SUPPORT_REVIEW.SEALED',
        "A review's outcome is sealed once recorded: record a correction " +
          `(POST /api/v1/support-plans/${id}/reviews/${reviewId}/corrections) with the outcome as it should have been ` +
          'and why; the original stays on the record beside it.',
        { reviewId, allowed: ['correct'] },
      );
    });
  }

  /**
   * Corrects a recorded review: a new review entry (same day held) naming the one it corrects and
   * why; the original stays. A review is corrected once (409 names the correction to correct
   * instead). The review clock is not touched: the review was held when it was.
   */
  async correctReview(
    ctx: AccessContext,
    id: string,
    reviewId: string,
    expectedVersion: number,
    dto: CorrectSupportReviewDto,
  ): Promise<SupportPlanDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadForChange(tx, ctx, id, expectedVersion);
      const original = await this.requireReview(tx, id, reviewId);
      if (original.correctedBy) {
        throw DomainError.conflict(
          'SUPPORT_REVIEW.CORRECTED',
          `This review was corrected already (review ${original.correctedBy}): correct that one instead.`,
          { reviewId, correctedBy: original.correctedBy },
        );
      }
      const inserted = await namedQuery<{ id: string }>(
        tx,
        `INSERT INTO therapeutic_support_review (plan_id, held_on, outcome, recorded_by, recorded_at, corrects_review_id,
                                                 correction_reason)
         VALUES (:id, :heldOn, :outcome, :by, :now, :reviewId, :reason)
         ON CONFLICT (corrects_review_id) WHERE corrects_review_id IS NOT NULL DO NOTHING
         RETURNING id`,
        {
          id,
          heldOn: original.heldOn,
          outcome: dto.outcome,
          by: ctx.actor.id,
          now: this.clock.now(),
          reviewId,
          reason: dto.reason,
        },
      );
      if (!inserted.length) {
        throw DomainError.conflict('SUPPORT_REVIEW.CORRECTED', 'This review was corrected already: reload and retry.', {
          reviewId,
        });
      }
      await tx.getRepository(TherapeuticSupportPlan).update({ id }, { version: row.version + 1 });
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'other',
        summary: 'A therapeutic support review was corrected (the original kept).',
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'health.support_plan.review_corrected',
        {
          planId: id,
          childId: row.childId,
          organisationId: row.organisationId,
          nextReviewDue: row.nextReviewDue,
          reviewId: inserted[0]!.id,
          correctsReviewId: reviewId,
        },
        { organisationId: row.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'support_plan.review_correction', 'SupportPlan', [id], row.childId, {
        reviewId: inserted[0]!.id,
        correctsReviewId: reviewId,
      });
      return this.view(tx, await this.load(tx, ctx, id, 'read'));
    });
  }

  /** A review of this plan (404 naming the review otherwise), with its correction if it has one. */
  private async requireReview(
    tx: EntityManager,
    planId: string,
    reviewId: string,
  ): Promise<{ heldOn: string; correctedBy: string | null }> {
    const [review] = await namedQuery<{ heldOn: string; correctedBy: string | null }>(
      tx,
      `SELECT to_char(r.held_on, 'YYYY-MM-DD') AS "heldOn",
              (SELECT c.id FROM therapeutic_support_review c WHERE c.corrects_review_id = r.id) AS "correctedBy"
         FROM therapeutic_support_review r WHERE r.id = :reviewId AND r.plan_id = :planId`,
      { planId, reviewId },
    );
    if (!review) throw DomainError.notFound('SupportReview');
    return review;
  }

  /** Ends the support: only with a reason and the person's own view; the review clock stops. */
  async end(ctx: AccessContext, id: string, expectedVersion: number, dto: EndSupportPlanDto): Promise<SupportPlanDto> {
    const today = londonDateString(this.clock.now());
    if (dto.endedOn > today) throw DomainError.validation([{ field: 'endedOn', message: 'endedOn is in the future' }]);
    return this.db.transaction(async (tx) => {
      const row = await this.loadForChange(tx, ctx, id, expectedVersion);
      if (dto.endedOn < row.startDate) {
        throw DomainError.validation([{ field: 'endedOn', message: 'endedOn is before the support started' }]);
      }
      await tx.getRepository(TherapeuticSupportPlan).update(
        { id },
        {
          status: 'ENDED',
          endedOn: dto.endedOn,
          endReason: dto.reason,
          personsView: dto.personsView,
          version: row.version + 1,
        },
      );
      await this.deadlines.close(tx, reviewClock(id), 'cancelled');
      await this.record.addEntry(tx, ctx, row.childId, {
        category: 'other',
        summary: `Therapeutic support ended (${dto.reason.replace(/_/g, ' ')}).`,
        shareable: false,
        multiAgency: false,
      });
      await this.events.emit(
        tx,
        'health.support_plan.ended',
        { planId: id, childId: row.childId, organisationId: row.organisationId, nextReviewDue: null },
        { organisationId: row.organisationId },
      );
      await this.record.recordStep(tx, ctx, 'support_plan.end', 'SupportPlan', [id], row.childId, {
        reason: dto.reason,
      });
      return this.view(tx, await this.load(tx, ctx, id, 'read'));
    });
  }

  private async loadForChange(
    tx: EntityManager,
    ctx: AccessContext,
    id: string,
    expectedVersion: number,
  ): Promise<PlanRow> {
    const row = await this.load(tx, ctx, id, 'update', true);
    if (row.version !== expectedVersion) {
      throw DomainError.preconditionFailed(`The support plan has changed (version ${row.version}); reload and retry.`);
    }
    if (row.status === 'ENDED') {
      throw DomainError.conflict('SUPPORT_PLAN.ENDED', 'The support has ended: nothing more is recorded on it.', {
        currentStatus: 'ENDED',
        allowed: [],
      });
    }
    return row;
  }

  private fields(tx: EntityManager) {
    return columnsFrom(tx.getRepository(TherapeuticSupportPlan).metadata, 'p', {
      childHiddenFrom: childHiddenField('p.child_id'),
    });
  }

  private load(tx: EntityManager, ctx: AccessContext, id: string, action: 'read' | 'update', lock = false) {
    return requireScoped<PlanRow>(tx, ctx, {
      action,
      subject: 'SupportPlan',
      fields: this.fields(tx),
      prefix: 'sp',
      sql: (scope) =>
        `SELECT ${PLAN_COLUMNS} FROM therapeutic_support_plan p WHERE p.id = :id AND ${scope} ${lock ? 'FOR UPDATE OF p' : ''}`,
      params: { id, today: londonDateString(this.clock.now()), viewerId: ctx.actor.id },
      notFound: () => DomainError.notFound('SupportPlan'),
    });
  }

  private async view(tx: EntityManager, row: PlanRow): Promise<SupportPlanDto> {
    const reviews = await namedQuery<SupportReviewDto>(
      tx,
      `SELECT r.id, to_char(r.held_on, 'YYYY-MM-DD') AS "heldOn", r.outcome, r.recorded_by AS "recordedBy",
              r.recorded_at AS "recordedAt", r.corrects_review_id AS "correctsReviewId",
              r.correction_reason AS "correctionReason",
              (SELECT c.id FROM therapeutic_support_review c WHERE c.corrects_review_id = r.id) AS "correctedBy"
         FROM therapeutic_support_review r WHERE r.plan_id = :id ORDER BY r.held_on, r.recorded_at, r.id`,
      { id: row.id },
    );
    const { consentGivenBy, consentGivenOn, consentNotes, childHiddenFrom: _h, ...plan } = row;
    return {
      ...plan,
      consent: {
        givenBy: consentGivenBy as SupportPlanDto['consent']['givenBy'],
        givenOn: consentGivenOn,
        ...(consentNotes ? { notes: consentNotes } : {}),
      },
      reviews: reviews.map((r) => ({ ...r, recordedAt: new Date(r.recordedAt).toISOString() })),
    };
  }

  /** The key worker is an active colleague of the service's organisation (else 400 naming keyWorkerId). */
  private async requireColleague(tx: EntityManager, ctx: AccessContext, userId: string): Promise<void> {
    const rows = await namedQuery(tx, 'SELECT 1 FROM app_user WHERE id = :id AND organisation_id = :org AND active', {
      id: userId,
      org: ctx.actor.organisationId,
    });
    if (!rows.length) {
      throw DomainError.validation([
        { field: 'keyWorkerId', message: 'keyWorkerId is not an active colleague of your organisation' },
      ]);
    }
  }

  private openReviewClock(
    tx: EntityManager,
    planId: string,
    childId: string,
    organisationId: string,
    keyWorkerId: string,
    due: string,
  ) {
    return this.deadlines.open(tx, {
      subject: reviewClock(planId),
      rule: 'support_plan.review',
      dueAt: dueAtOf(due),
      organisationId,
      responsibleUserId: keyWorkerId,
      childId,
    });
  }

  private tellKeyWorker(tx: EntityManager, ctx: AccessContext, planId: string, userId: string) {
    return this.notifier.send(
      tx,
      { organisationId: ctx.actor.organisationId, userIds: [userId] },
      {
        kind: 'support_plan.key_worker',
        subjectType: 'SupportPlan',
        subjectId: planId,
        message: 'You are the key worker of a therapeutic support plan.',
      },
    );
  }
}
