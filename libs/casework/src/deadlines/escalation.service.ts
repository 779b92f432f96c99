import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, namedQuery, type OrganisationType } from '@app/platform';
import { Notifier } from '../notifications/notifier';
import { Timescales } from '../timescales/timescales.service';
import { escalationAudience } from './deadline-rules';
import { Escalation } from './deadline.entity';
import './escalation.timescales';

interface OverdueDeadline {
  id: string;
  subject_type: string;
  subject_id: string;
  rule: string;
  organisation_id: string;
  organisation_type: OrganisationType;
  team_id: string | null;
  due_at: Date;
  overdue_at: Date | null;
}

const BATCH = 500;

/**
 * Sweeps the one deadline table: marks open deadlines overdue and escalates them, level 1 to the
 * managers of the team that must act (the organisation's, if no team) when the due time passes,
 * level 2 to every manager of the organisation when it is still open `escalation.level2` working
 * days later. Managers are the rule's escalation audience (by default CASE_MANAGERS), never
 * administrators. Once per deadline per level (a unique key), and safe with several workers
 * (deadlines taken with FOR UPDATE SKIP LOCKED).
 */
@Injectable()
export class EscalationService {
  private readonly logger = new Logger(EscalationService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly timescales: Timescales,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  async run(): Promise<{ marked: number; escalated: number }> {
    let marked = 0;
    let escalated = 0;
    for (;;) {
      const r = await this.db.transaction((tx) => this.batch(tx));
      marked += r.marked;
      escalated += r.escalated;
      if (r.seen < BATCH) break;
    }
    if (marked || escalated) this.logger.log(`Overdue: ${marked} newly marked, ${escalated} escalations raised`);
    await this.foldCounts();
    return { marked, escalated };
  }

  /**
   * Folds the deadlines' count deltas (appended by the trigger on `deadline`, decision 0014), and
   * the work counters' (`work_count`: referrals and information requests received), into
   * their buckets, so the dashboard sums a few thousand buckets and few deltas. One fold at a time
   * (an advisory lock: another worker's call returns at once); readers see the buckets and deltas
   * before or after, never between. Returns the deltas folded (-1 when another fold was running).
   */
  async foldCounts(): Promise<number> {
    const rows = await this.db.query<{ folded: number }[]>(
      'SELECT deadline_count_fold() AS folded, work_count_fold() AS work',
    );
    return rows[0]!.folded;
  }

  private async batch(tx: EntityManager) {
    const now = this.clock.now();
    // Only deadlines with something to do: newly overdue, or due to go up to level 2.
    const items = await namedQuery<OverdueDeadline>(
      tx,
      `SELECT d.id, d.subject_type, d.subject_id, d.rule, d.organisation_id, o.type AS organisation_type, d.team_id,
              d.due_at, d.overdue_at
         FROM deadline d JOIN organisation o ON o.id = d.organisation_id
        WHERE d.state = 'open' AND ((d.overdue_at IS NULL AND d.due_at < :now) OR d.next_escalation_at < :now)
        ORDER BY d.due_at
        LIMIT ${BATCH}
        FOR UPDATE OF d SKIP LOCKED`,
      { now },
    );
    let marked = 0;
    let escalated = 0;
    for (const item of items) {
      const level2At = await this.timescales.due(tx, item.organisation_id, 'escalation.level2', new Date(item.due_at));
      const levels = item.overdue_at ? [2] : now > level2At ? [1, 2] : [1];
      if (!item.overdue_at) marked++;
      await namedQuery(
        tx,
        'UPDATE deadline SET overdue_at = coalesce(overdue_at, :now), next_escalation_at = :next WHERE id = :id',
        { now, id: item.id, next: levels.includes(2) ? null : level2At },
      );
      for (const level of levels) {
        if (await this.raise(tx, item, level, now)) escalated++;
      }
    }
    return { marked, escalated, seen: items.length };
  }

  /** One escalation row and its notification; nothing if this level was raised before. */
  private async raise(tx: EntityManager, item: OverdueDeadline, level: number, now: Date) {
    const inserted = await tx
      .createQueryBuilder()
      .insert()
      .into(Escalation)
      .values({
        deadlineId: item.id,
        level,
        organisationId: item.organisation_id,
        teamId: level === 1 ? item.team_id : null,
        dueAt: item.due_at,
        raisedAt: now,
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) return false;
    // Managers of the team (level 1), then of the whole organisation (level 2).
    const roles = escalationAudience(item.rule, item.organisation_type);
    if (roles.length === 0) {
      // A rule held by a kind of organisation with no managers declared for it: the escalation is
      // on the record (dashboards and timelines show it), and the sweep goes on with the others.
      this.logger.warn(
        `Escalation of ${item.rule} (deadline ${item.id}) has nobody to tell in a ${item.organisation_type}: ` +
          'declare escalateTo for it',
      );
      return true;
    }
    const who = roles.map((r) => r.replace(/_/g, ' ')).join(', ');
    await this.notifier.send(
      tx,
      { organisationId: item.organisation_id, teamId: level === 1 ? item.team_id : null, roles },
      {
        kind: `escalation.level${level}`,
        subjectType: item.subject_type,
        subjectId: item.subject_id,
        message: `${item.subject_type} overdue since ${new Date(item.due_at).toISOString()}: escalated to ${
          level === 1 && item.team_id ? "the team's" : "the organisation's"
        } ${who}.`,
      },
    );
    return true;
  }
}

/** The worker's schedule for escalations. */
@Injectable()
export class EscalationJob {
  constructor(private readonly escalations: EscalationService) {}

  @Interval(60_000)
  run() {
    return this.escalations.run();
  }
}
