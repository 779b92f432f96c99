import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { abilityToSql, type AccessContext } from '@app/access';
import { AuditService } from '@app/audit';
import { Clock, namedQuery } from '@app/platform';
import type { DashboardDto, OpenWorkRow, ReferralOutcomeRow, RequestRow, TimelinessRow } from './oversight.dto';

export interface DashboardQueryOptions {
  dueSoonHours: number;
  /** Closed work counted for timeliness: this many days back. */
  sinceDays: number;
}

const scopeOn = (column: string) => (field: string) => (field === 'organisationId' ? { column } : undefined);

/**
 * A partnership's overdue and due-soon work by organisation, team and clock (every declared rule,
 * whichever module owns it), oldest first; timeliness of closed work; referral outcomes; requests
 * answered in time, disclosed or declined. All computed in SQL, scoped to what the viewer may see.
 */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async dashboard(ctx: AccessContext, q: DashboardQueryOptions): Promise<DashboardDto> {
    const now = this.clock.now();
    const soon = new Date(now.getTime() + q.dueSoonHours * 3_600_000);
    const since = new Date(now.getTime() - q.sinceDays * 86_400_000);
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const on = (column: string, prefix: string) =>
        abilityToSql(ctx.ability, 'read', 'OversightDashboard', scopeOn(column), prefix);
      const d = on('d.organisation_id', 'dd');
      const open = await namedQuery<
        Omit<OpenWorkRow, 'oldestOverdueSince' | 'nextDue'> & { oldestOverdueSince: Date | null; nextDue: Date }
      >(
        tx,
        `SELECT d.organisation_id AS "organisationId", o.name AS "organisation", d.team_id AS "teamId", t.name AS "team",
                d.rule, count(*)::int AS "open",
                count(*) FILTER (WHERE d.due_at < :now)::int AS "overdue",
                count(*) FILTER (WHERE d.due_at >= :now AND d.due_at < :soon)::int AS "dueSoon",
                min(d.due_at) FILTER (WHERE d.due_at < :now) AS "oldestOverdueSince",
                min(d.due_at) AS "nextDue"
           FROM deadline d JOIN organisation o ON o.id = d.organisation_id LEFT JOIN team t ON t.id = d.team_id
          WHERE d.state = 'open' AND ${d.sql}
          GROUP BY d.organisation_id, o.name, d.team_id, t.name, d.rule
          ORDER BY min(d.due_at) FILTER (WHERE d.due_at < :now) NULLS LAST, o.name, t.name NULLS FIRST, d.rule`,
        { ...d.params, now, soon },
      );
      // Work done or withdrawn; a clock handed over is neither (it runs on with its new holder).
      const c = on('d.organisation_id', 'dc');
      const timeliness = await namedQuery<TimelinessRow>(
        tx,
        `SELECT d.organisation_id AS "organisationId", o.name AS "organisation", d.rule,
                count(*) FILTER (WHERE d.state = 'met' AND d.closed_at <= d.due_at)::int AS "metInTime",
                count(*) FILTER (WHERE d.state = 'met' AND d.closed_at > d.due_at)::int AS "metLate",
                count(*) FILTER (WHERE d.state = 'cancelled')::int AS "cancelled"
           FROM deadline d JOIN organisation o ON o.id = d.organisation_id
          WHERE d.state IN ('met', 'cancelled') AND d.closed_at >= :since AND ${c.sql}
          GROUP BY d.organisation_id, o.name, d.rule ORDER BY o.name, d.rule`,
        { ...c.params, since },
      );
      const r = on('r.to_organisation_id', 'dr');
      const referrals = await namedQuery<ReferralOutcomeRow>(
        tx,
        `SELECT r.to_organisation_id AS "organisationId", o.name AS "organisation", r.status, r.outcome,
                count(*)::int AS "count"
           FROM referral r JOIN organisation o ON o.id = r.to_organisation_id
          WHERE r.created_at >= :since AND ${r.sql}
          GROUP BY r.to_organisation_id, o.name, r.status, r.outcome ORDER BY o.name, r.status, r.outcome NULLS FIRST`,
        { ...r.params, since },
      );
      const i = on('ir.to_organisation_id', 'di');
      const requests = await namedQuery<RequestRow>(
        tx,
        `SELECT ir.to_organisation_id AS "organisationId", o.name AS "organisation",
                count(*)::int AS "received",
                count(*) FILTER (WHERE ir.status = 'DISCLOSED')::int AS "disclosed",
                count(*) FILTER (WHERE ir.status = 'DECLINED')::int AS "declined",
                count(*) FILTER (WHERE ir.status = 'REQUESTED')::int AS "awaiting",
                count(*) FILTER (WHERE ir.decided_at IS NOT NULL AND ir.decided_at <= ir.due_at)::int AS "answeredInTime"
           FROM information_request ir JOIN organisation o ON o.id = ir.to_organisation_id
          WHERE ir.created_at >= :since AND ${i.sql}
          GROUP BY ir.to_organisation_id, o.name ORDER BY o.name`,
        { ...i.params, since },
      );
      // Counts only, no child: the read is on the record without child ids.
      await this.audit.record(tx, {
        actor: ctx.actor,
        action: 'oversight.dashboard',
        subjectType: 'OversightDashboard',
        subjectIds: [],
        childIds: [],
        outcome: 'allowed',
        purpose: ctx.purpose,
        requestId: ctx.requestId,
        clientIp: ctx.clientIp,
        details: { dueSoonHours: q.dueSoonHours, sinceDays: q.sinceDays },
        at: now,
      });
      return {
        generatedAt: now.toISOString(),
        dueSoonUntil: soon.toISOString(),
        since: since.toISOString(),
        open: open.map((row) => ({
          ...row,
          oldestOverdueSince: row.oldestOverdueSince ? new Date(row.oldestOverdueSince).toISOString() : null,
          nextDue: new Date(row.nextDue).toISOString(),
        })),
        timeliness,
        referrals,
        requests,
      };
    });
  }
}
