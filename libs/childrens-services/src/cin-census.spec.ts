import { CIN_FACTORS } from './childrens-services.entity';
import { buildCensusXml, type CensusChild, censusStructureErrors, validateCensus } from './cin-census';

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
          previousPlans: 0,
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
  it('a closure without a reason is refused under a check of our own (no DfE rule number claimed)', () => {
    const c = child();
    c.episodes[0]!.closureDate = '2026-01-01';
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-CLOSURE-REASON']);
  });
  it('a plan without its categories is refused under a check of our own', () => {
    const c = child();
    c.episodes[0]!.cpPlans[0]!.latestCategory = null;
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-CPP-CATEGORY']);
  });
  it('8650: a primary need code not in the code set (N0-N9)', () => {
    const c = child();
    c.episodes[0]!.primaryNeed = 'N10';
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['8650']);
    c.episodes[0]!.primaryNeed = 'N0';
    expect(validateCensus([c], 2026)).toEqual([]);
  });
  it('8640: a reason for closure not in the code set (RC1-RC9)', () => {
    const c = child();
    Object.assign(c.episodes[0]!, { closureDate: '2026-01-01', closureReason: 'RC10' });
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['8640']);
  });
  it('8617: factor 8A, and any factor outside the 2025-26 code set', () => {
    const c = child();
    c.episodes[0]!.assessments.push({ startDate: '2025-05-02', authorisedDate: '2025-05-20', factors: ['8A'] });
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['8617']);
    c.episodes[0]!.assessments[0]!.factors = ['14B'];
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-FACTOR']);
    c.episodes[0]!.assessments[0]!.factors = [...CIN_FACTORS];
    expect(validateCensus([c], 2026)).toEqual([]);
  });
  it('HUB-NO-FACTOR: an authorised assessment with no factor (21 says none were identified)', () => {
    const c = child();
    c.episodes[0]!.assessments.push({ startDate: '2025-05-02', authorisedDate: '2025-05-20', factors: [] });
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-NO-FACTOR']);
    c.episodes[0]!.assessments[0]!.factors = ['21'];
    expect(validateCensus([c], 2026)).toEqual([]);
  });
  it('HUB-EPISODE-OVERLAP: a second episode while the first is open; one the day the first closed is fine', () => {
    const c = child();
    const second = { ...c.episodes[0]!, caseId: 'k2', referralDate: '2025-09-01', cpPlans: [] };
    c.episodes.push(second);
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-EPISODE-OVERLAP']);
    Object.assign(c.episodes[0]!, { closureDate: '2025-09-01', closureReason: 'RC7' });
    c.episodes[0]!.cpPlans[0]!.endDate = '2025-08-01';
    expect(validateCensus([c], 2026)).toEqual([]);
  });
  it('HUB-CIN-DURING-CPP: a CIN plan starting while a CP plan runs; on the day it ends is fine', () => {
    const c = child();
    c.episodes[0]!.cinPlans.push({ startDate: '2025-07-01', endDate: null });
    expect(validateCensus([c], 2026).map((e) => e.rule)).toEqual(['HUB-CIN-DURING-CPP']);
    c.episodes[0]!.cpPlans[0]!.endDate = '2025-07-01';
    expect(validateCensus([c], 2026)).toEqual([]);
  });
  it('builds XML with no default namespace and the header of the collection year', () => {
    const xml = buildCensusXml([child()], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(xml).not.toMatch(/xmlns/);
    expect(xml).toContain('<ReferenceDate>2026-03-31</ReferenceDate>');
    expect(xml).toContain('<LEA>999</LEA>');
    expect(xml).toContain('<Disability>NONE</Disability>');
    expect(xml).toContain('<CPPreviewDate>2025-09-01</CPPreviewDate>');
  });
  it('the XML writer escapes text, writes an empty element as <X/>, and what it writes parses to the outline', () => {
    const kid = child({ laChildId: 'NSC <1> & 2' });
    kid.episodes[0]!.assessments.push({ startDate: '2025-05-02', authorisedDate: null, factors: [] });
    const xml = buildCensusXml([kid], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>')).toBe(true);
    expect(xml).toContain('<LAchildID>NSC &lt;1&gt; &amp; 2</LAchildID>');
    expect(xml).toContain('<AssessmentFactors/>');
    expect(xml.trimEnd().endsWith('</Children>\n</Message>')).toBe(true);
    expect(censusStructureErrors(xml)).toEqual([]);
  });

  it('8525 holds for an unborn child with an expected date of birth, sent as ExpectedPersonBirthDate', () => {
    const unborn = child({ dateOfBirth: null, expectedDateOfBirth: '2026-05-01' });
    expect(validateCensus([unborn], 2026)).toEqual([]);
    const xml = buildCensusXml([unborn], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(xml).toContain('<ExpectedPersonBirthDate>2026-05-01</ExpectedPersonBirthDate>');
    expect(xml).not.toContain('<PersonBirthDate>');
    expect(censusStructureErrors(xml)).toEqual([]);
  });
  it('NumberOfPreviousCPP and ReferralNFA are written where the structure puts them', () => {
    const c = child();
    c.episodes[0]!.cpPlans[0]!.previousPlans = 2;
    c.episodes[0]!.referralNfa = true;
    const xml = buildCensusXml([c], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(xml).toMatch(
      /<LatestCategoryOfAbuse>NEG<\/LatestCategoryOfAbuse>\s*<NumberOfPreviousCPP>2<\/NumberOfPreviousCPP>\s*<Reviews>/,
    );
    expect(xml).toContain('<ReferralNFA>true</ReferralNFA>');
    expect(censusStructureErrors(xml)).toEqual([]);
  });
  it('the structure check finds what departs from the published outline', () => {
    const good = buildCensusXml([child()], { year: 2026, la: '999', generatedAt: new Date('2026-04-02T10:00:00Z') });
    expect(censusStructureErrors(good)).toEqual([]);
    // Out of order, unknown, a namespace, a date not YYYY-MM-DD, a boolean that is not one.
    expect(
      censusStructureErrors(
        good.replace('<Header>', '<Children/><Header>').replace(/<Children>[\s\S]*<\/Children>/, '<Children/>'),
      ),
    ).toEqual([expect.stringMatching(/Message\/Header comes after Children/)]);
    expect(censusStructureErrors(good.replace('<Sex>', '<Gender>M</Gender><Sex>'))).toEqual([
      expect.stringMatching(/ChildIdentifiers\/Gender is not an element of ChildIdentifiers/),
    ]);
    expect(censusStructureErrors(good.replace('<Message>', '<Message xmlns="urn:x">'))).toContainEqual(
      expect.stringMatching(/namespace/),
    );
    expect(censusStructureErrors(good.replace('2025-05-01', '01/05/2025'))).toEqual([
      expect.stringMatching(/CINreferralDate is not YYYY-MM-DD/),
    ]);
    expect(censusStructureErrors(good.replace('<ReferralNFA>false', '<ReferralNFA>no'))).toEqual([
      expect.stringMatching(/ReferralNFA is not a boolean/),
    ]);
  });
});
