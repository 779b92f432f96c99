/**
 * The transition tables of children's services' records (DOMAIN.md, state machines). A move not in
 * a table answers 409 naming the moves that are allowed from where the record is.
 */
export const CS_MACHINES = {
  case: { OPEN: ['CLOSED'], CLOSED: [] },
  assessment: { OPEN: ['AUTHORISED'], AUTHORISED: [] },
  strategy_discussion: { CONVENED: ['HELD'], HELD: [] },
  s47: { OPEN: ['COMPLETED'], COMPLETED: [] },
  plan: { ACTIVE: ['ENDED'], ENDED: [] },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type CsMachine = keyof typeof CS_MACHINES;

/** The states a record of this kind may move to from `from`. */
export function allowedMoves(machine: CsMachine, from: string): string[] {
  return [...((CS_MACHINES[machine] as Record<string, readonly string[]>)[from] ?? [])];
}

/** Add whole calendar months to a date (YYYY-MM-DD), clamped to the month's last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Midday UTC of a calendar date: within that London day, whatever the season (for day arithmetic). */
export function noonOf(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}
