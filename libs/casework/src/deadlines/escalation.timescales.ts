import { declareTimescales, type TimescaleKeysOf } from '../timescales/timescale-declarations';

/** The kernel's own timescale: how long an overdue deadline waits at level 1 before it goes up. */
export const ESCALATION_TIMESCALES = declareTimescales({
  'escalation.level2': {
    default: 1,
    unit: 'working_days',
    min: 1,
    max: 10,
    description:
      "An overdue item still open this many working days after its due time goes up from the team's managers to " +
      "all the organisation's managers (local).",
  },
});

declare module '../timescales/timescale-declarations' {
  interface TimescaleKeys extends TimescaleKeysOf<typeof ESCALATION_TIMESCALES> {}
}
