import { buildCensusXml, type CensusChild, validateCensus } from './cin-census';

const child = (over: Partial<CensusChild> = {}): CensusChild => ({
  childId: 'c1',
  laChildId: 'NSC1',
  upn: null,
  dateOfBirth: '2015-01-01',
  sex: 'M',
  ethnicity: 'WBRI',
  disabilities: [],
  episodes: [
    {
      caseId: 'k1',
      referralDate: '2025-05-01',
      referralSource: '2A',
      primaryNeed: 'N1',
      referralNfa: false,
      closureDate: null,
      closureReason: null,
      assessments: [],
      cinPlans: [],
      s47s: [],
      cpPlans: [
        {
          startDate: '2025-06-01',
          endDate: null,
          initialCategory: 'NEG',
          latestCategory: 'NEG',
          reviews: ['2025-09-01'],
        },
      ],
    },
  ],
  ...over,
});

describe('CIN census validation rules', () => {
  it('passes a consistent child', () => {
    expect(validateCensus([child()], 2026)).toEqual([]);
  });
  it('8525: a child with no date of birth is refused, named', () => {
    expect(validateCensus([child({ dateOfBirth: null })], 2026)).toEqual([
      expect.objectContaining({ rule: '8525', childId: 'c1', laChildId: 'NSC1' }),
    ]);
  });
  it('8500: no LA child id', () => {
    expect(validateCensus([child({ laChildId: null })], 2026).map((e) => e.rule)).toEqual(['8500']);
  });
  it('8925: a plan ending before it starts', () => {
    const c = child();
    c.episodes[0]!.cpPlans[0]!.endDate = '2025-05-01';
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['8925']);
  });
  it('8650: a closure without a reason', () => {
    const c = child();
    c.episodes[0]!.closureDate = '2026-01-01';
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['8650']);
  });
  it('builds XML with no default namespace and the header of the collection year', () => {
    const xml = buildCensusXml([child()], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(xml).not.toMatch(/xmlns/);
    expect(xml).toContain('<ReferenceDate>2026-03-31</ReferenceDate>');
    expect(xml).toContain('<LEA>999</LEA>');
    expect(xml).toContain('<Disability>NONE</Disability>');
    expect(xml).toContain('<CPPreviewDate>2025-09-01</CPPreviewDate>');
  });
});
