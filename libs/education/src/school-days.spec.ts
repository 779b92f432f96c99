import { schoolDaysDeadline } from './school-days';

describe('school days', () => {
  it('skips weekends: a move on Monday 30 Nov 2026 is due by the end of Monday 7 Dec', () => {
    expect(schoolDaysDeadline('2026-11-30', 5, []).toISOString()).toBe('2026-12-07T23:59:59.999Z');
  });

  it("skips the school's closure days (a half term) and bank holidays", () => {
    // Friday 23 Oct 2026, half term 26-30 Oct: the 5 school days are 2-6 Nov.
    const halfTerm = ['2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30'];
    expect(schoolDaysDeadline('2026-10-23', 5, halfTerm).toISOString()).toBe('2026-11-06T23:59:59.999Z');
    expect(schoolDaysDeadline('2026-10-23', 5, []).toISOString()).toBe('2026-10-30T23:59:59.999Z');
    // Christmas: Thursday 24 Dec 2026; 25 and 28 Dec (Boxing Day substitute) are bank holidays.
    expect(schoolDaysDeadline('2026-12-24', 5, []).toISOString()).toBe('2027-01-05T23:59:59.999Z');
  });
});
