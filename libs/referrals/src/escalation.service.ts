import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, namedQuery, Notifier } from '@app/platform';
import { Escalation } from './referral.entity';
import { MANAGER_ROLES } from './referrals.service';
import { Timescales } from './timescales.service';

interface OverdueItem {
  id: string;
  organisation_id: string;
  organisation_type: string;
  team_id: string | null;
  due_at: Date;
  overdue_at: Date | null;
}

const BATCH = 500;

type Kind = 'Referral' | 'Concern' | 'InformationRequest';

/** The kinds of work with a statutory or local clock, and where their deadlines live. */
const ESCALATABLE: Record<Kind, { table: string; org: string; team: string; open: string }> = {
  Referral: {
    table: 'referral',
    org: 'to_organisation_id',
    team: 'x.to_team_id',
    open: `x.status IN ('SUBMITTED', 'ACKNOWLEDGED')`,
  },
  Concern: { table: 'concern', org: 'organisation_id', team: 'x.team_id', open: `x.status = 'OPEN'` },
  // Information requests are the receiving organisation's to decide, whoever works them.
  InformationRequest: {
    table: 'information_request',
    org: 'to_organisation_id',
    team: 'NULL::uuid',
    open: `x.status = 'REQUESTED'`,
  },
};

/**
 * Marks overdue referrals and concerns and escalates them: level 1 to the receiving team's
 * managers when the deadline passes, level 2 to every manager of the organisation when it is
 * still undecided a working day later. Once per item per level (a unique key), and safe with
 * several workers (rows taken with FOR UPDATE SKIP LOCKED).
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
    for (const kind of Object.keys(ESCALATABLE) as Kind[]) {
      for (;;) {
        const r = await this.db.transaction((tx) => this.batch(tx, kind));
        marked += r.marked;
        escalated += r.escalated;
        if (r.seen < BATCH) break;
      }
    }
    if (marked || escalated) this.logger.log(`Overdue: ${marked} newly marked, ${escalated} escalations raised`);
    return { marked, escalated };
  }

  private async batch(tx: EntityManager, kind: Kind) {
    const now = this.clock.now();
    const { table, org: orgColumn, team: teamExpr, open } = ESCALATABLE[kind];
    // Only items with something to do: newly overdue, or due to go up to level 2.
    const items = await namedQuery<OverdueItem>(
      tx,
      `SELECT x.id, x.${orgColumn} AS organisation_id, o.type AS organisation_type, ${teamExpr} AS team_id,
              x.due_at, x.overdue_at
         FROM ${table} x JOIN organisation o ON o.id = x.${orgColumn}
        WHERE ${open} AND ((x.overdue_at IS NULL AND x.due_at < :now) OR x.next_escalation_at < :now)
        ORDER BY x.due_at
        LIMIT ${BATCH}
        FOR UPDATE OF x SKIP LOCKED`,
      { now },
    );
    let marked = 0;
    let escalated = 0;
    for (const item of items) {
      const t = await this.timescales.for(tx, item.organisation_id);
      const level2At = this.timescales.level2Due(new Date(item.due_at), t);
      const levels = item.overdue_at ? [2] : now > level2At ? [1, 2] : [1];
      if (!item.overdue_at) marked++;
      await namedQuery(
        tx,
        `UPDATE ${table} SET overdue_at = coalesce(overdue_at, :now), next_escalation_at = :next WHERE id = :id`,
        { now, id: item.id, next: levels.includes(2) ? null : level2At },
      );
      for (const level of levels) {
        if (await this.raise(tx, kind, item, level, now)) escalated++;
      }
    }
    return { marked, escalated, seen: items.length };
  }

  /** One escalation row and its notification; nothing if this level was raised before. */
  private async raise(tx: EntityManager, kind: Kind, item: OverdueItem, level: number, now: Date) {
    const inserted = await tx
      .createQueryBuilder()
      .insert()
      .into(Escalation)
      .values({
        subjectType: kind,
        subjectId: item.id,
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
    const managers = MANAGER_ROLES[item.organisation_type] ?? [];
    // Managers of the team (level 1), then of the whole organisation (level 2): never its
    // administrators, who read no case work.
    await this.notifier.send(
      tx,
      { organisationId: item.organisation_id, teamId: level === 1 ? item.team_id : null, roles: managers },
      {
        kind: `escalation.level${level}`,
        subjectType: kind,
        subjectId: item.id,
        message: `${kind} overdue since ${new Date(item.due_at).toISOString()}: escalated to ${
          level === 1 ? 'the team manager' : "the organisation's managers"
        }.`,
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
