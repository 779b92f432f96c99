import {
  ageOn,
  ANNEX_A_LISTS,
  annexADate,
  annexAFileName,
  annexALabels,
  annexAPeriod,
  buildAnnexACsv,
  csvCell,
  personCells,
} from './annex-a';

describe('Ofsted Annex A', () => {
  it("every list starts with the published child columns, in Ofsted's order", () => {
    for (const l of Object.values(ANNEX_A_LISTS)) {
      expect(l.columns.slice(0, 5)).toEqual([
        'Child Unique ID',
        'Gender',
        'Ethnicity',
        'Date of Birth',
        'Age of Child (Years)',
      ]);
    }
    expect(ANNEX_A_LISTS[3].columns.slice(5)).toEqual([
      'Date of referral',
      'Referral Source',
      'Referral NFA?',
      'Number of Referrals in Last 12 Months',
      'Allocated Team',
      'Allocated Worker',
    ]);
    expect(ANNEX_A_LISTS[7].columns).toContain('Number of Previous Child Protection Plans');
  });

  it('looks back six months (clamped to the month), dates DD/MM/YYYY, ages in years (-1 unborn)', () => {
    expect(annexAPeriod('2026-03-31')).toEqual({ from: '2025-09-30', to: '2026-03-31' });
    expect(annexAPeriod('2026-08-31')).toEqual({ from: '2026-02-28', to: '2026-08-31' });
    expect(annexADate('2026-03-07')).toBe('07/03/2026');
    expect(ageOn('2015-04-01', '2026-03-31')).toBe('10');
    expect(ageOn('2015-03-31', '2026-03-31')).toBe('11');
    expect(ageOn('2026-05-01', '2026-03-31')).toBe('-1');
    expect(
      personCells(
        { childUniqueId: 'NSC1', sex: null, ethnicity: null, dateOfBirth: null, expectedDateOfBirth: '2026-05-01' },
        '2026-03-31',
      ),
    ).toEqual(['NSC1', 'c) Not stated/recorded', 't) NOBT', '01/05/2026', '-1']);
  });

  it("uses the template's lettered answers", () => {
    expect(annexALabels.gender('F')).toBe('b) Female');
    expect(annexALabels.ethnicity('WBRI')).toBe('a) WBRI');
    expect(annexALabels.ethnicity('NOBT')).toBe('t) NOBT');
    expect(annexALabels.source('1A')).toBe('a) 1A: Individual');
    expect(annexALabels.source('2A')).toBe('e) 2A: Schools');
    expect(annexALabels.source('3F')).toBe('l) 3F: Health services');
    expect(annexALabels.source('5D')).toBe('p1) 5D: LA services');
    expect(annexALabels.source('6')).toBe('q) 6: Police');
    expect(annexALabels.source('10')).toBe('u) 10: Unknown');
    expect(annexALabels.category('SAB')).toBe('c) Sexual abuse');
    expect(annexALabels.yesNo(true)).toBe('a) Yes');
    expect(annexALabels.yesNo(null)).toBe('');
  });

  it('writes RFC 4180 CSV that no spreadsheet runs as a formula', () => {
    expect(csvCell('Smith, Jo')).toBe('"Smith, Jo"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@team')).toBe("'@team");
    expect(csvCell('-1')).toBe('-1');
    const csv = buildAnnexACsv(1, [['NSC1', 'a) Male', 'a) WBRI', '01/01/2015', '11', '02/03/2026', 'q) 6: Police']]);
    expect(csv.split('\r\n')).toEqual([
      'Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Date of Contact,Contact Source',
      'NSC1,a) Male,a) WBRI,01/01/2015,11,02/03/2026,q) 6: Police',
      '',
    ]);
    expect(() => buildAnnexACsv(1, [['too few']])).toThrow(/1 cells for 7 columns/);
    expect(annexAFileName(3, '2026-03-31')).toBe('annex-a-list-3-referrals-2026-03-31.csv');
  });
});
