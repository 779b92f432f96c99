import { Router } from 'express';
import { must, type Schemas } from '../api/api-client';
import { duration } from '../format';
import { CLOCKS } from '../labels';

type Dashboard = Schemas['DashboardDto'];

/** The windows a reader can choose: a value outside them is the default, never an error page. */
export const DUE_SOON_HOURS = [24, 72, 168] as const;
export const SINCE_DAYS = [30, 90, 365] as const;

function choice<T extends number>(raw: unknown, allowed: readonly T[], fallback: T): T {
  const n = Number(raw);
  return (allowed as readonly number[]).includes(n) ? (n as T) : fallback;
}

export const clockName = (rule: string): string => CLOCKS[rule] ?? rule.replace(/[._]/g, ' ');

/** One horizontal bar of a chart: its segments' widths in the chart's units, and what it says in words. */
export interface Bar {
  label: string;
  segments: { kind: string; x: number; width: number; value: number }[];
  total: number;
  words: string;
}

const BAR_WIDTH = 540;

/** Stacked bars on one scale (the largest total fills the width); segments of 0 are left out. */
export function stackedBars(
  rows: { label: string; parts: { kind: string; value: number }[]; words: string }[],
  scaleTo?: number,
): Bar[] {
  const max = scaleTo ?? Math.max(1, ...rows.map((r) => r.parts.reduce((s, p) => s + p.value, 0)));
  return rows.map((r) => {
    let x = 0;
    const segments = r.parts
      .filter((p) => p.value > 0)
      .map((p) => {
        const width = (p.value / max) * BAR_WIDTH;
        const s = {
          kind: p.kind,
          x: Math.round(x * 10) / 10,
          width: Math.max(1, Math.round(width * 10) / 10),
          value: p.value,
        };
        x += width;
        return s;
      });
    return { label: r.label, segments, total: r.parts.reduce((s, p) => s + p.value, 0), words: r.words };
  });
}

/** What the dashboard page shows: headline figures, two charts and the tables behind them. */
export function dashboardView(d: Dashboard, now = Date.now()) {
  const sum = (rows: { [k: string]: unknown }[], key: string) => rows.reduce((s, r) => s + Number(r[key] ?? 0), 0);
  const oldest = d.open
    .map((r) => r.oldestOverdueSince)
    .filter((x): x is string => !!x)
    .sort()[0];

  const byOrg = new Map<string, { organisation: string; overdue: number; dueSoon: number; open: number }>();
  for (const r of d.open) {
    const o = byOrg.get(r.organisationId) ?? { organisation: r.organisation, overdue: 0, dueSoon: 0, open: 0 };
    o.overdue += r.overdue;
    o.dueSoon += r.dueSoon;
    o.open += r.open;
    byOrg.set(r.organisationId, o);
  }
  const organisations = [...byOrg.values()].sort(
    (a, b) => b.overdue - a.overdue || b.dueSoon - a.dueSoon || a.organisation.localeCompare(b.organisation),
  );
  const openChart = stackedBars(
    organisations.map((o) => ({
      label: o.organisation,
      parts: [
        { kind: 'overdue', value: o.overdue },
        { kind: 'due-soon', value: o.dueSoon },
        { kind: 'on-time', value: o.open - o.overdue - o.dueSoon },
      ],
      words: `${o.organisation}: ${o.overdue} overdue, ${o.dueSoon} due soon, ${o.open} open in all`,
    })),
  );

  const timelyByOrg = new Map<string, { organisation: string; inTime: number; late: number }>();
  for (const r of d.timeliness) {
    const o = timelyByOrg.get(r.organisationId) ?? { organisation: r.organisation, inTime: 0, late: 0 };
    o.inTime += r.metInTime;
    o.late += r.metLate;
    timelyByOrg.set(r.organisationId, o);
  }
  const timeliness = [...timelyByOrg.values()]
    .filter((o) => o.inTime + o.late > 0)
    .map((o) => ({ ...o, percent: Math.round((100 * o.inTime) / (o.inTime + o.late)) }))
    .sort((a, b) => a.percent - b.percent || a.organisation.localeCompare(b.organisation));
  // Every bar is out of 100%: the share done in time, and the share done late.
  const timelinessChart = stackedBars(
    timeliness.map((o) => ({
      label: o.organisation,
      parts: [
        { kind: 'in-time', value: o.percent },
        { kind: 'late', value: 100 - o.percent },
      ],
      words: `${o.organisation}: ${o.percent}% done in time (${o.inTime} in time, ${o.late} late)`,
    })),
    100,
  );

  const referrals = new Map<string, { organisation: string; received: number; byOutcome: Record<string, number> }>();
  for (const r of d.referrals) {
    const o = referrals.get(r.organisationId) ?? { organisation: r.organisation, received: 0, byOutcome: {} };
    o.received += r.count;
    const key = r.outcome ?? r.status;
    o.byOutcome[key] = (o.byOutcome[key] ?? 0) + r.count;
    referrals.set(r.organisationId, o);
  }

  return {
    totals: {
      open: sum(d.open, 'open'),
      overdue: sum(d.open, 'overdue'),
      dueSoon: sum(d.open, 'dueSoon'),
      oldestOverdueFor: oldest ? duration(now - Date.parse(oldest)) : null,
    },
    openChart,
    timelinessChart,
    open: d.open.map((r) => ({
      ...r,
      clock: clockName(r.rule),
      overdueFor: r.oldestOverdueSince ? duration(now - Date.parse(r.oldestOverdueSince)) : null,
    })),
    referrals: [...referrals.values()].sort((a, b) => a.organisation.localeCompare(b.organisation)),
    requests: [...d.requests].sort((a, b) => a.organisation.localeCompare(b.organisation)),
  };
}

export function oversightRoutes(): Router {
  const router = Router();

  // The partnership's overdue and due-soon work, as the viewer's role may see it (the API scopes it).
  router.get('/oversight/dashboard', async (req, res) => {
    const dueSoonHours = choice(req.query.dueSoonHours, DUE_SOON_HOURS, 24);
    const sinceDays = choice(req.query.sinceDays, SINCE_DAYS, 90);
    const d = must(
      await req.api.GET('/api/v1/oversight/dashboard', { params: { query: { dueSoonHours, sinceDays } } }),
    );
    res.render('pages/oversight/dashboard', {
      ...dashboardView(d),
      generatedAt: d.generatedAt,
      dueSoonHours,
      sinceDays,
      dueSoonItems: DUE_SOON_HOURS.map((h) => ({
        value: String(h),
        text: h === 24 ? 'the next 24 hours' : h === 72 ? 'the next 3 days' : 'the next 7 days',
        selected: h === dueSoonHours,
      })),
      sinceItems: SINCE_DAYS.map((n) => ({
        value: String(n),
        text: n === 365 ? 'the last year' : `the last ${n} days`,
        selected: n === sinceDays,
      })),
    });
  });

  return router;
}
