import Holidays from 'date-holidays';
import fc from 'fast-check';
import {
  WorkingDayCalendar,
  endOfLondonDay,
  englandAndWalesBankHolidays,
  fromLondonWallClock,
  londonDateString,
  londonWallClock,
} from './working-days';

/** Instants are written with explicit offsets: +01:00 is BST, Z is GMT. */
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

const cal = new WorkingDayCalendar();

/**
 * Weekday (Mon-Fri) bank holidays in England and Wales, per gov.uk, 2020-2030.
 * Weekend holidays are absent; their substitute days are listed instead.
 */
const WEEKDAY_BANK_HOLIDAYS: Record<number, string[]> = {
  2020: ['01-01', '04-10', '04-13', '05-08', '05-25', '08-31', '12-25', '12-28'],
  2021: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2022: ['01-03', '04-15', '04-18', '05-02', '06-02', '06-03', '08-29', '09-19', '12-26', '12-27'],
  2023: ['01-02', '04-07', '04-10', '05-01', '05-08', '05-29', '08-28', '12-25', '12-26'],
  2024: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2025: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2026: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2027: ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2028: ['01-03', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
  2029: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2030: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
};

function datesOfYear(year: number): { date: string; weekday: number }[] {
  const out: { date: string; weekday: number }[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
    out.push({ date: new Date(t).toISOString().slice(0, 10), weekday: new Date(t).getUTCDay() });
  }
  return out;
}

describe('date-holidays data for England and Wales', () => {
  const publicDates = (hd: Holidays, year: number) =>
    hd
      .getHolidays(year)
      .filter((h) => h.type === 'public')
      .map((h) => `${h.date.slice(0, 10)} ${h.name}`);

  it('GB/ENG and GB/WLS have identical public holidays 2020-2030', () => {
    const eng = new Holidays('GB', 'ENG');
    const wls = new Holidays('GB', 'WLS');
    for (let year = 2020; year <= 2030; year++) {
      expect(publicDates(wls, year)).toEqual(publicDates(eng, year));
    }
  });

  it('mixes observances into GB/ENG, which the calendar must drop', () => {
    const types = new Holidays('GB', 'ENG').getHolidays(2023).map((h) => h.type);
    expect(new Set(types)).toEqual(new Set(['public', 'observance']));
    const names = cal.holidaysBetween(2020, 2030).map((h) => h.name);
    expect(names.filter((n) => /Mother|Father|Easter Sunday/.test(n))).toEqual([]);
  });

  it('country-level GB (no region) lacks the English summer bank holiday, so ENG is needed', () => {
    const gb = new Holidays('GB').getHolidays(2023).map((h) => h.date.slice(0, 10));
    expect(gb).not.toContain('2023-08-28');
    expect(englandAndWalesBankHolidays(2023).map((h) => h.date)).toContain('2023-08-28');
  });
});

describe('WorkingDayCalendar.isWorkingDay', () => {
  it.each(Object.keys(WEEKDAY_BANK_HOLIDAYS).map(Number))(
    'the non-working weekdays of %i are exactly the gov.uk bank holidays',
    (year) => {
      const closedWeekdays = datesOfYear(year)
        .filter((d) => d.weekday >= 1 && d.weekday <= 5 && !cal.isWorkingDate(d.date))
        .map((d) => d.date.slice(5));
      expect(closedWeekdays).toEqual(WEEKDAY_BANK_HOLIDAYS[year]);
    },
  );

  it('treats every Saturday and Sunday as non-working', () => {
    for (let year = 2020; year <= 2030; year++) {
      const weekendWorking = datesOfYear(year).filter(
        (d) => (d.weekday === 0 || d.weekday === 6) && cal.isWorkingDate(d.date),
      );
      expect(weekendWorking).toEqual([]);
    }
  });

  it.each([
    ['2024-03-29', 'Good Friday 2024'],
    ['2024-04-01', 'Easter Monday 2024'],
    ['2025-04-18', 'Good Friday 2025'],
    ['2025-04-21', 'Easter Monday 2025'],
    ['2026-04-03', 'Good Friday 2026'],
    ['2026-04-06', 'Easter Monday 2026'],
    ['2021-12-27', 'Christmas Day substitute 2021'],
    ['2021-12-28', 'Boxing Day substitute 2021'],
    ['2022-12-26', 'Boxing Day 2022'],
    ['2022-12-27', 'Christmas Day substitute 2022'],
    ['2024-05-06', 'early May 2024'],
    ['2024-05-27', 'spring 2024'],
    ['2024-08-26', 'summer 2024'],
    ['2020-05-08', 'VE Day (early May moved) 2020'],
    ['2022-06-02', 'spring bank holiday moved 2022'],
    ['2022-06-03', 'platinum jubilee 2022'],
    ['2022-09-19', 'state funeral 2022'],
    ['2023-05-08', 'coronation 2023'],
  ])('%s (%s) is not a working day', (date) => {
    expect(cal.isWorkingDate(date)).toBe(false);
    expect(cal.isWorkingDay(at(`${date}T12:00:00Z`))).toBe(false);
  });

  it.each([
    ['2020-05-04', 'the usual early May Monday in 2020'],
    ['2022-05-30', 'the usual spring Monday in 2022'],
    ['2021-12-29', 'the day after the 2021 substitutes'],
    ['2022-12-28', 'the day after the 2022 substitutes'],
    ['2024-03-28', 'Maundy Thursday'],
    ['2024-12-24', 'Christmas Eve'],
  ])('%s (%s) is a working day', (date) => {
    expect(cal.isWorkingDate(date)).toBe(true);
    expect(cal.isWorkingDay(at(`${date}T12:00:00Z`))).toBe(true);
  });

  it('uses the Europe/London calendar date, not UTC', () => {
    // Sunday 23:30 UTC is Monday 00:30 BST.
    expect(cal.isWorkingDay(at('2024-06-30T23:30:00Z'))).toBe(true);
    // Friday 23:30 UTC is Saturday 00:30 BST.
    expect(cal.isWorkingDay(at('2024-06-28T23:30:00Z'))).toBe(false);
    // In winter London is UTC: Friday 23:30 GMT is still Friday.
    expect(cal.isWorkingDay(at('2024-01-05T23:30:00Z'))).toBe(true);
    // Easter Monday 2024 ends at 23:00 UTC (BST); 2024-04-01T23:30Z is Tuesday in London.
    expect(cal.isWorkingDay(at('2024-04-01T22:59:59.999Z'))).toBe(false);
    expect(cal.isWorkingDay(at('2024-04-01T23:00:00Z'))).toBe(true);
  });

  it('rejects invalid dates', () => {
    expect(() => cal.isWorkingDay(new Date(NaN))).toThrow(RangeError);
    expect(() => cal.isWorkingDate('2023-02-29')).toThrow(RangeError);
    expect(() => cal.isWorkingDate('2023-2-3')).toThrow(RangeError);
  });
});

describe('extra closed and open days', () => {
  const local = new WorkingDayCalendar({
    extraClosedDays: ['2024-12-24', '2024-12-31'],
    extraOpenDays: ['2024-12-26', '2024-06-08'],
  });

  it('closes extra days and opens overridden bank holidays and weekends', () => {
    expect(local.isWorkingDate('2024-12-24')).toBe(false);
    expect(local.isWorkingDate('2024-12-31')).toBe(false);
    expect(local.isWorkingDate('2024-12-23')).toBe(true);
    expect(local.isWorkingDate('2024-12-26')).toBe(true); // Boxing Day opened
    expect(local.isWorkingDate('2024-12-25')).toBe(false);
    expect(local.isWorkingDate('2024-06-08')).toBe(true); // a Saturday opened
    expect(local.isWorkingDate('2024-06-09')).toBe(false);
    // the default calendar is unaffected
    expect(cal.isWorkingDate('2024-12-24')).toBe(true);
    expect(cal.isWorkingDate('2024-12-26')).toBe(false);
  });

  it('affects deadlines', () => {
    // Monday 23rd + 1: 24th closed, 25th bank holiday, 26th opened.
    expect(iso(local.addWorkingDays(at('2024-12-23T10:00:00Z'), 1))).toBe('2024-12-26T10:00:00.000Z');
    expect(iso(cal.addWorkingDays(at('2024-12-23T10:00:00Z'), 1))).toBe('2024-12-24T10:00:00.000Z');
    expect(iso(local.addWorkingHours(at('2024-12-23T16:00:00Z'), 2))).toBe('2024-12-26T10:00:00.000Z');
  });

  it('validates its input', () => {
    expect(() => new WorkingDayCalendar({ extraClosedDays: ['2024-13-01'] })).toThrow(RangeError);
    expect(() => new WorkingDayCalendar({ extraOpenDays: ['24-12-26'] })).toThrow(RangeError);
    expect(() => new WorkingDayCalendar({ extraClosedDays: ['2024-12-24'], extraOpenDays: ['2024-12-24'] })).toThrow(
      '2024-12-24 is in both extraClosedDays and extraOpenDays',
    );
  });
});

describe('WorkingDayCalendar.addWorkingDays', () => {
  it.each([
    // Friday + 1 = Monday, same London time
    ['2024-06-07T10:15:00+01:00', 1, '2024-06-10T10:15:00+01:00'],
    ['2024-06-10T10:15:00+01:00', 5, '2024-06-17T10:15:00+01:00'],
    ['2024-06-10T10:15:00+01:00', 0, '2024-06-10T10:15:00+01:00'],
    // Across Christmas
    ['2022-12-23T15:00:00Z', 1, '2022-12-28T15:00:00Z'],
    ['2024-12-24T15:00:00Z', 1, '2024-12-27T15:00:00Z'],
    ['2024-12-24T15:00:00Z', 2, '2024-12-30T15:00:00Z'],
    ['2021-12-24T15:00:00Z', 1, '2021-12-29T15:00:00Z'],
    // Across New Year with a substitute day
    ['2021-12-31T15:00:00Z', 1, '2022-01-04T15:00:00Z'],
    // Across Easter and the spring DST change: 12:00 GMT -> 12:00 BST
    ['2024-03-28T12:00:00Z', 1, '2024-04-02T12:00:00+01:00'],
    // Across the autumn DST change: 12:00 BST -> 12:00 GMT
    ['2024-10-25T12:00:00+01:00', 1, '2024-10-28T12:00:00Z'],
    // The one-off days of 2022/2023
    ['2022-06-01T09:30:00+01:00', 1, '2022-06-06T09:30:00+01:00'],
    ['2022-09-16T09:30:00+01:00', 1, '2022-09-20T09:30:00+01:00'],
    ['2023-05-05T09:30:00+01:00', 1, '2023-05-09T09:30:00+01:00'],
    // Non-working start: deemed received 09:00 on the next working day
    ['2024-06-08T14:00:00+01:00', 1, '2024-06-11T09:00:00+01:00'],
    ['2024-06-08T14:00:00+01:00', 0, '2024-06-10T09:00:00+01:00'],
    ['2025-04-18T10:00:00+01:00', 1, '2025-04-23T09:00:00+01:00'],
  ])('%s + %i working days = %s', (from, n, expected) => {
    expect(iso(cal.addWorkingDays(at(from), n))).toBe(iso(at(expected)));
  });

  it('rejects negative or fractional counts', () => {
    expect(() => cal.addWorkingDays(at('2024-06-07T10:00:00Z'), -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays(at('2024-06-07T10:00:00Z'), 1.5)).toThrow(RangeError);
  });

  it('property: lands on a working day, keeps the London time, skips exactly n working days', () => {
    const instant = fc
      .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 1) })
      .map((t) => new Date(t))
      .filter((d) => cal.isWorkingDay(d));
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 25 }), (from, n) => {
        const result = cal.addWorkingDays(from, n);
        expect(cal.isWorkingDay(result)).toBe(true);
        const a = londonWallClock(from);
        const b = londonWallClock(result);
        expect([b.hour, b.minute, b.second, b.millisecond]).toEqual([a.hour, a.minute, a.second, a.millisecond]);
        // Count working days strictly between the two London dates, stepping calendar dates.
        const last = londonDateString(result);
        let between = 0;
        let t = Date.parse(`${londonDateString(from)}T00:00:00Z`) + 86_400_000;
        for (; new Date(t).toISOString().slice(0, 10) < last; t += 86_400_000) {
          if (cal.isWorkingDate(new Date(t).toISOString().slice(0, 10))) between++;
        }
        expect(between).toBe(Math.max(0, n - 1));
      }),
      { numRuns: 200 },
    );
  });
});

describe('WorkingDayCalendar.workingDayDeadline', () => {
  it.each([
    // Friday + 1 working day: end of Monday
    ['2024-06-07T16:00:00+01:00', 1, '2024-06-10T23:59:59.999+01:00'],
    // Christmas Eve 2021 (Friday): 25-28 closed
    ['2021-12-24T11:00:00Z', 1, '2021-12-29T23:59:59.999Z'],
    // Received on a Saturday: the first working day after it
    ['2024-06-08T11:00:00+01:00', 1, '2024-06-10T23:59:59.999+01:00'],
    ['2024-06-08T11:00:00+01:00', 0, '2024-06-10T23:59:59.999+01:00'],
    ['2024-06-10T11:00:00+01:00', 0, '2024-06-10T23:59:59.999+01:00'],
    ['2024-06-10T11:00:00+01:00', 3, '2024-06-13T23:59:59.999+01:00'],
    // Across Easter and the DST change
    ['2024-03-28T10:00:00Z', 1, '2024-04-02T23:59:59.999+01:00'],
    // Received 00:30 BST Monday (Sunday in UTC)
    ['2024-06-30T23:30:00Z', 1, '2024-07-02T23:59:59.999+01:00'],
  ])('received %s, %i working day(s): due %s', (received, n, expected) => {
    expect(iso(cal.workingDayDeadline(at(received), n))).toBe(iso(at(expected)));
  });
});

describe('London wall-clock helpers', () => {
  it('endOfLondonDay uses London midnight in both GMT and BST', () => {
    expect(iso(endOfLondonDay(at('2024-07-01T22:30:00Z')))).toBe('2024-07-01T22:59:59.999Z');
    expect(iso(endOfLondonDay(at('2024-07-01T23:30:00Z')))).toBe('2024-07-02T22:59:59.999Z');
    expect(iso(endOfLondonDay(at('2024-01-15T23:30:00Z')))).toBe('2024-01-15T23:59:59.999Z');
    // Clock-change days are 23 and 25 hours long.
    expect(iso(endOfLondonDay(at('2024-03-31T00:30:00Z')))).toBe('2024-03-31T22:59:59.999Z');
    expect(iso(endOfLondonDay(at('2024-10-27T00:30:00Z')))).toBe('2024-10-27T23:59:59.999Z');
  });

  it('converts wall-clock times to instants across DST', () => {
    const wall = (y: number, mo: number, d: number, h: number, mi = 0) =>
      iso(
        fromLondonWallClock({
          year: y,
          month: mo,
          day: d,
          hour: h,
          minute: mi,
          second: 0,
          millisecond: 0,
        }),
      );
    expect(wall(2024, 3, 31, 0, 59)).toBe('2024-03-31T00:59:00.000Z');
    expect(wall(2024, 3, 31, 2)).toBe('2024-03-31T01:00:00.000Z');
    expect(wall(2024, 10, 27, 0, 30)).toBe('2024-10-26T23:30:00.000Z');
    expect(wall(2024, 10, 27, 2)).toBe('2024-10-27T02:00:00.000Z');
    expect(wall(2024, 6, 10, 9)).toBe('2024-06-10T08:00:00.000Z');
    expect(londonDateString(at('2024-06-30T23:30:00Z'))).toBe('2024-07-01');
  });
});

describe('WorkingDayCalendar.addWorkingHours', () => {
  it.each([
    ['2024-06-10T10:00:00+01:00', 4, '2024-06-10T14:00:00+01:00'],
    // landing exactly on close of business stays there
    ['2024-06-10T13:00:00+01:00', 4, '2024-06-10T17:00:00+01:00'],
    // red (4h) across a weekend: 2h Friday + 2h Monday
    ['2024-06-07T15:00:00+01:00', 4, '2024-06-10T11:00:00+01:00'],
    // amber (24h) = three full working days
    ['2024-06-10T09:00:00+01:00', 24, '2024-06-12T17:00:00+01:00'],
    // amber across a weekend: 5h Thu + 8h Fri + 8h Mon + 3h Tue
    ['2024-06-13T12:00:00+01:00', 24, '2024-06-18T12:00:00+01:00'],
    // spring DST + Easter: 2h Thu (GMT), Good Friday..Easter Monday closed, 2h Tue (BST)
    ['2024-03-28T15:00:00Z', 4, '2024-04-02T11:00:00+01:00'],
    // autumn DST: 1h Friday (BST) + 3h Monday (GMT); 69 real hours elapse
    ['2024-10-25T16:00:00+01:00', 4, '2024-10-28T12:00:00Z'],
    // across Christmas 2024: 1h Tue 24th, then Fri 27th
    ['2024-12-24T16:00:00Z', 4, '2024-12-27T12:00:00Z'],
    // before opening / after closing / weekend starts
    ['2024-06-10T07:00:00+01:00', 1, '2024-06-10T10:00:00+01:00'],
    ['2024-06-10T18:00:00+01:00', 1, '2024-06-11T10:00:00+01:00'],
    ['2024-06-08T12:00:00+01:00', 0, '2024-06-10T09:00:00+01:00'],
    ['2024-06-10T17:00:00+01:00', 0, '2024-06-11T09:00:00+01:00'],
    // fractional hours
    ['2024-06-10T16:45:00+01:00', 0.5, '2024-06-11T09:15:00+01:00'],
    // a start at 00:30 BST Monday (still Sunday in UTC)
    ['2024-06-30T23:30:00Z', 1, '2024-07-01T10:00:00+01:00'],
  ])('%s + %d working hours = %s', (from, hours, expected) => {
    expect(iso(cal.addWorkingHours(at(from), hours))).toBe(iso(at(expected)));
  });

  it('supports custom working hours', () => {
    const opts = { dayStart: '08:30', dayEnd: '17:30' };
    expect(iso(cal.addWorkingHours(at('2024-06-07T17:00:00+01:00'), 1, opts))).toBe(
      iso(at('2024-06-10T09:00:00+01:00')),
    );
    expect(iso(cal.addWorkingHours(at('2024-06-10T08:00:00+01:00'), 9, opts))).toBe(
      iso(at('2024-06-10T17:30:00+01:00')),
    );
  });

  it('rejects bad input', () => {
    const from = at('2024-06-10T10:00:00+01:00');
    expect(() => cal.addWorkingHours(from, -1)).toThrow(RangeError);
    expect(() => cal.addWorkingHours(from, NaN)).toThrow(RangeError);
    expect(() => cal.addWorkingHours(from, 1, { dayStart: '9:00' })).toThrow(RangeError);
    expect(() => cal.addWorkingHours(from, 1, { dayStart: '17:00', dayEnd: '09:00' })).toThrow(
      'dayStart must be before dayEnd',
    );
  });

  it('property: results fall inside working hours and splitting the hours changes nothing', () => {
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 1) }).map((t) => new Date(t));
    const minutes = fc.integer({ min: 1, max: 60 * 40 });
    fc.assert(
      fc.property(instant, minutes, minutes, (from, a, b) => {
        const whole = cal.addWorkingHours(from, (a + b) / 60);
        const split = cal.addWorkingHours(cal.addWorkingHours(from, a / 60), b / 60);
        expect(iso(split)).toBe(iso(whole));
        expect(cal.isWorkingDay(whole)).toBe(true);
        const w = londonWallClock(whole);
        const minuteOfDay = w.hour * 60 + w.minute;
        expect(minuteOfDay).toBeGreaterThanOrEqual(9 * 60);
        expect(minuteOfDay).toBeLessThanOrEqual(17 * 60);
      }),
      { numRuns: 300 },
    );
  });
});

describe('WorkingDayCalendar.holidaysBetween', () => {
  it('lists 2022 bank holidays, including weekend ones, substitutes and one-offs', () => {
    const list = cal.holidaysBetween(2022, 2022);
    expect(list.map((h) => h.date)).toEqual([
      '2022-01-01',
      '2022-01-03',
      '2022-04-15',
      '2022-04-18',
      '2022-05-02',
      '2022-06-02',
      '2022-06-03',
      '2022-08-29',
      '2022-09-19',
      '2022-12-25',
      '2022-12-26',
      '2022-12-27',
    ]);
    const name = (date: string) => list.find((h) => h.date === date)?.name;
    expect(name('2022-04-15')).toBe('Good Friday');
    expect(name('2022-06-03')).toMatch(/Platinum Jubilee/);
    expect(name('2022-09-19')).toMatch(/Funeral/);
    expect(name('2022-12-27')).toMatch(/substitute/);
    expect(cal.holidaysBetween(2023, 2023).find((h) => h.date === '2023-05-08')?.name).toMatch(/Coronation/);
  });

  it('spans several years in date order', () => {
    const list = cal.holidaysBetween(2021, 2022);
    expect(list).toHaveLength(22);
    expect(list[0]).toEqual({ date: '2021-01-01', name: "New Year's Day" });
    expect(list[list.length - 1].date).toBe('2022-12-27');
    const dates = list.map((h) => h.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it('merges extra closed days and drops bank holidays that are opened', () => {
    const local = new WorkingDayCalendar({
      extraClosedDays: ['2023-12-27', '2023-12-25', '2024-01-02'],
      extraOpenDays: ['2023-12-26'],
    });
    expect(local.holidaysBetween(2023, 2023).slice(-2)).toEqual([
      { date: '2023-12-25', name: 'Christmas Day' },
      { date: '2023-12-27', name: 'Additional closed day' },
    ]);
  });

  it('returns copies, not the cached entries', () => {
    cal.holidaysBetween(2024, 2024)[0].name = 'mutated';
    expect(cal.holidaysBetween(2024, 2024)[0].name).toBe("New Year's Day");
  });

  it('rejects bad ranges', () => {
    expect(() => cal.holidaysBetween(2025, 2024)).toThrow(RangeError);
    expect(() => cal.holidaysBetween(2024.5, 2025)).toThrow(RangeError);
  });
});

describe('holiday cache', () => {
  it('asks date-holidays once per year however many calendars and lookups', () => {
    const spy = jest.spyOn(Holidays.prototype, 'getHolidays');
    try {
      const a = new WorkingDayCalendar();
      const b = new WorkingDayCalendar({ extraClosedDays: ['2041-01-02'] });
      for (let day = 1; day <= 28; day++) {
        const date = `2041-02-${String(day).padStart(2, '0')}`;
        a.isWorkingDate(date);
        b.isWorkingDate(date);
      }
      a.addWorkingHours(at('2041-03-01T09:00:00Z'), 200);
      expect(spy.mock.calls.filter(([year]) => year === 2041)).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});
