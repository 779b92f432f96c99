import { declareDeadlineRules, type DeadlineRulesOf } from '@app/casework';

/** School days before a moving pupil's safeguarding file is sent and its receipt confirmed (DOMAIN.md). */
export const FILE_TRANSFER_SCHOOL_DAYS = 5;

/** The clocks of the education module: each a deadline that escalates when missed. */
export const EDUCATION_RULES = declareDeadlineRules({
  'education.file_transfer': {
    description:
      "A moving pupil's safeguarding file: sent and its receipt confirmed by the new school's DSL within 5 school " +
      "days of the move (school days: not weekends, bank holidays or the sending school's closure days).",
  },
});

declare module '@app/casework' {
  interface DeadlineRules extends DeadlineRulesOf<typeof EDUCATION_RULES> {}
}
