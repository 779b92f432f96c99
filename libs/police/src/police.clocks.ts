import { declareDeadlineRules, declareTimescales, type DeadlineRulesOf, type TimescaleKeysOf } from '@app/casework';

/** The police CSE unit's local timescales (DOMAIN.md). */
export const POLICE_TIMESCALES = declareTimescales({
  'missing.return_interview': {
    default: 72,
    unit: 'hours',
    min: 24,
    max: 168,
    description:
      'A return home interview by someone independent, within this many hours of a missing child being found.',
  },
});

/** Months between CSE risk screenings (DOMAIN.md: at least every 3 months). */
export const CSE_REVIEW_MONTHS = 3;
/** Episodes within this many days that raise a notice to the CSE unit. */
export const MISSING_PATTERN = { episodes: 3, days: 90 } as const;

/**
 * Days before a disclosure to another force ends at which both forces are told (once per
 * disclosure): the supervisor who disclosed, and the receiving force's CSE unit (which may ask again
 * once it has ended). A notice, not a clock: nothing is overdue when a disclosure ends.
 */
export const DISCLOSURE_ENDING_NOTICE_DAYS = 7;

/** The police clocks: each escalates to the force's CSE supervisors when missed. */
export const POLICE_RULES = declareDeadlineRules({
  'cse.screening_review': {
    description: 'A CSE risk screening is reviewed (a new screening of the child) within 3 months of the last.',
  },
  'missing.return_interview': {
    description:
      'A return home interview (or a recorded reason for none) after a missing child is found (timescale missing.return_interview).',
  },
  'cawn.expiry': {
    description:
      'A child abduction warning notice runs to its expiry day: at the end of it the force is told the notice has lapsed (met when a new notice is served on the same person for the same child).',
  },
});

declare module '@app/casework' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof POLICE_TIMESCALES> {}
  interface DeadlineRules extends DeadlineRulesOf<typeof POLICE_RULES> {}
}
