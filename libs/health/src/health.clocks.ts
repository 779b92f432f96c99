import { declareDeadlineRules, type DeadlineRulesOf } from '@app/casework';

/** Months between reviews of a therapeutic support plan unless the plan sets its own (DOMAIN.md, issue 15). */
export const SUPPORT_REVIEW_MONTHS = 3;

/** The clocks of the health module: each a deadline that escalates when missed. */
export const HEALTH_RULES = declareDeadlineRules({
  'support_plan.review': {
    description:
      "A survivor's therapeutic support plan is reviewed by its next review date (every 3 months by default); an " +
      "overdue review goes up to the service's managers.",
  },
});

declare module '@app/casework' {
  interface DeadlineRules extends DeadlineRulesOf<typeof HEALTH_RULES> {}
}
