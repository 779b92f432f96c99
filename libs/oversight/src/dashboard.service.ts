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

/**
 * A group's (organisation, team, rule) open clocks where `cond` holds, index-only on
 * `ix_deadline_open_work`: a group without a team is looked up with `team_id IS NULL` (IS NOT
 * DISTINCT FROM would not use the index); one branch answers, the other is cut by its one-time filter.
 */
const sameGroup = (g: string, cond: string) =>
  `SELECT x.due_at FROM deadline x WHERE x.state = 'open' AND x.organisation_id = ${g}.organisation_id
      AND x.team_id = ${g}.team_id AND x.rule = ${g}.rule AND ${cond}
    UNION ALL
   SELECT x.due_at FROM deadline x WHERE ${g}.team_id IS NULL AND x.state = 'open'
      AND x.organisation_id = ${g}.organisation_id AND x.team_id IS NULL AND x.rule = ${g}.rule AND ${cond}`;
/**
 * A group's earliest open clock: one index probe (the first of each branch, the lesser of the two;
 * ordering by team_id too lets the IS NULL branch read the index in order; OFFSET 0 keeps it one
 * evaluation per group).
 */
const earliestOf = (g: string) =>
  `SELECT least(
     (SELECT x.due_at FROM deadline x WHERE x.state = 'open' AND x.organisation_id = ${g}.organisation_id
         AND x.team_id = ${g}.team_id AND x.rule = ${g}.rule ORDER BY x.due_at LIMIT 1),
     (SELECT x.due_at FROM deadline x WHERE ${g}.team_id IS NULL AND x.state = 'open'
         AND x.organisation_id = ${g}.organisation_id AND x.team_id IS NULL AND x.rule = ${g}.rule
       ORDER BY x.team_id, x.due_at LIMIT 1)) AS due_at OFFSET 0`;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The UTC hour a moment falls in (the model's open slots). */
const hourOf = (t: Date) => new Date(Math.floor(t.getTime() / HOUR) * HOUR);
/** The first UTC midnight at or after a moment (the model's closed slots from there on are whole). */
const dayAfter = (t: Date) => new Date(Math.ceil(t.getTime() / DAY) * DAY);

/**
 * The open work of the organisations `scope` lets through (a condition on `m.organisation_id`),
 * from the kernel's read model (decision 0014): per group (organisation, team, rule) the buckets'
 * counts, the hours `:h0` (now's) and `:h1` (soon's) read exactly from the table, the earliest clock
 * by index. Named parameters `:now`, `:soon`, `:h0`, `:h1`. Exported for the benchmark's bare runs.
 */
export const openWorkSql = (scope: string) =>
  `WITH m AS MATERIALIZED (
   SELECT m.organisation_id, m.team_id, m.rule, m.slot, m.n FROM deadline_count m
    WHERE m.kind = 'open' AND ${scope}),
 parts AS (
   SELECT organisation_id, team_id, rule, n, slot AS t FROM m WHERE slot <> :h0 AND slot <> :h1
   UNION ALL
   SELECT m.organisation_id, m.team_id, m.rule, 1, x.due_at FROM m
     CROSS JOIN LATERAL (${sameGroup('m', "x.due_at >= m.slot AND x.due_at < m.slot + interval '1 hour'")}) x
    WHERE m.slot = :h0 OR m.slot = :h1),
 g AS (
   SELECT organisation_id, team_id, rule, sum(n)::int AS open,
          coalesce(sum(n) FILTER (WHERE t < :now), 0)::int AS overdue,
          coalesce(sum(n) FILTER (WHERE t >= :now AND t < :soon), 0)::int AS "dueSoon"
     FROM parts GROUP BY organisation_id, team_id, rule)
 SELECT g.organisation_id AS "organisationId", o.name AS "organisation", g.team_id AS "teamId", t.name AS "team",
        g.rule, g.open, g.overdue, g."dueSoon",
        CASE WHEN f.due_at < :now THEN f.due_at END AS "oldestOverdueSince", f.due_at AS "nextDue"
   FROM g JOIN organisation o ON o.id = g.organisation_id LEFT JOIN team t ON t.id = g.team_id
   CROSS JOIN LATERAL (${earliestOf('g')}) f
  ORDER BY CASE WHEN f.due_at < :now THEN f.due_at END NULLS LAST, o.name, t.name NULLS FIRST, g.rule`;

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
      // Open work from the kernel's read model (decision 0014): counts per organisation, team, rule
      // and due hour. A bucket's hour lies wholly before now, wholly in [now, soon) or wholly after,
      // except the hours now and soon fall in: those groups' clocks are read exactly from the
      // deadline table (an index range per group and hour), so every count equals counting the table.
      const h0 = hourOf(now);
      const h1 = hourOf(soon);
      const d = on('m.organisation_id', 'dd');
      const open = await namedQuery<
        Omit<OpenWorkRow, 'oldestOverdueSince' | 'nextDue'> & { oldestOverdueSince: Date | null; nextDue: Date }
      >(tx, openWorkSql(d.sql), { ...d.params, now, soon, h0, h1 });
      // Closed work: the model's closing days from the first whole day on, the part-day before it
      // exactly from the table (an index range on closed_at). Work done or withdrawn only: a clock
      // handed over is neither (it runs on with its new holder).
      const d1 = dayAfter(since);
      const c = on('m.organisation_id', 'dc');
      const x = on('x.organisation_id', 'dx');
      const timeliness = await namedQuery<TimelinessRow>(
        tx,
        `WITH m AS (
           SELECT m.organisation_id, m.rule, m.kind, m.n FROM deadline_count m
            WHERE m.kind IN ('met_in_time', 'met_late', 'cancelled') AND m.slot >= :d1 AND ${c.sql}
           UNION ALL
           SELECT x.organisation_id, x.rule, deadline_count_kind(x.state, x.due_at, x.closed_at), 1 FROM deadline x
            WHERE x.state IN ('met', 'cancelled') AND x.closed_at >= :since AND x.closed_at < :d1 AND ${x.sql})
         SELECT m.organisation_id AS "organisationId", o.name AS "organisation", m.rule,
                coalesce(sum(m.n) FILTER (WHERE m.kind = 'met_in_time'), 0)::int AS "metInTime",
                coalesce(sum(m.n) FILTER (WHERE m.kind = 'met_late'), 0)::int AS "metLate",
                coalesce(sum(m.n) FILTER (WHERE m.kind = 'cancelled'), 0)::int AS "cancelled"
           FROM m JOIN organisation o ON o.id = m.organisation_id
          GROUP BY m.organisation_id, o.name, m.rule ORDER BY o.name, m.rule`,
        { ...c.params, ...x.params, since, d1 },
      );
      // Received referrals and requests: the kernel's work counters by day created (decision 0014)
      // from the first whole day on, the part-day before it exactly from the tables.
      const rm = on('m.organisation_id', 'dr');
      const rx = on('r.to_organisation_id', 'drx');
      const referrals = await namedQuery<ReferralOutcomeRow>(
        tx,
        `WITH m AS (
           SELECT m.organisation_id, m.a AS status, m.b AS outcome, m.n FROM work_count m
            WHERE m.counter = 'referral' AND m.slot >= :d1 AND ${rm.sql}
           UNION ALL
           SELECT r.to_organisation_id, r.status, r.outcome, 1 FROM referral r
            WHERE r.created_at >= :since AND r.created_at < :d1 AND ${rx.sql})
         SELECT m.organisation_id AS "organisationId", o.name AS "organisation", m.status, m.outcome,
                sum(m.n)::int AS "count"
           FROM m JOIN organisation o ON o.id = m.organisation_id
          GROUP BY m.organisation_id, o.name, m.status, m.outcome ORDER BY o.name, m.status, m.outcome NULLS FIRST`,
        { ...rm.params, ...rx.params, since, d1 },
      );
      const im = on('m.organisation_id', 'di');
      const ix = on('ir.to_organisation_id', 'dix');
      const requests = await namedQuery<RequestRow>(
        tx,
        `WITH m AS (
           SELECT m.organisation_id, m.a AS status, m.b = 'in_time' AS in_time, m.n FROM work_count m
            WHERE m.counter = 'information_request' AND m.slot >= :d1 AND ${im.sql}
           UNION ALL
           SELECT ir.to_organisation_id, ir.status, ir.decided_at IS NOT NULL AND ir.decided_at <= ir.due_at, 1
             FROM information_request ir
            WHERE ir.created_at >= :since AND ir.created_at < :d1 AND ${ix.sql})
         SELECT m.organisation_id AS "organisationId", o.name AS "organisation",
                sum(m.n)::int AS "received",
                coalesce(sum(m.n) FILTER (WHERE m.status = 'DISCLOSED'), 0)::int AS "disclosed",
                coalesce(sum(m.n) FILTER (WHERE m.status = 'DECLINED'), 0)::int AS "declined",
                coalesce(sum(m.n) FILTER (WHERE m.status = 'REQUESTED'), 0)::int AS "awaiting",
                coalesce(sum(m.n) FILTER (WHERE m.in_time), 0)::int AS "answeredInTime"
           FROM m JOIN organisation o ON o.id = m.organisation_id
          GROUP BY m.organisation_id, o.name ORDER BY o.name`,
        { ...im.params, ...ix.params, since, d1 },
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
