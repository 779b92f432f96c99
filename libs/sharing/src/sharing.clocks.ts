import { declareDeadlineRules, declareTimescales, type DeadlineRulesOf, type TimescaleKeysOf } from '@app/casework';

/** How long the asked organisation has to decide an information request (DOMAIN.md defaults, local). */
export const SHARING_TIMESCALES = declareTimescales({
  'information_request.urgent': {
    default: 4,
    unit: 'hours',
    min: 1,
    max: 48,
    description: 'A decision on an urgent information request to the organisation, within these hours (local).',
  },
  'information_request.standard': {
    default: 3,
    unit: 'working_days',
    min: 1,
    max: 20,
    description: 'A decision on a standard information request to the organisation, within these working days (local).',
  },
});

export const SHARING_RULES = declareDeadlineRules({
  'information_request.decision': {
    description:
      'The asked organisation decides to disclose or not (timescale information_request.urgent or .standard); ' +
      'its own managers hear of it when overdue, whoever works it.',
  },
});

declare module '@app/casework' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof SHARING_TIMESCALES> {}
  interface DeadlineRules extends DeadlineRulesOf<typeof SHARING_RULES> {}
}
