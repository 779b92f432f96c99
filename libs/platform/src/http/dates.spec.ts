import { plainToInstance } from 'class-transformer';
import { IsOptional, validateSync } from 'class-validator';
import { IsCalendarDate, IsTimestamp } from './dates';

class Sample {
  @IsOptional() @IsCalendarDate() day?: unknown;
  @IsOptional() @IsTimestamp() at?: unknown;
}

const problems = (body: object) =>
  validateSync(plainToInstance(Sample, body)).map((e) => ({
    field: e.property,
    messages: Object.values(e.constraints ?? {}),
  }));

const SHORT_FORMS = ['2026', '2026-12', '2026-W49', '2026-W49-3', '20261202', '2026-336', '20261127T090000Z'];

describe('IsCalendarDate', () => {
  it.each(['2026-12-02', '2024-02-29', '2011-04-02'])('accepts %s', (day) => {
    expect(problems({ day })).toEqual([]);
  });

  it.each([
    ...SHORT_FORMS,
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-12-02T09:30:00Z',
    ' 2026-12-02',
    '',
    20261202,
  ])('refuses %p, naming the field', (day) => {
    const found = problems({ day });
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('day');
  });

  it('says what it wants, by the field name', () => {
    expect(problems({ day: '2026-12' })[0]!.messages).toContain('day must be a date YYYY-MM-DD');
  });
});

describe('IsTimestamp', () => {
  it.each([
    '2026-12-02T09:30:00Z',
    '2026-12-02T09:30Z',
    '2026-12-02T09:30:00.123Z',
    '2026-12-02T09:30:00.123456+01:00',
    '2026-12-02T09:30:00-05:30',
    new Date('2026-12-02T09:30:00Z').toISOString(),
  ])('accepts %s', (at) => {
    expect(problems({ at })).toEqual([]);
  });

  it.each([
    ...SHORT_FORMS,
    '2026-12-02',
    '2026-12-02T09:30:00',
    '2026-12-02T09:30',
    '2026-02-30T09:30:00Z',
    '2026-12-02T24:30:00Z',
    '2026-12-02 09:30:00Z',
    '2026-12-02T09:30:00+0100',
    '2026-12-02T09:30:00.1234567891Z',
  ])('refuses %p, naming the field', (at) => {
    const found = problems({ at });
    expect(found).toHaveLength(1);
    expect(found[0]!.field).toBe('at');
  });

  it('says what it wants, by the field name', () => {
    expect(problems({ at: '2026-12-02T09:30:00' })[0]!.messages).toContain(
      'at must be a date-time with a time zone, e.g. 2026-12-02T09:30:00Z',
    );
  });
});
