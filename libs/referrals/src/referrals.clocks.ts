import { declareDeadlineRules, declareTimescales, type DeadlineRulesOf, type TimescaleKeysOf } from '@app/casework';

/** The timescales of concerns and referrals (DOMAIN.md), each an organisation may set for itself. */
export const REFERRAL_TIMESCALES = declareTimescales({
  'referral.decision': {
    default: 1,
    unit: 'working_days',
    min: 1,
    max: 10,
    description: 'A decision on a referral within this many working days of receipt (statutory: 1).',
  },
  'mash.checks.red': {
    default: 4,
    unit: 'working_hours',
    min: 1,
    max: 24,
    description: 'MASH partner checks after a RED triage (local).',
  },
  'mash.checks.amber': {
    default: 24,
    unit: 'working_hours',
    min: 1,
    max: 72,
    description: 'MASH partner checks after an AMBER triage (local).',
  },
  'mash.checks.green': {
    default: 72,
    unit: 'hours',
    min: 1,
    max: 240,
    description: 'MASH partner checks after a GREEN triage (local).',
  },
  'concern.decision': {
    default: 1,
    unit: 'working_days',
    min: 1,
    max: 5,
    description: "The safeguarding lead's decision on a concern, by the end of this many working days (local).",
  },
  'concern.immediate_danger': {
    default: 60,
    unit: 'minutes',
    min: 5,
    max: 240,
    description: "The safeguarding lead's decision on a concern when the child is in immediate danger (local).",
  },
});

/** The clocks concerns and referrals run under: each a deadline that escalates when missed. */
export const REFERRAL_RULES = declareDeadlineRules({
  'concern.decision': {
    description:
      'The safeguarding lead decides on a concern (timescale concern.decision, or concern.immediate_danger).',
  },
  'referral.decision': {
    description: 'The receiving team decides on a referral (timescale referral.decision; the referrer is told).',
  },
  'mash.checks': {
    description: 'MASH partner checks after triage, by RAG (timescales mash.checks.red, .amber, .green).',
  },
});

declare module '@app/casework' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof REFERRAL_TIMESCALES> {}
  interface DeadlineRules extends DeadlineRulesOf<typeof REFERRAL_RULES> {}
}
