import { WorkingDayCalendar } from '@app/platform';

/**
 * "Within n school days of the move": the end (London) of the nth school day after the day of the
 * move. School days are working days (no weekends, no England and Wales bank holidays) on which
 * the school is open (not one of the closure days it set).
 */
export function schoolDaysDeadline(movedOn: string, n: number, closureDays: readonly string[]): Date {
  const calendar = new WorkingDayCalendar({ extraClosedDays: closureDays });
  // Noon in London on the day of the move: the calendar counts from that London date.
  const moved = new Date(`${movedOn}T12:00:00Z`);
  return calendar.workingDayDeadline(moved, n);
}
