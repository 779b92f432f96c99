/**
 * CSE risk screening in the SERAF style (DOMAIN.md): pure code, so the rules are tested from worked
 * examples. Each vulnerability scores 1; each moderate indicator present now or in the last 6 months
 * scores 1; each significant indicator scores 5 if present now or in the last 6 months, 1 if 6 to 12
 * months ago. Bands: 0-5 not at risk, 6-10 mild, 11-15 moderate, 16+ significant.
 */

export const CSE_VULNERABILITIES = [
  'looked_after',
  'previous_abuse',
  'domestic_abuse_at_home',
  'parental_substance_misuse',
  'substance_misuse',
  'mental_health',
  'learning_disability',
  'excluded_or_not_in_school',
  'homeless_or_unstable_placement',
  'isolated_from_family_or_peers',
  'gang_association',
  'bereavement_or_loss',
] as const;
export type CseVulnerability = (typeof CSE_VULNERABILITIES)[number];

/** The indicators of DOMAIN.md (CSE section); each is recorded as moderate or significant by the screener. */
export const CSE_INDICATORS = [
  'missing_or_out_overnight',
  'older_boyfriend_or_controlling_adult',
  'unexplained_money_phones_gifts',
  'hotel_keys',
  'picked_up_in_cars_by_unknown_adults',
  'known_hotspot_locations',
  'sexually_transmitted_infection',
  'withdrawn_allegation',
  'peers_involved',
] as const;
export type CseIndicator = (typeof CSE_INDICATORS)[number];

export const CSE_INDICATOR_LEVELS = ['moderate', 'significant'] as const;
export type CseIndicatorLevel = (typeof CSE_INDICATOR_LEVELS)[number];

export const CSE_BANDS = ['not_at_risk', 'mild', 'moderate', 'significant'] as const;
export type CseBand = (typeof CSE_BANDS)[number];

export interface IndicatorPresence {
  indicator: CseIndicator;
  level: CseIndicatorLevel;
  /** The day it was last present (YYYY-MM-DD); the screening day itself means "present now". */
  lastPresent: string;
}

export interface ScreeningInput {
  /** The day of the screening (YYYY-MM-DD). */
  screenedOn: string;
  vulnerabilities: readonly CseVulnerability[];
  indicators: readonly IndicatorPresence[];
}

export interface ScoredIndicator extends IndicatorPresence {
  /** now_or_last_6_months, 6_to_12_months, or older. */
  recency: Recency;
  score: number;
}
export type Recency = 'now_or_last_6_months' | '6_to_12_months' | 'older';

export interface ScreeningScore {
  score: number;
  band: CseBand;
  vulnerabilityScore: number;
  indicators: ScoredIndicator[];
}

/** `day` minus `months` calendar months (the last day of a shorter month: 31 Aug - 6 months = 28/29 Feb). */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/** `day` plus `months` calendar months (clamped to the month's last day). */
export function monthsAfter(day: string, months: number): string {
  return monthsBefore(day, -months);
}

/**
 * How long ago an indicator was last present. "In the last 6 months" includes the day exactly 6
 * months before the screening; "6 to 12 months ago" includes the day exactly 12 months before.
 */
export function recencyOf(screenedOn: string, lastPresent: string): Recency {
  if (lastPresent >= monthsBefore(screenedOn, 6)) return 'now_or_last_6_months';
  if (lastPresent >= monthsBefore(screenedOn, 12)) return '6_to_12_months';
  return 'older';
}

export function bandOf(score: number): CseBand {
  if (score >= 16) return 'significant';
  if (score >= 11) return 'moderate';
  if (score >= 6) return 'mild';
  return 'not_at_risk';
}

export function indicatorScore(level: CseIndicatorLevel, recency: Recency): number {
  if (recency === 'older') return 0;
  if (level === 'moderate') return recency === 'now_or_last_6_months' ? 1 : 0;
  return recency === 'now_or_last_6_months' ? 5 : 1;
}

export function scoreScreening(input: ScreeningInput): ScreeningScore {
  const vulnerabilityScore = new Set(input.vulnerabilities).size;
  const indicators = input.indicators.map((i) => {
    const recency = recencyOf(input.screenedOn, i.lastPresent);
    return { ...i, recency, score: indicatorScore(i.level, recency) };
  });
  const score = vulnerabilityScore + indicators.reduce((sum, i) => sum + i.score, 0);
  return { score, band: bandOf(score), vulnerabilityScore, indicators };
}
