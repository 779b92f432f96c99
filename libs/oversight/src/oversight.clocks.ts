import { declareDeadlineRules, declareTimescales, type DeadlineRulesOf, type TimescaleKeysOf } from '@app/casework';

/** The inspectorate's timescale for whistleblowing reports. */
export const OVERSIGHT_TIMESCALES = declareTimescales({
  'whistleblowing.acknowledge': {
    default: 2,
    unit: 'working_days',
    min: 1,
    max: 5,
    description: 'A whistleblowing report is acknowledged (triaged) within this many working days of receipt (local).',
  },
});

/** The clocks of oversight work: each a deadline that escalates when missed. */
export const OVERSIGHT_RULES = declareDeadlineRules({
  'whistleblowing.acknowledge': {
    description:
      'The inspectorate acknowledges a whistleblowing report (timescale whistleblowing.acknowledge); unacknowledged, ' +
      'it goes up to its whistleblowing officers.',
    // The inspectorate has no case managers: its whistleblowing officers hear of it.
    escalateTo: { oversight: ['whistleblowing_officer'] },
  },
});

declare module '@app/casework' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof OVERSIGHT_TIMESCALES> {}
  interface DeadlineRules extends DeadlineRulesOf<typeof OVERSIGHT_RULES> {}
}
