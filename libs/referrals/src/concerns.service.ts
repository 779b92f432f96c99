import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type AccessContext, withholdPoliceText } from '@app/access';
import { Deadlines, Notifier, SharedRecord, Timescales } from '@app/casework';
import { Clock, DomainError, type Page } from '@app/platform';
import { urgencyOf } from './referral-state';
import type { Concern } from './referral.entity';
import { type ConcernRow, strip } from './referral-view';
import type { ConcernDecisionDto, ConcernDto, ConcernInboxQuery, CreateConcernDto } from './referrals.dto';
import { ReferralError } from './referrals.errors';
import { type ConcernRecord, ReferralsRepository } from './referrals.repository';
import { CONCERN_DECIDERS, concernClock, requireChildOrSubject, subjectColumns } from './referrals.rules';

/**
 * Concerns a practitioner logs for their own organisation's safeguarding lead, who decides on each
 * (no further action, monitor) or refers it on by naming it in a referral.
 */
@Injectable()
export class ConcernsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReferralsRepository,
    private readonly record: SharedRecord,
    private readonly timescales: Timescales,
    private readonly deadlines: Deadlines,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /**
   * `vouch`: for a module that names the child on its own authority (a school's pupil on its roll,
   * named by a teacher who never reads the record), the check that replaces reading the record;
   * it runs in the concern's transaction and throws to refuse.
   */
  async createConcern(
    ctx: AccessContext,
    dto: CreateConcernDto,
    vouch?: (tx: EntityManager) => Promise<void>,
  ): Promise<ConcernDto> {
    requireChildOrSubject(dto.childId, dto.subject, true);
    return this.db.transaction(async (tx) => {
      // Naming a child writes onto its record: only an organisation working with it may.
      const named = !dto.childId
        ? null
        : vouch
          ? await vouch(tx).then(async () => ({
              id: dto.childId!,
              restricted: await this.record.isRestricted(tx, dto.childId!),
            }))
          : await this.record.requireChild(tx, ctx, dto.childId, { working: true });
      const now = this.clock.now();
      const dueAt = await this.timescales.due(
        tx,
        ctx.actor.organisationId,
        dto.immediateDanger ? 'concern.immediate_danger' : 'concern.decision',
        now,
      );
      const leadTeam = await this.repo.leadTeamOf(tx, ctx.actor.organisationId, ctx.actor.organisationType);
      const concern = await this.repo.insertConcern(tx, {
        organisationId: ctx.actor.organisationId,
        teamId: leadTeam,
        reporterId: ctx.actor.id,
        childId: dto.childId ?? null,
        subject: subjectColumns(dto.subject),
        category: dto.category as Concern['category'],
        whatWasSeen: dto.whatWasSeen,
        childsWords: dto.childsWords ?? null,
        occurredAt: new Date(dto.occurredAt),
        immediateDanger: dto.immediateDanger,
        status: 'OPEN',
        urgency: urgencyOf(dto.immediateDanger, null),
        dueAt,
      });
      await this.deadlines.open(tx, {
        subject: concernClock(concern.id),
        rule: 'concern.decision',
        dueAt,
        organisationId: ctx.actor.organisationId,
        teamId: leadTeam,
        childId: concern.childId,
      });
      const notice = {
        kind: dto.immediateDanger ? 'concern.logged.immediate_danger' : 'concern.logged',
        subjectType: 'Concern',
        subjectId: concern.id,
        message: `${dto.immediateDanger ? 'IMMEDIATE DANGER: ' : ''}A new concern needs a decision.`,
      };
      // About a restricted child: only its case team may open the concern, so only it is told.
      if (named?.restricted) {
        const team = await this.record.caseTeamOf(tx, named.id);
        await this.notifier.send(
          tx,
          {
            organisationId: ctx.actor.organisationId,
            userIds: await this.repo.activeUsersAmong(tx, team, ctx.actor.organisationId),
          },
          notice,
        );
      } else {
        await this.notifier.send(
          tx,
          { organisationId: ctx.actor.organisationId, teamId: leadTeam, roles: CONCERN_DECIDERS },
          notice,
        );
      }
      if (concern.childId) {
        await this.record.addEntry(tx, ctx, concern.childId, {
          category: 'concern',
          summary: `Concern logged (${dto.category.replace(/_/g, ' ')})${dto.immediateDanger ? ': immediate danger' : ''}.`,
          shareable: false,
        });
      }
      await this.record.recordStep(tx, ctx, 'concern.create', 'Concern', [concern.id], concern.childId, {});
      return this.view(tx, ctx, concern.id);
    });
  }

  /**
   * The actor's organisation's own concerns about a child, with its lead's decisions, in the
   * caller's transaction: for a module that keeps a file of them (a school's safeguarding file). The
   * caller has already established the actor may keep that file.
   */
  organisationConcernsOn(tx: EntityManager, ctx: AccessContext, childId: string): Promise<ConcernRecord[]> {
    return this.repo.organisationConcernsOn(tx, ctx.actor.organisationId, childId);
  }

  async getConcern(ctx: AccessContext, id: string): Promise<ConcernDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.repo.requireConcern(tx, ctx, id, 'read', this.clock.now());
      await this.record.recordStep(tx, ctx, 'concern.read', 'Concern', [id], row.childId, {});
      return this.present(tx, ctx, row);
    });
  }

  async decideConcern(ctx: AccessContext, id: string, dto: ConcernDecisionDto): Promise<ConcernDto> {
    if (dto.decision === 'NO_FURTHER_ACTION' && !dto.reason) {
      throw DomainError.validation([{ field: 'reason', message: 'reason is required for no further action' }]);
    }
    return this.db.transaction(async (tx) => {
      const row = await this.repo.requireConcern(tx, ctx, id, 'update', this.clock.now(), true);
      if (row.status !== 'OPEN' && row.status !== 'MONITOR') throw ReferralError.concernAlreadyDecided(row.status);
      const now = this.clock.now();
      await this.repo.recordConcernDecision(tx, id, {
        status: dto.decision,
        decisionReason: dto.reason ?? null,
        decidedBy: ctx.actor.id,
        decidedAt: now,
      });
      // Decided, even to monitor: the lead's decision was due, and it is made.
      await this.deadlines.close(tx, concernClock(id), 'met');
      if (row.childId) {
        await this.record.addEntry(tx, ctx, row.childId, {
          category: 'decision',
          summary: `Concern decision: ${dto.decision === 'MONITOR' ? 'monitor' : 'no further action'}.`,
          shareable: false,
        });
      }
      await this.record.recordStep(tx, ctx, 'concern.decide', 'Concern', [id], row.childId, {
        decision: dto.decision,
      });
      return this.view(tx, ctx, id);
    });
  }

  async concernInbox(ctx: AccessContext, q: ConcernInboxQuery): Promise<Page<ConcernDto>> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const page = await this.repo.concernInboxPage(tx, ctx, q, now);
      await this.record.recordList(tx, ctx, 'concern.list', 'Concern', page.data, { count: page.data.length });
      return { data: page.data.map((r) => strip(r) as ConcernDto), nextCursor: page.nextCursor };
    });
  }

  /** The concern as a write left it, for the writer's response (the write's own event covers it). */
  private async view(tx: EntityManager, ctx: AccessContext, id: string): Promise<ConcernDto> {
    return this.present(tx, ctx, await this.repo.requireConcern(tx, ctx, id, 'read', this.clock.now()));
  }

  /** One concern as its reader may see it: what a police force wrote stays with the force (TIPPING_OFF_RULES). */
  private async present(tx: EntityManager, ctx: AccessContext, row: ConcernRow): Promise<ConcernDto> {
    const dto = strip(row) as ConcernDto;
    const party = row.organisationId === ctx.actor.organisationId;
    const type = party ? '' : await this.repo.organisationTypeOf(tx, row.organisationId);
    dto.withheld = withholdPoliceText(
      dto,
      ctx.actor.organisationId,
      [row.organisationId],
      [{ organisationType: type, fields: ['whatWasSeen', 'childsWords', 'decisionReason'] }],
    );
    return dto;
  }
}
