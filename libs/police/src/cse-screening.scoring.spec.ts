import { bandOf, monthsBefore, recencyOf, scoreScreening } from './cse-screening.scoring';

describe('CSE screening scoring (SERAF style, DOMAIN.md)', () => {
  const on = '2026-12-02';

  it.each([
    [0, 'not_at_risk'],
    [5, 'not_at_risk'],
    [6, 'mild'],
    [10, 'mild'],
    [11, 'moderate'],
    [15, 'moderate'],
    [16, 'significant'],
    [40, 'significant'],
  ])('score %i is band %s', (score, band) => expect(bandOf(score)).toBe(band));

  it('month arithmetic clamps to the shorter month', () => {
    expect(monthsBefore('2026-08-31', 6)).toBe('2026-02-28');
    expect(monthsBefore('2028-08-31', 6)).toBe('2028-02-29');
    expect(monthsBefore('2026-12-02', 12)).toBe('2025-12-02');
    expect(monthsBefore('2026-03-15', 3)).toBe('2025-12-15');
  });

  it('the 6-month boundary: exactly 6 months ago is still "in the last 6 months", the day before is not', () => {
    expect(recencyOf(on, '2026-06-02')).toBe('now_or_last_6_months');
    expect(recencyOf(on, '2026-06-01')).toBe('6_to_12_months');
    expect(recencyOf(on, on)).toBe('now_or_last_6_months');
  });

  it('the 12-month boundary: exactly 12 months ago still scores, the day before does not', () => {
    expect(recencyOf(on, '2025-12-02')).toBe('6_to_12_months');
    expect(recencyOf(on, '2025-12-01')).toBe('older');
  });

  it('significant: 5 in the last 6 months, 1 at 6-12 months, 0 after; moderate: 1 then 0', () => {
    const s = scoreScreening({
      screenedOn: on,
      vulnerabilities: [],
      indicators: [
        { indicator: 'hotel_keys', level: 'significant', lastPresent: '2026-06-02' },
        { indicator: 'older_boyfriend_or_controlling_adult', level: 'significant', lastPresent: '2026-06-01' },
        { indicator: 'sexually_transmitted_infection', level: 'significant', lastPresent: '2025-12-01' },
        { indicator: 'peers_involved', level: 'moderate', lastPresent: '2026-06-02' },
        { indicator: 'withdrawn_allegation', level: 'moderate', lastPresent: '2026-06-01' },
      ],
    });
    expect(s.indicators.map((i) => i.score)).toEqual([5, 1, 0, 1, 0]);
    expect(s.score).toBe(7);
    expect(s.band).toBe('mild');
  });

  it('worked example: Leah, significant (3 vulnerabilities + 3 significant now + 1 moderate now = 19)', () => {
    const s = scoreScreening({
      screenedOn: on,
      vulnerabilities: ['looked_after', 'excluded_or_not_in_school', 'isolated_from_family_or_peers'],
      indicators: [
        { indicator: 'missing_or_out_overnight', level: 'significant', lastPresent: '2026-11-10' },
        { indicator: 'older_boyfriend_or_controlling_adult', level: 'significant', lastPresent: on },
        { indicator: 'picked_up_in_cars_by_unknown_adults', level: 'significant', lastPresent: '2026-11-01' },
        { indicator: 'unexplained_money_phones_gifts', level: 'moderate', lastPresent: '2026-10-01' },
      ],
    });
    expect(s.vulnerabilityScore).toBe(3);
    expect(s.score).toBe(19);
    expect(s.band).toBe('significant');
  });

  it('worked examples at the band edges: 5 (not at risk), 6 (mild), 15 (moderate), 16 (significant)', () => {
    const sig = (lastPresent: string) => ({
      indicator: 'hotel_keys' as const,
      level: 'significant' as const,
      lastPresent,
    });
    expect(scoreScreening({ screenedOn: on, vulnerabilities: [], indicators: [sig(on)] }).score).toBe(5);
    expect(scoreScreening({ screenedOn: on, vulnerabilities: ['mental_health'], indicators: [sig(on)] }).band).toBe(
      'mild',
    );
    const three = [
      sig(on),
      { ...sig(on), indicator: 'peers_involved' as const },
      { ...sig(on), indicator: 'withdrawn_allegation' as const },
    ];
    expect(scoreScreening({ screenedOn: on, vulnerabilities: [], indicators: three }).band).toBe('moderate');
    expect(scoreScreening({ screenedOn: on, vulnerabilities: ['mental_health'], indicators: three }).band).toBe(
      'significant',
    );
  });

  it('a vulnerability named twice counts once', () => {
    expect(
      scoreScreening({ screenedOn: on, vulnerabilities: ['looked_after', 'looked_after'], indicators: [] }).score,
    ).toBe(1);
  });
});
