import { declareDeadlineRules, declareTimescales, type DeadlineRulesOf, type TimescaleKeysOf } from '@app/casework';

/** Children's services timescales (DOMAIN.md; Working Together to Safeguard Children 2023). */
export const CS_TIMESCALES = declareTimescales({
  'assessment.completion': {
    default: 45,
    unit: 'working_days',
    min: 1,
    max: 45,
    description:
      'A child and family assessment is authorised within this many working days of the referral (statutory maximum 45).',
  },
  'strategy.discussion': {
    default: 2,
    unit: 'working_days',
    min: 1,
    max: 5,
    description:
      'A strategy discussion within this many working days of the decision that significant harm is suspected (local).',
  },
  'icpc.target': {
    default: 15,
    unit: 'working_days',
    min: 1,
    max: 15,
    description:
      'The initial child protection conference within this many working days of the strategy discussion at which s47 began (statutory 15).',
  },
});

/** The clocks children's services run under; each escalates to the council's team managers when missed. */
export const CS_RULES = declareDeadlineRules({
  'assessment.completion': {
    description: 'A child and family assessment authorised within 45 working days of the referral.',
  },
  'strategy.discussion': { description: 'A strategy discussion held within the local timescale of the decision.' },
  'icpc.target': {
    description: 'The initial child protection conference within 15 working days of the strategy discussion.',
  },
  'review_conference.due': {
    description: 'A review child protection conference: the first within 3 months of the ICPC, then every 6 months.',
  },
});

declare module '@app/casework' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof CS_TIMESCALES> {}
  interface DeadlineRules extends DeadlineRulesOf<typeof CS_RULES> {}
}
