/**
 * England and Wales working-day calendar for statutory and MASH deadlines.
 *
 * - Calendar days are always taken in Europe/London (wall clock from Intl.DateTimeFormat, so
 *   GMT/BST changes are handled without a date library).
 * - Non-working days: Saturdays, Sundays, bank holidays and any `extraClosedDays`;
 *   `extraOpenDays` force a date to be a working day (overriding weekends and bank holidays).
 * - Bank holidays come from `date-holidays` for GB/ENG (identical to GB/WLS), keeping only
 *   entries of type 'public': the data also holds 'observance' entries (Mother's Day, Easter
 *   Sunday, Father's Day) that are not days off. One-off holidays (2020-05-08 VE Day move,
 *   2022-06-02/03 jubilee, 2022-09-19 state funeral, 2023-05-08 coronation) are public entries.
 *   Weekend-falling holidays are listed alongside their weekday substitute days.
 */
import Holidays from 'date-holidays';

export const LONDON_TIME_ZONE = 'Europe/London';

export interface BankHoliday {
  /** Calendar date, 'YYYY-MM-DD'. */
  date: string;
  name: string;
}

export interface WorkingDayCalendarOptions {
  /** Additional one-off closed days, 'YYYY-MM-DD' (e.g. a local closure). */
  extraClosedDays?: readonly string[];
  /** Days that are working days even if a weekend or bank holiday, 'YYYY-MM-DD'. */
  extraOpenDays?: readonly string[];
}

export interface WorkingHoursOptions {
  /** London wall-clock 'HH:MM' at which a working day starts; default '09:00'. */
  dayStart?: string;
  /** London wall-clock 'HH:MM' at which a working day ends; default '17:00'. */
  dayEnd?: string;
}

export const DEFAULT_DAY_START = '09:00';
export const DEFAULT_DAY_END = '17:00';

const MS_PER_HOUR = 3_600_000;
/** Guard against runaway loops (e.g. absurd inputs): ~100 years of calendar days. */
const MAX_DAYS_SCANNED = 36_600;

// ---------------------------------------------------------------------------------------------
// Europe/London wall clock
// ---------------------------------------------------------------------------------------------

/** A calendar date (no time zone). */
interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export interface LondonWallClock extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const londonFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The Europe/London wall-clock reading at an instant. */
export function londonWallClock(date: Date): LondonWallClock {
  const t = assertValidDate(date);
  const parts: Record<string, number> = {};
  for (const part of londonFormatter.formatToParts(t)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    // London's offset is a whole number of minutes, so milliseconds are zone-independent.
    millisecond: ((t % 1000) + 1000) % 1000,
  };
}

/** The Europe/London calendar date of an instant, as 'YYYY-MM-DD'. */
export function londonDateString(date: Date): string {
  return civilKey(londonWallClock(date));
}

/**
 * The instant at which London wall clocks show the given time. Times in the spring-forward gap
 * resolve to the hour after; times in the autumn overlap resolve to the later (GMT) one. Neither
 * can arise for working days, since UK clock changes happen on Sundays at 01:00 UTC.
 */
export function fromLondonWallClock(w: LondonWallClock): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  let t = naive - londonOffsetMs(naive);
  const offsetAtT = londonOffsetMs(t);
  if (naive - offsetAtT !== t) t = naive - offsetAtT;
  return new Date(t);
}

/** End of the London calendar day containing `date`: 23:59:59.999 London time. */
export function endOfLondonDay(date: Date): Date {
  return atLondonTime(londonWallClock(date), 23, 59, 59, 999);
}

function londonOffsetMs(t: number): number {
  const w = londonWallClock(new Date(t));
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  return asUtc - t;
}

function atLondonTime(d: CivilDate, hour: number, minute: number, second = 0, ms = 0): Date {
  return fromLondonWallClock({
    year: d.year,
    month: d.month,
    day: d.day,
    hour,
    minute,
    second,
    millisecond: ms,
  });
}

function civilKey(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function addCivilDays(d: CivilDate, n: number): CivilDate {
  const u = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

function isWeekend(d: CivilDate): boolean {
  const dow = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return dow === 0 || dow === 6;
}

function parseCivilDate(s: string): CivilDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) {
    const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
    if (civilKey(addCivilDays(d, 0)) === s) return d; // rejects 2023-02-30 etc.
  }
  throw new RangeError(`invalid calendar date ${JSON.stringify(s)}; expected 'YYYY-MM-DD'`);
}

function parseTimeOfDay(s: string, label: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) throw new RangeError(`${label} must be 'HH:MM' (24-hour), got ${JSON.stringify(s)}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function assertValidDate(date: Date): number {
  const t = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(t)) throw new RangeError('expected a valid Date');
  return t;
}

// ---------------------------------------------------------------------------------------------
// Bank holidays (cached per year, shared by all calendars)
// ---------------------------------------------------------------------------------------------

let holidaySource: Holidays | undefined;
const bankHolidayCache = new Map<number, { list: readonly BankHoliday[]; dates: Set<string> }>();

function bankHolidaysFor(year: number): { list: readonly BankHoliday[]; dates: Set<string> } {
  let entry = bankHolidayCache.get(year);
  if (!entry) {
    holidaySource ??= new Holidays('GB', 'ENG');
    const list = holidaySource
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      // `date` is the local (Europe/London) 'YYYY-MM-DD hh:mm:ss'; independent of process TZ.
      .map((h): BankHoliday => ({ date: h.date.slice(0, 10), name: h.name }));
    entry = { list: Object.freeze(list), dates: new Set(list.map((h) => h.date)) };
    bankHolidayCache.set(year, entry);
  }
  return entry;
}

/**
 * England and Wales bank holidays in a year (type 'public' in date-holidays GB/ENG), including
 * those falling on a weekend together with their substitute days. Cached.
 */
export function englandAndWalesBankHolidays(year: number): readonly BankHoliday[] {
  if (!Number.isInteger(year)) throw new RangeError('year must be an integer');
  return bankHolidaysFor(year).list;
}

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

export class WorkingDayCalendar {
  private readonly extraClosed: ReadonlySet<string>;
  private readonly extraOpen: ReadonlySet<string>;

  constructor(options: WorkingDayCalendarOptions = {}) {
    const closed = (options.extraClosedDays ?? []).map((s) => civilKey(parseCivilDate(s)));
    const open = (options.extraOpenDays ?? []).map((s) => civilKey(parseCivilDate(s)));
    const clash = closed.find((d) => open.includes(d));
    if (clash) throw new RangeError(`${clash} is in both extraClosedDays and extraOpenDays`);
    this.extraClosed = new Set(closed);
    this.extraOpen = new Set(open);
  }

  /** Whether the Europe/London calendar date of `date` is a working day. */
  isWorkingDay(date: Date): boolean {
    return this.isWorkingCivil(londonWallClock(date));
  }

  /** Whether a calendar date given as 'YYYY-MM-DD' is a working day. */
  isWorkingDate(isoDate: string): boolean {
    return this.isWorkingCivil(parseCivilDate(isoDate));
  }

  /**
   * Move `n` (integer >= 0) working days on from `from`, keeping its London wall-clock time.
   * Rule: if `from` falls on a non-working day it is treated as received at the start
   * (09:00 London) of the next working day, and counting starts from there; so Friday 14:00 + 1
   * is Monday 14:00, while Saturday 14:00 + 1 is Tuesday 09:00 (and + 0 is Monday 09:00).
   */
  addWorkingDays(from: Date, n: number): Date {
    assertCount(n, 'n');
    const wall = londonWallClock(from);
    let day: CivilDate = { year: wall.year, month: wall.month, day: wall.day };
    let time = {
      hour: wall.hour,
      minute: wall.minute,
      second: wall.second,
      millisecond: wall.millisecond,
    };
    if (!this.isWorkingCivil(day)) {
      day = this.nextWorkingCivil(day);
      const start = parseTimeOfDay(DEFAULT_DAY_START, 'dayStart');
      time = { hour: start.hour, minute: start.minute, second: 0, millisecond: 0 };
    }
    for (let i = 0; i < n; i++) day = this.nextWorkingCivil(day);
    return fromLondonWallClock({ ...day, ...time });
  }

  /**
   * Statutory-style deadline "within n working days of receipt": the end (23:59:59.999 London)
   * of the nth working day after the London calendar day of receipt. So a referral received on
   * Friday with n = 1 is due by the end of Monday (if Monday is a working day). For n = 0 the
   * deadline is the end of the day of receipt, or of the next working day if that is not one.
   */
  workingDayDeadline(receivedAt: Date, n: number): Date {
    assertCount(n, 'n');
    let day: CivilDate = londonWallClock(receivedAt);
    if (n === 0 && !this.isWorkingCivil(day)) day = this.nextWorkingCivil(day);
    for (let i = 0; i < n; i++) day = this.nextWorkingCivil(day);
    return atLondonTime(day, 23, 59, 59, 999);
  }

  /**
   * Add working hours: only time between dayStart and dayEnd (London wall clock, default
   * 09:00-17:00) on working days counts. A start outside those hours counts from the next
   * opening. A deadline landing exactly on dayEnd stays there (Mon 13:00 + 4h = Mon 17:00).
   * `hours` may be fractional; elapsed time is real time, so DST changes are handled.
   */
  addWorkingHours(from: Date, hours: number, opts: WorkingHoursOptions = {}): Date {
    if (!Number.isFinite(hours) || hours < 0) {
      throw new RangeError('hours must be a finite number >= 0');
    }
    const start = parseTimeOfDay(opts.dayStart ?? DEFAULT_DAY_START, 'dayStart');
    const end = parseTimeOfDay(opts.dayEnd ?? DEFAULT_DAY_END, 'dayEnd');
    if (start.hour * 60 + start.minute >= end.hour * 60 + end.minute) {
      throw new RangeError('dayStart must be before dayEnd');
    }
    let cursor = assertValidDate(from);
    let remaining = Math.round(hours * MS_PER_HOUR);
    let day: CivilDate = londonWallClock(from);
    for (let scanned = 0; scanned <= MAX_DAYS_SCANNED; scanned++) {
      if (this.isWorkingCivil(day)) {
        const open = atLondonTime(day, start.hour, start.minute).getTime();
        const close = atLondonTime(day, end.hour, end.minute).getTime();
        if (cursor < open) cursor = open;
        if (cursor < close) {
          if (remaining <= close - cursor) return new Date(cursor + remaining);
          remaining -= close - cursor;
        }
      }
      day = addCivilDays(day, 1);
      cursor = atLondonTime(day, 0, 0).getTime();
    }
    throw new RangeError('working hours span too long');
  }

  /**
   * Bank holidays and extra closed days for the years fromYear..toYear inclusive, sorted by
   * date; bank holidays overridden by `extraOpenDays` are left out.
   */
  holidaysBetween(fromYear: number, toYear: number): BankHoliday[] {
    if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
      throw new RangeError('expected integer years with fromYear <= toYear');
    }
    if (toYear - fromYear > 200) throw new RangeError('year range too large');
    const result: BankHoliday[] = [];
    for (let year = fromYear; year <= toYear; year++) {
      for (const h of bankHolidaysFor(year).list) {
        if (!this.extraOpen.has(h.date)) result.push({ ...h });
      }
    }
    for (const date of this.extraClosed) {
      const year = Number(date.slice(0, 4));
      if (year >= fromYear && year <= toYear && !bankHolidaysFor(year).dates.has(date)) {
        result.push({ date, name: 'Additional closed day' });
      }
    }
    return result.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  private isWorkingCivil(d: CivilDate): boolean {
    const key = civilKey(d);
    if (this.extraOpen.has(key)) return true;
    if (isWeekend(d) || this.extraClosed.has(key)) return false;
    return !bankHolidaysFor(d.year).dates.has(key);
  }

  /** The first working day strictly after `d`. */
  private nextWorkingCivil(d: CivilDate): CivilDate {
    let next = d;
    for (let i = 0; i < MAX_DAYS_SCANNED; i++) {
      next = addCivilDays(next, 1);
      if (this.isWorkingCivil(next)) return next;
    }
    throw new RangeError('no working day found');
  }
}

function assertCount(n: number, label: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${label} must be an integer >= 0`);
}
