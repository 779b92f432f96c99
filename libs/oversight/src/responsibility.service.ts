import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { abilityToSql, type AccessContext } from '@app/access';
import { AuditService } from '@app/audit';
import { escalationAudience } from '@app/casework';
import { Clock, decodeCursor, DomainError, namedQuery, type OrganisationType, toPage } from '@app/platform';
import type {
  HandOverSide,
  HeldWorkDto,
  HeldWorkPage,
  ResponsibilityHistoryDto,
  ResponsibilityHistoryQuery,
  ResponsibilityHistoryRow,
  ResponsibilityQuery,
} from './inspection.dto';

const scopeOn = (field: string) => (field === 'organisationId' ? { column: 'd.organisation_id' } : undefined);
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const YEAR_MS = 366 * 86_400_000;

interface HeldRow {
  deadlineId: string;
  subjectType: string;
  subjectId: string;
  rule: string;
  organisation: { id: string; name: string | null };
  organisationType: OrganisationType;
  team: { id: string; name: string | null } | null;
  responsible: { id: string; name: string | null } | null;
  heldFrom: Date;
  heldUntil: Date | null;
  dueAt: Date;
  overdueThen: boolean;
  escalations: { level: number; raisedAt: string }[];
  state: string;
  handedOverFrom: HandOverSide | null;
  handedOverTo: HandOverSide | null;
}

/** The holder of a clock `x` (joined to its organisation, team and person), as a JSON object. */
const sideOf = (x: string) => `json_build_object('deadlineId', ${x}.id,
  'organisation', (SELECT json_build_object('id', o2.id, 'name', o2.name) FROM organisation o2 WHERE o2.id = ${x}.organisation_id),
  'team', (SELECT json_build_object('id', t2.id, 'name', t2.name) FROM team t2 WHERE t2.id = ${x}.team_id),
  'responsible', (SELECT json_build_object('id', u2.id, 'name', u2.name) FROM app_user u2 WHERE u2.id = ${x}.responsible_user_id))`;

/**
 * "Whose was it?" for any past moment (issue 16, item 2). A clock's holder (organisation, team and
 * person) is fixed when the clock starts: a running clock is never given to someone else in place,
 * it is closed and another started (Deadlines.handOver closes it as 'handed_over', naming the clock
 * that carries on). So the deadline table is itself the history of responsibility: who
 * held each piece of work from when to when, when it fell overdue, who was told at each level
 * (the escalation table) and when it was done. Scoped in SQL to the viewer; every read audited.
 * For supervision, not blame: who may read it is in the policy (ResponsibilityHistory).
 */
@Injectable()
export class ResponsibilityService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** The work held at `at` (default now), by team or person, oldest due first. */
  async heldAt(ctx: AccessContext, q: ResponsibilityQuery): Promise<HeldWorkPage> {
    const now = this.clock.now();
    const at = q.at ? new Date(q.at) : now;
    if (at > now) throw DomainError.validation([{ field: 'at', message: 'at must not be in the future' }]);
    const limit = q.limit ?? 50;
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'ResponsibilityHistory', scopeOn, 'rh');
      const where = [scope.sql, 'd.opened_at <= :at', '(d.closed_at IS NULL OR d.closed_at > :at)'];
      const params: Record<string, unknown> = { ...scope.params, at, limit: limit + 1 };
      this.filters(q, where, params);
      if (q.overdue === 'true') where.push('d.due_at < :at');
      if (q.overdue === 'false') where.push('d.due_at >= :at');
      const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
      if (after) {
        Object.assign(params, { afterDue: new Date(after[0]), afterId: after[1] });
        where.push('(d.due_at, d.id) > (:afterDue, :afterId)');
      }
      const rows = await namedQuery<HeldRow>(
        tx,
        `SELECT d.id AS "deadlineId", d.subject_type AS "subjectType", d.subject_id AS "subjectId", d.rule,
                json_build_object('id', o.id, 'name', o.name) AS organisation, o.type AS "organisationType",
                CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'name', t.name) END AS team,
                CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'name', u.name) END AS responsible,
                d.opened_at AS "heldFrom", d.closed_at AS "heldUntil", d.due_at AS "dueAt", d.due_at < :at AS "overdueThen",
                coalesce((SELECT json_agg(json_build_object('level', e.level, 'raisedAt', e.raised_at) ORDER BY e.level)
                            FROM escalation e WHERE e.deadline_id = d.id AND e.raised_at <= :at), '[]') AS escalations,
                d.state,
                (SELECT ${sideOf('p')} FROM deadline p WHERE p.handed_over_to = d.id) AS "handedOverFrom",
                (SELECT ${sideOf('n')} FROM deadline n WHERE n.id = d.handed_over_to) AS "handedOverTo"
           FROM deadline d JOIN organisation o ON o.id = d.organisation_id
           LEFT JOIN team t ON t.id = d.team_id LEFT JOIN app_user u ON u.id = d.responsible_user_id
          WHERE ${where.join(' AND ')}
          ORDER BY d.due_at, d.id LIMIT :limit`,
        params,
      );
      const page = toPage(rows, limit, (r) => [new Date(r.dueAt).toISOString(), r.deadlineId]);
      await this.record(
        ctx,
        tx,
        'oversight.responsibility',
        page.data.map((r) => r.deadlineId),
        {
          at: at.toISOString(),
          organisationId: q.organisationId ?? null,
          teamId: q.teamId ?? null,
          userId: q.userId ?? null,
          overdue: q.overdue ?? null,
        },
      );
      return {
        at: at.toISOString(),
        data: page.data.map((r): HeldWorkDto => ({
          deadlineId: r.deadlineId,
          subjectType: r.subjectType,
          subjectId: r.subjectId,
          rule: r.rule,
          organisation: r.organisation,
          team: r.team,
          responsible: r.responsible,
          heldFrom: iso(r.heldFrom)!,
          heldUntil: iso(r.heldUntil),
          dueAt: iso(r.dueAt)!,
          overdueThen: r.overdueThen,
          escalations: r.escalations.map((e) => ({
            level: e.level,
            raisedAt: iso(e.raisedAt)!,
            told: [...escalationAudience(r.rule, r.organisationType)],
          })),
          state: r.state,
          handedOverFrom: r.handedOverFrom,
          handedOverTo: r.handedOverTo,
        })),
        nextCursor: page.nextCursor,
      };
    });
  }

  /** A team's or person's overdue history over a period, by holder and clock: counts, in SQL. */
  async history(ctx: AccessContext, q: ResponsibilityHistoryQuery): Promise<ResponsibilityHistoryDto> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (!(to > from)) throw DomainError.validation([{ field: 'to', message: 'to must be after from' }]);
    if (to.getTime() - from.getTime() > YEAR_MS) {
      throw DomainError.validation([{ field: 'to', message: 'to must be at most 366 days after from' }]);
    }
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const scope = abilityToSql(ctx.ability, 'read', 'ResponsibilityHistory', scopeOn, 'rh');
      // Held at some time in [from, to): started before its end, not closed before its start.
      const where = [scope.sql, 'd.opened_at < :to', '(d.closed_at IS NULL OR d.closed_at >= :from)'];
      const params: Record<string, unknown> = { ...scope.params, from, to };
      this.filters(q, where, params);
      const rows = await namedQuery<ResponsibilityHistoryRow>(
        tx,
        `SELECT json_build_object('id', o.id, 'name', o.name) AS organisation,
                CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, 'name', t.name) END AS team,
                CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'name', u.name) END AS responsible,
                d.rule, count(*)::int AS held,
                count(*) FILTER (WHERE d.due_at >= :from AND d.due_at < :to
                                   AND (d.closed_at IS NULL OR d.closed_at > d.due_at)
                                   AND NOT (taken.over AND d.opened_at > d.due_at))::int AS "wentOverdue",
                count(*) FILTER (WHERE d.state = 'met' AND d.closed_at >= :from AND d.closed_at < :to
                                   AND d.closed_at <= d.due_at)::int AS "metInTime",
                count(*) FILTER (WHERE d.state = 'met' AND d.closed_at >= :from AND d.closed_at < :to
                                   AND d.closed_at > d.due_at)::int AS "metLate",
                count(*) FILTER (WHERE d.state = 'cancelled' AND d.closed_at >= :from AND d.closed_at < :to)::int
                  AS cancelled,
                count(*) FILTER (WHERE d.state = 'handed_over' AND d.closed_at >= :from AND d.closed_at < :to)::int
                  AS "handedOver",
                count(*) FILTER (WHERE taken.over AND d.opened_at >= :from AND d.opened_at < :to)::int AS "takenOver",
                count(*) FILTER (WHERE taken.over AND d.opened_at >= :from AND d.opened_at < :to
                                   AND d.opened_at > d.due_at)::int AS "takenOverOverdue",
                count(*) FILTER (WHERE d.closed_at IS NULL OR d.closed_at >= :to)::int AS "stillOpen",
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM escalation e WHERE e.deadline_id = d.id AND e.level = 1
                                                 AND e.raised_at >= :from AND e.raised_at < :to))::int AS "escalatedLevel1",
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM escalation e WHERE e.deadline_id = d.id AND e.level = 2
                                                 AND e.raised_at >= :from AND e.raised_at < :to))::int AS "escalatedLevel2"
           FROM deadline d JOIN organisation o ON o.id = d.organisation_id
           LEFT JOIN team t ON t.id = d.team_id LEFT JOIN app_user u ON u.id = d.responsible_user_id
           CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM deadline p WHERE p.handed_over_to = d.id) AS over) taken
          WHERE ${where.join(' AND ')}
          GROUP BY o.id, o.name, t.id, t.name, u.id, u.name, d.rule
          ORDER BY o.name, t.name NULLS FIRST, u.name NULLS FIRST, d.rule`,
        params,
      );
      await this.record(ctx, tx, 'oversight.responsibility_history', [], {
        from: from.toISOString(),
        to: to.toISOString(),
        organisationId: q.organisationId ?? null,
        teamId: q.teamId ?? null,
        userId: q.userId ?? null,
        rows: rows.length,
      });
      return { from: from.toISOString(), to: to.toISOString(), rows };
    });
  }

  private filters(
    q: { organisationId?: string; teamId?: string; userId?: string },
    where: string[],
    params: Record<string, unknown>,
  ): void {
    if (q.organisationId) {
      where.push('d.organisation_id = :org');
      params.org = q.organisationId;
    }
    if (q.teamId) {
      where.push('d.team_id = :team');
      params.team = q.teamId;
    }
    if (q.userId) {
      where.push('d.responsible_user_id = :user');
      params.user = q.userId;
    }
  }

  /** Workflow clocks and who held them, no child: on the record without child ids. */
  private record(
    ctx: AccessContext,
    tx: Parameters<AuditService['record']>[0],
    action: string,
    ids: string[],
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, {
      actor: ctx.actor,
      action,
      subjectType: 'ResponsibilityHistory',
      subjectIds: ids,
      childIds: [],
      outcome: 'allowed',
      purpose: ctx.purpose,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      details: { count: ids.length, ...details },
      at: this.clock.now(),
    });
  }
}
